import { LOG_2PI } from '../util/constants';
import { ld } from '../util/memory';
import { accumulateScatterOne, finalizeOne, logProbTriangular } from './full';

/** As `logProbFull`, with one upper-triangular `U (d × d)` shared by every component. */
export function logProbTied(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  k: i32,
  out: usize,
): void {
  let logDet = 0.0;
  for (let j = 0; j < d; j++) logDet += Math.log(ld(precChol, j * d + j));
  const base = -0.5 * <f64>d * LOG_2PI + logDet;
  for (let c = 0; c < k; c++) {
    logProbTriangular(x, n, d, means + ((<usize>(c * d)) << 3), precChol, base, k, c, out);
  }
}

/** `out (d × d) += Σ_c Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ`: the centred form, stable at any scale. */
export function accumulateScatterTied(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  means: usize,
  out: usize,
): void {
  for (let c = 0; c < k; c++) {
    accumulateScatterOne(x, n, d, resp, k, c, means + ((<usize>(c * d)) << 3), out);
  }
}

export function finalizeTied(
  scatter: usize,
  nTotal: f64,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  return finalizeOne(scatter, nTotal, d, reg, cov, precChol) == 0 ? 0 : 1;
}
