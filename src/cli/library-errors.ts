import type { GaussianMixtureOptions } from '../index.js';
import { CliError, UsageError } from './errors.js';

/** The command-line flag of each library option the CLI sets. */
export const FLAGS = {
  nComponents: '--components',
  covarianceType: '--covariance',
  randomState: '--seed',
  nInit: '--n-init',
  maxIter: '--max-iter',
  tol: '--tol',
  regCovar: '--reg-covar',
  initParams: '--init',
} as const satisfies Partial<Record<keyof GaussianMixtureOptions, string>>;

const NAMES = new RegExp(`\\b(${Object.keys(FLAGS).join('|')})\\b`, 'g');

/**
 * Runs a library call and reports its errors in the CLI's words: the library names its options
 * (`nComponents must be an integer >= 1, got 0`), the user typed flags (`--components`). An error
 * about a flag's value is a usage error.
 */
export async function inFlagTerms<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CliError || !(err instanceof Error)) throw err;
    const message = err.message.replace(NAMES, (name) => FLAGS[name as keyof typeof FLAGS]);
    throw message.startsWith('--') ? new UsageError(message) : new CliError(message);
  }
}
