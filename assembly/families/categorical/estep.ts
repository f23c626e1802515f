// Categorical mixture (latent class analysis): one fused pass per EM iteration over rows of integer
// category codes. Feature j takes codes 0 … m_j − 1; its table for every component sits at rows
// offsets[j] … offsets[j] + m_j − 1 of the transposed `(M × k)` arrays (M = Σ_j m_j), so one row's
// log p(x | c) = Σ_j log θ_c,j,x_j is a sum of D contiguous k-vectors, and its statistics are D
// k-vectors added back at the same places: both run over components two lanes at a time.
// A probability of 0 enters as log(5e-324) (the caller floors it): about −744.4, never −∞.
// Codes are trusted here: the caller checked each is an integer in [0, m_j).
// Rows go by blocks of BLOCK_ROWS: each row's k log-joints are scattered component-major for
// `blockPosterior`, and gathered back from there, four components in registers, for the statistics.
import { ld, ldi, smallInt, st } from '../../util/memory';
import { BLOCK_ROWS, posteriorRows } from '../block';

const STRIDE: usize = (<usize>BLOCK_ROWS) << 3;

/**
 * Code `j` of a row as an i32 (`smallInt`: `<i32>` cost about 5 ns a code here, most of the row's
 * log-joint).
 */
function code(xi: usize, j: i32): i32 {
  return smallInt(ld(xi, j));
}

/**
 * One row's statistics: with r_c = s·r[c·step] (c < k), `nk (k) += r` and, for each feature j,
 * `counts[offsets[j] + x_j] (k) += r`; r four components at a time in registers.
 */
function addRow(
  nk: usize,
  counts: usize,
  offsets: usize,
  xi: usize,
  d: i32,
  r: usize,
  step: usize,
  s: f64,
  k: i32,
): void {
  const rowBytes = (<usize>k) << 3;
  const sv = f64x2.splat(s);
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o = (<usize>c) << 3;
    const p = r + <usize>c * step;
    const r0 = f64x2.mul(sv, v128.load64_lane(p + step, v128.load64_zero(p), 1));
    const r1 = f64x2.mul(sv, v128.load64_lane(p + 3 * step, v128.load64_zero(p + 2 * step), 1));
    v128.store(nk + o, f64x2.add(v128.load(nk + o), r0));
    v128.store(nk + o + 16, f64x2.add(v128.load(nk + o + 16), r1));
    for (let j = 0; j < d; j++) {
      const y = counts + <usize>(ldi(offsets, j) + code(xi, j)) * rowBytes + o;
      v128.store(y, f64x2.add(v128.load(y), r0));
      v128.store(y + 16, f64x2.add(v128.load(y + 16), r1));
    }
  }
  for (; c < k; c++) {
    const v = s * load<f64>(r + <usize>c * step);
    st(nk, c, ld(nk, c) + v);
    for (let j = 0; j < d; j++) {
      const y = counts + <usize>(ldi(offsets, j) + code(xi, j)) * rowBytes;
      st(y, c, ld(y, c) + v);
    }
  }
}

/**
 * For each row: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r` and, for each
 * feature j, `counts[offsets[j] + x_j] (k) += s·r` (s the row's sample weight, 1 when
 * `sampleWeight` is 0; a row of weight 0 adds nothing); writes `resp (n × k)` and `lse (n)` when
 * they are not 0; returns Σ s·log p(x). `nk` 0 skips the statistics (scoring). `logProbsT (M × k)`
 * = log θ transposed, `counts (M × k)` likewise; `offsets (d)` i32; `work` holds
 * (k + 1)·BLOCK_ROWS f64s.
 */
export function categoricalEStep(
  x: usize,
  n: i32,
  d: i32,
  offsets: usize,
  logProbsT: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  counts: usize,
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
      const xi = x + ((<usize>(i0 + i) * <usize>d) << 3);
      const at = post + ((<usize>i) << 3);
      // Four components at a time in registers (no store-to-load chain per feature).
      let c = 0;
      for (; c + 4 <= k; c += 4) {
        const o = (<usize>c) << 3;
        let a0 = v128.load(logWeights + o);
        let a1 = v128.load(logWeights + o + 16);
        for (let j = 0; j < d; j++) {
          const row = logProbsT + <usize>(ldi(offsets, j) + code(xi, j)) * rowBytes + o;
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
        let a = ld(logWeights, c);
        for (let j = 0; j < d; j++) a += ld(logProbsT + <usize>(ldi(offsets, j) + code(xi, j)) * rowBytes, c);
        store<f64>(at + <usize>c * STRIDE, a);
      }
    }
    total += posteriorRows(post, STRIDE, k, b, i0, sampleWeight, lse, resp, lseB);
    if (!nk) continue;
    for (let i = 0; i < b; i++) {
      const w = sampleWeight ? ld(sampleWeight, i0 + i) : 1.0;
      const at = post + ((<usize>i) << 3);
      if (w != 0.0) {
        addRow(nk, counts, offsets, x + ((<usize>(i0 + i) * <usize>d) << 3), d, at, STRIDE, w, k);
      }
    }
  }
  return total;
}

/**
 * The statistics of explicit responsibilities (the first M-step of a fit): `nk (k) += r_i` and,
 * for each feature j, `counts[offsets[j] + x_ij] (k) += r_i`, with `resp (n × k)` already weighted.
 * Layout as in `categoricalEStep`.
 */
export function categoricalAccumulate(
  x: usize,
  n: i32,
  d: i32,
  offsets: usize,
  resp: usize,
  k: i32,
  nk: usize,
  counts: usize,
): void {
  const rowBytes = (<usize>k) << 3;
  for (let i = 0; i < n; i++) {
    addRow(nk, counts, offsets, x + ((<usize>(i * d)) << 3), d, resp + <usize>i * rowBytes, 8, 1.0, k);
  }
}
