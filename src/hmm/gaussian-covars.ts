import {
  COVARIANCE_KINDS,
  gaussianSampler as sharedSampler,
  type CovarianceType,
} from '../mixture/covariance.js';
import type { Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';

/**
 * hmmlearn's covariance conventions for Gaussian emissions, over `count` Gaussians (the states of a
 * GaussianHMM, the state × mixture pairs of a GMMHMM): the covariance shapes by type
 * (spherical `(count)`, diag `(count × D)`, full `(count × D × D)`, tied `(D × D)`), the starting
 * covariance from the data, and the conversions to the precision Cholesky factors that the
 * mixture's log-density kernels take.
 */

/** `cov(X) + minCovar·I`, `(D × D)`, with numpy's `np.cov` normalisation (n − 1; n for one row). */
export function dataCovariance(X: Matrix, minCovar: number): Float64Array {
  const { data, rows: n, cols: d } = X;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cv = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const ya = data[i * d + a] - mean[a];
      for (let b = 0; b <= a; b++) cv[a * d + b] += ya * (data[i * d + b] - mean[b]);
    }
  }
  const norm = n > 1 ? n - 1 : 1;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) cv[b * d + a] = cv[a * d + b] /= norm;
    cv[a * d + a] += minCovar;
  }
  return cv;
}

/**
 * One `(D × D)` covariance given to every Gaussian in `type`'s shape. Spherical takes the mean of
 * the diagonal (hmmlearn takes the mean of every entry, which can be negative).
 */
export function fillCovars(cv: Float64Array, type: CovarianceType, count: number, d: number): Float64Array {
  switch (type) {
    case 'tied':
      return Float64Array.from(cv);
    case 'full': {
      const out = new Float64Array(count * d * d);
      for (let c = 0; c < count; c++) out.set(cv, c * d * d);
      return out;
    }
    case 'diag': {
      const out = new Float64Array(count * d);
      for (let c = 0; c < count; c++) for (let j = 0; j < d; j++) out[c * d + j] = cv[j * d + j];
      return out;
    }
    case 'spherical': {
      let mean = 0;
      for (let j = 0; j < d; j++) mean += cv[j * d + j] / d;
      return new Float64Array(count).fill(mean);
    }
  }
}

/** Precision Cholesky factors of covariances shaped by `type`; null if one is not positive definite. */
export function precisionCholeskyOf(
  type: CovarianceType,
  cov: Float64Array,
  count: number,
  d: number,
): Float64Array | null {
  return COVARIANCE_KINDS[type].precisionCholeskyFromCovariances(cov, count, d);
}

/** Checks user-given covariances beyond their shape; returns the problem or null. */
export function covarsProblem(
  type: CovarianceType,
  cov: Float64Array,
  count: number,
  d: number,
): string | null {
  return COVARIANCE_KINDS[type].checkPrecisions(cov, count, d);
}

/** A sampler of Gaussian `c`: the one of src/mixture/covariance.ts, for a covariance type. */
export function gaussianSampler(
  type: CovarianceType,
  means: Float64Array,
  precChol: Float64Array,
  count: number,
  d: number,
): (c: number, rng: Random, out: Float64Array, offset: number) => void {
  return sharedSampler(COVARIANCE_KINDS[type], means, precChol, count, d);
}
