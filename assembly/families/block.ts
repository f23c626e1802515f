// Posteriors for a block of rows at once, two rows per f64x2 (the rows are the lanes). A family's
// kernel writes the block's log-joint values component-major, calls `blockPosterior`, then reads
// each row's responsibilities back for its statistics. Across rows every step vectorises whatever
// K is, and the row's log-sum-exp costs half a vector log instead of a scalar `Math.log`.
import { F64x2Math, logF64x2 } from '../util/simd';

/** Rows per block in the family kernels: K × BLOCK_ROWS log-joint values stay in L1. */
export const BLOCK_ROWS: i32 = 64;

/**
 * `l` holds a_ic = log w_c + log p(x_i | c) for `b` ≤ `BLOCK_ROWS` rows, component-major:
 * component c's values start at `l + c·stride` bytes (`stride` ≥ 8·(b rounded up to even), a
 * multiple of 16 is best).
 * Leaves r_ic = exp(a_ic − lse_i) in place, with lse_i = log Σ_c exp(a_ic), and returns Σ_i lse_i.
 * A row with every a_ic = −∞ gets lse −∞ and r = 0. `lse (b)`, when not 0, receives each row's lse
 * (one vector log per two rows). With `lse` 0 (a pass that needs only the bound) the row sums
 * s_i ∈ [1, K] are multiplied per lane instead (32 rows per lane at most, below K^32: finite for any
 * i32 K) and the block costs two scalar logs. With an odd b, the lane after the last row (in `l`
 * and in `lse`) is padding and is overwritten.
 */
export function blockPosterior(l: usize, stride: usize, k: i32, b: i32, lse: usize): f64 {
  return inline.always(posteriorOrExp(true, l, stride, k, b, lse, 0));
}

/**
 * `blockPosterior` for a pass that needs only the bound (no per-row lse), leaving the posteriors
 * unnormalised: `l` gets exp(a_ic − max_c a_ic) and `inv (b rounded up to even)` each row's
 * 1 / Σ_c exp(a_ic − max_c a_ic) (0 for a row impossible under every component, whose values are
 * 0), so that a kernel that reads the posteriors once more anyway (to transpose them) scales them
 * there instead of in a pass of its own. Returns Σ_i lse_i as `blockPosterior` does.
 */
export function blockExp(l: usize, stride: usize, k: i32, b: i32, inv: usize): f64 {
  return inline.always(posteriorOrExp(false, l, stride, k, b, 0, inv));
}

/**
 * Both of the above: `normalize` (a compile-time constant after inlining) chooses between scaling
 * the block in place (with `lse` as `blockPosterior`'s) and writing the scales to `inv`.
 */
function posteriorOrExp(
  normalize: bool,
  l: usize,
  stride: usize,
  k: i32,
  b: i32,
  lse: usize,
  inv: usize,
): f64 {
  if (b & 1) {
    for (let c = 0; c < k; c++) store<f64>(l + <usize>c * stride + ((<usize>b) << 3), 0.0);
  }
  const pairs = (<usize>(b >> 1)) << 4;
  const end = (<usize>((b + 1) & ~1)) << 3;
  const one = f64x2.splat(1.0);
  const minusInf = f64x2.splat(-Infinity);
  let total = f64x2.splat(0.0);
  let product = one;
  for (let o: usize = 0; o < end; o += 16) {
    let m = v128.load(l + o);
    for (let c = 1; c < k; c++) m = f64x2.max(m, v128.load(l + <usize>c * stride + o));
    // A lane whose row is impossible under every component: shift by 0 so each exp is exp(−∞) = 0.
    const dead = f64x2.eq(m, minusInf);
    const shift = v128.andnot(m, dead);
    let s = f64x2.splat(0.0);
    for (let c = 0; c < k; c++) {
      const p = l + <usize>c * stride + o;
      const e = F64x2Math.exp(f64x2.sub(v128.load(p), shift));
      v128.store(p, e);
      s = f64x2.add(s, e);
    }
    // s is in [1, K] on live lanes (the largest term is exp(0) = 1).
    const safe = v128.bitselect(one, s, dead);
    const scale = v128.andnot(f64x2.div(one, safe), dead);
    if (normalize) {
      for (let c = 0; c < k; c++) {
        const p = l + <usize>c * stride + o;
        v128.store(p, f64x2.mul(v128.load(p), scale));
      }
    } else {
      v128.store(inv + o, scale);
    }
    // The padding lane of an odd block (the last pair's second lane) adds nothing to the total.
    const pad = o >= pairs;
    if (lse) {
      const row = v128.bitselect(minusInf, f64x2.add(shift, logF64x2(safe)), dead);
      v128.store(lse + o, row);
      total = f64x2.add(total, pad ? f64x2.replace_lane(row, 1, 0.0) : row);
    } else {
      const top = v128.bitselect(minusInf, shift, dead);
      total = f64x2.add(total, pad ? f64x2.replace_lane(top, 1, 0.0) : top);
      product = f64x2.mul(product, pad ? f64x2.replace_lane(safe, 1, 1.0) : safe);
    }
  }
  let sum = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
  if (!lse) sum += Math.log(f64x2.extract_lane(product, 0)) + Math.log(f64x2.extract_lane(product, 1));
  return sum;
}

/** `BLOCK_ROWS`, for the TypeScript side that sizes the kernels' `work` arrays (checked equal in a test). */
export function blockRows(): i32 {
  return BLOCK_ROWS;
}

/**
 * `blockPosterior` over the block of rows i0 … i0 + b − 1 of a pass (`l`, `stride`, `k`, `b` as
 * there), plus what a family kernel does with it for every row: returns the block's share of the
 * bound, Σ_i s_i·lse_i with s_i = `sampleWeight[i0 + i]` (1 when `sampleWeight` is 0; a row of
 * weight 0 adds nothing, not even 0·(−∞)); writes `lse[i0 + i]` and row i0 + i of `resp (n × k)`
 * when they are not 0. `lseB (b + 1)` is scratch for the rows' lse.
 */
export function posteriorRows(
  l: usize,
  stride: usize,
  k: i32,
  b: i32,
  i0: i32,
  sampleWeight: usize,
  lse: usize,
  resp: usize,
  lseB: usize,
): f64 {
  // Without sample weights or per-row output the bound needs only the block's Σ lse (no vector log).
  const perRow = sampleWeight != 0 || lse != 0;
  let total = blockPosterior(l, stride, k, b, perRow ? lseB : 0);
  if (perRow) {
    total = 0.0;
    for (let i = 0; i < b; i++) {
      const v = load<f64>(lseB + ((<usize>i) << 3));
      const w = sampleWeight ? load<f64>(sampleWeight + ((<usize>(i0 + i)) << 3)) : 1.0;
      if (w != 0.0) total += w * v;
      if (lse) store<f64>(lse + ((<usize>(i0 + i)) << 3), v);
    }
  }
  if (resp) {
    for (let i = 0; i < b; i++) {
      const ri = resp + ((<usize>(i0 + i) * <usize>k) << 3);
      for (let c = 0; c < k; c++)
        store<f64>(ri + ((<usize>c) << 3), load<f64>(l + <usize>c * stride + ((<usize>i) << 3)));
    }
  }
  return total;
}
