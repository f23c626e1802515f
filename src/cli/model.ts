import {
  GaussianMixture,
  type CovarianceType,
  type GaussianMixtureOptions,
  type InitParams,
} from '../index.js';
import { integerOption, numberOption } from './args.js';
import { inFlagTerms } from './library-errors.js';

/**
 * The flags of a mixture model, shared by `fit` and `select`; `--components` and `--covariance` are
 * the command's own (one value for fit, a list for select).
 */
export const MIXTURE_OPTIONS = {
  seed: { type: 'string' },
  'n-init': { type: 'string' },
  'max-iter': { type: 'string' },
  tol: { type: 'string' },
  'reg-covar': { type: 'string' },
  init: { type: 'string' },
} as const;

export const MIXTURE_HELP = `  --seed N             integer seed: the same seed gives the same fit (default: a fresh seed)
  --n-init N           initializations; the run with the best log-likelihood wins (default 1)
  --max-iter N         EM iterations per initialization (default 100)
  --tol X              stop when the mean log-likelihood changes by less than X (default 1e-3)
  --reg-covar X        added to the covariance diagonals (default 1e-6)
  --init METHOD        kmeans, k-means++, random or random_from_data (default kmeans)`;

type MixtureFlags = { [K in keyof typeof MIXTURE_OPTIONS]?: string };

/** The library options the mixture flags set (undefined where a flag is absent: the library's default). */
export function mixtureOptions(v: MixtureFlags): GaussianMixtureOptions {
  return {
    randomState: integerOption('--seed', v.seed),
    nInit: integerOption('--n-init', v['n-init']),
    maxIter: integerOption('--max-iter', v['max-iter']),
    tol: numberOption('--tol', v.tol),
    regCovar: numberOption('--reg-covar', v['reg-covar']),
    initParams: v.init as InitParams | undefined,
  };
}

/**
 * The one place the CLI makes a model to fit: from the mixture flags, `--components` and
 * `--covariance`, with the library's errors in the words of the flags.
 */
export function buildMixture(
  v: MixtureFlags & { components?: string; covariance?: string },
  onIteration: GaussianMixtureOptions['onIteration'],
): Promise<GaussianMixture> {
  const options: GaussianMixtureOptions = {
    ...mixtureOptions(v),
    nComponents: integerOption('--components', v.components),
    covarianceType: v.covariance as CovarianceType | undefined,
    onIteration,
  };
  return inFlagTerms(() => new GaussianMixture(options));
}
