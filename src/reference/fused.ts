/**
 * Plain-TypeScript twins of the fused EM kernels (see docs/kernels.md, "Fused E+M pass"): one pass
 * over X computes the responsibilities and accumulates the M-step statistics about the current
 * means; the M-step re-centres them on the new means. Written for clarity: row by row, component by
 * component, in the order the formulas read.
 */

import { precisionCholeskyFromCovariance } from '../linalg/dense.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** scikit-learn's `10 * np.finfo(float).eps`, added to every component's count. */
const NK_FLOOR = 10 * 2.220446049250313e-16;

/**
 * Length of the `work` array the `emStep*` twins need: the weighted log-densities of one row `(k)`
 * and one centred row `(d)`.
 */
export function emStepWorkLength(k: number, d: number): number {
  return k + d;
}

/** How one covariance type scores a centred row: `−½·‖Uᵀ(x − μ)‖²` and `log|det U|`. */
interface Density {
  logDet(c: number): number;
  /** `‖U_cᵀ diff‖²`. */
  mahalanobis(c: number, diff: Float64Array): number;
}

function triangular(precChol: Float64Array, d: number, tied: boolean): Density {
  const offset = (c: number): number => (tied ? 0 : c * d * d);
  return {
    logDet(c) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Math.log(Math.abs(precChol[offset(c) + j * d + j]));
      return s;
    },
    mahalanobis(c, diff) {
      const u = offset(c);
      let sq = 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let a = 0; a <= j; a++) y += diff[a] * precChol[u + a * d + j];
        sq += y * y;
      }
      return sq;
    },
  };
}

function diagonal(precChol: Float64Array, d: number, spherical: boolean): Density {
  const p = (c: number, j: number): number => (spherical ? precChol[c] : precChol[c * d + j]);
  return {
    logDet(c) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Math.log(Math.abs(p(c, j)));
      return s;
    },
    mahalanobis(c, diff) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const y = diff[j] * p(c, j);
        sq += y * y;
      }
      return sq;
    },
  };
}

/** How one covariance type adds `r·(x − μ_c)(x − μ_c)ᵀ` to its scatter. */
type AddScatter = (scatter: Float64Array, c: number, r: number, diff: Float64Array, d: number) => void;

/** Upper triangle of `(k × d × d)` (full) or of one `(d × d)` (tied). */
const addUpper =
  (tied: boolean): AddScatter =>
  (scatter, c, r, diff, d) => {
    const o = tied ? 0 : c * d * d;
    for (let a = 0; a < d; a++) {
      const rd = r * diff[a];
      for (let b = a; b < d; b++) scatter[o + a * d + b] += rd * diff[b];
    }
  };

/** The diagonal `(k × d)`, for diag and spherical. */
const addDiagonal: AddScatter = (scatter, c, r, diff, d) => {
  for (let j = 0; j < d; j++) scatter[c * d + j] += r * diff[j] * diff[j];
};

/** Spherical: only the trace is used, so `r·‖x − μ_c‖²` goes to column 0 of row c. */
const addTrace: AddScatter = (scatter, c, r, diff, d) => {
  let q = 0;
  for (let j = 0; j < d; j++) q += diff[j] * diff[j];
  scatter[c * d] += r * q;
};

/**
 * The shared fused pass: per row, `w_c = log N(x_i | μ_c, Σ_c) + logWeights[c]`,
 * `m_i = logsumexp_c w_c`, `r_ic = exp(w_c − max) / Σ_c' exp(w_c' − max)`; then for every `r_ic ≠ 0`
 * the statistics about the current means. Returns `Σ_i m_i`. With `sampleWeight (n)`, row i's
 * responsibilities and `m_i` are multiplied by its weight.
 */
function emStep(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  work: Float64Array,
  density: Density,
  addScatter: AddScatter,
  sampleWeight: Float64Array | null,
): number {
  const w = work.subarray(0, k);
  const diff = work.subarray(k, k + d);
  const base = new Float64Array(k);
  for (let c = 0; c < k; c++) base[c] = -0.5 * d * LOG_2PI + density.logDet(c) + logWeights[c];
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    let nan = false;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - means[c * d + j];
      w[c] = base[c] - 0.5 * density.mahalanobis(c, diff);
      if (w[c] > max) max = w[c];
      else if (Number.isNaN(w[c])) nan = true;
    }
    let m: number;
    if (nan) {
      m = NaN;
      w.fill(NaN);
    } else if (max === -Infinity) {
      m = -Infinity;
      w.fill(1 / k);
    } else {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += w[c] = Math.exp(w[c] - max);
      m = max + Math.log(sum);
      for (let c = 0; c < k; c++) w[c] /= sum;
    }
    if (sampleWeight) {
      // A weighted row counts as that many copies of itself; weight 0 drops it.
      const wi = sampleWeight[i];
      if (!Number.isNaN(m)) for (let c = 0; c < k; c++) w[c] *= wi;
      total += wi === 0 && !Number.isNaN(m) ? 0 : wi * m;
    } else {
      total += m;
    }
    for (let c = 0; c < k; c++) {
      const r = w[c];
      if (r === 0) continue;
      nk[c] += r;
      for (let j = 0; j < d; j++) {
        diff[j] = x[i * d + j] - means[c * d + j];
        sumX[c * d + j] += r * diff[j];
      }
      addScatter(scatter, c, r, diff, d);
    }
  }
  return total;
}

/**
 * Fused E-step and M-step statistics for full covariances.
 *
 * @param x - `(n × d)` samples.
 * @param means - `(k × d)` current means (the statistics are taken about them).
 * @param precChol - `(k × d × d)` upper-triangular `U_c`, `Σ_c⁻¹ = U_c U_cᵀ`; below the diagonal ignored.
 * @param logWeights - `(k)` log mixture weights.
 * @param nk - `(k)` accumulates `Σ_i r_ic`.
 * @param sumX - `(k × d)` accumulates `Σ_i r_ic (x_i − μ_c)`.
 * @param scatter - `(k × d × d)` accumulates the upper triangle of `Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ`.
 * @param work - `emStepWorkLength(k, d)` scratch.
 * @param sampleWeight - `(n)` non-negative row weights, or null for weight 1 everywhere.
 * @returns `Σ_i logsumexp_c (log N(x_i | μ_c, Σ_c) + logWeights[c])`.
 */
export function emStepFull(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  work: Float64Array,
  sampleWeight: Float64Array | null,
): number {
  const density = triangular(precChol, d, false);
  return emStep(
    x,
    n,
    d,
    means,
    logWeights,
    k,
    nk,
    sumX,
    scatter,
    work,
    density,
    addUpper(false),
    sampleWeight,
  );
}

/** As {@link emStepFull} with one `precChol (d × d)` and one upper-triangular `scatter (d × d)` summed over components. */
export function emStepTied(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  work: Float64Array,
  sampleWeight: Float64Array | null,
): number {
  const density = triangular(precChol, d, true);
  return emStep(
    x,
    n,
    d,
    means,
    logWeights,
    k,
    nk,
    sumX,
    scatter,
    work,
    density,
    addUpper(true),
    sampleWeight,
  );
}

/** As {@link emStepFull} with `precChol (k × d)` (1/σ) and the diagonal `scatter (k × d)`. */
export function emStepDiag(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  work: Float64Array,
  sampleWeight: Float64Array | null,
): number {
  const density = diagonal(precChol, d, false);
  return emStep(x, n, d, means, logWeights, k, nk, sumX, scatter, work, density, addDiagonal, sampleWeight);
}

/**
 * As {@link emStepDiag} with `precChol (k)`, one 1/σ per component. The scatter is still `(k × d)`,
 * but only its sum over features is used: `Σ_i r_ic ‖x_i − μ_c‖²` is added to column 0 of row c.
 */
export function emStepSpherical(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  work: Float64Array,
  sampleWeight: Float64Array | null,
): number {
  const density = diagonal(precChol, d, true);
  return emStep(x, n, d, means, logWeights, k, nk, sumX, scatter, work, density, addTrace, sampleWeight);
}

/**
 * New mean of one coordinate and its shift: `μ' = (s + n·μ) / n'` equals `Σ r x / n'`, and
 * `δ = μ' − μ` re-centres the statistics.
 */
function shifted(s: number, n: number, mu: number, nPrime: number): { mean: number; delta: number } {
  const mean = (s + n * mu) / nPrime;
  return { mean, delta: mean - mu };
}

/**
 * M-step for full covariances from {@link emStepFull}'s statistics. With `n = nk_c`, `n' = n + 10·eps`,
 * `s = sumX_c`: `μ'_c = (s + n·μ_c) / n'`, `δ = μ'_c − μ_c`,
 * `cov_c = (S_c − s δᵀ − δ sᵀ + n δδᵀ) / n' + reg·I`, `precChol_c = (chol(cov_c)⁻¹)ᵀ`.
 *
 * @param nk - `(k)` raw counts in, `n'` out.
 * @param sumX - `(k × d)` from the E-step.
 * @param scatter - `(k × d × d)` from the E-step (upper triangle read).
 * @param means - `(k × d)` the E-step's means in, the new means out.
 * @param cov - `(k × d × d)` receives the covariances (both triangles).
 * @param precChol - `(k × d × d)` receives the upper-triangular factors.
 * @returns `0`, or `c + 1` for the first component whose covariance is not positive definite (the later
 *   components are then left as they were).
 */
export function mStepFull(
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  means: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  const dd = d * d;
  const delta = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const n = nk[c];
    const nPrime = n + NK_FLOOR;
    for (let a = 0; a < d; a++) {
      const { mean, delta: da } = shifted(sumX[c * d + a], n, means[c * d + a], nPrime);
      delta[a] = da;
      means[c * d + a] = mean;
    }
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const sa = sumX[c * d + a];
        const sb = sumX[c * d + b];
        const centred = scatter[c * dd + a * d + b] - sa * delta[b] - delta[a] * sb + n * delta[a] * delta[b];
        const v = centred / nPrime + (a === b ? reg : 0);
        cov[c * dd + a * d + b] = v;
        cov[c * dd + b * d + a] = v;
      }
    }
    nk[c] = nPrime;
    const covC = cov.subarray(c * dd, (c + 1) * dd);
    const info = precisionCholeskyFromCovariance(
      covC,
      d,
      new Float64Array(dd),
      precChol.subarray(c * dd, (c + 1) * dd),
    );
    if (info !== 0) return c + 1;
  }
  return 0;
}

/**
 * M-step for the tied covariance from {@link emStepTied}'s statistics:
 * `cov = Σ_c (S − s_c δ_cᵀ − δ_c s_cᵀ + n_c δ_c δ_cᵀ) / Σ_c n'_c + reg·I` (S the one summed scatter);
 * means and `nk` as {@link mStepFull}.
 *
 * @returns `0`, or `1` if the covariance is not positive definite.
 */
export function mStepTied(
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  means: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  const centred = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) centred[a * d + b] = scatter[a * d + b];
  const delta = new Float64Array(d);
  let nTotal = 0;
  for (let c = 0; c < k; c++) {
    const n = nk[c];
    const nPrime = n + NK_FLOOR;
    for (let a = 0; a < d; a++) {
      const { mean, delta: da } = shifted(sumX[c * d + a], n, means[c * d + a], nPrime);
      delta[a] = da;
      means[c * d + a] = mean;
    }
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const sa = sumX[c * d + a];
        const sb = sumX[c * d + b];
        centred[a * d + b] += -sa * delta[b] - delta[a] * sb + n * delta[a] * delta[b];
      }
    }
    nk[c] = nPrime;
    nTotal += nPrime;
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = centred[a * d + b] / nTotal + (a === b ? reg : 0);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return precisionCholeskyFromCovariance(cov, d, new Float64Array(d * d), precChol) === 0 ? 0 : 1;
}

/**
 * Per-feature variances from a diagonal scatter: `S'_cj / n'_c + reg` with
 * `S' = S − 2 s δ + n δ²`; updates `means` and `nk` as {@link mStepFull} and calls `done(c, j, v)`.
 */
function diagonalVariances(
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  means: Float64Array,
  k: number,
  d: number,
  reg: number,
  variance: (c: number, j: number, v: number) => boolean,
): number {
  for (let c = 0; c < k; c++) {
    const n = nk[c];
    const nPrime = n + NK_FLOOR;
    nk[c] = nPrime;
    for (let j = 0; j < d; j++) {
      const s = sumX[c * d + j];
      const { mean, delta } = shifted(s, n, means[c * d + j], nPrime);
      means[c * d + j] = mean;
      const v = (scatter[c * d + j] - delta * (2 * s - n * delta)) / nPrime + reg;
      if (!variance(c, j, v)) return c + 1;
    }
  }
  return 0;
}

/**
 * M-step for diagonal covariances from {@link emStepDiag}'s statistics:
 * `cov[c][j] = (S_cj − 2 s δ + n δ²) / n'_c + reg`, `precChol = 1/√cov`; means and `nk` as
 * {@link mStepFull}.
 *
 * @returns `0`, or `c + 1` for the first component with a variance that is not positive and finite.
 */
export function mStepDiag(
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  means: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  return diagonalVariances(nk, sumX, scatter, means, k, d, reg, (c, j, v) => {
    if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(1 / v)) return false;
    cov[c * d + j] = v;
    precChol[c * d + j] = 1 / Math.sqrt(v);
    return true;
  });
}

/**
 * M-step for spherical covariances from {@link emStepSpherical}'s statistics: the mean over features
 * of the diagonal variances, `precChol[c] = 1/√cov[c]` (`cov`, `precChol` are `(k)`).
 *
 * @returns `0`, or `c + 1` for the first component whose variance is not positive and finite.
 */
export function mStepSpherical(
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  means: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  const sums = new Float64Array(k);
  diagonalVariances(nk, sumX, scatter, means, k, d, reg, (c, _j, v) => {
    sums[c] += v;
    return true;
  });
  for (let c = 0; c < k; c++) {
    const v = sums[c] / d;
    if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(1 / v)) return c + 1;
    cov[c] = v;
    precChol[c] = 1 / Math.sqrt(v);
  }
  return 0;
}
