import type { EstimatorJSON } from '../em/estimator.js';
import type { CovarianceType } from '../mixture/covariance.js';
import { show } from '../util/errors.js';
import { toArray } from '../util/matrix.js';
import { covarsProblem, precisionCholeskyOf } from './gaussian-covars.js';

/** The fit-state fields of the layout emwasm used for HMMs before the engine's envelope. */
const LEGACY_FIT_KEYS = ['nFeatures', 'converged', 'nIter', 'lowerBound', 'lowerBounds'] as const;

/**
 * A saved HMM in the engine's envelope. Files of the previous layout
 * (`{ format: 'emwasm.GaussianHMM', version: 1, options, nFeatures, startProb, …, lowerBounds }`)
 * are read into it: their options as they were (a null `randomState` or `nFeatures` meaning unset),
 * the parameters from the top level, and a bound written as null (−∞ through JSON) as −∞.
 * Anything else is passed on for `readEnvelope` to accept or reject.
 */
export function upgradeLegacy(json: unknown, family: string): unknown {
  const o = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
  if (!o || typeof o !== 'object' || typeof o.format !== 'string' || !o.format.startsWith('emwasm.'))
    return o;
  const saved = o.format.slice('emwasm.'.length);
  if (saved !== family) {
    throw new TypeError(`fromJSON: this file holds a ${show(saved)}, not a ${family}; use ${saved}.fromJSON`);
  }
  if (o.version !== 1) {
    throw new RangeError(
      `fromJSON: ${family} files of the layout '${o.format}' have version 1, got ${show(o.version)}`,
    );
  }
  if (!o.options || typeof o.options !== 'object' || Array.isArray(o.options)) {
    throw new TypeError(`fromJSON: 'options' must be an object, got ${show(o.options)}`);
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o.options)) if (value !== null) options[key] = value;
  const params: Record<string, unknown> = {};
  const fit: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) {
    if (key === 'format' || key === 'version' || key === 'options') continue;
    if ((LEGACY_FIT_KEYS as readonly string[]).includes(key)) fit[key] = value;
    else params[key] = value;
  }
  fit.lowerBound ??= null;
  return { format: 'emwasm', version: 1, family, options, params, fit } satisfies Record<
    keyof EstimatorJSON,
    unknown
  >;
}

/** The number of numbers in a (possibly nested) array, counted without copying; −1 if it is not one. */
export function flatLength(value: unknown): number {
  if (ArrayBuffer.isView(value)) return (value as unknown as ArrayLike<number>).length;
  if (!Array.isArray(value)) return -1;
  let n = 0;
  for (const v of value) {
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      const inner = flatLength(v);
      if (inner < 0) return -1;
      n += inner;
    } else n++;
  }
  return n;
}

/**
 * Before a saved model is built from its options, checks that every size its options imply (K
 * start probabilities, K² transitions, and the family's `extra` arrays) is matched by an array in
 * the file: a file cannot make emwasm allocate more than it holds itself.
 */
export function checkSavedSizes(
  o: EstimatorJSON,
  expected: Readonly<Record<string, (options: Record<string, unknown>) => number>>,
): void {
  const params = o.params as unknown;
  if (!params || typeof params !== 'object' || Array.isArray(params)) {
    throw new TypeError(`fromJSON: 'params' must be an object, got ${show(params)}`);
  }
  for (const [name, size] of Object.entries(expected)) {
    const want = size(o.options);
    const have = flatLength((params as Record<string, unknown>)[name]);
    if (!Number.isSafeInteger(want) || want < 1 || have !== want) {
      throw new RangeError(
        `fromJSON: params.${name} must hold ${Number.isSafeInteger(want) && want >= 1 ? want : 'the'} values the options imply, got ${have < 0 ? show((params as Record<string, unknown>)[name]) : `${have} values`}`,
      );
    }
  }
}

/** The flat-length check of `startProb (K)` and `transMat (K × K)` from the saved `nComponents`. */
export const CHAIN_SIZES = {
  startProb: (o: Record<string, unknown>) => Number(o.nComponents ?? 1),
  transMat: (o: Record<string, unknown>) => Number(o.nComponents ?? 1) ** 2,
};

/**
 * Saved Gaussian covariances `(count …)` shaped by `type`, checked: finite, positive (definite),
 * and their saved precision Cholesky factors (when present) the factors of these covariances to
 * 1e-6 relative, with a positive diagonal. Returns both, the factors recomputed when absent.
 */
export function readGaussianCovars(
  type: CovarianceType,
  covarsIn: unknown,
  factorsIn: unknown,
  shape: readonly number[],
  count: number,
  d: number,
): { covars: Float64Array; precisionsCholesky: Float64Array } {
  const covars = toArray(covarsIn, 'covars', shape);
  const problem = covarsProblem(type, covars, count, d);
  const expected = problem ? null : precisionCholeskyOf(type, covars, count, d);
  if (!expected) {
    const what = type === 'full' || type === 'tied' ? 'symmetric positive definite' : 'positive';
    throw new RangeError(`fromJSON: covars must be ${what}${problem ? `: ${problem}` : ''}`);
  }
  if (factorsIn === undefined) return { covars, precisionsCholesky: expected };
  const factors = toArray(factorsIn, 'precisionsCholesky', shape);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(factors[i] - expected[i]) > 1e-6 * scale) {
      throw new RangeError(
        `fromJSON: precisionsCholesky disagrees with covars at flat index ${i} (${factors[i]}, the covariances give ${expected[i]})`,
      );
    }
  }
  return { covars, precisionsCholesky: factors };
}
