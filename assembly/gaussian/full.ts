import { cholesky, invertLowerTransposeInPlace } from '../linalg';
import { LOG_2PI } from '../util/constants';
import { ld, st } from '../util/memory';

/**
 * `out (n × k)[i, c] = log N(x_i | μ_c, Σ_c)` with `Σ_c⁻¹ = U_c U_cᵀ`, `U_c` upper triangular at
 * `precChol + c·d·d`. Only the upper triangle is read: D(D+1)/2 multiply-adds per point and component.
 */
export function logProbFull(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  k: i32,
  out: usize,
): void {
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    const u = precChol + ((<usize>(c * dd)) << 3);
    const mu = means + ((<usize>(c * d)) << 3);
    let logDet = 0.0;
    for (let j = 0; j < d; j++) logDet += Math.log(ld(u, j * d + j));
    const base = -0.5 * <f64>d * LOG_2PI + logDet;
    logProbTriangular(x, n, d, mu, u, base, k, c, out);
  }
}

/** Shared by the full and tied kernels: one component's column of `out`. */
export function logProbTriangular(
  x: usize,
  n: i32,
  d: i32,
  mu: usize,
  u: usize,
  base: f64,
  k: i32,
  c: i32,
  out: usize,
): void {
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    let q = 0.0;
    for (let j = 0; j < d; j++) {
      let s = 0.0;
      for (let a = 0; a <= j; a++) s += (ld(xi, a) - ld(mu, a)) * ld(u, a * d + j);
      q += s * s;
    }
    st(out, i * k + c, base - 0.5 * q);
  }
}

/**
 * `out (k × d × d)[c] += Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ`. The lower triangle is accumulated and
 * mirrored, so `out` must be symmetric on entry (the caller zeroes it).
 */
export function accumulateScatterFull(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  means: usize,
  out: usize,
): void {
  // Row by row, every component of a row before the next (X and resp are read once, not k times);
  // each entry still sums over the rows in order, as accumulateScatterOne per component would.
  const dd = d * d;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let c = 0; c < k; c++) {
      const r = ld(resp, i * k + c);
      if (r == 0.0) continue;
      const s = out + ((<usize>(c * dd)) << 3);
      const mu = means + ((<usize>(c * d)) << 3);
      for (let a = 0; a < d; a++) {
        const rda = r * (ld(xi, a) - ld(mu, a));
        for (let b = 0; b <= a; b++) {
          const idx = a * d + b;
          st(s, idx, ld(s, idx) + rda * (ld(xi, b) - ld(mu, b)));
        }
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const s = out + ((<usize>(c * dd)) << 3);
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) st(s, a * d + b, ld(s, b * d + a));
  }
}

/** Lower triangle of `Σ_i r_ic (x_i − μ)(x_i − μ)ᵀ` added into `s`, then mirrored to the upper. */
export function accumulateScatterOne(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  c: i32,
  mu: usize,
  s: usize,
): void {
  for (let i = 0; i < n; i++) {
    const r = ld(resp, i * k + c);
    if (r == 0.0) continue;
    const xi = x + ((<usize>(i * d)) << 3);
    for (let a = 0; a < d; a++) {
      const rda = r * (ld(xi, a) - ld(mu, a));
      for (let b = 0; b <= a; b++) {
        const idx = a * d + b;
        st(s, idx, ld(s, idx) + rda * (ld(xi, b) - ld(mu, b)));
      }
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) st(s, a * d + b, ld(s, b * d + a));
}

/** `cov = scatter / nk + reg·I` and `precChol = (chol(cov)⁻¹)ᵀ` for one `(d × d)` block. */
export function finalizeOne(scatter: usize, nk: f64, d: i32, reg: f64, cov: usize, precChol: usize): i32 {
  const inv = 1.0 / nk;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let v = ld(scatter, a * d + b) * inv;
      if (a == b) v += reg;
      st(cov, a * d + b, v);
    }
  }
  const status = cholesky(cov, d, precChol);
  if (status != 0) return status;
  invertLowerTransposeInPlace(precChol, d);
  return 0;
}

export function finalizeFull(
  scatter: usize,
  nk: usize,
  k: i32,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  const bytes = (<usize>(d * d)) << 3;
  for (let c = 0; c < k; c++) {
    const off = <usize>c * bytes;
    if (finalizeOne(scatter + off, ld(nk, c), d, reg, cov + off, precChol + off) != 0) return c + 1;
  }
  return 0;
}
