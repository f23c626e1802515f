// Categorical mixture (latent class analysis): one fused pass per EM iteration over rows of integer
// category codes. Feature j takes codes 0 … m_j − 1; its table for every component sits at rows
// offsets[j] … offsets[j] + m_j − 1 of the transposed `(M × k)` arrays (M = Σ_j m_j), so one row's
// log p(x | c) = Σ_j log θ_c,j,x_j is a sum of D contiguous k-vectors, and its statistics are D
// k-vectors added back at the same places: both run over components two lanes at a time.
// A probability of 0 enters as log(5e-324) (the caller floors it): about −744.4, never −∞.
// Codes are trusted here: the caller checked each is an integer in [0, m_j).
import { ld, ldi, st } from '../../util/memory';
import { axpy, rowPosterior } from '../row';

/**
 * For each row: responsibilities r_c ∝ w_c·p(x | c); accumulates `nk (k) += s·r` and, for each
 * feature j, `counts[offsets[j] + x_j] (k) += s·r` (s the row's sample weight, 1 when
 * `sampleWeight` is 0); writes `resp (n × k)` and `lse (n)` when they are not 0; returns
 * Σ s·log p(x). `nk` 0 skips the statistics (scoring). `logProbsT (M × k)` = log θ transposed,
 * `counts (M × k)` likewise; `offsets (d)` i32; `work` holds k + 2 f64s.
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
  const scale = work + ((<usize>k) << 3);
  const rowBytes = (<usize>k) << 3;
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    // Four components at a time in registers (no store-to-load chain through `work` per feature).
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const o = (<usize>c) << 3;
      let a0 = v128.load(logWeights + o);
      let a1 = v128.load(logWeights + o + 16);
      for (let j = 0; j < d; j++) {
        const row = logProbsT + <usize>(ldi(offsets, j) + <i32>ld(xi, j)) * rowBytes + o;
        a0 = f64x2.add(a0, v128.load(row));
        a1 = f64x2.add(a1, v128.load(row + 16));
      }
      v128.store(work + o, a0);
      v128.store(work + o + 16, a1);
    }
    for (; c < k; c++) {
      let a = ld(logWeights, c);
      for (let j = 0; j < d; j++)
        a += ld(logProbsT + <usize>(ldi(offsets, j) + <i32>ld(xi, j)) * rowBytes, c);
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
      for (let j = 0; j < d; j++) {
        const cell = <usize>(ldi(offsets, j) + <i32>ld(xi, j));
        axpy(counts + cell * rowBytes, 1.0, work, k);
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
    const xi = x + ((<usize>(i * d)) << 3);
    const ri = resp + <usize>i * rowBytes;
    axpy(nk, 1.0, ri, k);
    for (let j = 0; j < d; j++) {
      axpy(counts + <usize>(ldi(offsets, j) + <i32>ld(xi, j)) * rowBytes, 1.0, ri, k);
    }
  }
}
