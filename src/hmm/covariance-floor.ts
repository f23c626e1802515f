import type { CovarianceType } from '../mixture/covariance.js';
import { cholesky, precisionCholeskyFromCovariance } from '../linalg/dense.js';

/**
 * The covariance M-step of the Gaussian HMM emissions under the floor `minCovar`: every covariance
 * must have all its eigenvalues ≥ the floor (a diag variance, a spherical variance, the spectrum of
 * a full or tied matrix). The penalised objective of one covariance,
 * `−A/2·log|Σ| − ½·tr(B Σ⁻¹)`, is maximised over that set by `B/A` with its eigenvalues raised to
 * the floor (the objective is a sum over the eigenvalues of Σ in the eigenbasis of B, each term
 * unimodal with its peak at `bᵢ/A`). So the M-step stays an exact maximisation, and the bound of
 * EM (log-likelihood plus log-prior) never decreases, whatever the scale of the data.
 */

/**
 * Eigen-decomposition of the symmetric `a (d × d)` by cyclic Jacobi rotations: returns the
 * eigenvalues and leaves the eigenvectors in the columns of `vectors (d × d)`. `a` is overwritten.
 */
export function symmetricEigen(a: Float64Array, d: number, vectors: Float64Array): Float64Array {
  vectors.fill(0);
  for (let i = 0; i < d; i++) vectors[i * d + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    let total = 0;
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) {
        const v = a[p * d + q] * a[p * d + q];
        total += v;
        if (p !== q) off += v;
      }
    }
    if (!(off > 1e-30 * total)) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < d; r++) {
          const arp = a[r * d + p];
          const arq = a[r * d + q];
          a[r * d + p] = c * arp - s * arq;
          a[r * d + q] = s * arp + c * arq;
        }
        for (let r = 0; r < d; r++) {
          const apr = a[p * d + r];
          const aqr = a[q * d + r];
          a[p * d + r] = c * apr - s * aqr;
          a[q * d + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < d; r++) {
          const vrp = vectors[r * d + p];
          const vrq = vectors[r * d + q];
          vectors[r * d + p] = c * vrp - s * vrq;
          vectors[r * d + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return values;
}

/**
 * Raises the eigenvalues of the symmetric `cov (d × d)` to at least `floor`, in place, unless it
 * already satisfies the floor (then it is left bit for bit as it is).
 */
export function floorEigenvalues(cov: Float64Array, d: number, floor: number): void {
  if (!(floor > 0)) return;
  const shifted = Float64Array.from(cov);
  for (let j = 0; j < d; j++) shifted[j * d + j] -= floor;
  if (cholesky(shifted, d, new Float64Array(d * d)) === 0) return;
  const work = Float64Array.from(cov);
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) work[a * d + b] = work[b * d + a];
  const vectors = new Float64Array(d * d);
  const values = symmetricEigen(work, d, vectors);
  for (let j = 0; j < d; j++) values[j] = Math.max(values[j], floor);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += vectors[a * d + j] * values[j] * vectors[b * d + j];
      cov[a * d + b] = s;
      cov[b * d + a] = s;
    }
  }
}

/**
 * `cov = scatter / denominator` with the floor on the eigenvalues, and the precision Cholesky
 * factors (upper triangular for full and tied), over `count` Gaussians shaped by `type`:
 * `scatter` spherical and diag `(count × D)` (diagonal scatters), full `(count × D × D)`, tied
 * `(D × D)` over `tiedDenominator`. Returns 0, or `c + 1` for the first Gaussian whose covariance
 * is not positive definite (possible only with a floor of 0).
 */
export function finalizeFloored(
  type: CovarianceType,
  scatter: Float64Array,
  denominators: Float64Array,
  tiedDenominator: number,
  count: number,
  d: number,
  floor: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  if (type === 'diag' || type === 'spherical') {
    for (let c = 0; c < count; c++) {
      let mean = 0;
      for (let j = 0; j < d; j++) {
        const v = scatter[c * d + j] / denominators[c];
        if (type === 'spherical') mean += v / d;
        else cov[c * d + j] = Math.max(v, floor);
      }
      if (type === 'spherical') cov[c] = Math.max(mean, floor);
      const length = type === 'spherical' ? 1 : d;
      for (let j = c * length; j < (c + 1) * length; j++) {
        if (!(cov[j] > 0) || !Number.isFinite(cov[j]) || !Number.isFinite(1 / cov[j])) return c + 1;
        precChol[j] = 1 / Math.sqrt(cov[j]);
      }
    }
    return 0;
  }
  const dd = d * d;
  const matrices = type === 'tied' ? 1 : count;
  const scratch = new Float64Array(dd);
  for (let c = 0; c < matrices; c++) {
    const den = type === 'tied' ? tiedDenominator : denominators[c];
    const covC = cov.subarray(c * dd, (c + 1) * dd);
    for (let e = 0; e < dd; e++) covC[e] = scatter[c * dd + e] / den;
    floorEigenvalues(covC, d, floor);
    if (precisionCholeskyFromCovariance(covC, d, scratch, precChol.subarray(c * dd, (c + 1) * dd)) !== 0) {
      return c + 1;
    }
  }
  return 0;
}
