import { LOG_2PI } from '../util/constants';
import { ld, st } from '../util/memory';

/** `out (n × k)`: log-density with `Σ_c = I / precChol[c]²`, `precChol (k)`. */
export function logProbSpherical(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  k: i32,
  out: usize,
): void {
  for (let c = 0; c < k; c++) {
    const p = ld(precChol, c);
    const mu = means + ((<usize>(c * d)) << 3);
    const base = -0.5 * <f64>d * LOG_2PI + <f64>d * Math.log(p);
    for (let i = 0; i < n; i++) {
      const xi = x + ((<usize>(i * d)) << 3);
      let q = 0.0;
      for (let j = 0; j < d; j++) {
        const y = ld(xi, j) - ld(mu, j);
        q += y * y;
      }
      // (q·p)·p: p² alone overflows for variances below 1/√MAX_VALUE whose q·p² is fine.
      st(out, i * k + c, base - 0.5 * (q * p) * p);
    }
  }
}

/** `cov[c] = mean_j(scatter[c, j] / nk_c + reg)` from the diagonal scatter `(k × d)`. */
export function finalizeSpherical(
  scatter: usize,
  nk: usize,
  k: i32,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  for (let c = 0; c < k; c++) {
    const inv = 1.0 / ld(nk, c);
    let s = 0.0;
    for (let j = 0; j < d; j++) s += ld(scatter, c * d + j) * inv + reg;
    const v = s / <f64>d;
    if (!(v > 0.0 && v < Infinity && 1.0 / v < Infinity)) return c + 1;
    st(cov, c, v);
    st(precChol, c, 1.0 / Math.sqrt(v));
  }
  return 0;
}
