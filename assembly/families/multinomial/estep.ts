// Multinomial mixture: one fused pass per EM iteration over rows of counts (bag-of-words rows).
// log p(x | c) = log(n! / Π_j x_j!) + Σ_j x_j·log θ_cj with n = Σ_j x_j; the coefficient is the same
// for every component, so it is precomputed per row (`rowConst`) and only shifts the row's
// log-likelihood. Count rows are mostly zeros, so the rows come compressed (the nonzero counts and
// their columns) and the tables transposed, `(d × k)`: a row costs two k-vector multiply-adds per
// nonzero count (two lanes at a time), whatever the vocabulary size.
// A probability of 0 enters as log θ = log(5e-324) (the caller floors it): a zero count then adds
// nothing, a positive count about −744.4·x, instead of NaN or −∞.
import { ld, ldi, st } from '../../util/memory';
import { axpy, rowPosterior } from '../row';

/**
 * For each row i: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r` and, for each
 * nonzero count x_j, `sumX[j] (k) += s·x_j·r` (s the row's sample weight, 1 when `sampleWeight` is
 * 0); writes `resp (n × k)` and `lse (n)` when they are not 0; returns Σ s·log p(x). `nk` 0 skips
 * the statistics (scoring). Row i's counts are `counts[rowStart[i] … rowStart[i + 1])` in columns
 * `columns[…]` (`rowStart (n + 1)` f64 positions, so a slice of rows is an offset into it);
 * `logProbsT (d × k)` = log θ transposed; `rowConst (n)` the log multinomial coefficients;
 * `work` holds k + 2 f64s.
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
  work: usize,
): f64 {
  const scale = work + ((<usize>k) << 3);
  const rowBytes = (<usize>k) << 3;
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const first = <i32>ld(rowStart, i);
    const end = <i32>ld(rowStart, i + 1);
    // Four components at a time in registers (no store-to-load chain through `work` per count).
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const o = (<usize>c) << 3;
      let a0 = v128.load(logWeights + o);
      let a1 = v128.load(logWeights + o + 16);
      for (let e = first; e < end; e++) {
        const row = logProbsT + <usize>ldi(columns, e) * rowBytes + o;
        const x = f64x2.splat(ld(counts, e));
        a0 = f64x2.add(a0, f64x2.mul(x, v128.load(row)));
        a1 = f64x2.add(a1, f64x2.mul(x, v128.load(row + 16)));
      }
      v128.store(work + o, a0);
      v128.store(work + o + 16, a1);
    }
    for (; c < k; c++) {
      let a = ld(logWeights, c);
      for (let e = first; e < end; e++)
        a += ld(counts, e) * ld(logProbsT + <usize>ldi(columns, e) * rowBytes, c);
      st(work, c, a);
    }
    const l = rowPosterior(work, k, scale) + ld(rowConst, i);
    const w = sampleWeight ? ld(sampleWeight, i) : 1.0;
    if (w != 0.0) total += w * l;
    if (lse) st(lse, i, l);
    const inv = load<f64>(scale);
    if (resp) {
      const ri = resp + ((<usize>(i * k)) << 3);
      for (let c = 0; c < k; c++) st(ri, c, ld(work, c) * inv);
    }
    if (nk && w != 0.0) {
      const r = w * inv;
      for (let c = 0; c < k; c++) st(work, c, r * ld(work, c));
      axpy(nk, 1.0, work, k);
      for (let e = first; e < end; e++) {
        axpy(sumX + <usize>ldi(columns, e) * rowBytes, ld(counts, e), work, k);
      }
    }
  }
  return total;
}

/**
 * The statistics of explicit responsibilities (the first M-step of a fit): `nk (k) += r_i` and,
 * for each nonzero count x_j of row i, `sumX[j] (k) += x_j·r_i`, with `resp (n × k)` already
 * weighted. Rows and `sumX` laid out as in `multinomialEStep`.
 */
export function multinomialAccumulate(
  rowStart: usize,
  columns: usize,
  counts: usize,
  n: i32,
  resp: usize,
  k: i32,
  nk: usize,
  sumX: usize,
): void {
  const rowBytes = (<usize>k) << 3;
  for (let i = 0; i < n; i++) {
    const ri = resp + <usize>i * rowBytes;
    axpy(nk, 1.0, ri, k);
    const end = <i32>ld(rowStart, i + 1);
    for (let e = <i32>ld(rowStart, i); e < end; e++) {
      axpy(sumX + <usize>ldi(columns, e) * rowBytes, ld(counts, e), ri, k);
    }
  }
}
