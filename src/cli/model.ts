import {
  FAMILIES,
  familyEntry,
  loadModel,
  type CovarianceType,
  type GaussianMixtureOptions,
  type InitParams,
  type Matrix,
} from '../index.js';
import { integerOption, numberOption } from './args.js';
import { UsageError } from './errors.js';
import { inFlagTerms } from './library-errors.js';

/**
 * The families `fit`, `select` and `predict` take: every registered density of X alone, by its
 * short name (`gaussian`, `poisson`, `bernoulli`, …) or its class name.
 */
export const CLI_FAMILIES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FAMILIES)
    .filter(([, entry]) => entry.selectable)
    .map(([name]) => [name.replace(/Mixture$/, '').toLowerCase(), name]),
);

export const FAMILY_HELP = `  --family NAME        the mixture family: ${Object.keys(CLI_FAMILIES).join(', ')} (default gaussian)`;

/** The class name of `--family` (a short or a class name); GaussianMixture when absent. */
export function familyOption(value: string | undefined): string {
  if (value === undefined) return 'GaussianMixture';
  const name = CLI_FAMILIES[value.toLowerCase()] ?? Object.values(CLI_FAMILIES).find((n) => n === value);
  if (!name) {
    throw new UsageError(`--family must be one of ${Object.keys(CLI_FAMILIES).join(', ')}, got '${value}'`);
  }
  return name;
}

/** What the commands use of a fitted mixture, whatever its family. */
export interface CliModel {
  fit(X: Matrix): Promise<unknown>;
  predict(X: Matrix): Int32Array;
  predictProba(X: Matrix): Float64Array;
  score(X: Matrix): number;
  bic(X: Matrix): number;
  aic(X: Matrix): number;
  toJSON(): { family: string; options: Record<string, unknown> };
  readonly nComponents: number;
  readonly nFeatures: number;
  readonly nIter: number;
  readonly converged: boolean;
  readonly weights: Float64Array;
}

/** A saved model of any family (or the layout before the engine's envelope) read back. */
export function modelFromJSON(json: Record<string, unknown>): CliModel {
  return loadModel(json) as unknown as CliModel;
}

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

/** The library options the mixture flags set (only the flags given: the library's defaults for the rest). */
export function mixtureOptions(v: MixtureFlags): GaussianMixtureOptions {
  const options: GaussianMixtureOptions = {
    randomState: integerOption('--seed', v.seed),
    nInit: integerOption('--n-init', v['n-init']),
    maxIter: integerOption('--max-iter', v['max-iter']),
    tol: numberOption('--tol', v.tol),
    regCovar: numberOption('--reg-covar', v['reg-covar']),
    initParams: v.init as InitParams | undefined,
  };
  // A family without an option (regCovar for counts) rejects it by name, so absent flags set nothing.
  for (const key of Object.keys(options) as (keyof GaussianMixtureOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}

/**
 * The one place the CLI makes a model to fit: from `--family`, the mixture flags, `--components`
 * and `--covariance`, with the library's errors in the words of the flags.
 */
export function buildMixture(
  family: string,
  v: MixtureFlags & { components?: string; covariance?: string },
  onIteration: GaussianMixtureOptions['onIteration'],
): Promise<CliModel> {
  const options: Record<string, unknown> = { ...mixtureOptions(v), onIteration };
  const k = integerOption('--components', v.components);
  if (k !== undefined) options.nComponents = k;
  if (v.covariance !== undefined) {
    if (!familyEntry(family).covarianceTypes) {
      throw new UsageError(`--covariance does not apply to --family ${familyShortName(family)}`);
    }
    options.covarianceType = v.covariance as CovarianceType;
  }
  return inFlagTerms(() => familyEntry(family).create(options) as unknown as CliModel);
}

/** `PoissonMixture` → `poisson`, as `--family` names it. */
export function familyShortName(family: string): string {
  return Object.keys(CLI_FAMILIES).find((k) => CLI_FAMILIES[k] === family) ?? family;
}
