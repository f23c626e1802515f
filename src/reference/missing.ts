/**
 * Plain-TypeScript twins of the missing-data kernels (assembly/gaussian/missing.ts): the E-step of a
 * Gaussian mixture whose rows have missing entries, for the rows of one missingness pattern.
 *
 * A pattern is a row of `idx (nPatterns × d)`, Int32: the `nObs` observed feature indices ascending,
 * then the `d − nObs` missing ones ascending. Covariances are given full, `(k × d × d)`, whatever the
 * model's covariance type (diagonal ones with zeros off the diagonal, for which the regression below
 * is exactly zero and the marginal simply drops coordinates).
 */

const LOG_2PI = 1.8378770664093453;

/** f64s per component in `factors`: `d·d` for `W`, `B`, `C` packed (`o² + m·o + m² ≤ d²`), + 1. */
export function missingFactorLength(d: number): number {
  return d * d + 1;
}

/** f64s of `work` each `missingEStep` call needs. */
export function missingWorkLength(k: number, d: number): number {
  return k * d + 2 * k;
}

/**
 * For pattern `p` (`o = nObs` observed, `m = d − o` missing) and each component `c`, writes into
 * `factors + c·(d·d + 1)`:
 * - `W (o × o)` at 0: `L⁻¹` (lower triangular), with `Σ_oo = L Lᵀ`;
 * - `B (m × o)` at `o²`: the regression `Σ_mo Σ_oo⁻¹`;
 * - `C (m × m)` at `o² + m·o`: the conditional covariance `Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om`;
 * - at `d·d`: `−½·o·log(2π) − log|det L|`, the constant of the marginal log-density.
 *
 * Returns 0, or `c + 1` for the first component whose `Σ_oo` is not positive definite.
 */
export function missingFactors(
  cov: Float64Array,
  k: number,
  d: number,
  idx: Int32Array,
  p: number,
  nObs: number,
  factors: Float64Array,
): number {
  const o = nObs;
  const m = d - o;
  const ip = p * d;
  const stride = d * d + 1;
  for (let c = 0; c < k; c++) {
    const s = c * d * d;
    const f = c * stride;
    const bOff = f + o * o;
    const cOff = bOff + m * o;
    // Cholesky of Σ_oo into W (lower).
    let logDet = 0;
    for (let j = 0; j < o; j++) {
      const oj = idx[ip + j];
      let pivot = cov[s + oj * d + oj];
      for (let q = 0; q < j; q++) pivot -= factors[f + j * o + q] * factors[f + j * o + q];
      if (!(pivot > 0 && pivot < Infinity)) return c + 1;
      const ljj = Math.sqrt(pivot);
      logDet += Math.log(ljj);
      factors[f + j * o + j] = ljj;
      for (let i = j + 1; i < o; i++) {
        let t = cov[s + idx[ip + i] * d + oj];
        for (let q = 0; q < j; q++) t -= factors[f + i * o + q] * factors[f + j * o + q];
        factors[f + i * o + j] = t / ljj;
      }
      for (let q = j + 1; q < o; q++) factors[f + j * o + q] = 0;
    }
    // L⁻¹ in place, row by row (row i needs row i of L and the earlier rows of the inverse).
    for (let i = 0; i < o; i++) {
      const inv = 1 / factors[f + i * o + i];
      for (let j = 0; j < i; j++) {
        let t = 0;
        for (let q = j; q < i; q++) t += factors[f + i * o + q] * factors[f + q * o + j];
        factors[f + i * o + j] = -t * inv;
      }
      factors[f + i * o + i] = inv;
    }
    // T = Σ_mo Wᵀ (m × o) into B's place; C = Σ_mm − T Tᵀ; then B = T W in place, ascending columns.
    for (let a = 0; a < m; a++) {
      const ma = idx[ip + o + a];
      for (let j = 0; j < o; j++) {
        let t = 0;
        for (let q = 0; q <= j; q++) t += cov[s + ma * d + idx[ip + q]] * factors[f + j * o + q];
        factors[bOff + a * o + j] = t;
      }
    }
    for (let a = 0; a < m; a++) {
      const ma = idx[ip + o + a];
      for (let b = 0; b < m; b++) {
        let t = cov[s + ma * d + idx[ip + o + b]];
        for (let j = 0; j < o; j++) t -= factors[bOff + a * o + j] * factors[bOff + b * o + j];
        factors[cOff + a * m + b] = t;
      }
    }
    for (let a = 0; a < m; a++) {
      for (let j = 0; j < o; j++) {
        let t = 0;
        for (let q = j; q < o; q++) t += factors[bOff + a * o + q] * factors[f + q * o + j];
        factors[bOff + a * o + j] = t;
      }
    }
    factors[f + d * d] = -0.5 * o * LOG_2PI - logDet;
  }
  return 0;
}

/**
 * The E-step over rows `first … first + n − 1` of `x (· × d)`, which all have pattern `p` (their
 * missing entries are not read), with `factors` from `missingFactors`. For each row `i` and component
 * `c`: `w_c = log N(x_o | μ_co, Σ_coo) + logWeights[c]`, `lse_i = logsumexp_c w_c`,
 * `r_ic = exp(w_c − lse_i)` (`1/k` each when every `w_c` is −∞), and the completed centred row
 * `e_ic = x̂_ic − μ_c` with `x̂_ic = x_o` on observed and `μ_cm + B_c (x_o − μ_co)` on missing
 * coordinates. Then, for every `r_ic ≠ 0`:
 * - if `nk` is not null: `nk[c] += r_ic`; `sumX[c·d + j] += r_ic·e_icj`;
 *   `scatter (k × d × d)[c] += r_ic·e_ic e_icᵀ` (upper triangle only), and after the rows
 *   `(Σ_i r_ic)·C_c` onto the missing block (upper triangle): the expected second moments;
 * - if `resp` is not null: `resp (· × k)[i·k + c] = r_ic` (all `c`, zeros included);
 * - if `lse` is not null: `lse[i] = lse_i`;
 * - if `xhat` is not null: `xhat (· × d)` row `i` = `x_o` observed and `Σ_c r_ic x̂_icm` missing.
 *
 * With `sampleWeight` (`(·)` non-negative row weights indexed as the rows of `x`; null for none),
 * the statistics take `w_i·r_ic` for `r_ic` (a row of weight 0 adds nothing) and the return value
 * `w_i·lse_i`, so an integer weight counts the row that many times; `resp`, `lse` and `xhat` stay
 * unweighted.
 *
 * Returns `Σ_i lse_i` (`Σ_i w_i·lse_i` with weights).
 */
export function missingEStep(
  x: Float64Array,
  first: number,
  n: number,
  d: number,
  idx: Int32Array,
  p: number,
  nObs: number,
  means: Float64Array,
  factors: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  sumX: Float64Array | null,
  scatter: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  xhat: Float64Array | null,
  work: Float64Array,
  sampleWeight: Float64Array | null,
): number {
  const o = nObs;
  const m = d - o;
  const ip = p * d;
  const stride = d * d + 1;
  const w = k * d;
  const rs = w + k;
  for (let c = 0; c < k; c++) work[rs + c] = 0;
  let total = 0;
  for (let i = first; i < first + n; i++) {
    const xi = i * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const f = c * stride;
      const bOff = f + o * o;
      const e = c * d;
      for (let a = 0; a < o; a++) {
        const j = idx[ip + a];
        work[e + j] = x[xi + j] - means[c * d + j];
      }
      let q = 0;
      for (let a = 0; a < o; a++) {
        let t = 0;
        for (let b = 0; b <= a; b++) t += factors[f + a * o + b] * work[e + idx[ip + b]];
        q += t * t;
      }
      for (let a = 0; a < m; a++) {
        let t = 0;
        for (let b = 0; b < o; b++) t += factors[bOff + a * o + b] * work[e + idx[ip + b]];
        work[e + idx[ip + o + a]] = t;
      }
      const lp = factors[f + d * d] - 0.5 * q + logWeights[c];
      work[w + c] = lp;
      if (lp > max) max = lp;
    }
    let sum = 0;
    if (max === -Infinity) {
      for (let c = 0; c < k; c++) work[w + c] = 1 / k;
      sum = 1;
    } else {
      for (let c = 0; c < k; c++) sum += work[w + c] = Math.exp(work[w + c] - max);
    }
    const m_i = max === -Infinity ? -Infinity : max + Math.log(sum);
    // A weighted row counts as that many copies of itself; weight 0 drops it.
    const wi = sampleWeight ? sampleWeight[i] : 1;
    total += wi === 0 && !Number.isNaN(m_i) ? 0 : wi * m_i;
    if (lse) lse[i] = m_i;
    for (let c = 0; c < k; c++) {
      const r = work[w + c] / sum;
      work[w + c] = r;
      if (resp) resp[i * k + c] = r;
      const rw = wi * r;
      if (!nk || rw === 0) continue;
      const e = c * d;
      nk[c] += rw;
      work[rs + c] += rw;
      const sc = c * d * d;
      for (let a = 0; a < d; a++) {
        const ra = rw * work[e + a];
        (sumX as Float64Array)[c * d + a] += ra;
        for (let b = a; b < d; b++) (scatter as Float64Array)[sc + a * d + b] += ra * work[e + b];
      }
    }
    if (xhat) {
      for (let a = 0; a < o; a++) xhat[xi + idx[ip + a]] = x[xi + idx[ip + a]];
      for (let a = 0; a < m; a++) {
        const j = idx[ip + o + a];
        let t = 0;
        for (let c = 0; c < k; c++) t += work[w + c] * (means[c * d + j] + work[c * d + j]);
        xhat[xi + j] = t;
      }
    }
  }
  if (nk) {
    for (let c = 0; c < k; c++) {
      const r = work[rs + c];
      const cOff = c * stride + o * o + m * o;
      const sc = c * d * d;
      for (let a = 0; a < m; a++) {
        const ja = idx[ip + o + a];
        for (let b = 0; b < m; b++) {
          const jb = idx[ip + o + b];
          if (ja <= jb) (scatter as Float64Array)[sc + ja * d + jb] += r * factors[cOff + a * m + b];
        }
      }
    }
  }
  return total;
}
