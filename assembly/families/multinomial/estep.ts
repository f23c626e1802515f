// Multinomial mixture: one fused pass per EM iteration over rows of counts (bag-of-words rows).
// log p(x | c) = log(n! / Π_j x_j!) + Σ_j x_j·log θ_cj with n = Σ_j x_j; the coefficient is the same
// for every component, so it is precomputed per row (`rowConst`) and only shifts the row's
// log-likelihood. A probability of 0 enters as log θ = log(5e-324) (the caller floors it): a zero
// count then adds exactly 0, a positive count about −744.4·x, instead of NaN or −∞.
import { ld, st } from '../../util/memory';
import { axpy, dot, rowPosterior } from '../row';

/**
 * For each row: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r`, `sumX (k × d) +=
 * s·r·x` (s the row's sample weight, 1 when `sampleWeight` is 0); writes `resp (n × k)` and
 * `lse (n)` when they are not 0; returns Σ s·log p(x). `nk` 0 skips the statistics (scoring).
 * `logProbs (k × d)` = log θ; `rowConst (n)` the log multinomial coefficients; `work` holds k + 2 f64s.
 */
export function multinomialEStep(
  x: usize,
  n: i32,
  d: i32,
  logProbs: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  rowConst: usize,
  work: usize,
): f64 {
  const scale = work + ((<usize>k) << 3);
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let c = 0; c < k; c++) {
      const lp = logProbs + ((<usize>(c * d)) << 3);
      st(work, c, ld(logWeights, c) + dot(xi, lp, d));
    }
    const l = rowPosterior(work, k, scale) + ld(rowConst, i);
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
