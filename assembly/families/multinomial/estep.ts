// Multinomial mixture: one fused pass per EM iteration over rows of counts (bag-of-words rows).
// log p(x | c) = log(n! / Π_j x_j!) + Σ_j x_j·log θ_cj with n = Σ_j x_j; the coefficient is the same
// for every component, so it is precomputed per row (`rowConst`) and only shifts the row's
// log-likelihood. Count rows are mostly zeros, so the rows come compressed (the nonzero counts and
// their offsets in the tables, by `multinomialCompress`) and the tables transposed, `(d × kp)` with
// kp = K rounded up to even (the pad column is 0): a nonzero count costs kp/2 vector multiply-adds
// for the log-joints and as many for the statistics, whatever the vocabulary size, with no scalar
// tail. Rows go in blocks of BLOCK_ROWS: the block's log-joints are written component-major for
// `blockPosterior`, whose posteriors are then turned row-major (2 × 2 transposes) for the
// statistics. Up to 8 components' sums stay in registers across a row's counts; the functions
// taking `nv` (pairs of components) are inlined with a constant `nv`, so each has its own loop.
// A probability of 0 enters as log θ = log(5e-324) (the caller floors it): a zero count then adds
// nothing, a positive count about −744.4·x, instead of NaN or −∞.
// The compressed rows are streamed from memory every iteration (at 100000 × 50, 33% nonzero, the
// stream cost more than the arithmetic of a block kept in cache), so they come in two layouts: the
// compact one (u16 offsets, f32 counts: 6 bytes a count) whenever the offsets and counts fit
// (4–5% off the E-step there), else the wide one (i32, f64). Each layout's loops are their own
// functions (`C`, the offsets' type, u16 for the compact layout); one function holding both spilled
// registers in every loop. A per-block column-major index for the statistics (one update of a
// column's sums per block) ran 15% slower at that shape: it is a second stream of the counts.
import { ld, ldi, smallInt, st, sti } from '../../util/memory';
import { BLOCK_ROWS, blockExp, blockPosterior } from '../block';
import { chunkMask } from '../../util/simd';

/** Bytes between two components' values in a block (component-major). */
const STRIDE: usize = (<usize>BLOCK_ROWS) << 3;

/**
 * log2 of the bytes of one column offset in the compressed rows: u16 in the compact layout, i32 in
 * the wide one (`compact` is a compile-time constant after inlining in every function taking it).
 */
function columnShift(compact: bool): usize {
  return compact ? 1 : 2;
}

/** log2 of the bytes of one count: f32 in the compact layout, f64 in the wide one. */
function countShift(compact: bool): usize {
  return compact ? 2 : 3;
}

/** The column offset at `p`. */
function columnAt(compact: bool, p: usize): usize {
  return compact ? <usize>load<u16>(p) : <usize>load<i32>(p);
}

/** The count at `p`, in both lanes. */
function countAt(compact: bool, p: usize): v128 {
  return compact ? f64x2.promote_low_f32x4(v128.load32_splat(p)) : v128.load64_splat(p);
}

/**
 * Row log-joints for `nv` component pairs (a compile-time constant after inlining): starts from
 * `lw` and adds x·`table[offset]` over the row's counts, then stores pair v's two lanes at
 * `out + 2v·STRIDE` and `out + (2v + 1)·STRIDE`. Two counts per turn, their products summed first
 * (one dependent add per turn and component pair).
 */
function logJoints(
  compact: bool,
  nv: i32,
  first: i32,
  end: i32,
  columns: usize,
  counts: usize,
  table: usize,
  lw: usize,
  out: usize,
): void {
  const zero = f64x2.splat(0.0);
  let a0 = v128.load(lw);
  let a1 = nv > 1 ? v128.load(lw + 16) : zero;
  let a2 = nv > 2 ? v128.load(lw + 32) : zero;
  let a3 = nv > 3 ? v128.load(lw + 48) : zero;
  const cs = columnShift(compact);
  const xs = countShift(compact);
  let pc = columns + ((<usize>first) << cs);
  let px = counts + ((<usize>first) << xs);
  const pairsEnd = columns + ((<usize>(first + ((end - first) & ~1))) << cs);
  for (; pc < pairsEnd; pc += (<usize>2) << cs, px += (<usize>2) << xs) {
    const p = table + (columnAt(compact, pc) << 3);
    const q = table + (columnAt(compact, pc + ((<usize>1) << cs)) << 3);
    const xy = compact ? f64x2.promote_low_f32x4(v128.load64_zero(px)) : zero;
    const x = compact ? v128.shuffle<f64>(xy, xy, 0, 0) : v128.load64_splat(px);
    const y = compact ? v128.shuffle<f64>(xy, xy, 1, 1) : v128.load64_splat(px, 8);
    a0 = f64x2.add(a0, f64x2.add(f64x2.mul(x, v128.load(p)), f64x2.mul(y, v128.load(q))));
    if (nv > 1) {
      a1 = f64x2.add(a1, f64x2.add(f64x2.mul(x, v128.load(p, 16)), f64x2.mul(y, v128.load(q, 16))));
    }
    if (nv > 2) {
      a2 = f64x2.add(a2, f64x2.add(f64x2.mul(x, v128.load(p, 32)), f64x2.mul(y, v128.load(q, 32))));
    }
    if (nv > 3) {
      a3 = f64x2.add(a3, f64x2.add(f64x2.mul(x, v128.load(p, 48)), f64x2.mul(y, v128.load(q, 48))));
    }
  }
  if ((end - first) & 1) {
    const p = table + (columnAt(compact, pc) << 3);
    const x = countAt(compact, px);
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(p)));
    if (nv > 1) a1 = f64x2.add(a1, f64x2.mul(x, v128.load(p, 16)));
    if (nv > 2) a2 = f64x2.add(a2, f64x2.mul(x, v128.load(p, 32)));
    if (nv > 3) a3 = f64x2.add(a3, f64x2.mul(x, v128.load(p, 48)));
  }
  v128.store64_lane(out, a0, 0);
  v128.store64_lane(out + STRIDE, a0, 1);
  if (nv > 1) {
    v128.store64_lane(out + 2 * STRIDE, a1, 0);
    v128.store64_lane(out + 3 * STRIDE, a1, 1);
  }
  if (nv > 2) {
    v128.store64_lane(out + 4 * STRIDE, a2, 0);
    v128.store64_lane(out + 5 * STRIDE, a2, 1);
  }
  if (nv > 3) {
    v128.store64_lane(out + 6 * STRIDE, a3, 0);
    v128.store64_lane(out + 7 * STRIDE, a3, 1);
  }
}

/** The log-joints of `b` rows (row starts at `starts`) for kp = 2·`nv` ≤ 8, one loop. */
function blockLogJoints(
  compact: bool,
  nv: i32,
  starts: usize,
  b: i32,
  columns: usize,
  counts: usize,
  table: usize,
  lw: usize,
  l: usize,
): void {
  let first = load<i32>(starts);
  for (let t = 0; t < b; t++) {
    const end = load<i32>(starts + ((<usize>(t + 1)) << 2));
    inline.always(logJoints(compact, nv, first, end, columns, counts, table, lw, l + ((<usize>t) << 3)));
    first = end;
  }
}

/** One row's log-joints for any kp (offsets of type `C`): chunks of 4 pairs, then the 1–3 pairs left. */
function rowLogJoints<C>(
  kp: i32,
  first: i32,
  end: i32,
  columns: usize,
  counts: usize,
  table: usize,
  lw: usize,
  out: usize,
): void {
  const compact = sizeof<C>() == 2;
  let c = 0;
  for (; c + 8 <= kp; c += 8) {
    const o = (<usize>c) << 3;
    inline.always(
      logJoints(compact, 4, first, end, columns, counts, table + o, lw + o, out + <usize>c * STRIDE),
    );
  }
  const o = (<usize>c) << 3;
  const at = out + <usize>c * STRIDE;
  const pairs = (kp - c) >> 1;
  if (pairs == 3) inline.always(logJoints(compact, 3, first, end, columns, counts, table + o, lw + o, at));
  else if (pairs == 2)
    inline.always(logJoints(compact, 2, first, end, columns, counts, table + o, lw + o, at));
  else if (pairs == 1)
    inline.always(logJoints(compact, 1, first, end, columns, counts, table + o, lw + o, at));
}

/**
 * `sumX[offset] += x·(r0 … r3)` over a row's counts for `nv` component pairs (a compile-time
 * constant after inlining); `sumX` points at the pairs' first column.
 */
function scatter(
  compact: bool,
  nv: i32,
  first: i32,
  end: i32,
  columns: usize,
  counts: usize,
  sumX: usize,
  r0: v128,
  r1: v128,
  r2: v128,
  r3: v128,
): void {
  const cs = columnShift(compact);
  const xs = countShift(compact);
  let pc = columns + ((<usize>first) << cs);
  let px = counts + ((<usize>first) << xs);
  const pairsEnd = columns + ((<usize>(first + ((end - first) & ~1))) << cs);
  for (; pc < pairsEnd; pc += (<usize>2) << cs, px += (<usize>2) << xs) {
    const p = sumX + (columnAt(compact, pc) << 3);
    const q = sumX + (columnAt(compact, pc + ((<usize>1) << cs)) << 3);
    const xy = compact ? f64x2.promote_low_f32x4(v128.load64_zero(px)) : f64x2.splat(0.0);
    const x = compact ? v128.shuffle<f64>(xy, xy, 0, 0) : v128.load64_splat(px);
    const y = compact ? v128.shuffle<f64>(xy, xy, 1, 1) : v128.load64_splat(px, 8);
    inline.always(addScaled(nv, p, x, r0, r1, r2, r3));
    inline.always(addScaled(nv, q, y, r0, r1, r2, r3));
  }
  if ((end - first) & 1) {
    const p = sumX + (columnAt(compact, pc) << 3);
    inline.always(addScaled(nv, p, countAt(compact, px), r0, r1, r2, r3));
  }
}

/** `p[0 … 2·nv) += x·(r0 … r3)`, `nv` a compile-time constant after inlining. */
function addScaled(nv: i32, p: usize, x: v128, r0: v128, r1: v128, r2: v128, r3: v128): void {
  v128.store(p, f64x2.add(v128.load(p), f64x2.mul(x, r0)));
  if (nv > 1) v128.store(p, f64x2.add(v128.load(p, 16), f64x2.mul(x, r1)), 16);
  if (nv > 2) v128.store(p, f64x2.add(v128.load(p, 32), f64x2.mul(x, r2)), 32);
  if (nv > 3) v128.store(p, f64x2.add(v128.load(p, 48), f64x2.mul(x, r3)), 48);
}

/** The statistics of `b` rows (row starts at `starts`, posteriors `r (b × kp)`) for kp = 2·`nv` ≤ 8. */
function blockScatter(
  compact: bool,
  nv: i32,
  starts: usize,
  b: i32,
  columns: usize,
  counts: usize,
  sumX: usize,
  r: usize,
): void {
  const zero = f64x2.splat(0.0);
  const rowBytes = (<usize>nv) << 4;
  let first = load<i32>(starts);
  for (let t = 0; t < b; t++) {
    const end = load<i32>(starts + ((<usize>(t + 1)) << 2));
    const rt = r + <usize>t * rowBytes;
    const r0 = v128.load(rt);
    const r1 = nv > 1 ? v128.load(rt, 16) : zero;
    const r2 = nv > 2 ? v128.load(rt, 32) : zero;
    const r3 = nv > 3 ? v128.load(rt, 48) : zero;
    inline.always(scatter(compact, nv, first, end, columns, counts, sumX, r0, r1, r2, r3));
    first = end;
  }
}

/**
 * One row's statistics for every component: `sumX[offset] += x·r` with `r (kp)` the row's
 * posteriors (or responsibilities) padded with 0 after its `k` values; `pairOf` reads pair c of r;
 * offsets of type `C`.
 */
function rowScatter<C>(
  kp: i32,
  k: i32,
  first: i32,
  end: i32,
  columns: usize,
  counts: usize,
  sumX: usize,
  r: usize,
): void {
  const compact = sizeof<C>() == 2;
  const zero = f64x2.splat(0.0);
  let c = 0;
  for (; c + 8 <= kp; c += 8) {
    const p = r + ((<usize>c) << 3);
    const q = sumX + ((<usize>c) << 3);
    const r0 = pairOf(p, c, k);
    const r1 = pairOf(p + 16, c + 2, k);
    const r2 = pairOf(p + 32, c + 4, k);
    const r3 = pairOf(p + 48, c + 6, k);
    inline.always(scatter(compact, 4, first, end, columns, counts, q, r0, r1, r2, r3));
  }
  const p = r + ((<usize>c) << 3);
  const q = sumX + ((<usize>c) << 3);
  const pairs = (kp - c) >> 1;
  const r0 = pairOf(p, c, k);
  if (pairs == 3) {
    const r1 = pairOf(p + 16, c + 2, k);
    inline.always(
      scatter(compact, 3, first, end, columns, counts, q, r0, r1, pairOf(p + 32, c + 4, k), zero),
    );
  } else if (pairs == 2) {
    inline.always(
      scatter(compact, 2, first, end, columns, counts, q, r0, pairOf(p + 16, c + 2, k), zero, zero),
    );
  } else if (pairs == 1) {
    inline.always(scatter(compact, 1, first, end, columns, counts, q, r0, zero, zero, zero));
  }
}

/**
 * Components c and c + 1 of a row of K values at `p` (pointing at component c): lane 1 is 0 when
 * c + 1 = K (the row need not be padded).
 */
function pairOf(p: usize, c: i32, k: i32): v128 {
  return c + 1 < k ? v128.load(p) : v128.load64_zero(p);
}

/**
 * The block's posteriors `l (kp × BLOCK_ROWS)`, component-major, to row-major `r (b × kp)`, each
 * row scaled by `w` when `weighted` (a compile-time constant after inlining; `w` points at the
 * block's sample weights, or at the scales `blockExp` left), and their column sums added to
 * `nk (k)`. Two rows and two
 * components per turn; `l`'s lanes past row b − 1 must be 0.
 */
function transpose(weighted: bool, l: usize, b: i32, kp: i32, k: i32, w: usize, r: usize, nk: usize): void {
  const rowBytes = (<usize>kp) << 3;
  const pairsEnd = (<usize>(b & ~1)) << 3;
  const end = (<usize>((b + 1) & ~1)) << 3;
  for (let c = 0; c < kp; c += 2) {
    const from = l + <usize>c * STRIDE;
    let to = r + ((<usize>c) << 3);
    let su = f64x2.splat(0.0);
    let sv = su;
    for (let o: usize = 0; o < end; o += 16, to += rowBytes << 1) {
      let u = v128.load(from + o);
      let v = v128.load(from + STRIDE + o);
      if (weighted) {
        // The pad lane of an odd block reads no weight past the slice.
        const s = o < pairsEnd ? v128.load(w + o) : v128.load64_zero(w + o);
        u = f64x2.mul(u, s);
        v = f64x2.mul(v, s);
      }
      v128.store(to, v128.shuffle<f64>(u, v, 0, 2));
      v128.store(to + rowBytes, v128.shuffle<f64>(u, v, 1, 3));
      su = f64x2.add(su, u);
      sv = f64x2.add(sv, v);
    }
    st(nk, c, ld(nk, c) + (f64x2.extract_lane(su, 0) + f64x2.extract_lane(su, 1)));
    if (c + 1 < k) st(nk, c + 1, ld(nk, c + 1) + (f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1)));
  }
}

/**
 * For each row i: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r` and, for each
 * nonzero count x_j, `sumX[j] (kp) += x_j·(s·r)` (s the row's sample weight, 1 when `sampleWeight`
 * is 0); writes `resp (n × k)` and `lse (n)` when they are not 0; returns Σ s·log p(x). `nk` 0
 * skips the statistics (scoring). Row i's counts are `counts[rowStart[i] … rowStart[i + 1])`,
 * `columns[…]` their offsets j·kp in the tables (`rowStart (n + 1)` i32 positions, so a slice of
 * rows is an offset into it), in the layout `multinomialCompress` wrote them (`compact` 1: u16
 * offsets and f32 counts; 0: i32 and f64); `logProbsT (d × kp)` = log θ transposed, its pad column
 * 0; `sumX (d × kp)` (its pad column gets 0s); `rowConst (n)` the log multinomial coefficients,
 * or 0 in a pass with neither `lse` nor `sampleWeight`, where `constant` (their sum over these rows,
 * fixed for a fit) is added instead of one load and add per row; `work` holds
 * kp·(2·BLOCK_ROWS + 2) + BLOCK_ROWS f64s.
 */
export function multinomialEStep(
  rowStart: usize,
  columns: usize,
  counts: usize,
  n: i32,
  logProbsT: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  rowConst: usize,
  constant: f64,
  work: usize,
  compact: i32,
): f64 {
  return (
    (rowConst ? 0.0 : constant) +
    (compact
      ? eStepRows<u16>(
          rowStart,
          columns,
          counts,
          n,
          logProbsT,
          logWeights,
          k,
          nk,
          sumX,
          resp,
          lse,
          sampleWeight,
          rowConst,
          work,
        )
      : eStepRows<i32>(
          rowStart,
          columns,
          counts,
          n,
          logProbsT,
          logWeights,
          k,
          nk,
          sumX,
          resp,
          lse,
          sampleWeight,
          rowConst,
          work,
        ))
  );
}

/**
 * `multinomialEStep` for the layout whose column offsets are `C` (u16: compact), a function of its
 * own for each (one function holding both loops' variants spilled registers in every loop).
 */
function eStepRows<C>(
  rowStart: usize,
  columns: usize,
  counts: usize,
  n: i32,
  logProbsT: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  rowConst: usize,
  work: usize,
): f64 {
  const compact = sizeof<C>() == 2;
  const kp = (k + 1) & ~1;
  const nv = kp >> 1;
  const rowBytes = (<usize>kp) << 3;
  // work: lw (kp) | log-joints, then posteriors, component-major (kp × BLOCK_ROWS) |
  // posteriors row-major (BLOCK_ROWS × kp) | the block's lse (BLOCK_ROWS).
  const lw = work;
  const l = lw + rowBytes;
  const r = l + <usize>kp * STRIDE;
  const blockLse = r + <usize>BLOCK_ROWS * rowBytes;
  st(lw, kp - 1, 0.0);
  for (let c = 0; c < k; c++) st(lw, c, ld(logWeights, c));
  // Each row's lse only when it is weighted or asked for; a fit's pass needs just their sum.
  const rowsLse = sampleWeight != 0 || lse != 0;
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    const starts = rowStart + ((<usize>i0) << 2);
    // With an odd K the pad component's log-joints are 0 + Σ x·0 = 0 (its posteriors too).
    if (nv == 3) inline.always(blockLogJoints(compact, 3, starts, b, columns, counts, logProbsT, lw, l));
    else if (nv == 1) inline.always(blockLogJoints(compact, 1, starts, b, columns, counts, logProbsT, lw, l));
    else if (nv == 2) inline.always(blockLogJoints(compact, 2, starts, b, columns, counts, logProbsT, lw, l));
    else if (nv == 4) inline.always(blockLogJoints(compact, 4, starts, b, columns, counts, logProbsT, lw, l));
    else {
      for (let t = 0; t < b; t++) {
        const first = load<i32>(starts + ((<usize>t) << 2));
        const end = load<i32>(starts + ((<usize>(t + 1)) << 2));
        rowLogJoints<C>(kp, first, end, columns, counts, logProbsT, lw, l + ((<usize>t) << 3));
      }
    }
    // A fit's pass without sample weights leaves the posteriors unnormalised, their scales in
    // blockLse, and the transpose below applies them.
    const scaled = !rowsLse && !resp && nk != 0;
    const sum = scaled
      ? blockExp(l, STRIDE, k, b, blockLse)
      : blockPosterior(l, STRIDE, k, b, rowsLse ? blockLse : 0);
    if (rowsLse) {
      for (let t = 0; t < b; t++) {
        const i = i0 + t;
        const li = ld(blockLse, t) + ld(rowConst, i);
        const s = sampleWeight ? ld(sampleWeight, i) : 1.0;
        if (s != 0.0) total += s * li;
        if (lse) st(lse, i, li);
      }
    } else {
      total += sum;
      if (rowConst) for (let t = 0; t < b; t++) total += ld(rowConst, i0 + t);
    }
    if (resp) {
      for (let t = 0; t < b; t++) {
        const ri = resp + ((<usize>((i0 + t) * k)) << 3);
        for (let c = 0; c < k; c++) st(ri, c, load<f64>(l + <usize>c * STRIDE + ((<usize>t) << 3)));
      }
    }
    if (!nk) continue;
    // The pad lane of an odd block holds blockPosterior's padding: 0 for the sums.
    if (b & 1) for (let c = 0; c < kp; c++) store<f64>(l + <usize>c * STRIDE + ((<usize>b) << 3), 0.0);
    if (scaled) transpose(true, l, b, kp, k, blockLse, r, nk);
    else if (sampleWeight) transpose(true, l, b, kp, k, sampleWeight + ((<usize>i0) << 3), r, nk);
    else transpose(false, l, b, kp, k, 0, r, nk);
    if (nv == 3) inline.always(blockScatter(compact, 3, starts, b, columns, counts, sumX, r));
    else if (nv == 1) inline.always(blockScatter(compact, 1, starts, b, columns, counts, sumX, r));
    else if (nv == 2) inline.always(blockScatter(compact, 2, starts, b, columns, counts, sumX, r));
    else if (nv == 4) inline.always(blockScatter(compact, 4, starts, b, columns, counts, sumX, r));
    else {
      for (let t = 0; t < b; t++) {
        const first = load<i32>(starts + ((<usize>t) << 2));
        const end = load<i32>(starts + ((<usize>(t + 1)) << 2));
        rowScatter<C>(kp, kp, first, end, columns, counts, sumX, r + <usize>t * rowBytes);
      }
    }
  }
  return total;
}

/**
 * The statistics of `n` rows of responsibilities `resp` for kp = 2·`nv` ≤ 8 (a compile-time
 * constant after inlining): nk's pairs summed in registers, each row's pairs read once (the last
 * one half when K is odd); row i reads row `order[i]` of `resp` (row i without `order`).
 */
function accumulateRows(
  compact: bool,
  nv: i32,
  rowStart: usize,
  columns: usize,
  counts: usize,
  n: i32,
  resp: usize,
  order: usize,
  k: i32,
  nk: usize,
  sumX: usize,
): void {
  const zero = f64x2.splat(0.0);
  const rowBytes = (<usize>k) << 3;
  let n0 = zero;
  let n1 = zero;
  let n2 = zero;
  let n3 = zero;
  let first = load<i32>(rowStart);
  for (let i = 0; i < n; i++) {
    const end = load<i32>(rowStart + ((<usize>(i + 1)) << 2));
    const ri = resp + <usize>(order ? ldi(order, i) : i) * rowBytes;
    const r0 = pairOf(ri, 0, k);
    const r1 = nv > 1 ? pairOf(ri + 16, 2, k) : zero;
    const r2 = nv > 2 ? pairOf(ri + 32, 4, k) : zero;
    const r3 = nv > 3 ? pairOf(ri + 48, 6, k) : zero;
    n0 = f64x2.add(n0, r0);
    if (nv > 1) n1 = f64x2.add(n1, r1);
    if (nv > 2) n2 = f64x2.add(n2, r2);
    if (nv > 3) n3 = f64x2.add(n3, r3);
    inline.always(scatter(compact, nv, first, end, columns, counts, sumX, r0, r1, r2, r3));
    first = end;
  }
  addPair(nk, 0, k, n0);
  if (nv > 1) addPair(nk, 2, k, n1);
  if (nv > 2) addPair(nk, 4, k, n2);
  if (nv > 3) addPair(nk, 6, k, n3);
}

/** `nk[c] += lane 0`, and `nk[c + 1] += lane 1` when c + 1 < k. */
function addPair(nk: usize, c: i32, k: i32, v: v128): void {
  st(nk, c, ld(nk, c) + f64x2.extract_lane(v, 0));
  if (c + 1 < k) st(nk, c + 1, ld(nk, c + 1) + f64x2.extract_lane(v, 1));
}

/**
 * The statistics of explicit responsibilities (the first M-step of a fit): `nk (k) += r_i` and,
 * for each nonzero count x_j of row i, `sumX[j] (kp) += x_j·r_i`, with the responsibilities already
 * weighted: row i's are row `order[i]` of `resp (· × k)` when `order (n)` is given (compressed rows
 * stored in another order than the responsibilities), else row i. Rows (`compact` their layout) and
 * `sumX` laid out as in `multinomialEStep`.
 */
export function multinomialAccumulate(
  rowStart: usize,
  columns: usize,
  counts: usize,
  n: i32,
  resp: usize,
  order: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  compact: i32,
): void {
  if (compact) accumulateLayout<u16>(rowStart, columns, counts, n, resp, order, k, nk, sumX);
  else accumulateLayout<i32>(rowStart, columns, counts, n, resp, order, k, nk, sumX);
}

/** `multinomialAccumulate` for the layout whose column offsets are `C` (u16: compact). */
function accumulateLayout<C>(
  rowStart: usize,
  columns: usize,
  counts: usize,
  n: i32,
  resp: usize,
  order: usize,
  k: i32,
  nk: usize,
  sumX: usize,
): void {
  const compact = sizeof<C>() == 2;
  const kp = (k + 1) & ~1;
  const nv = kp >> 1;
  if (nv == 3)
    inline.always(accumulateRows(compact, 3, rowStart, columns, counts, n, resp, order, k, nk, sumX));
  else if (nv == 1)
    inline.always(accumulateRows(compact, 1, rowStart, columns, counts, n, resp, order, k, nk, sumX));
  else if (nv == 2)
    inline.always(accumulateRows(compact, 2, rowStart, columns, counts, n, resp, order, k, nk, sumX));
  else if (nv == 4)
    inline.always(accumulateRows(compact, 4, rowStart, columns, counts, n, resp, order, k, nk, sumX));
  else {
    const rowBytes = (<usize>k) << 3;
    for (let i = 0; i < n; i++) {
      const ri = resp + <usize>(order ? ldi(order, i) : i) * rowBytes;
      for (let c = 0; c < k; c++) st(nk, c, ld(nk, c) + ld(ri, c));
      const first = ldi(rowStart, i);
      rowScatter<C>(kp, k, first, ldi(rowStart, i + 1), columns, counts, sumX, ri);
    }
  }
}

/** The compact layout's largest column offset (u16) and its bound on the counts (exact in f32). */
const MAX_COMPACT_COLUMN: i32 = 65535;
const MAX_COMPACT_COUNT: f64 = 16777216.0;

/**
 * Compresses dense count rows `x (n × d)` into the positions `rowStart` already holds: row i goes to
 * place p = `rank[i]` when `rank (n)` is given (the rows stored in another order than X's), else
 * p = i; its nonzero counts go to `counts[rowStart[p] … rowStart[p + 1])` and their offsets
 * j·`width` in the transposed tables to `columns[…]`, its coefficient to `rowConst[p]`. A slice of
 * rows passes offsets into x and rank (and into rowStart and rowConst without `rank`), so slices
 * can run on separate threads. (X is read in its order: reading its rows in the places' order
 * instead made the compression 60% slower.) A row goes by chunks of 64
 * values: a bit mask of the nonzero ones (two per vector compare), then one turn per set bit; a row
 * with more nonzeros than its positions leave room for returns −1 before writing past them.
 * `rowConst[i]` gets the log multinomial coefficient `log n_i! − Σ_j log x_ij!` from
 * `logFactorials (size)` = log k!, or NaN when the row's total is `size` or more (then so may be a
 * count; the caller computes those rows). Returns the sum of the rows' counts. With `compact` 1 the
 * offsets are stored as u16 and the counts as f32 (6 bytes a count instead of 12: the E-step
 * streams them from memory every iteration), which holds when every offset is below 2^16 and every
 * count below 2^24 (exact in f32); otherwise it returns −2 (a fit chooses the layout beforehand from
 * `multinomialRowStarts`' largest count, so there this is only a guard).
 */
export function multinomialCompress(
  x: usize,
  n: i32,
  d: i32,
  width: i32,
  rank: usize,
  rowStart: usize,
  columns: usize,
  counts: usize,
  rowConst: usize,
  logFactorials: usize,
  size: i32,
  compact: i32,
): f64 {
  if (!compact)
    return compressRows<i32>(x, n, d, width, rank, rowStart, columns, counts, rowConst, logFactorials, size);
  if (<f64>(d - 1) * <f64>width > <f64>MAX_COMPACT_COLUMN) return -2.0;
  return compressRows<u16>(x, n, d, width, rank, rowStart, columns, counts, rowConst, logFactorials, size);
}

/** Stores count `v` and its column offset at position `e` in the layout whose offsets are `C`. */
function put<C>(columns: usize, counts: usize, e: i32, offset: i32, v: f64): void {
  if (sizeof<C>() == 2) {
    store<u16>(columns + ((<usize>e) << 1), <u16>offset);
    store<f32>(counts + ((<usize>e) << 2), <f32>v);
  } else {
    sti(columns, e, offset);
    st(counts, e, v);
  }
}

/**
 * `multinomialCompress` for the layout whose offsets are `C` (u16: compact; a function of its own
 * for each, as the E-step's). Each count adds (x, log x!) to one pair of sums, the row's total and
 * Σ log x!, in the twin's order. A count past the table reads its last entry: the row's total is
 * then past it too, and the row is the caller's.
 */
function compressRows<C>(
  x: usize,
  n: i32,
  d: i32,
  width: i32,
  rank: usize,
  rowStart: usize,
  columns: usize,
  counts: usize,
  rowConst: usize,
  logFactorials: usize,
  size: i32,
): f64 {
  const compact = sizeof<C>() == 2;
  const limit = <f64>size;
  const last = limit - 1.0;
  let grand = 0.0;
  for (let i = 0; i < n; i++) {
    const place = rank ? ldi(rank, i) : i;
    let e = ldi(rowStart, place);
    const end = ldi(rowStart, place + 1);
    const row = x + ((<usize>i * <usize>d) << 3);
    let a = f64x2.splat(0.0);
    for (let j0 = 0; j0 < d; j0 += 64) {
      const p = row + ((<usize>j0) << 3);
      let mask = inline.always(chunkMask(false, p, min(64, d - j0)));
      if (e + <i32>popcnt(mask) > end) return -1.0;
      while (mask) {
        const at = <i32>ctz(mask);
        mask &= mask - 1;
        const v = load<f64>(p + ((<usize>at) << 3));
        put<C>(columns, counts, e++, (j0 + at) * width, v);
        a = f64x2.add(a, f64x2.replace_lane(f64x2.splat(v), 1, ld(logFactorials, smallInt(min(v, last)))));
      }
    }
    if (e != end) return -1.0;
    const total = f64x2.extract_lane(a, 0);
    // Only a row whose total reaches 2^24 can hold a count that f32 does not keep exactly.
    if (compact && total >= MAX_COMPACT_COUNT && !compactCounts(row, d)) return -2.0;
    st(rowConst, place, total >= limit ? NaN : ld(logFactorials, smallInt(total)) - f64x2.extract_lane(a, 1));
    grand += total;
  }
  return grand;
}

/** Whether every count of the row at `row` (d values) is below 2^24 (kept exactly as f32). */
function compactCounts(row: usize, d: i32): bool {
  for (let j = 0; j < d; j++) if (ld(row, j) >= MAX_COMPACT_COUNT) return false;
  return true;
}

/**
 * Each row's position in the compressed rows: `rowStart[i]` = the nonzero values of `x (n × d)`
 * before row i, `rowStart[n]` their total, which is returned; `largest[0]` gets the largest value
 * (which decides the compressed rows' layout); −1 when a value is not a finite non-negative integer
 * (the caller then names it).
 */
export function multinomialRowStarts(x: usize, n: i32, d: i32, rowStart: usize, largest: usize): i32 {
  const zero = f64x2.splat(0.0);
  // A lane compares to all ones (−1) when nonzero: subtracting counts it. `ok` keeps the lanes
  // where every value so far equals floor(|value|), which only finite non-negative integers do
  // (NaN fails, −0 passes); +∞ passes it and is caught by the largest value. Two vectors per
  // turn, each with its own sums (the running maximum's latency bounded one chain).
  let ok = i64x2.splat(-1);
  let ok2 = ok;
  let top = zero;
  let top2 = zero;
  let tail = 0.0;
  let e = 0;
  const quads = d & ~3;
  for (let i = 0; i < n; i++) {
    sti(rowStart, i, e);
    const row = x + ((<usize>i * <usize>d) << 3);
    let a = i64x2.splat(0);
    let a2 = a;
    let j = 0;
    for (; j < quads; j += 4) {
      const u = v128.load(row + ((<usize>j) << 3));
      const w = v128.load(row + ((<usize>j) << 3), 16);
      a = i64x2.sub(a, f64x2.ne(u, zero));
      a2 = i64x2.sub(a2, f64x2.ne(w, zero));
      ok = v128.and(ok, f64x2.eq(f64x2.floor(f64x2.abs(u)), u));
      ok2 = v128.and(ok2, f64x2.eq(f64x2.floor(f64x2.abs(w)), w));
      top = f64x2.pmax(top, u);
      top2 = f64x2.pmax(top2, w);
    }
    let count = <i32>(i64x2.extract_lane(i64x2.add(a, a2), 0) + i64x2.extract_lane(i64x2.add(a, a2), 1));
    for (; j < d; j++) {
      const v = load<f64>(row + ((<usize>j) << 3));
      // A failing value makes the tail NaN, which the check below sees.
      tail = max(tail, Math.floor(Math.abs(v)) == v ? v : NaN);
      count += <i32>(v != 0.0);
    }
    e += count;
  }
  sti(rowStart, n, e);
  top = f64x2.pmax(top, top2);
  const top1 = max(tail, max(f64x2.extract_lane(top, 0), f64x2.extract_lane(top, 1)));
  st(largest, 0, top1);
  return i64x2.all_true(v128.and(ok, ok2)) && top1 < Infinity ? e : -1;
}
