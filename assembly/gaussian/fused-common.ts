// What the fused E+M kernels share: the row block, the layout of the caller's `work` area and the
// per-block normalisation of log-densities into responsibilities.
import { expInPlace } from '../util/simd';

/**
 * Rows per block. A block's log-densities, the centred rows of one component and their weighted
 * copies stay in L1 while the block is processed, so X is read from memory once per pass.
 */
export const BLOCK: i32 = 32;

/** `k` rounded up to even: a block row of log-densities is whole f64x2 lanes; padding holds −∞. */
export function padK(k: i32): i32 {
  return (k + 1) & ~1;
}

/** Row stride of a zero-padded precision factor: `d` rounded up to even. */
export function padU(d: i32): i32 {
  return (d + 1) & ~1;
}

/**
 * Row stride of the augmented centred rows `(x − μ, 1)` and of their scatter: `d + 1` rounded up to
 * a multiple of 4, the width of the scatter tiles.
 */
export function padA(d: i32): i32 {
  return (d + 4) & ~3;
}

/*
 * Work layout, in f64s from the `work` pointer (every part starts at an even index, so 16-byte
 * aligned work gives aligned parts):
 *   resp   BLOCK × kp     log-densities, then responsibilities, of the current block
 *   maxima BLOCK          each block row's maximum
 *   base   kp             per component: −½·d·log 2π + log|det U_c| + log weight_c (padding −∞)
 *   nkSum  kp             Σ r per component over the call
 *   params P              full/tied: the factors with zeros below the diagonal, (k or 1) × d × dU;
 *                         diag: the means and factors transposed, d × kp each; spherical: the
 *                         means transposed and the squared factors (kp)
 *   scatter k × dA × dA   full/tied: augmented scatter of the call (column d holds Σ r·(x − μ))
 *   rows   BLOCK × dA     full/tied: augmented centred rows of one component; diag/spherical: the
 *                         last block's rows, zero-padded to a multiple of 4
 *   wrows  BLOCK × dA     full/tied: the same rows times their responsibility
 *   small  2 × (kp/2) × smallStride(d) × 2, only for d ≤ SMALL_D: the parameters transposed to
 *                         pairs of components and the per-pair accumulators (fused-small.ts);
 *                         spherical with d > SMALL_D: the squared distances of the block
 *                         (BLOCK × kp) and the call's Σ r·‖x − μ‖² (kp) instead
 */
export function respOffset(work: usize): usize {
  return work;
}

export function maximaOffset(work: usize, kp: i32): usize {
  return work + ((<usize>(BLOCK * kp)) << 3);
}

export function baseOffset(work: usize, kp: i32): usize {
  return maximaOffset(work, kp) + ((<usize>BLOCK) << 3);
}

export function nkSumOffset(work: usize, kp: i32): usize {
  return baseOffset(work, kp) + ((<usize>kp) << 3);
}

export function paramsOffset(work: usize, kp: i32): usize {
  return nkSumOffset(work, kp) + ((<usize>kp) << 3);
}

function paramsLength(k: i32, d: i32): i32 {
  const triangular = k * d * padU(d);
  const diagonal = 2 * d * padK(k);
  return triangular > diagonal ? triangular : diagonal;
}

export function scatterOffset(work: usize, k: i32, d: i32): usize {
  return paramsOffset(work, padK(k)) + ((<usize>paramsLength(k, d)) << 3);
}

export function rowsOffset(work: usize, k: i32, d: i32): usize {
  const dA = padA(d);
  return scatterOffset(work, k, d) + ((<usize>(k * dA * dA)) << 3);
}

export function weightedRowsOffset(work: usize, k: i32, d: i32): usize {
  return rowsOffset(work, k, d) + ((<usize>(BLOCK * padA(d))) << 3);
}

/** Largest `d` of the small-dimension paths, which run across pairs of components. */
export const SMALL_D: i32 = 4;

/**
 * f64x2 lanes per pair of components in the small-d parameters and accumulators: `d` means or
 * first moments, then the `d(d+1)/2` upper-triangular factor or scatter entries.
 */
export function smallStride(d: i32): i32 {
  return d + ((d * (d + 1)) >> 1);
}

/**
 * Small d (`d ≤ SMALL_D`): the parameters `(kp/2 × smallStride × 2)` transposed to pairs of
 * components, then their accumulators of the same shape; after `wrows`.
 */
export function smallOffset(work: usize, k: i32, d: i32): usize {
  return weightedRowsOffset(work, k, d) + ((<usize>(BLOCK * padA(d))) << 3);
}

function smallLength(k: i32, d: i32): i32 {
  return d <= SMALL_D ? 2 * padK(k) * smallStride(d) : 0;
}

/**
 * Spherical with d > SMALL_D, in the place of the small-d parts: the block's squared distances
 * `‖x − μ_c‖² (BLOCK × kp)`, then the call's `Σ r·‖x − μ_c‖²` per component `(kp)`.
 */
export function sphericalOffset(work: usize, k: i32, d: i32): usize {
  return smallOffset(work, k, d);
}

function tailLength(k: i32, d: i32): i32 {
  const spherical = (BLOCK + 1) * padK(k);
  const small = smallLength(k, d);
  return small > spherical ? small : spherical;
}

/*
 * Tied with d > SMALL_D (fused-tied.ts) shares resp, maxima, base and nkSum, then lays out its own
 * parts from `paramsOffset`, in this order (f64s):
 *   TIED_FACTOR  d × dU     the factor with zeros below the diagonal
 *   TIED_MT      d × kp     the transformed centred means (μ_c − s)·U, transposed; padding lanes 0
 *   TIED_ONES    kp         1.0 in every lane
 *   TIED_SHIFT   dU         the shift s
 *   TIED_AUG     aS × aS    the augmented scatter of the call, aS = tiedStride(k, d)
 *   TIED_ROWS    BLOCK × dA the block's rows minus s, zero rows up to a multiple of 4
 *   TIED_Y       BLOCK × dU those rows times U
 *   TIED_AROWS   BLOCK × aS the augmented rows (x − x̄, p) of the rows with weight
 *   TIED_WROWS   BLOCK × aS the same rows times their weight, (w·(x − x̄), r)
 */
export const TIED_FACTOR: i32 = 0;
export const TIED_MT: i32 = 1;
export const TIED_ONES: i32 = 2;
export const TIED_SHIFT: i32 = 3;
export const TIED_AUG: i32 = 4;
export const TIED_ROWS: i32 = 5;
export const TIED_Y: i32 = 6;
export const TIED_AROWS: i32 = 7;
export const TIED_WROWS: i32 = 8;
const TIED_END: i32 = 9;

/** Row stride of the tied kernel's augmented rows `(d features, k responsibilities)`: a multiple of 4. */
export function tiedStride(k: i32, d: i32): i32 {
  return padA(d + k - 1);
}

function tiedPartLength(part: i32, k: i32, d: i32): i32 {
  const kp = padK(k);
  const dU = padU(d);
  const aS = tiedStride(k, d);
  if (part == TIED_FACTOR) return d * dU;
  if (part == TIED_MT) return d * kp;
  if (part == TIED_ONES) return kp;
  if (part == TIED_SHIFT) return dU;
  if (part == TIED_AUG) return aS * aS;
  if (part == TIED_ROWS) return BLOCK * padA(d);
  if (part == TIED_Y) return BLOCK * dU;
  return BLOCK * aS;
}

/** Where part `part` (`TIED_*`) of the tied kernel's work area starts. */
export function tiedOffset(work: usize, k: i32, d: i32, part: i32): usize {
  let o = paramsOffset(work, padK(k));
  for (let p = 0; p < part; p++) o += (<usize>tiedPartLength(p, k, d)) << 3;
  return o;
}

/** Length in f64s of the `work` area every `emStep*` kernel needs for `k` components in `d` dimensions. */
export function emStepWorkLength(k: i32, d: i32): i32 {
  const kp = padK(k);
  const dA = padA(d);
  const shared = BLOCK * kp + BLOCK + 2 * kp;
  const general = shared + paramsLength(k, d) + k * dA * dA + 2 * BLOCK * dA + tailLength(k, d);
  const tied = <i32>(tiedOffset(0, k, d, TIED_END) >> 3);
  return general > tied ? general : tied;
}

/**
 * Turns the block's weighted log-densities `resp (nb × kp)` into responsibilities in place and
 * returns the sum of the rows' log-sum-exp. Row by row as `responsibilities`: the maximum is
 * subtracted, a row whose every entry is −∞ gets 1/k, a row with a NaN gets NaN. The exponentials
 * run over the whole block at once, so the out-of-order core overlaps many of them. Padding lanes
 * hold −∞ and become 0. With `weights != 0` (the block's `nb` sample weights) each row's
 * responsibilities and log-sum-exp are multiplied by its weight (a row of weight 0 adds nothing).
 */
export function normalizeBlock(resp: usize, maxima: usize, nb: i32, k: i32, kp: i32, weights: usize): f64 {
  const rowBytes = (<usize>kp) << 3;
  let row = resp;
  for (let r = 0; r < nb; r++) {
    // Branch-free maximum over the k real lanes (a data-dependent branch per entry mispredicts
    // often): pmax skips a NaN in its second operand, so NaNs are flagged separately.
    let mv = f64x2.splat(-Infinity);
    let nanv = f64x2.splat(0.0);
    for (let c = 0; c + 1 < k; c += 2) {
      const w = v128.load(row + ((<usize>c) << 3));
      mv = f64x2.pmax(mv, w);
      nanv = v128.or(nanv, f64x2.ne(w, w));
    }
    if (k & 1) {
      const w = v128.load64_splat(row + ((<usize>(k - 1)) << 3));
      mv = f64x2.pmax(mv, w);
      nanv = v128.or(nanv, f64x2.ne(w, w));
    }
    mv = f64x2.pmax(mv, v128.shuffle<f64>(mv, mv, 1, 0));
    let m = f64x2.extract_lane(mv, 0);
    if (v128.any_true(nanv)) m = NaN;
    if (m == -Infinity) {
      // exp(0) = 1 in every real lane: the sum is k and each responsibility exactly 1/k.
      for (let c = 0; c < k; c++) store<f64>(row + ((<usize>c) << 3), 0.0);
    } else {
      const ms = f64x2.splat(m);
      for (let p: usize = 0; p < rowBytes; p += 16) v128.store(row + p, f64x2.sub(v128.load(row + p), ms));
    }
    store<f64>(maxima + ((<usize>r) << 3), m);
    row += rowBytes;
  }
  expInPlace(resp, nb * kp);
  if (weights != 0) return weightRows(resp, maxima, nb, k, kp, weights);
  // Σ_r log s_r is taken as few logs of products: each s_r is in [1, k].
  let total = 0.0;
  let product = 1.0;
  row = resp;
  for (let r = 0; r < nb; r++) {
    let acc = f64x2.splat(0.0);
    for (let p: usize = 0; p < rowBytes; p += 16) acc = f64x2.add(acc, v128.load(row + p));
    const s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    const m = load<f64>(maxima + ((<usize>r) << 3));
    if (m != m) {
      for (let c = 0; c < k; c++) store<f64>(row + ((<usize>c) << 3), NaN);
    } else {
      const inv = f64x2.splat(1.0 / s);
      for (let p: usize = 0; p < rowBytes; p += 16) v128.store(row + p, f64x2.mul(v128.load(row + p), inv));
    }
    total += m;
    product *= s;
    if (product > 1e280) {
      total += Math.log(product);
      product = 1.0;
    }
    row += rowBytes;
  }
  return total + Math.log(product);
}

/** The weighted end of `normalizeBlock`: `resp[r] ← w_r·exp(…)/s_r`, returns `Σ_r w_r (m_r + log s_r)`. */
function weightRows(resp: usize, maxima: usize, nb: i32, k: i32, kp: i32, weights: usize): f64 {
  const rowBytes = (<usize>kp) << 3;
  let total = 0.0;
  let row = resp;
  for (let r = 0; r < nb; r++) {
    let acc = f64x2.splat(0.0);
    for (let p: usize = 0; p < rowBytes; p += 16) acc = f64x2.add(acc, v128.load(row + p));
    const s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    const m = load<f64>(maxima + ((<usize>r) << 3));
    const w = load<f64>(weights + ((<usize>r) << 3));
    if (m != m) {
      for (let c = 0; c < k; c++) store<f64>(row + ((<usize>c) << 3), NaN);
      total += m;
    } else {
      const scale = f64x2.splat(w / s);
      for (let p: usize = 0; p < rowBytes; p += 16) v128.store(row + p, f64x2.mul(v128.load(row + p), scale));
      if (w != 0.0) total += w * (m + Math.log(s));
    }
    row += rowBytes;
  }
  return total;
}

/** `nkSum (kp) += Σ_r resp[r]` over the block's `nb` rows. */
export function sumColumns(resp: usize, nb: i32, kp: i32, nkSum: usize): void {
  const rowBytes = (<usize>kp) << 3;
  for (let p: usize = 0; p < rowBytes; p += 16) {
    let acc = v128.load(nkSum + p);
    let q = resp + p;
    for (let r = 0; r < nb; r++) {
      acc = f64x2.add(acc, v128.load(q));
      q += rowBytes;
    }
    v128.store(nkSum + p, acc);
  }
}

/** Fills the padding lanes `k..kp` of `base` with −∞, so padding components get responsibility 0. */
export function padBase(base: usize, k: i32, kp: i32): void {
  for (let c = k; c < kp; c++) store<f64>(base + ((<usize>c) << 3), -Infinity);
}
