// Bernoulli mixture: one fused pass per EM iteration over rows of 0/1 features.
// log p(x | c) = Σ_j x_j·log p_cj + (1 − x_j)·log(1 − p_cj) = Σ_j log(1 − p_cj) + Σ_{j: x_j = 1} logit p_cj:
// a per-component constant (`logNeg`) plus the log-odds of the row's ones. The rows come compressed
// (the columns of their ones) and the log-odds transposed, `(d × k)`: a row costs two k-vector adds
// per one (two lanes at a time), and its statistics `Σ r·x` one k-vector add per one.
// A probability of 0 or 1 enters with its log floored at log(5e-324) (the caller does it): the
// impossible value then costs about −744.4 instead of −∞, and the possible one exactly 0.
import { ld, ldi, st } from '../../util/memory';
import { axpy, rowPosterior } from '../row';

/**
 * For each row i: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r` and, for each
 * one of the row in column j, `sumX[j] (k) += s·r` (s the row's sample weight, 1 when
 * `sampleWeight` is 0); writes `resp (n × k)` and `lse (n)` when they are not 0; returns
 * Σ s·log p(x). `nk` 0 skips the statistics (scoring). Row i's ones are in columns
 * `ones[rowStart[i] … rowStart[i + 1])` (`rowStart (n + 1)` f64 positions, so a slice of rows is an
 * offset into it); `logOddsT (d × k)` = log p − log(1 − p) transposed, `logNeg (k)` =
 * Σ_j log(1 − p_cj); `work` holds k + 2 f64s.
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
  const scale = work + ((<usize>k) << 3);
  const rowBytes = (<usize>k) << 3;
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const first = <i32>ld(rowStart, i);
    const end = <i32>ld(rowStart, i + 1);
    // Four components at a time in registers (no store-to-load chain through `work` per one).
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
      v128.store(work + o, a0);
      v128.store(work + o + 16, a1);
    }
    for (; c < k; c++) {
      let a = ld(logWeights, c) + ld(logNeg, c);
      for (let e = first; e < end; e++) a += ld(logOddsT + <usize>ldi(ones, e) * rowBytes, c);
      st(work, c, a);
    }
    const l = rowPosterior(work, k, scale);
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
      for (let e = first; e < end; e++) axpy(sumX + <usize>ldi(ones, e) * rowBytes, 1.0, work, k);
    }
  }
  return total;
}

/**
 * The statistics of explicit responsibilities (the first M-step of a fit): `nk (k) += r_i` and,
 * for each one of row i in column j, `sumX[j] (k) += r_i`, with `resp (n × k)` already weighted.
 * Rows and `sumX` laid out as in `bernoulliEStep`.
 */
export function bernoulliAccumulate(
  rowStart: usize,
  ones: usize,
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
    for (let e = <i32>ld(rowStart, i); e < end; e++) axpy(sumX + <usize>ldi(ones, e) * rowBytes, 1.0, ri, k);
  }
}
