// Fused E-step and M-step statistics for the full covariance type, whose precision factors are
// upper triangular (tied, d > 4, has its own kernel in fused-tied.ts). Per row block: the log-densities of every component (a small
// matrix product of the centred rows with the zero-padded factor), the responsibilities, then the
// weighted scatter of every component (a small product of the centred rows with themselves, tiles
// on and above the diagonal only). Both products use 4 × 4 register tiles: eight f64x2
// accumulators, enough independent chains to hide the latency of mul + add.
import { LOG_2PI } from '../util/constants';
import { emStepSmall } from './fused-small';
import {
  BLOCK,
  SMALL_D,
  baseOffset,
  maximaOffset,
  nkSumOffset,
  normalizeBlock,
  padA,
  padBase,
  padK,
  padU,
  paramsOffset,
  respOffset,
  rowsOffset,
  scatterOffset,
  sumColumns,
  weightedRowsOffset,
} from './fused-common';

// Written out here rather than shared: AssemblyScript warns on every exported function with a v128
// parameter.
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

function squares(a: v128, b: v128): v128 {
  return f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b));
}

/**
 * Copies `count` upper-triangular factors `(d × d)` to `out (count × d × dU)` with zeros below the
 * diagonal and in the padding column, so the tiles may run over them without masks.
 */
export function padFactors(precChol: usize, count: i32, d: i32, dU: i32, out: usize): void {
  for (let c = 0; c < count; c++) {
    const u = precChol + ((<usize>(c * d * d)) << 3);
    const z = out + ((<usize>(c * d * dU)) << 3);
    for (let a = 0; a < d; a++) {
      for (let j = 0; j < dU; j++) {
        const v = j >= a && j < d ? load<f64>(u + ((<usize>(a * d + j)) << 3)) : 0.0;
        store<f64>(z + ((<usize>(a * dU + j)) << 3), v);
      }
    }
  }
}

export function logDetTriangular(u: usize, d: i32): f64 {
  let s = 0.0;
  for (let j = 0; j < d; j++) s += Math.log(Math.abs(load<f64>(u + ((<usize>(j * d + j)) << 3))));
  return s;
}

/** `rows (nb × dA)[r, j] = x_r,j − μ_j` for `j < d`, then zero rows up to a multiple of 4. */
export function centreRows(x: usize, nb: i32, d: i32, mu: usize, rows: usize, dA: i32): void {
  const xStride = (<usize>d) << 3;
  const rStride = (<usize>dA) << 3;
  const pairs = (<usize>(d & ~1)) << 3;
  const bytes = (<usize>d) << 3;
  let xi = x;
  let ri = rows;
  for (let r = 0; r < nb; r++) {
    let j: usize = 0;
    for (; j < pairs; j += 16) v128.store(ri + j, f64x2.sub(v128.load(xi + j), v128.load(mu + j)));
    if (j < bytes) store<f64>(ri + j, load<f64>(xi + j) - load<f64>(mu + j));
    xi += xStride;
    ri += rStride;
  }
  for (let r = nb; r & 3; r++) {
    memory.fill(ri, 0, bytes);
    ri += rStride;
  }
}

/**
 * `resp[r, c] = base − ½·‖Uᵀ(x_r − μ)‖²` for the `nb` centred rows at `rows` (stride `dA`), with
 * the zero-padded factor `uz (d × dU)`. Four rows and four columns of `Uᵀ(x − μ)` at a time (then
 * a last pair of columns); the squares are summed per tile, so `Uᵀ(x − μ)` is never stored.
 */
function logDensityTriangular(
  rows: usize,
  nb: i32,
  d: i32,
  dA: i32,
  uz: usize,
  dU: i32,
  base: f64,
  resp: usize,
  kp: i32,
  c: i32,
): void {
  const rStride = (<usize>dA) << 3;
  const uStride = (<usize>dU) << 3;
  const quads = dU & ~3;
  for (let r = 0; r < nb; r += 4) {
    const d0 = rows + <usize>r * rStride;
    const d1 = d0 + rStride;
    const d2 = d1 + rStride;
    const d3 = d2 + rStride;
    let q0 = f64x2.splat(0.0);
    let q1 = f64x2.splat(0.0);
    let q2 = f64x2.splat(0.0);
    let q3 = f64x2.splat(0.0);
    let j0 = 0;
    for (; j0 < quads; j0 += 4) {
      const aEnd = (<usize>(j0 + 4 < d ? j0 + 4 : d)) << 3;
      let a00 = f64x2.splat(0.0);
      let a01 = f64x2.splat(0.0);
      let a10 = f64x2.splat(0.0);
      let a11 = f64x2.splat(0.0);
      let a20 = f64x2.splat(0.0);
      let a21 = f64x2.splat(0.0);
      let a30 = f64x2.splat(0.0);
      let a31 = f64x2.splat(0.0);
      let up = uz + ((<usize>j0) << 3);
      for (let a: usize = 0; a < aEnd; a += 8) {
        const u0 = v128.load(up);
        const u1 = v128.load(up, 16);
        let s = v128.load64_splat(d0 + a);
        a00 = f64x2.add(a00, f64x2.mul(s, u0));
        a01 = f64x2.add(a01, f64x2.mul(s, u1));
        s = v128.load64_splat(d1 + a);
        a10 = f64x2.add(a10, f64x2.mul(s, u0));
        a11 = f64x2.add(a11, f64x2.mul(s, u1));
        s = v128.load64_splat(d2 + a);
        a20 = f64x2.add(a20, f64x2.mul(s, u0));
        a21 = f64x2.add(a21, f64x2.mul(s, u1));
        s = v128.load64_splat(d3 + a);
        a30 = f64x2.add(a30, f64x2.mul(s, u0));
        a31 = f64x2.add(a31, f64x2.mul(s, u1));
        up += uStride;
      }
      q0 = f64x2.add(q0, squares(a00, a01));
      q1 = f64x2.add(q1, squares(a10, a11));
      q2 = f64x2.add(q2, squares(a20, a21));
      q3 = f64x2.add(q3, squares(a30, a31));
    }
    if (j0 < dU) {
      const aEnd = (<usize>(j0 + 2 < d ? j0 + 2 : d)) << 3;
      let a0 = f64x2.splat(0.0);
      let a1 = f64x2.splat(0.0);
      let a2 = f64x2.splat(0.0);
      let a3 = f64x2.splat(0.0);
      let up = uz + ((<usize>j0) << 3);
      for (let a: usize = 0; a < aEnd; a += 8) {
        const u0 = v128.load(up);
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(d0 + a), u0));
        a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(d1 + a), u0));
        a2 = f64x2.add(a2, f64x2.mul(v128.load64_splat(d2 + a), u0));
        a3 = f64x2.add(a3, f64x2.mul(v128.load64_splat(d3 + a), u0));
        up += uStride;
      }
      q0 = f64x2.add(q0, f64x2.mul(a0, a0));
      q1 = f64x2.add(q1, f64x2.mul(a1, a1));
      q2 = f64x2.add(q2, f64x2.mul(a2, a2));
      q3 = f64x2.add(q3, f64x2.mul(a3, a3));
    }
    const out = resp + ((<usize>(r * kp + c)) << 3);
    const outStride = (<usize>kp) << 3;
    store<f64>(out, base - 0.5 * hsum(q0));
    if (r + 1 < nb) store<f64>(out + outStride, base - 0.5 * hsum(q1));
    if (r + 2 < nb) store<f64>(out + 2 * outStride, base - 0.5 * hsum(q2));
    if (r + 3 < nb) store<f64>(out + 3 * outStride, base - 0.5 * hsum(q3));
  }
}

/**
 * Adds the block's weighted scatter of component `c` into `scatter (dA × dA)`: rows with
 * responsibility 0 are skipped, the others are centred and augmented with a 1, `(x − μ, 1)`, so
 * the tile product also yields `Σ r·(x − μ)` in column `d`. Only the tiles on or above the diagonal
 * are computed; entries below the diagonal inside the diagonal tiles are filled but never read.
 */
function accumulateTriangular(
  x: usize,
  nb: i32,
  d: i32,
  mu: usize,
  resp: usize,
  kp: i32,
  c: i32,
  rows: usize,
  wrows: usize,
  dA: i32,
  scatter: usize,
): void {
  const xStride = (<usize>d) << 3;
  const rStride = (<usize>dA) << 3;
  const pairs = (<usize>(d & ~1)) << 3;
  const bytes = (<usize>d) << 3;
  let count = 0;
  let di = rows;
  let wi = wrows;
  for (let r = 0; r < nb; r++) {
    const rr = load<f64>(resp + ((<usize>(r * kp + c)) << 3));
    if (rr == 0.0) continue;
    const xi = x + <usize>r * xStride;
    const rv = f64x2.splat(rr);
    let j: usize = 0;
    for (; j < pairs; j += 16) {
      const dv = f64x2.sub(v128.load(xi + j), v128.load(mu + j));
      v128.store(di + j, dv);
      v128.store(wi + j, f64x2.mul(rv, dv));
    }
    if (j < bytes) {
      const dv = load<f64>(xi + j) - load<f64>(mu + j);
      store<f64>(di + j, dv);
      store<f64>(wi + j, rr * dv);
      j += 8;
    }
    store<f64>(di + j, 1.0);
    store<f64>(wi + j, rr);
    for (j += 8; j < rStride; j += 8) {
      store<f64>(di + j, 0.0);
      store<f64>(wi + j, 0.0);
    }
    di += rStride;
    wi += rStride;
    count++;
  }
  rankUpdate(rows, wrows, count, d, dA, scatter);
}

/**
 * `scatter (stride × stride) += Σ_r wrows_r ⊗ rows_r` over `count` rows of `stride` f64s (a
 * multiple of 4), for the rows `a < top` of `scatter` and the columns `b ≥ a` rounded down to a tile:
 * 4 × 4 tiles on and above the diagonal only; entries below the diagonal inside the diagonal tiles
 * are filled but never read.
 */
export function rankUpdate(
  rows: usize,
  wrows: usize,
  count: i32,
  top: i32,
  stride: i32,
  scatter: usize,
): void {
  if (count == 0) return;
  const sStride = (<usize>stride) << 3;
  for (let a0 = 0; a0 < top; a0 += 4) {
    const s0 = scatter + <usize>a0 * sStride;
    const s1 = s0 + sStride;
    const s2 = s1 + sStride;
    const s3 = s2 + sStride;
    for (let b0 = a0; b0 < stride; b0 += 4) {
      let a00 = f64x2.splat(0.0);
      let a01 = f64x2.splat(0.0);
      let a10 = f64x2.splat(0.0);
      let a11 = f64x2.splat(0.0);
      let a20 = f64x2.splat(0.0);
      let a21 = f64x2.splat(0.0);
      let a30 = f64x2.splat(0.0);
      let a31 = f64x2.splat(0.0);
      let wp = wrows + ((<usize>a0) << 3);
      let dp = rows + ((<usize>b0) << 3);
      for (let r = 0; r < count; r++) {
        const v0 = v128.load(dp);
        const v1 = v128.load(dp, 16);
        let s = v128.load64_splat(wp);
        a00 = f64x2.add(a00, f64x2.mul(s, v0));
        a01 = f64x2.add(a01, f64x2.mul(s, v1));
        s = v128.load64_splat(wp, 8);
        a10 = f64x2.add(a10, f64x2.mul(s, v0));
        a11 = f64x2.add(a11, f64x2.mul(s, v1));
        s = v128.load64_splat(wp, 16);
        a20 = f64x2.add(a20, f64x2.mul(s, v0));
        a21 = f64x2.add(a21, f64x2.mul(s, v1));
        s = v128.load64_splat(wp, 24);
        a30 = f64x2.add(a30, f64x2.mul(s, v0));
        a31 = f64x2.add(a31, f64x2.mul(s, v1));
        wp += sStride;
        dp += sStride;
      }
      const o = (<usize>b0) << 3;
      v128.store(s0 + o, f64x2.add(v128.load(s0 + o), a00));
      v128.store(s0 + o, f64x2.add(v128.load(s0 + o, 16), a01), 16);
      v128.store(s1 + o, f64x2.add(v128.load(s1 + o), a10));
      v128.store(s1 + o, f64x2.add(v128.load(s1 + o, 16), a11), 16);
      v128.store(s2 + o, f64x2.add(v128.load(s2 + o), a20));
      v128.store(s2 + o, f64x2.add(v128.load(s2 + o, 16), a21), 16);
      v128.store(s3 + o, f64x2.add(v128.load(s3 + o), a30));
      v128.store(s3 + o, f64x2.add(v128.load(s3 + o, 16), a31), 16);
    }
  }
}

/**
 * Fused E-step and M-step statistics, full covariances (`precChol (k × d × d)`, upper triangular).
 * Accumulates `nk (k)`, `sumX (k × d)` about the current means and the upper triangle of
 * `scatter (k × d × d)`; returns Σ_i log-sum-exp. `work` holds `emStepWorkLength(k, d)` f64s.
 */
export function emStepFull(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  scatter: usize,
  work: usize,
  sampleWeight: usize,
): f64 {
  if (d >= 1 && d <= SMALL_D) {
    return emStepSmall(x, n, d, means, precChol, logWeights, k, nk, sumX, scatter, work, 0, sampleWeight);
  }
  const kp = padK(k);
  const dU = padU(d);
  const dA = padA(d);
  const resp = respOffset(work);
  const maxima = maximaOffset(work, kp);
  const base = baseOffset(work, kp);
  const nkSum = nkSumOffset(work, kp);
  const uz = paramsOffset(work, kp);
  const sw = scatterOffset(work, k, d);
  const rows = rowsOffset(work, k, d);
  const wrows = weightedRowsOffset(work, k, d);
  const uBytes: usize = (<usize>(d * dU)) << 3;
  const swBytes = (<usize>(dA * dA)) << 3;
  const muBytes = (<usize>d) << 3;

  padFactors(precChol, k, d, dU, uz);
  const constant = -0.5 * <f64>d * LOG_2PI;
  for (let c = 0; c < k; c++) {
    const logDet = logDetTriangular(precChol + ((<usize>(c * d * d)) << 3), d);
    store<f64>(base + ((<usize>c) << 3), constant + logDet + load<f64>(logWeights + ((<usize>c) << 3)));
  }
  padBase(base, k, kp);
  memory.fill(sw, 0, <usize>k * swBytes);
  memory.fill(nkSum, 0, (<usize>kp) << 3);

  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const nb = n - i0 < BLOCK ? n - i0 : BLOCK;
    const xb = x + <usize>i0 * muBytes;
    // Padding lanes keep their −∞ through the block; only the real components are overwritten.
    for (let r = 0; r < nb; r++) {
      for (let c = k; c < kp; c++) store<f64>(resp + ((<usize>(r * kp + c)) << 3), -Infinity);
    }
    for (let c = 0; c < k; c++) {
      centreRows(xb, nb, d, means + <usize>c * muBytes, rows, dA);
      const b = load<f64>(base + ((<usize>c) << 3));
      logDensityTriangular(rows, nb, d, dA, uz + <usize>c * uBytes, dU, b, resp, kp, c);
    }
    total += normalizeBlock(
      resp,
      maxima,
      nb,
      k,
      kp,
      sampleWeight == 0 ? 0 : sampleWeight + ((<usize>i0) << 3),
    );
    sumColumns(resp, nb, kp, nkSum);
    for (let c = 0; c < k; c++) {
      const mu = means + <usize>c * muBytes;
      accumulateTriangular(xb, nb, d, mu, resp, kp, c, rows, wrows, dA, sw + <usize>c * swBytes);
    }
  }

  for (let c = 0; c < k; c++) {
    const s = sw + <usize>c * swBytes;
    const out = scatter + ((<usize>(c * d * d)) << 3);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const o = out + ((<usize>(a * d + b)) << 3);
        store<f64>(o, load<f64>(o) + load<f64>(s + ((<usize>(a * dA + b)) << 3)));
      }
      const o = sumX + ((<usize>(c * d + a)) << 3);
      store<f64>(o, load<f64>(o) + load<f64>(s + ((<usize>(a * dA + d)) << 3)));
    }
    const o = nk + ((<usize>c) << 3);
    store<f64>(o, load<f64>(o) + load<f64>(nkSum + ((<usize>c) << 3)));
  }
  return total;
}
