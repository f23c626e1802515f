// Bernoulli mixture: one fused pass per EM iteration over rows of 0/1 features.
// log p(x | c) = Σ_j x_j·log p_cj + (1 − x_j)·log(1 − p_cj) = Σ_j log(1 − p_cj) + Σ_{j: x_j = 1} logit p_cj:
// a per-component constant (`logNeg`) plus the log-odds of the row's ones. The rows come compressed
// (the columns of their ones) and the log-odds transposed, `(d × k)`: a row costs two k-vector adds
// per one (two lanes at a time), and its statistics `Σ r·x` one k-vector add per one.
// A probability of 0 or 1 enters with its log floored at log(5e-324) (the caller does it): the
// impossible value then costs about −744.4 instead of −∞, and the possible one exactly 0.
// Rows go by blocks of BLOCK_ROWS: each row's k log-joints are scattered component-major for
// `blockPosterior`, and gathered back from there, four components in registers, for the statistics.
import { ld, ldi, smallInt, st, sti } from '../../util/memory';
import { BLOCK_ROWS, posteriorRows } from '../block';
import { chunkMask } from '../../util/simd';

const STRIDE: usize = (<usize>BLOCK_ROWS) << 3;

/** `rowStart[i]` (an f64 position) as an i32. */
function position(rowStart: usize, i: i32): i32 {
  return smallInt(ld(rowStart, i));
}

/**
 * One row's statistics: with r_c = s·x[c·step] (c < k), `nk (k) += r` and `sumX[j] (k) += r` for
 * each column j in `ones[first … end)`; r four components at a time in registers.
 */
function addRow(
  nk: usize,
  sumX: usize,
  ones: usize,
  first: i32,
  end: i32,
  x: usize,
  step: usize,
  s: f64,
  k: i32,
): void {
  const rowBytes = (<usize>k) << 3;
  const sv = f64x2.splat(s);
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o = (<usize>c) << 3;
    const p = x + <usize>c * step;
    const r0 = f64x2.mul(sv, v128.load64_lane(p + step, v128.load64_zero(p), 1));
    const r1 = f64x2.mul(sv, v128.load64_lane(p + 3 * step, v128.load64_zero(p + 2 * step), 1));
    v128.store(nk + o, f64x2.add(v128.load(nk + o), r0));
    v128.store(nk + o + 16, f64x2.add(v128.load(nk + o + 16), r1));
    for (let e = first; e < end; e++) {
      const y = sumX + <usize>ldi(ones, e) * rowBytes + o;
      v128.store(y, f64x2.add(v128.load(y), r0));
      v128.store(y + 16, f64x2.add(v128.load(y + 16), r1));
    }
  }
  for (; c < k; c++) {
    const r = s * load<f64>(x + <usize>c * step);
    st(nk, c, ld(nk, c) + r);
    for (let e = first; e < end; e++) {
      const y = sumX + <usize>ldi(ones, e) * rowBytes;
      st(y, c, ld(y, c) + r);
    }
  }
}

/**
 * For each row i: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r` and, for each
 * one of the row in column j, `sumX[j] (k) += s·r` (s the row's sample weight, 1 when
 * `sampleWeight` is 0; a row of weight 0 adds nothing); writes `resp (n × k)` and `lse (n)` when
 * they are not 0; returns Σ s·log p(x). `nk` 0 skips the statistics (scoring). Row i's ones are in
 * columns `ones[rowStart[i] … rowStart[i + 1])` (`rowStart (n + 1)` f64 positions, so a slice of
 * rows is an offset into it); `logOddsT (d × k)` = log p − log(1 − p) transposed, `logNeg (k)` =
 * Σ_j log(1 − p_cj); `work` holds (k + 1)·BLOCK_ROWS f64s.
 */
export function bernoulliEStep(
  rowStart: usize,
  ones: usize,
  n: i32,
  logOddsT: usize,
  logNeg: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  // The block's a_ic then r_ic (component-major) and its log-sum-exps.
  const post = work;
  const lseB = post + <usize>k * STRIDE;
  const rowBytes = (<usize>k) << 3;
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    for (let i = 0; i < b; i++) {
      const first = position(rowStart, i0 + i);
      const end = position(rowStart, i0 + i + 1);
      const at = post + ((<usize>i) << 3);
      // Four components at a time in registers (no store-to-load chain per one).
      let c = 0;
      for (; c + 4 <= k; c += 4) {
        const o = (<usize>c) << 3;
        let a0 = f64x2.add(v128.load(logWeights + o), v128.load(logNeg + o));
        let a1 = f64x2.add(v128.load(logWeights + o + 16), v128.load(logNeg + o + 16));
        for (let e = first; e < end; e++) {
          const row = logOddsT + <usize>ldi(ones, e) * rowBytes + o;
          a0 = f64x2.add(a0, v128.load(row));
          a1 = f64x2.add(a1, v128.load(row + 16));
        }
        const p = at + <usize>c * STRIDE;
        store<f64>(p, f64x2.extract_lane(a0, 0));
        store<f64>(p + STRIDE, f64x2.extract_lane(a0, 1));
        store<f64>(p + 2 * STRIDE, f64x2.extract_lane(a1, 0));
        store<f64>(p + 3 * STRIDE, f64x2.extract_lane(a1, 1));
      }
      for (; c < k; c++) {
        let a = ld(logWeights, c) + ld(logNeg, c);
        for (let e = first; e < end; e++) a += ld(logOddsT + <usize>ldi(ones, e) * rowBytes, c);
        store<f64>(at + <usize>c * STRIDE, a);
      }
    }
    total += posteriorRows(post, STRIDE, k, b, i0, sampleWeight, lse, resp, lseB);
    if (!nk) continue;
    for (let i = 0; i < b; i++) {
      const w = sampleWeight ? ld(sampleWeight, i0 + i) : 1.0;
      const at = post + ((<usize>i) << 3);
      if (w != 0.0) {
        addRow(nk, sumX, ones, position(rowStart, i0 + i), position(rowStart, i0 + i + 1), at, STRIDE, w, k);
      }
    }
  }
  return total;
}

/**
 * The statistics of explicit responsibilities (the first M-step of a fit): `nk (k) += r_i` and,
 * for each one of row i in column j, `sumX[j] (k) += r_i`, with the responsibilities already
 * weighted: row i's are row `order[i]` of `resp (· × k)` when `order (n)` is given (compressed rows
 * stored in another order than the responsibilities), else row i. Rows and `sumX` laid out as in
 * `bernoulliEStep`.
 */
export function bernoulliAccumulate(
  rowStart: usize,
  ones: usize,
  n: i32,
  resp: usize,
  order: usize,
  k: i32,
  nk: usize,
  sumX: usize,
): void {
  const rowBytes = (<usize>k) << 3;
  for (let i = 0; i < n; i++) {
    const ri = resp + <usize>(order ? ldi(order, i) : i) * rowBytes;
    addRow(nk, sumX, ones, position(rowStart, i), position(rowStart, i + 1), ri, 8, 1.0, k);
  }
}

/**
 * Each row's position in the compressed rows: `rowStart[i]` (an f64) = the ones of `x (n × d)`
 * before row i, `rowStart[n]` their total, which is returned; −1 when a value is neither 0 nor 1
 * (the caller then names it).
 */
export function bernoulliRowStarts(x: usize, n: i32, d: i32, rowStart: usize): i32 {
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  // A lane compares to all ones (−1) when it is 1: subtracting counts it. `ok` keeps the lanes
  // where every value so far is 0 or 1 (NaN fails both).
  let ok = i64x2.splat(-1);
  let okTail = true;
  let e = 0;
  const pairs = d & ~1;
  for (let i = 0; i < n; i++) {
    st(rowStart, i, <f64>e);
    const row = x + ((<usize>i * <usize>d) << 3);
    let a = i64x2.splat(0);
    let j = 0;
    for (; j < pairs; j += 2) {
      const u = v128.load(row + ((<usize>j) << 3));
      const isOne = f64x2.eq(u, one);
      a = i64x2.sub(a, isOne);
      ok = v128.and(ok, v128.or(isOne, f64x2.eq(u, zero)));
    }
    let count = <i32>(i64x2.extract_lane(a, 0) + i64x2.extract_lane(a, 1));
    if (j < d) {
      const v = load<f64>(row + ((<usize>j) << 3));
      okTail = okTail && (v == 0.0 || v == 1.0);
      count += <i32>(v == 1.0);
    }
    e += count;
  }
  st(rowStart, n, <f64>e);
  return i64x2.all_true(ok) && okTail ? e : -1;
}

/**
 * Compresses 0/1 rows `x (n × d)` into the positions `rowStart` already holds: row i goes to place
 * p = `rank[i]` when `rank (n)` is given (the rows stored in another order than X's), else p = i,
 * and its columns with a 1 to `ones[rowStart[p] … rowStart[p + 1])`. A slice of rows passes offsets
 * into x and rank (and into rowStart without `rank`), so slices can run on separate threads. A row
 * goes by chunks of 64 values, a bit mask of the ones (two per vector compare), then one turn per
 * set bit. Returns 0, or −1 (before writing past them) when a row's ones do not match its
 * positions.
 */
export function bernoulliCompress(x: usize, n: i32, d: i32, rank: usize, rowStart: usize, ones: usize): i32 {
  for (let i = 0; i < n; i++) {
    const place = rank ? ldi(rank, i) : i;
    let e = position(rowStart, place);
    const end = position(rowStart, place + 1);
    const row = x + ((<usize>i * <usize>d) << 3);
    for (let j0 = 0; j0 < d; j0 += 64) {
      const p = row + ((<usize>j0) << 3);
      const length = min(64, d - j0);
      let mask = inline.always(chunkMask(true, p, length));
      if (e + <i32>popcnt(mask) > end) return -1;
      while (mask) {
        sti(ones, e++, j0 + <i32>ctz(mask));
        mask &= mask - 1;
      }
    }
    if (e != end) return -1;
  }
  return 0;
}
