// Poisson mixture: one fused pass per EM iteration over rows of non-negative integer counts.
// log p(x | c) = Σ_j x_j·log λ_cj − Σ_j λ_cj − Σ_j log x_j!; the last term is the same for every
// component, so it is precomputed per row (`rowConst`) and only shifts the row's log-likelihood.
// A rate of 0 enters as log λ = log(5e-324) (the caller floors it): a zero count then adds exactly
// 0, a positive count about −744·x, so such rows get posterior ~0 there instead of NaN.
// Rows go by blocks of BLOCK_ROWS, two rows per f64x2: the block's counts are copied feature-major
// once, so both the log-joints (Σ_j x_j·log λ_cj) and the statistics (Σ_i r_ic·x_ij) run over
// contiguous pairs of rows, and `blockPosterior` turns the log-joints into posteriors in place.
import { ld, st } from '../../util/memory';
import { BLOCK_ROWS, blockPosterior } from '../block';

const STRIDE: usize = (<usize>BLOCK_ROWS) << 3;

/** The sum of both lanes. */
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * Copies rows [i0, i0 + b) of `x (n × d)` feature-major into `xT`, the rows past the last up to a
 * multiple of 8 set to 0.
 */
function transposeBlock(x: usize, d: i32, i0: i32, b: i32, xT: usize): void {
  for (let i = 0; i < b; i++) {
    const xi = x + ((<usize>(i0 + i) * <usize>d) << 3);
    for (let j = 0; j < d; j++) st(xT + <usize>j * STRIDE, i, ld(xi, j));
  }
  for (let i = b; i < ((b + 7) & ~7); i++) for (let j = 0; j < d; j++) st(xT + <usize>j * STRIDE, i, 0.0);
}

/** `sumXc (d) += Σ_i g_i·x_i` over a block: `g` one component's weights, `xT` the rows feature-major. */
function addMoments(g: usize, xT: usize, bytes: usize, d: i32, sumXc: usize): void {
  const zero = f64x2.splat(0.0);
  for (let j = 0; j < d; j++) {
    const xj = xT + <usize>j * STRIDE;
    let a0 = zero;
    let a1 = zero;
    let a2 = zero;
    let a3 = zero;
    for (let o: usize = 0; o < bytes; o += 64) {
      a0 = f64x2.add(a0, f64x2.mul(v128.load(g + o), v128.load(xj + o)));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(g + o + 16), v128.load(xj + o + 16)));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(g + o + 32), v128.load(xj + o + 32)));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(g + o + 48), v128.load(xj + o + 48)));
    }
    st(sumXc, j, ld(sumXc, j) + hsum(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3))));
  }
}

/**
 * For each row: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r`, `sumX (k × d) +=
 * s·r·x` (s the row's sample weight, 1 when `sampleWeight` is 0; a row of weight 0 adds nothing);
 * writes `resp (n × k)` and `lse (n)` when they are not 0; returns Σ s·log p(x). `nk` 0 skips the
 * statistics (scoring). `work` holds (k + d + 2)·BLOCK_ROWS f64s (16-byte aligned).
 */
export function poissonEStep(
  x: usize,
  n: i32,
  d: i32,
  logRates: usize,
  rateSums: usize,
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
  // The block's a_ic then r_ic (component-major), its log-sum-exps, its sample weights (0 past the
  // last row) and its counts (feature-major, 0 past the last row).
  const post = work;
  const lseB = post + <usize>k * STRIDE;
  const wB = lseB + STRIDE;
  const xT = wB + STRIDE;
  const zero = f64x2.splat(0.0);
  const perRow = sampleWeight != 0 || lse != 0;
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    // Rows are processed eight at a time (four independent f64x2 chains); the rows past the last
    // (up to a multiple of 8) count 0 and weigh 0.
    const bytes = (<usize>((b + 7) & ~7)) << 3;
    transposeBlock(x, d, i0, b, xT);
    for (let i = b; i < ((b + 7) & ~7); i++) st(wB, i, 0.0);
    for (let c = 0; c < k; c++) {
      const base = f64x2.splat(ld(logWeights, c) - ld(rateSums, c));
      const lr = logRates + ((<usize>(c * d)) << 3);
      const pc = post + <usize>c * STRIDE;
      for (let o: usize = 0; o < bytes; o += 64) {
        let s0 = zero;
        let s1 = zero;
        let s2 = zero;
        let s3 = zero;
        for (let j = 0; j < d; j++) {
          const row = xT + <usize>j * STRIDE + o;
          const l = v128.load64_splat(lr + ((<usize>j) << 3));
          s0 = f64x2.add(s0, f64x2.mul(v128.load(row), l));
          s1 = f64x2.add(s1, f64x2.mul(v128.load(row + 16), l));
          s2 = f64x2.add(s2, f64x2.mul(v128.load(row + 32), l));
          s3 = f64x2.add(s3, f64x2.mul(v128.load(row + 48), l));
        }
        v128.store(pc + o, f64x2.add(base, s0));
        v128.store(pc + o + 16, f64x2.add(base, s1));
        v128.store(pc + o + 32, f64x2.add(base, s2));
        v128.store(pc + o + 48, f64x2.add(base, s3));
      }
    }
    // Without sample weights or per-row output the bound needs only the block's Σ lse (no vector log).
    const sum = blockPosterior(post, STRIDE, k, b, perRow ? lseB : 0);
    if (!perRow) total += sum;
    for (let i = 0; i < b; i++) {
      const w = sampleWeight ? ld(sampleWeight, i0 + i) : 1.0;
      st(wB, i, w);
      if (perRow) {
        const l = ld(lseB, i) - ld(rowConst, i0 + i);
        if (w != 0.0) total += w * l;
        if (lse) st(lse, i0 + i, l);
      } else {
        total -= ld(rowConst, i0 + i);
      }
      if (resp) {
        const ri = resp + ((<usize>(i0 + i) * <usize>k) << 3);
        for (let c = 0; c < k; c++) st(ri, c, ld(post + <usize>c * STRIDE, i));
      }
    }
    if (!nk) continue;
    for (let c = 0; c < k; c++) {
      const pc = post + <usize>c * STRIDE;
      // s·r in place; a row of weight 0 adds nothing, whatever its posterior.
      let n0 = zero;
      let n1 = zero;
      for (let o: usize = 0; o < bytes; o += 32) {
        const w0 = v128.load(wB + o);
        const w1 = v128.load(wB + o + 16);
        const r0 = v128.andnot(f64x2.mul(v128.load(pc + o), w0), f64x2.eq(w0, zero));
        const r1 = v128.andnot(f64x2.mul(v128.load(pc + o + 16), w1), f64x2.eq(w1, zero));
        v128.store(pc + o, r0);
        v128.store(pc + o + 16, r1);
        n0 = f64x2.add(n0, r0);
        n1 = f64x2.add(n1, r1);
      }
      st(nk, c, ld(nk, c) + hsum(f64x2.add(n0, n1)));
      addMoments(pc, xT, bytes, d, sumX + ((<usize>(c * d)) << 3));
    }
  }
  return total;
}

/**
 * The statistics of explicit responsibilities `resp (n × k)` (already weighted; the first M-step of
 * a fit): `nk (k) += Σ_i r_i`, `sumX (k × d) += Σ_i r_ic·x_i`. `work` as `poissonEStep`'s.
 */
export function poissonAccumulate(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  work: usize,
): void {
  // `poissonEStep`'s layout: the block's responsibilities (component-major) in place of its
  // posteriors, its rows at the same place.
  const g = work;
  const xT = work + <usize>(k + 2) * STRIDE;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    const padded = (b + 7) & ~7;
    transposeBlock(x, d, i0, b, xT);
    for (let i = 0; i < b; i++) {
      const ri = resp + ((<usize>(i0 + i) * <usize>k) << 3);
      for (let c = 0; c < k; c++) st(g + <usize>c * STRIDE, i, ld(ri, c));
    }
    for (let c = 0; c < k; c++) for (let i = b; i < padded; i++) st(g + <usize>c * STRIDE, i, 0.0);
    for (let c = 0; c < k; c++) {
      const gc = g + <usize>c * STRIDE;
      let s = f64x2.splat(0.0);
      for (let o: usize = 0; o < (<usize>padded) << 3; o += 16) s = f64x2.add(s, v128.load(gc + o));
      st(nk, c, ld(nk, c) + hsum(s));
      addMoments(gc, xT, (<usize>padded) << 3, d, sumX + ((<usize>(c * d)) << 3));
    }
  }
}
