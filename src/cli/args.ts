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

/** A number option (`--tol 1e-3`); range checks are left to the library, which names the bound. */
export function numberOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got '${text}'`);
  return value;
}
