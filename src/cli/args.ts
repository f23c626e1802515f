import { UsageError } from './errors.js';

/**
 * Runs `node:util`'s `parseArgs` (strict, so unknown options are errors) and turns its errors into
 * one-line usage errors.
 */
export function parsingArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(parseErrorMessage(err as NodeJS.ErrnoException));
  }
}

/** parseArgs's messages, shortened to one line in the CLI's voice. */
function parseErrorMessage(err: NodeJS.ErrnoException): string {
  const flag = /--[\w-]+/.exec(err.message)?.[0] ?? /'(-\w)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown option '${flag}'`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag && /missing|ambiguous/.test(err.message)) {
    return `${flag} needs a value; write ${flag}=VALUE for a value that starts with '-'`;
  }
  return err.message.charAt(0).toLowerCase() + err.message.slice(1);
}

/** The positional arguments, which must be exactly `names` (e.g. `['model.json', 'data.csv']`). */
export function requirePositionals(positionals: string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument '${positionals[names.length]}'`);
  }
  return positionals;
}

/** A decimal number as people write it in data: `-1.5`, `.5`, `2e-3`; not hex, not `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of a decimal number's text, or undefined when it is not one (`0x10`, `1,5`, ''). */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A number option (`--tol 1e-3`), decimal only; range checks are left to the library, which names the bound. */
export function numberOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = parseDecimal(text);
  if (value === undefined) throw new UsageError(`${flag} must be a number, got '${text}'`);
  return value;
}

/** An integer option (`--components 3`): decimal digits only, so `1e1` and `0x10` are refused. */
export function integerOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be an integer, got '${text}'`);
  }
  return Number(text);
}

/** A list of integers and ranges (`--components 1-6` or `2,4,8` or `1-3,5`), in the order given. */
export function integerListOption(flag: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const out: number[] = [];
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from || to - from > 1000) {
        throw new UsageError(`${flag} has a range ${part.trim()} that does not go up (or spans over 1000)`);
      }
      for (let v = from; v <= to; v++) out.push(v);
    } else {
      out.push(integerOption(flag, part.trim()) as number);
    }
  }
  return out;
}

/** A comma-separated list of words (`--covariance full,diag`). */
export function wordListOption(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((w) => w.trim());
}
