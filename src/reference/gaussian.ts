/**
 * Plain-TypeScript twins of the Gaussian-mixture kernels (see docs/kernels.md). All matrices are
 * row-major Float64Arrays starting at index 0; `n` = samples, `d` = features, `k` = components.
 */

import { precisionCholeskyFromCovariance } from '../linalg/dense.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Log-density of every sample under every full-covariance component (no mixture weights).
 *
 * `log N = −½·d·log(2π) + log|det U_c| − ½·‖U_cᵀ(x − μ_c)‖²` with `Σ_c⁻¹ = U_c U_cᵀ`.
 *
 * @param x - `(n × d)` samples.
 * @param means - `(k × d)` component means.
 * @param precChol - `(k × d × d)` upper-triangular `U_c`; entries below the diagonal are ignored.
 * @param out - `(n × k)` receives `log N(x_i | μ_c, Σ_c)`.
 */
export function logProbFull(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const u = c * d * d;
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += Math.log(Math.abs(precChol[u + j * d + j]));
    const constant = -0.5 * d * LOG_2PI + logDet;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - means[c * d + j];
      let sq = 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let a = 0; a <= j; a++) y += diff[a] * precChol[u + a * d + j];
        sq += y * y;
      }
      out[i * k + c] = constant - 0.5 * sq;
    }
  }
}

/**
 * Log-density of every sample under every component sharing one covariance (no mixture weights).
 *
 * @param x - `(n × d)` samples.
 * @param means - `(k × d)` component means.
 * @param precChol - `(d × d)` upper-triangular `U` shared by all components; entries below the diagonal
 *   are ignored.
 * @param out - `(n × k)` receives `log N(x_i | μ_c, Σ)`.
 */
export function logProbTied(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  k: number,
  out: Float64Array,
): void {
  let logDet = 0;
  for (let j = 0; j < d; j++) logDet += Math.log(Math.abs(precChol[j * d + j]));
  const constant = -0.5 * d * LOG_2PI + logDet;
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - means[c * d + j];
      let sq = 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let a = 0; a <= j; a++) y += diff[a] * precChol[a * d + j];
        sq += y * y;
      }
      out[i * k + c] = constant - 0.5 * sq;
    }
  }
}

/**
 * Log-density of every sample under every diagonal-covariance component (no mixture weights).
 *
 * @param x - `(n × d)` samples.
 * @param means - `(k × d)` component means.
 * @param precChol - `(k × d)` `1/σ_cj` per component and feature.
 * @param out - `(n × k)` receives `log N(x_i | μ_c, diag(σ_c²))`.
 */
export function logProbDiag(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  k: number,
  out: Float64Array,
): void {
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += Math.log(Math.abs(precChol[c * d + j]));
    const constant = -0.5 * d * LOG_2PI + logDet;
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const y = (x[i * d + j] - means[c * d + j]) * precChol[c * d + j];
        sq += y * y;
      }
      out[i * k + c] = constant - 0.5 * sq;
    }
  }
}

/**
 * Log-density of every sample under every spherical component (no mixture weights).
 *
 * @param x - `(n × d)` samples.
 * @param means - `(k × d)` component means.
 * @param precChol - `(k)` `1/σ_c`, the same for every feature.
 * @param out - `(n × k)` receives `log N(x_i | μ_c, σ_c² I)`.
 */
export function logProbSpherical(
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  k: number,
  out: Float64Array,
): void {
  for (let c = 0; c < k; c++) {
    const p = precChol[c];
    const constant = -0.5 * d * LOG_2PI + d * Math.log(Math.abs(p));
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j] - means[c * d + j];
        sq += diff * diff;
      }
      // (sq·p)·p: p² alone overflows for variances below 1/√MAX_VALUE whose sq·p² is fine.
      out[i * k + c] = constant - 0.5 * (sq * p) * p;
    }
  }
}

/**
 * E-step normalisation, in place: turns per-component log-densities into responsibilities.
 *
 * For each row, `w_c = logProb[i,c] + logWeights[c]`, `m_i = logsumexp_c w_c` (computed stably by
 * subtracting the row maximum) and `logProb[i,c] = exp(w_c − m_i)`. A row whose every `w_c` is −∞ gets
 * `m_i = −∞` and responsibilities `1/k`, so that no NaN reaches the M-step; the caller reports the −∞
 * likelihood.
 *
 * @param logProb - `(n × k)` log-densities in, responsibilities out.
 * @param logWeights - `(k)` log mixture weights.
 * @param lse - `(n)` receives `m_i`, or `null` when the caller does not need it.
 * @returns `Σ_i m_i`, the total log-likelihood.
 */
export function responsibilities(
  logProb: Float64Array,
  n: number,
  k: number,
  logWeights: Float64Array,
  lse: Float64Array | null,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const w = logProb[row + c] + logWeights[c];
      logProb[row + c] = w;
      if (w > max) max = w;
    }
    let m: number;
    if (max === -Infinity) {
      m = -Infinity;
      for (let c = 0; c < k; c++) logProb[row + c] = 1 / k;
    } else {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logProb[row + c] - max);
      m = max + Math.log(sum);
      for (let c = 0; c < k; c++) logProb[row + c] = Math.exp(logProb[row + c] - m);
    }
    if (lse !== null) lse[i] = m;
    total += m;
  }
  return total;
}

/**
 * Accumulates the zeroth and first moments of the responsibilities: `nk[c] += Σ_i r_ic` and
 * `sumX[c][j] += Σ_i r_ic·x_ij`.
 *
 * @param x - `(n × d)` samples.
 * @param resp - `(n × k)` responsibilities.
 * @param nk - `(k)` accumulated.
 * @param sumX - `(k × d)` accumulated.
 */
export function accumulateMoments(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      nk[c] += r;
      for (let j = 0; j < d; j++) sumX[c * d + j] += r * x[i * d + j];
    }
  }
}

/**
 * Accumulates each component's weighted scatter about its mean:
 * `out[c][a][b] += Σ_i r_ic (x_ia − μ_ca)(x_ib − μ_cb)`.
 *
 * Each term is computed once for `a ≤ b` and added to both triangles, so the result is exactly symmetric.
 *
 * @param x - `(n × d)` samples.
 * @param resp - `(n × k)` responsibilities.
 * @param means - `(k × d)` component means.
 * @param out - `(k × d × d)` accumulated, both triangles.
 */
export function accumulateScatterFull(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  means: Float64Array,
  out: Float64Array,
): void {
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const o = c * d * d;
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c];
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - means[c * d + j];
      for (let a = 0; a < d; a++) {
        const ra = r * diff[a];
        out[o + a * d + a] += ra * diff[a];
        for (let b = a + 1; b < d; b++) {
          const t = ra * diff[b];
          out[o + a * d + b] += t;
          out[o + b * d + a] += t;
        }
      }
    }
  }
}

/**
 * Accumulates the pooled weighted scatter of all components about their own means:
 * `out[a][b] += Σ_c Σ_i r_ic (x_ia − μ_ca)(x_ib − μ_cb)`.
 *
 * @param x - `(n × d)` samples.
 * @param resp - `(n × k)` responsibilities.
 * @param means - `(k × d)` component means.
 * @param out - `(d × d)` accumulated, both triangles.
 */
export function accumulateScatterTied(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  means: Float64Array,
  out: Float64Array,
): void {
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c];
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - means[c * d + j];
      for (let a = 0; a < d; a++) {
        const ra = r * diff[a];
        out[a * d + a] += ra * diff[a];
        for (let b = a + 1; b < d; b++) {
          const t = ra * diff[b];
          out[a * d + b] += t;
          out[b * d + a] += t;
        }
      }
    }
  }
}

/**
 * Accumulates each component's weighted per-feature scatter: `out[c][j] += Σ_i r_ic (x_ij − μ_cj)²`.
 * Spherical models use this too.
 *
 * @param x - `(n × d)` samples.
 * @param resp - `(n × k)` responsibilities.
 * @param means - `(k × d)` component means.
 * @param out - `(k × d)` accumulated.
 */
export function accumulateScatterDiag(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  means: Float64Array,
  out: Float64Array,
): void {
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c];
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j] - means[c * d + j];
        out[c * d + j] += r * diff * diff;
      }
    }
  }
}

/**
 * Full-covariance M-step finalisation: `cov_c = scatter_c / nk_c + reg·I`, then
 * `precChol_c = (chol(cov_c)⁻¹)ᵀ`.
 *
 * @param scatter - `(k × d × d)` scatters from {@link accumulateScatterFull}.
 * @param nk - `(k)` effective counts.
 * @param reg - Added to every covariance diagonal.
 * @param cov - `(k × d × d)` receives the covariances.
 * @param precChol - `(k × d × d)` receives upper-triangular `U_c`, zeros below the diagonal.
 * @returns `0` on success, or `c + 1` for the first component whose covariance is not positive definite;
 *   components from `c` on are then left unspecified.
 */
export function finalizeFull(
  scatter: Float64Array,
  nk: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  const dd = d * d;
  const l = new Float64Array(dd);
  for (let c = 0; c < k; c++) {
    const covC = cov.subarray(c * dd, (c + 1) * dd);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) covC[a * d + b] = scatter[c * dd + a * d + b] / nk[c];
      covC[a * d + a] += reg;
    }
    const info = precisionCholeskyFromCovariance(covC, d, l, precChol.subarray(c * dd, (c + 1) * dd));
    if (info !== 0) return c + 1;
  }
  return 0;
}

/**
 * Tied-covariance M-step finalisation: `cov = scatter / nTotal + reg·I`, then `precChol = (chol(cov)⁻¹)ᵀ`.
 *
 * @param scatter - `(d × d)` pooled scatter from {@link accumulateScatterTied}.
 * @param nTotal - `Σ_c nk_c`.
 * @param reg - Added to the covariance diagonal.
 * @param cov - `(d × d)` receives the covariance.
 * @param precChol - `(d × d)` receives the upper-triangular `U`, zeros below the diagonal.
 * @returns `0` on success, or `1` if the covariance is not positive definite.
 */
export function finalizeTied(
  scatter: Float64Array,
  nTotal: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) cov[a * d + b] = scatter[a * d + b] / nTotal;
    cov[a * d + a] += reg;
  }
  return precisionCholeskyFromCovariance(cov, d, new Float64Array(d * d), precChol) === 0 ? 0 : 1;
}

/**
 * Diagonal-covariance M-step finalisation: `cov[c][j] = scatter[c][j] / nk_c + reg`,
 * `precChol[c][j] = 1/√cov[c][j]`.
 *
 * @param scatter - `(k × d)` scatters from {@link accumulateScatterDiag}.
 * @param nk - `(k)` effective counts.
 * @param reg - Added to every variance.
 * @param cov - `(k × d)` receives the variances.
 * @param precChol - `(k × d)` receives `1/σ`.
 * @returns `0` on success, or `c + 1` for the first component with a variance `≤ 0` or not finite.
 */
export function finalizeDiag(
  scatter: Float64Array,
  nk: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const v = scatter[c * d + j] / nk[c] + reg;
      cov[c * d + j] = v;
      if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(1 / v)) return c + 1;
      precChol[c * d + j] = 1 / Math.sqrt(v);
    }
  }
  return 0;
}

/**
 * Spherical M-step finalisation: `cov[c] = mean_j(scatter[c][j] / nk_c + reg)`, `precChol[c] = 1/√cov[c]`.
 *
 * @param scatter - `(k × d)` diagonal scatters from {@link accumulateScatterDiag}.
 * @param nk - `(k)` effective counts.
 * @param reg - Added to every per-feature variance before averaging.
 * @param cov - `(k)` receives the variances.
 * @param precChol - `(k)` receives `1/σ`.
 * @returns `0` on success, or `c + 1` for the first component whose variance is `≤ 0` or not finite.
 */
export function finalizeSpherical(
  scatter: Float64Array,
  nk: Float64Array,
  k: number,
  d: number,
  reg: number,
  cov: Float64Array,
  precChol: Float64Array,
): number {
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += scatter[c * d + j] / nk[c] + reg;
    const v = sum / d;
    cov[c] = v;
    if (!(v > 0) || !Number.isFinite(v) || !Number.isFinite(1 / v)) return c + 1;
    precChol[c] = 1 / Math.sqrt(v);
  }
  return 0;
}
