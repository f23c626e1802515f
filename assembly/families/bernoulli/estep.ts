// Bernoulli mixture: one fused pass per EM iteration over rows of 0/1 features.
// log p(x | c) = Σ_j x_j·log p_cj + (1 − x_j)·log(1 − p_cj) = Σ_j log(1 − p_cj) + x·(log p_c − log(1 − p_c)):
// a per-component constant (`logNeg`) plus one dot product with the log-odds. A probability of 0 or 1
// enters with its log floored at log(5e-324) (the caller does it): the impossible value then costs
// about −744.4 instead of −∞, and the possible one costs exactly 0 (no 0·∞ NaN).
import { ld, st } from '../../util/memory';
import { axpy, dot, rowPosterior } from '../row';

/**
 * For each row: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r`, `sumX (k × d) +=
 * s·r·x` (s the row's sample weight, 1 when `sampleWeight` is 0); writes `resp (n × k)` and
 * `lse (n)` when they are not 0; returns Σ s·log p(x). `nk` 0 skips the statistics (scoring).
 * `logOdds (k × d)` = log p − log(1 − p), `logNeg (k)` = Σ_j log(1 − p_cj); `work` holds k + 2 f64s.
 */
export function bernoulliEStep(
  x: usize,
  n: i32,
  d: i32,
  logOdds: usize,
  logNeg: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  const scale = work + ((<usize>k) << 3);
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let c = 0; c < k; c++) {
      const lo = logOdds + ((<usize>(c * d)) << 3);
      st(work, c, ld(logWeights, c) + ld(logNeg, c) + dot(xi, lo, d));
    }
    const l = rowPosterior(work, k, scale);
    const w = sampleWeight ? ld(sampleWeight, i) : 1.0;
    if (w != 0.0) total += w * l;
    if (lse) st(lse, i, l);
    const inv = load<f64>(scale);
    if (resp) {
      const ri = resp + ((<usize>(i * k)) << 3);
      for (let c = 0; c < k; c++) st(ri, c, ld(work, c) * inv);
    }
    if (nk && w != 0.0) {
      for (let c = 0; c < k; c++) {
        const r = w * ld(work, c) * inv;
        if (r == 0.0) continue;
        st(nk, c, ld(nk, c) + r);
        axpy(sumX + ((<usize>(c * d)) << 3), r, xi, d);
      }
    }
  }
  return total;
}
