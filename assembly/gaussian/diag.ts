import { LOG_2PI } from '../util/constants';
import { ld, st } from '../util/memory';

/** `out (n × k)`: log-density with `Σ_c = diag(1 / precChol[c]²)`, `precChol (k × d)`. */
export function logProbDiag(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  k: i32,
  out: usize,
): void {
  for (let c = 0; c < k; c++) {
    const p = precChol + ((<usize>(c * d)) << 3);
    const mu = means + ((<usize>(c * d)) << 3);
    let logDet = 0.0;
    for (let j = 0; j < d; j++) logDet += Math.log(ld(p, j));
    const base = -0.5 * <f64>d * LOG_2PI + logDet;
    for (let i = 0; i < n; i++) {
      const xi = x + ((<usize>(i * d)) << 3);
      let q = 0.0;
      for (let j = 0; j < d; j++) {
        const y = (ld(xi, j) - ld(mu, j)) * ld(p, j);
        q += y * y;
      }
      st(out, i * k + c, base - 0.5 * q);
    }
  }
}

/** `out (k × d)[c, j] += Σ_i r_ic (x_ij − μ_cj)²`. */
export function accumulateScatterDiag(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  means: usize,
  out: usize,
): void {
  // Row by row (X and resp read once, not k times); each entry still sums over the rows in order.
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let c = 0; c < k; c++) {
      const r = ld(resp, i * k + c);
      if (r == 0.0) continue;
      const s = out + ((<usize>(c * d)) << 3);
      const mu = means + ((<usize>(c * d)) << 3);
      for (let j = 0; j < d; j++) {
        const y = ld(xi, j) - ld(mu, j);
        st(s, j, ld(s, j) + r * y * y);
      }
    }
  }
}

export function finalizeDiag(
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
    for (let j = 0; j < d; j++) {
      const idx = c * d + j;
      const v = ld(scatter, idx) * inv + reg;
      if (!(v > 0.0 && v < Infinity && 1.0 / v < Infinity)) return c + 1;
      st(cov, idx, v);
      st(precChol, idx, 1.0 / Math.sqrt(v));
    }
  }
  return 0;
}
