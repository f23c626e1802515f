import { createReadStream, writeFileSync } from 'node:fs';
import { CliError, UsageError, fsError } from './errors.js';

/** The whole of a text file; '-' is standard input. */
export async function readText(path: string): Promise<string> {
  const where = path === '-' ? 'standard input' : path;
  const parts: Buffer[] = [];
  try {
    for await (const chunk of path === '-' ? process.stdin : createReadStream(path))
      parts.push(chunk as Buffer);
  } catch (err) {
    throw fsError('read', where, err);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** A saved model file (JSON), from a file or standard input. */
export async function readJSON(path: string): Promise<Record<string, unknown>> {
  const text = await readText(path);
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    throw new Error('expected an object');
  } catch (err) {
    throw new CliError(
      `${path === '-' ? 'standard input' : path} is not valid JSON: ${(err as Error).message}`,
    );
  }
}

/** Writes `text` to `path`; '-' is standard output. */
export function writeOutput(path: string, text: string): void {
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw fsError('write', path, err);
  }
}

/**
 * Checks that at most one input is standard input and at most one output standard output, naming
 * the flags; says whether standard output is taken (then summaries go to standard error).
 */
export function checkStreams(
  inputs: readonly string[],
  outputs: Record<string, string | undefined>,
): boolean {
  if (inputs.filter((p) => p === '-').length > 1) {
    throw new UsageError('only one input can be standard input (-)');
  }
  const toStdout = Object.entries(outputs).filter(([, p]) => p === '-');
  if (toStdout.length > 1) {
    throw new UsageError(
      `only one output can be standard output (-), got ${toStdout.map(([f]) => f).join(' and ')}`,
    );
  }
  return toStdout.length === 1;
}
