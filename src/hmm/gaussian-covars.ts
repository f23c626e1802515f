import { COVARIANCE_KINDS, type CovarianceType } from '../mixture/covariance.js';
import { precisionCholeskyFromCovariance } from '../reference/linalg.js';
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
  if (type === 'diag' || type === 'spherical') {
    const out = new Float64Array(cov.length);
    for (let i = 0; i < cov.length; i++) {
      if (!(cov[i] > 0)) return null;
      out[i] = 1 / Math.sqrt(cov[i]);
    }
    return out;
  }
  const matrices = type === 'tied' ? 1 : count;
  const out = new Float64Array(matrices * d * d);
  const scratch = new Float64Array(d * d);
  for (let c = 0; c < matrices; c++) {
    const o = c * d * d;
    const status = precisionCholeskyFromCovariance(
      cov.subarray(o, o + d * d),
      d,
      scratch,
      out.subarray(o, o + d * d),
    );
    if (status !== 0) return null;
  }
  return out;
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

/**
 * A sampler of Gaussian `c` (mean `means[c]`, covariance from `precChol` in `type`'s shape; for
 * tied every c shares the one matrix).
 */
export function gaussianSampler(
  type: CovarianceType,
  means: Float64Array,
  precChol: Float64Array,
  count: number,
  d: number,
): (c: number, rng: Random, out: Float64Array, offset: number) => void {
  const factors = COVARIANCE_KINDS[type].samplingFactors(precChol, count, d);
  const z = new Float64Array(d);
  return (c, rng, out, offset) => {
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    for (let a = 0; a < d; a++) {
      let v: number;
      if (type === 'full' || type === 'tied') {
        const o = type === 'full' ? c * d * d : 0;
        v = 0;
        for (let b = 0; b <= a; b++) v += factors[o + a * d + b] * z[b];
      } else {
        v = (type === 'diag' ? factors[c * d + a] : factors[c]) * z[a];
      }
      out[offset + a] = means[c * d + a] + v;
    }
  };
}
