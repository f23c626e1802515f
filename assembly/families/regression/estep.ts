// Mixture of linear regressions: one fused pass per EM iteration over rows (x, y).
// log p(y | x, c) = −½·log(2π·σ²_c) − (y − z·β_c)² / (2σ²_c), z = (1, x) with an intercept or x.
// The design row z is built once per row in `work` (the intercept column is added here, so X is
// never copied with an extra column), with the packed upper triangle of z·zᵀ next to it when
// statistics are wanted; every component then adds r·(z·zᵀ) with one contiguous axpy.
//
// Statistics are taken about the current coefficients β_c (the ones this pass scores with): with
// e = y − z·β_c, the pass accumulates Σ r·z·zᵀ, Σ r·z·e and Σ r·e². The M-step solves for the
// change δ = β_new − β_c and gets the new residual sum of squares exactly as
// Σ r·e² − 2·δᵀΣ r·z·e + δᵀ(Σ r·z·zᵀ)δ. Expanding about β_c instead of 0 (yᵀWy − 2βᵀXᵀWy + βᵀXᵀWXβ)
// avoids the cancellation of three terms of the size of Σ r·y² when the fit is good: here every
// term is of the size of the residuals, and near convergence δ → 0.
import { ld, st } from '../../util/memory';
import { axpy, dot, rowPosterior } from '../row';

/**
 * For each row: responsibilities r_c ∝ w_c·N(y; z·β_c, σ²_c); accumulates (s the row's sample
 * weight, 1 when `sampleWeight` is 0) `nk (k) += s·r`, `xtx (k × t) += s·r·z·zᵀ` (the upper
 * triangle packed row by row, t = p(p + 1)/2), `xte (k × p) += s·r·e·z` and `ete (k) += s·r·e²` with e = y − z·β_c; writes
 * `resp (n × k)` and `lse (n)` when they are not 0; returns Σ s·log p(y | x). `nk` 0 skips the
 * statistics (scoring). p = d + intercept; `coef (k × p)`, `logNorm (k)` = −½·log(2π·σ²_c),
 * `halfPrec (k)` = 1 / (2σ²_c). `work` holds 2k + 2 + p + t f64s.
 */
export function regressionEStep(
  x: usize,
  n: i32,
  d: i32,
  y: usize,
  intercept: i32,
  coef: usize,
  logNorm: usize,
  halfPrec: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  xtx: usize,
  xte: usize,
  ete: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  const p = d + intercept;
  const t = (p * (p + 1)) >> 1;
  const scale = work + ((<usize>k) << 3);
  const resid = scale + 16;
  const z = resid + ((<usize>k) << 3);
  const zz = z + ((<usize>p) << 3);
  const zx = z + ((<usize>intercept) << 3);
  if (intercept) store<f64>(z, 1.0);
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let j = 0; j < d; j++) store<f64>(zx + ((<usize>j) << 3), load<f64>(xi + ((<usize>j) << 3)));
    const yi = ld(y, i);
    for (let c = 0; c < k; c++) {
      const e = yi - dot(z, coef + ((<usize>(c * p)) << 3), p);
      st(resid, c, e);
      st(work, c, ld(logWeights, c) + ld(logNorm, c) - ld(halfPrec, c) * e * e);
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
      let o = zz;
      for (let j = 0; j < p; j++) {
        const zj = ld(z, j);
        for (let m = j; m < p; m++) {
          store<f64>(o, zj * ld(z, m));
          o += 8;
        }
      }
      for (let c = 0; c < k; c++) {
        const r = w * ld(work, c) * inv;
        if (r == 0.0) continue;
        const e = ld(resid, c);
        const re = r * e;
        st(nk, c, ld(nk, c) + r);
        st(ete, c, ld(ete, c) + re * e);
        axpy(xte + ((<usize>(c * p)) << 3), re, z, p);
        axpy(xtx + ((<usize>(c * t)) << 3), r, zz, t);
      }
    }
  }
  return total;
}

/**
 * The statistics of given responsibilities (the first M-step, from `respInit` or a random start):
 * for each row and component with `resp (n × k)` r ≠ 0 (already multiplied by the row's weight),
 * e = y − z·shift_c, adds `nk += r`, `xtx (k × t) += r·z·zᵀ` (packed as in `regressionEStep`),
 * `xte (k × p) += r·e·z`, `ete (k) += r·e²`. `work` holds p + t f64s.
 */
export function regressionAccumulate(
  x: usize,
  n: i32,
  d: i32,
  y: usize,
  intercept: i32,
  shift: usize,
  k: i32,
  resp: usize,
  nk: usize,
  xtx: usize,
  xte: usize,
  ete: usize,
  work: usize,
): void {
  const p = d + intercept;
  const t = (p * (p + 1)) >> 1;
  const z = work;
  const zz = z + ((<usize>p) << 3);
  const zx = z + ((<usize>intercept) << 3);
  if (intercept) store<f64>(z, 1.0);
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let j = 0; j < d; j++) store<f64>(zx + ((<usize>j) << 3), load<f64>(xi + ((<usize>j) << 3)));
    let o = zz;
    for (let j = 0; j < p; j++) {
      const zj = ld(z, j);
      for (let m = j; m < p; m++) {
        store<f64>(o, zj * ld(z, m));
        o += 8;
      }
    }
    const yi = ld(y, i);
    const ri = resp + ((<usize>(i * k)) << 3);
    for (let c = 0; c < k; c++) {
      const r = ld(ri, c);
      if (r == 0.0) continue;
      const e = yi - dot(z, shift + ((<usize>(c * p)) << 3), p);
      const re = r * e;
      st(nk, c, ld(nk, c) + r);
      st(ete, c, ld(ete, c) + re * e);
      axpy(xte + ((<usize>(c * p)) << 3), re, z, p);
      axpy(xtx + ((<usize>(c * t)) << 3), r, zz, t);
    }
  }
}
