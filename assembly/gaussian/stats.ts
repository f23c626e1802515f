import { ld, st } from '../util/memory';
import { expShiftSum } from '../util/simd';

/**
 * Mixture-weighted log-densities to responsibilities, in place on `logProb (n × k)`; writes each
 * row's log-sum-exp to `lse (n)` when `lse != 0` and returns their sum. A row that no component can
 * explain (all −∞) gets uniform responsibilities and `lse = −∞`, so the caller sees the −∞ instead
 * of NaN spreading through the M-step. The exponentials run in f64x2 lanes; each row is normalised
 * by its sum (`exp(w − max) / Σ exp(w − max)`, equal to `exp(w − lse)`).
 */
export function responsibilities(logProb: usize, n: i32, k: i32, logWeights: usize, lse: usize): f64 {
  let total = 0.0;
  const uniform = 1.0 / <f64>k;
  const rowBytes = (<usize>k) << 3;
  for (let i = 0; i < n; i++) {
    const row = logProb + <usize>i * rowBytes;
    let m = -Infinity;
    let nan = false;
    for (let c = 0; c < k; c++) {
      const w = ld(row, c) + ld(logWeights, c);
      st(row, c, w);
      if (w > m) m = w;
      else if (w != w) nan = true;
    }
    let norm: f64;
    if (m == -Infinity) {
      for (let c = 0; c < k; c++) st(row, c, uniform);
      norm = -Infinity;
    } else if (nan) {
      // As exp(NaN) would: the NaN reaches every responsibility of the row.
      for (let c = 0; c < k; c++) st(row, c, NaN);
      norm = NaN;
    } else {
      const s = expShiftSum(row, k, m);
      const inv = 1.0 / s;
      for (let c = 0; c < k; c++) st(row, c, ld(row, c) * inv);
      norm = m + Math.log(s);
    }
    if (lse != 0) st(lse, i, norm);
    total += norm;
  }
  return total;
}

/** `nk (k) += Σ_i r_ic`, `sumX (k × d) += Σ_i r_ic x_i`. */
export function accumulateMoments(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  nk: usize,
  sumX: usize,
): void {
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    const ri = resp + ((<usize>(i * k)) << 3);
    for (let c = 0; c < k; c++) {
      const r = ld(ri, c);
      if (r == 0.0) continue;
      st(nk, c, ld(nk, c) + r);
      const sc = sumX + ((<usize>(c * d)) << 3);
      for (let j = 0; j < d; j++) st(sc, j, ld(sc, j) + r * ld(xi, j));
    }
  }
}
