// Fused E-step and M-step statistics for the tied covariance type (d > SMALL_D). One factor U serves
// every component, so the work per row that grows with d² is done once per row, not once per
// component as for full covariances:
//  - log-densities: y = (x − s)·U once per row (s: a shift near the data, the per-feature median of
//    a sample of the call's rows), then ‖y − m_c‖² per component with m_c = (μ_c − s)·U prepared
//    once per call: the spherical kernel's distances with unit scale (precision: chooseShift);
//  - scatter: with p_c = r_c / w the row's posterior (w = Σ_c r_c, its weight) and x̄ = Σ_c p_c μ_c,
//      Σ_c r_c (x − μ_c)(x − μ_c)ᵀ = w (x − x̄)(x − x̄)ᵀ + Σ_{c<c'} (r_c r_c' / w)(μ_c − μ_c')(μ_c − μ_c')ᵀ,
//    and Σ_i r_ic (x_i − μ_c) = Σ_i r_ic (x_i − x̄_i) + Σ_c' A_cc' (μ_c' − μ_c) with
//    A_cc' = Σ_i r_ic r_ic' / w_i. Every term is a sum of products, none a difference of large sums,
//    so the scatter loses nothing however far apart the means are. One symmetric rank update of the augmented
//    rows (x − x̄, p) weighted by (w·(x − x̄), r) yields all three sums, Σ w (x − x̄)(x − x̄)ᵀ,
//    Σ r_c (x − x̄) and A, in (d + k)² work per row; the corrections with the means are added once
//    per call.
import { LOG_2PI } from '../util/constants';
import { emStepSmall } from './fused-small';
import {
  BLOCK,
  SMALL_D,
  TIED_AROWS,
  TIED_AUG,
  TIED_FACTOR,
  TIED_MT,
  TIED_ONES,
  TIED_ROWS,
  TIED_SHIFT,
  TIED_WROWS,
  TIED_Y,
  baseOffset,
  maximaOffset,
  nkSumOffset,
  normalizeBlock,
  padA,
  padBase,
  padK,
  padU,
  respOffset,
  sumColumns,
  tiedOffset,
  tiedStride,
} from './fused-common';
import { logDensityDiagonal } from './fused-diagonal';
import { centreRows, logDetTriangular, padFactors, rankUpdate } from './fused-triangular';

/**
 * `y (nb × dU) = rows · U` for the centred rows at `rows` (stride `dA`, zero rows up to a multiple
 * of 4) and the zero-padded factor `uz (d × dU)`: 4 × 4 register tiles (then a last pair of
 * columns), as the full kernel's log-density, but stored instead of squared and summed.
 */
function transformRows(rows: usize, nb: i32, d: i32, dA: i32, uz: usize, dU: i32, y: usize): void {
  const rStride = (<usize>dA) << 3;
  const uStride = (<usize>dU) << 3;
  const yStride = (<usize>dU) << 3;
  const quads = dU & ~3;
  for (let r = 0; r < nb; r += 4) {
    const d0 = rows + <usize>r * rStride;
    const d1 = d0 + rStride;
    const d2 = d1 + rStride;
    const d3 = d2 + rStride;
    const y0 = y + <usize>r * yStride;
    const y1 = y0 + yStride;
    const y2 = y1 + yStride;
    const y3 = y2 + yStride;
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
      const o = (<usize>j0) << 3;
      v128.store(y0 + o, a00);
      v128.store(y0 + o, a01, 16);
      v128.store(y1 + o, a10);
      v128.store(y1 + o, a11, 16);
      v128.store(y2 + o, a20);
      v128.store(y2 + o, a21, 16);
      v128.store(y3 + o, a30);
      v128.store(y3 + o, a31, 16);
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
      const o = (<usize>j0) << 3;
      v128.store(y0 + o, a0);
      v128.store(y1 + o, a1);
      v128.store(y2 + o, a2);
      v128.store(y3 + o, a3);
    }
  }
}

/**
 * The shift `s (d)` of a call: per feature, the median of up to BLOCK of its rows spread evenly
 * over it (rows with a NaN or an infinity left out; `scratch` holds BLOCK × d f64s), so that `x − s`
 * is of the size of the data's spread and one outlying row does not move it. The log-densities
 * `‖(x − s)·U − (μ_c − s)·U‖²` then carry an absolute error of order ε·‖(x − s)·U‖·‖(x − μ_c)·U‖:
 * exact to rounding for data whose spread is a modest multiple of the component scale, losing
 * digits in proportion to (distance from s)/σ for clusters far apart (scikit-learn's tied
 * log-density, unshifted, loses them in proportion to ‖x‖/σ). With no usable row, the means
 * weighted by the mixture weights (or their plain mean).
 */
function chooseShift(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  logWeights: usize,
  k: i32,
  shift: usize,
  scratch: usize,
): void {
  const rowBytes = (<usize>d) << 3;
  const m = n < BLOCK ? n : BLOCK;
  let used = 0;
  for (let t = 0; t < m; t++) {
    const xi = x + <usize>((<i64>(2 * t + 1) * <i64>n) / <i64>(2 * m)) * rowBytes;
    let finite = true;
    for (let j = 0; j < d; j++) {
      const v = load<f64>(xi + ((<usize>j) << 3));
      if (v - v != 0.0) finite = false;
    }
    if (!finite) continue;
    memory.copy(scratch + <usize>used * rowBytes, xi, rowBytes);
    used++;
  }
  if (used > 0) {
    for (let j = 0; j < d; j++) {
      // Insertion sort of column j (at most BLOCK values), then its median.
      const col = scratch + ((<usize>j) << 3);
      for (let a = 1; a < used; a++) {
        const v = load<f64>(col + <usize>a * rowBytes);
        let b = a - 1;
        while (b >= 0 && load<f64>(col + <usize>b * rowBytes) > v) {
          store<f64>(col + <usize>(b + 1) * rowBytes, load<f64>(col + <usize>b * rowBytes));
          b--;
        }
        store<f64>(col + <usize>(b + 1) * rowBytes, v);
      }
      const mid = used >> 1;
      const hi = load<f64>(col + <usize>mid * rowBytes);
      const median = used & 1 ? hi : 0.5 * (load<f64>(col + <usize>(mid - 1) * rowBytes) + hi);
      store<f64>(shift + ((<usize>j) << 3), median);
    }
    return;
  }
  let total = 0.0;
  for (let c = 0; c < k; c++) total += Math.exp(load<f64>(logWeights + ((<usize>c) << 3)));
  const weighted = total > 0.0 && total < Infinity;
  for (let j = 0; j < d; j++) {
    let s = 0.0;
    for (let c = 0; c < k; c++) {
      const w = weighted ? Math.exp(load<f64>(logWeights + ((<usize>c) << 3))) / total : 1.0 / <f64>k;
      s += w * load<f64>(means + ((<usize>(c * d + j)) << 3));
    }
    store<f64>(shift + ((<usize>j) << 3), s);
  }
}

/**
 * Prepares a call: the padded factor, the shift `s`, the transformed centred means `(μ_c − s)·U`
 * transposed to `(d × kp)` (padding lanes 0), the unit scales and the per-component constants in
 * `base`.
 */
function prepareTied(
  x: usize,
  n: i32,
  means: usize,
  precChol: usize,
  logWeights: usize,
  k: i32,
  d: i32,
  work: usize,
  base: usize,
): void {
  const kp = padK(k);
  const dU = padU(d);
  const uz = tiedOffset(work, k, d, TIED_FACTOR);
  const mT = tiedOffset(work, k, d, TIED_MT);
  const ones = tiedOffset(work, k, d, TIED_ONES);
  const shift = tiedOffset(work, k, d, TIED_SHIFT);
  padFactors(precChol, 1, d, dU, uz);
  chooseShift(x, n, d, means, logWeights, k, shift, tiedOffset(work, k, d, TIED_ROWS));
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < kp; c++) {
      let v = 0.0;
      if (c < k) {
        for (let a = 0; a <= j; a++) {
          const centred =
            load<f64>(means + ((<usize>(c * d + a)) << 3)) - load<f64>(shift + ((<usize>a) << 3));
          v += centred * load<f64>(precChol + ((<usize>(a * d + j)) << 3));
        }
      }
      store<f64>(mT + ((<usize>(j * kp + c)) << 3), v);
    }
  }
  for (let c = 0; c < kp; c++) store<f64>(ones + ((<usize>c) << 3), 1.0);
  const constant = -0.5 * <f64>d * LOG_2PI + logDetTriangular(precChol, d);
  for (let c = 0; c < k; c++) {
    store<f64>(base + ((<usize>c) << 3), constant + load<f64>(logWeights + ((<usize>c) << 3)));
  }
  padBase(base, k, kp);
}

/**
 * Writes the augmented rows of the block's rows with weight `w = Σ_c r_c ≠ 0` (compacted; returns
 * how many): `arows = (x − x̄, p_1 … p_k, 0 …)` and `wrows = (w·(x − x̄), r_1 … r_k, 0 …)`, with
 * `x − x̄ = Σ_c p_c (x − μ_c)` summed from the exact differences (so a far component with a tiny
 * `p_c` costs no digits).
 */
function augmentRows(
  xb: usize,
  nb: i32,
  d: i32,
  means: usize,
  resp: usize,
  k: i32,
  kp: i32,
  arows: usize,
  wrows: usize,
  aS: i32,
): i32 {
  const kpBytes = (<usize>kp) << 3;
  const aStride = (<usize>aS) << 3;
  const pairs = (<usize>(d & ~1)) << 3;
  const bytes = (<usize>d) << 3;
  let count = 0;
  let ai = arows;
  let wi = wrows;
  for (let r = 0; r < nb; r++) {
    const rr = resp + <usize>r * kpBytes;
    let acc = f64x2.splat(0.0);
    for (let p: usize = 0; p < kpBytes; p += 16) acc = f64x2.add(acc, v128.load(rr + p));
    const w = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (w == 0.0) continue;
    // r_c / w by division: a subnormal w (a tiny sample weight) has no finite reciprocal.
    const xi = xb + <usize>r * bytes;
    memory.fill(ai, 0, bytes);
    let mc = means;
    for (let c = 0; c < k; c++) {
      const rc = load<f64>(rr + ((<usize>c) << 3));
      if (rc != 0.0) {
        const pc = rc / w;
        const pv = f64x2.splat(pc);
        let j: usize = 0;
        for (; j < pairs; j += 16) {
          const e = f64x2.sub(v128.load(xi + j), v128.load(mc + j));
          v128.store(ai + j, f64x2.add(v128.load(ai + j), f64x2.mul(pv, e)));
        }
        if (j < bytes) store<f64>(ai + j, load<f64>(ai + j) + pc * (load<f64>(xi + j) - load<f64>(mc + j)));
      }
      mc += bytes;
    }
    const wv = f64x2.splat(w);
    let j: usize = 0;
    for (; j < pairs; j += 16) v128.store(wi + j, f64x2.mul(wv, v128.load(ai + j)));
    if (j < bytes) {
      store<f64>(wi + j, w * load<f64>(ai + j));
      j += 8;
    }
    for (let c = 0; c < k; c++) {
      const rc = load<f64>(rr + ((<usize>c) << 3));
      store<f64>(ai + j, rc / w);
      store<f64>(wi + j, rc);
      j += 8;
    }
    for (; j < aStride; j += 8) {
      store<f64>(ai + j, 0.0);
      store<f64>(wi + j, 0.0);
    }
    ai += aStride;
    wi += aStride;
    count++;
  }
  return count;
}

function augAt(aug: usize, aS: i32, a: i32, b: i32): f64 {
  return load<f64>(aug + ((<usize>(a * aS + b)) << 3));
}

/**
 * Adds the call's statistics from the augmented scatter `aug (aS × aS)` (upper triangle) to the
 * outputs, with the corrections by the means: `scatter (d × d, upper) += Σ w (x − x̄)(x − x̄)ᵀ +
 * Σ_{c<c'} A_cc' (μ_c − μ_c')(μ_c − μ_c')ᵀ`, `sumX_c += Σ r_c (x − x̄) + Σ_c' A_cc' (μ_c' − μ_c)`.
 */
function addTiedStatistics(
  aug: usize,
  aS: i32,
  means: usize,
  k: i32,
  d: i32,
  sumX: usize,
  scatter: usize,
): void {
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const o = scatter + ((<usize>(a * d + b)) << 3);
      store<f64>(o, load<f64>(o) + augAt(aug, aS, a, b));
    }
  }
  for (let c = 0; c < k; c++) {
    const mc = means + ((<usize>(c * d)) << 3);
    for (let j = 0; j < d; j++) {
      let v = augAt(aug, aS, j, d + c);
      const mcj = load<f64>(mc + ((<usize>j) << 3));
      for (let c2 = 0; c2 < k; c2++) {
        if (c2 == c) continue;
        const a = c < c2 ? augAt(aug, aS, d + c, d + c2) : augAt(aug, aS, d + c2, d + c);
        if (a != 0.0) v += a * (load<f64>(means + ((<usize>(c2 * d + j)) << 3)) - mcj);
      }
      const o = sumX + ((<usize>(c * d + j)) << 3);
      store<f64>(o, load<f64>(o) + v);
    }
  }
  for (let c = 0; c < k; c++) {
    for (let c2 = c + 1; c2 < k; c2++) {
      const w = augAt(aug, aS, d + c, d + c2);
      if (w == 0.0) continue;
      const m1 = means + ((<usize>(c * d)) << 3);
      const m2 = means + ((<usize>(c2 * d)) << 3);
      for (let a = 0; a < d; a++) {
        const da = w * (load<f64>(m1 + ((<usize>a) << 3)) - load<f64>(m2 + ((<usize>a) << 3)));
        for (let b = a; b < d; b++) {
          const db = load<f64>(m1 + ((<usize>b) << 3)) - load<f64>(m2 + ((<usize>b) << 3));
          const o = scatter + ((<usize>(a * d + b)) << 3);
          store<f64>(o, load<f64>(o) + da * db);
        }
      }
    }
  }
}

/**
 * Fused E-step and M-step statistics, tied covariance (`precChol (d × d)`, upper triangular).
 * Accumulates `nk (k)`, `sumX (k × d)` about the current means and the upper triangle of one
 * `scatter (d × d)` summed over the components; returns Σ_i log-sum-exp. `work` holds
 * `emStepWorkLength(k, d)` f64s.
 */
export function emStepTied(
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
    return emStepSmall(x, n, d, means, precChol, logWeights, k, nk, sumX, scatter, work, 1, sampleWeight);
  }
  const kp = padK(k);
  const dU = padU(d);
  const dA = padA(d);
  const aS = tiedStride(k, d);
  const resp = respOffset(work);
  const maxima = maximaOffset(work, kp);
  const base = baseOffset(work, kp);
  const nkSum = nkSumOffset(work, kp);
  const uz = tiedOffset(work, k, d, TIED_FACTOR);
  const mT = tiedOffset(work, k, d, TIED_MT);
  const ones = tiedOffset(work, k, d, TIED_ONES);
  const shift = tiedOffset(work, k, d, TIED_SHIFT);
  const aug = tiedOffset(work, k, d, TIED_AUG);
  const rows = tiedOffset(work, k, d, TIED_ROWS);
  const y = tiedOffset(work, k, d, TIED_Y);
  const arows = tiedOffset(work, k, d, TIED_AROWS);
  const wrows = tiedOffset(work, k, d, TIED_WROWS);
  prepareTied(x, n, means, precChol, logWeights, k, d, work, base);
  memory.fill(aug, 0, (<usize>(aS * aS)) << 3);
  memory.fill(nkSum, 0, (<usize>kp) << 3);
  const rowBytes = (<usize>d) << 3;
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const nb = n - i0 < BLOCK ? n - i0 : BLOCK;
    centreRows(x + <usize>i0 * rowBytes, nb, d, shift, rows, dA);
    transformRows(rows, nb, d, dA, uz, dU, y);
    logDensityDiagonal(y, nb, d, (<usize>dU) << 3, mT, ones, base, resp, kp, true, 0);
    total += normalizeBlock(
      resp,
      maxima,
      nb,
      k,
      kp,
      sampleWeight == 0 ? 0 : sampleWeight + ((<usize>i0) << 3),
    );
    sumColumns(resp, nb, kp, nkSum);
    const count = augmentRows(x + <usize>i0 * rowBytes, nb, d, means, resp, k, kp, arows, wrows, aS);
    rankUpdate(arows, wrows, count, d + k, aS, aug);
  }
  addTiedStatistics(aug, aS, means, k, d, sumX, scatter);
  for (let c = 0; c < k; c++) {
    const o = nk + ((<usize>c) << 3);
    store<f64>(o, load<f64>(o) + load<f64>(nkSum + ((<usize>c) << 3)));
  }
  return total;
}
