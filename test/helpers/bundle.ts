import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const INDEX = new URL('../../src/index.ts', import.meta.url).pathname;

/**
 * Bundles `body` (an ES module that may `import ... from 'emwasm'`) with the library as esbuild
 * builds it for users, then runs it in a fresh Node process and returns its stdout. For what
 * only a real bundle can do: start workers from its own file, exit with workers idle.
 */
export async function runBundled(body: string, timeout = 30_000): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'emwasm-'));
  const entry = join(dir, 'main.ts');
  writeFileSync(entry, body);
  const out = join(dir, 'main.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    loader: { '.wasm': 'binary', '.src': 'text' },
    alias: { emwasm: INDEX },
    outfile: out,
    logLevel: 'error',
  });
  return execFileSync(process.execPath, [out], { timeout, encoding: 'utf8' });
}
