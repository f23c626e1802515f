import { CliError, UsageError } from './errors.js';

/** The command-line flag of each library option the mixture commands set. */
export const FLAGS: Readonly<Record<string, string>> = {
  nComponents: '--components',
  covarianceType: '--covariance',
  covarianceTypes: '--covariance',
  randomState: '--seed',
  nInit: '--n-init',
  maxIter: '--max-iter',
  tol: '--tol',
  regCovar: '--reg-covar',
  initParams: '--init',
  criterion: '--criterion',
  nFolds: '--folds',
};

/**
 * Runs a library call and reports its errors in the CLI's words: the library names its options
 * (`nComponents must be an integer >= 1, got 0`), the user typed flags (`--components`). An error
 * about a flag's value is a usage error.
 */
export async function inFlagTerms<T>(call: () => T | Promise<T>, flags = FLAGS): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CliError || !(err instanceof Error)) throw err;
    const names = new RegExp(`\\b(${Object.keys(flags).join('|')})\\b`, 'g');
    const message = err.message.replace(names, (name) => flags[name]);
    throw message.startsWith('--') ? new UsageError(message) : new CliError(message);
  }
}
