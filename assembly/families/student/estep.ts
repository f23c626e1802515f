// Mixture of multivariate t distributions: one fused pass per ECM iteration (Peel & McLachlan 2000).
// Per row and component, δ = ‖(x − μ)·U‖² through the upper-triangular precision Cholesky factor U
// (full: entry j of (x − μ)·U is Σ_{a ≤ j} z_a·U_aj with z = x − μ, d²/2 multiply-adds; diag: U is a
// vector of d scales), then
//   log p(x | c) = logNorm_c − ((ν + d)/2)·log1p(δ/ν),
// logNorm_c = log Γ((ν+d)/2) − log Γ(ν/2) − (d/2)·log(νπ) + log|U| (precomputed by the caller, so
// the kernel needs no log-gamma). log1p keeps the ν → ∞ limit (−δ/2, the Gaussian) to full
// precision. The latent weight u = (ν + d)/(ν + δ) scales the mean and scatter statistics, which are
// shifted by the current means (the rows' distances are already at hand, and the M-step then never
// subtracts two large sums). log u = log1p(d/ν) − log1p(δ/ν) reuses the density's log1p, so the
// statistics cost no log or exp beyond the density's.
// Rows go by blocks of BLOCK_ROWS, two rows per f64x2 throughout: the block's rows are copied
// feature-major once, then per component δ, log1p(δ/ν) (a vector log, Goldberg's log1p) and the
// log-joints, `blockPosterior`, and the statistics, accumulated per lane over the block and added
// to the outputs once per block and component.
import { ld, st } from '../../util/memory';
import { logF64x2 } from '../../util/simd';
import { BLOCK_ROWS, posteriorRows } from '../block';

const STRIDE: usize = (<usize>BLOCK_ROWS) << 3;

/** The sum of both lanes. */
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * log1p of both lanes for t ≥ 0 (not NaN): log(u)·t/(u − 1) with u = 1 + t, exact when u rounds
 * to 1 (then t) and for t = ∞ (Goldberg 1991: within a few ulps given a log within 1 ulp).
 */
function log1pF64x2(t: v128): v128 {
  const one = f64x2.splat(1.0);
  const u = f64x2.add(one, t);
  const exact = v128.or(f64x2.eq(u, one), f64x2.eq(t, f64x2.splat(Infinity)));
  // The exact lanes go through log(2)·t/1, in the log's domain, and are replaced below.
  const us = v128.bitselect(f64x2.splat(2.0), u, exact);
  const um1 = v128.bitselect(one, f64x2.sub(us, one), exact);
  return v128.bitselect(t, f64x2.mul(logF64x2(us), f64x2.div(t, um1)), exact);
}

/**
 * Component c's shifted moments over one block: `sumUZ[c] (d) += Σ_i g_i·z_i` and `scatter[c] +=
 * Σ_i g_i·z_i z_iᵀ` (full: upper triangle of d × d; diag: d squares), z_i = x_i − μ, with the rows
 * feature-major in `xT` and g (component-major, 0 past the last row) in `g`, two rows per vector;
 * `zP` (d vectors), `accZ` (d) and `accS` (full: d × d; diag: d) are scratch for the lanes.
 */
function shiftedMoments(
  full: bool,
  xT: usize,
  bytes: usize,
  d: i32,
  mu: usize,
  g: usize,
  zP: usize,
  accZ: usize,
  accS: usize,
  c: i32,
  sumUZ: usize,
  scatter: usize,
): void {
  const factor = full ? d * d : d;
  memory.fill(accZ, 0, (<usize>(d + factor)) << 4);
  for (let o: usize = 0; o < bytes; o += 16) {
    const gv = v128.load(g + o);
    for (let a = 0; a < d; a++) {
      const oa = (<usize>a) << 4;
      const za = f64x2.sub(v128.load(xT + <usize>a * STRIDE + o), v128.load64_splat(mu + ((<usize>a) << 3)));
      const ga = f64x2.mul(gv, za);
      v128.store(accZ + oa, f64x2.add(v128.load(accZ + oa), ga));
      if (full) {
        v128.store(zP + oa, za);
      } else {
        v128.store(accS + oa, f64x2.add(v128.load(accS + oa), f64x2.mul(ga, za)));
      }
    }
    if (full) {
      for (let a = 0; a < d; a++) {
        const ga = f64x2.mul(gv, v128.load(zP + ((<usize>a) << 4)));
        const row = accS + ((<usize>(a * d)) << 4);
        for (let q = a; q < d; q++) {
          const p = row + ((<usize>q) << 4);
          v128.store(p, f64x2.add(v128.load(p), f64x2.mul(ga, v128.load(zP + ((<usize>q) << 4)))));
        }
      }
    }
  }
  const sz = sumUZ + ((<usize>(c * d)) << 3);
  for (let a = 0; a < d; a++) st(sz, a, ld(sz, a) + hsum(v128.load(accZ + ((<usize>a) << 4))));
  const sc = scatter + ((<usize>(c * factor)) << 3);
  if (full) {
    for (let a = 0; a < d; a++) {
      for (let q = a; q < d; q++) {
        const e = a * d + q;
        st(sc, e, ld(sc, e) + hsum(v128.load(accS + ((<usize>e) << 4))));
      }
    }
  } else {
    for (let a = 0; a < d; a++) st(sc, a, ld(sc, a) + hsum(v128.load(accS + ((<usize>a) << 4))));
  }
}

/** Copies rows [i0, i0 + b) of `x (n × d)` feature-major into `xT` (rows padded to even with 0). */
function transposeBlock(x: usize, d: i32, i0: i32, b: i32, xT: usize): void {
  for (let i = 0; i < b; i++) {
    const xi = x + ((<usize>(i0 + i) * <usize>d) << 3);
    for (let j = 0; j < d; j++) st(xT + <usize>j * STRIDE, i, ld(xi, j));
  }
  if (b & 1) for (let j = 0; j < d; j++) st(xT + <usize>j * STRIDE, b, 0.0);
}

/**
 * The fused E-step of a t mixture over `n` rows `x (n × d)`. Components: `means (k × d)`,
 * `precChol` (full: `(k × d × d)` upper factors, entries below the diagonal not read; diag:
 * `(k × d)` scales), `tParams (k × 3)` = [ν, logNorm, log1p(d/ν)] per component, `logWeights (k)`.
 * When `nk` is not 0, accumulates for each component (s = the row's sample weight, r its posterior,
 * u its latent weight, z = x − μ_c; a row of weight 0 adds nothing): `nk += s·r`, `sumU += s·r·u`,
 * `sumUZ (k × d) += s·r·u·z`, `scatter += s·r·u·z zᵀ` (full: the upper triangle of `(k × d × d)`;
 * diag: `(k × d)` squares), and when `sumLogU` is not 0, `sumLogU += s·r·(log u − u)`. Writes
 * `resp (n × k)` and `lse (n)` when not 0; returns Σ s·log p(x). `work` holds
 * (3k + d + 2)·BLOCK_ROWS + 4d + 2·(full ? d² : d) f64s.
 */
function studentEStep(
  full: bool,
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  tParams: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumU: usize,
  sumUZ: usize,
  scatter: usize,
  sumLogU: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  // Per block, component-major: a_ic then r_ic (`post`), δ_ic (`delta`), log1p(δ_ic/ν_c) (`l1p`);
  // the log-sum-exps; the sample weights and the rows (feature-major), both 0 past the last row.
  // Then, per pair of rows, z (d vectors), and per component the lanes of Σ s·r·u·z (d vectors) and
  // of the scatter (full: d × d vectors, the upper triangle used; diag: d).
  const post = work;
  const delta = post + <usize>k * STRIDE;
  const l1p = delta + <usize>k * STRIDE;
  const lseB = l1p + <usize>k * STRIDE;
  const wB = lseB + STRIDE;
  const xT = wB + STRIDE;
  const zP = xT + <usize>d * STRIDE;
  const accZ = zP + ((<usize>d) << 4);
  const accS = accZ + ((<usize>d) << 4);
  const factor = full ? d * d : d;
  const fd = <f64>d;
  const zero = f64x2.splat(0.0);
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    const bytes = (<usize>((b + 1) & ~1)) << 3;
    transposeBlock(x, d, i0, b, xT);
    if (b & 1) st(wB, b, 0.0);
    for (let c = 0; c < k; c++) {
      const mu = means + ((<usize>(c * d)) << 3);
      const u = precChol + ((<usize>(c * factor)) << 3);
      const t = tParams + ((<usize>(c * 3)) << 3);
      const nu = f64x2.splat(ld(t, 0));
      const base = f64x2.splat(ld(logWeights, c) + ld(t, 1));
      const half = f64x2.splat(0.5 * (ld(t, 0) + fd));
      const o0 = <usize>c * STRIDE;
      for (let o: usize = 0; o < bytes; o += 16) {
        let dl = zero;
        if (full) {
          // v_j = Σ_{a ≤ j} z_a·U_aj needs z_0 … z_j only: one pass over j.
          for (let j = 0; j < d; j++) {
            const zj = f64x2.sub(
              v128.load(xT + <usize>j * STRIDE + o),
              v128.load64_splat(mu + ((<usize>j) << 3)),
            );
            v128.store(zP + ((<usize>j) << 4), zj);
            let v = zero;
            for (let a = 0; a <= j; a++) {
              v = f64x2.add(
                v,
                f64x2.mul(
                  v128.load(zP + ((<usize>a) << 4)),
                  v128.load64_splat(u + ((<usize>(a * d + j)) << 3)),
                ),
              );
            }
            dl = f64x2.add(dl, f64x2.mul(v, v));
          }
        } else {
          for (let j = 0; j < d; j++) {
            const o8 = (<usize>j) << 3;
            const v = f64x2.mul(
              f64x2.sub(v128.load(xT + <usize>j * STRIDE + o), v128.load64_splat(mu + o8)),
              v128.load64_splat(u + o8),
            );
            dl = f64x2.add(dl, f64x2.mul(v, v));
          }
        }
        v128.store(delta + o0 + o, dl);
      }
      // A loop of its own: its iterations are independent, so the long log1p chains overlap.
      for (let o: usize = 0; o < bytes; o += 16) {
        const lp = log1pF64x2(f64x2.div(v128.load(delta + o0 + o), nu));
        v128.store(l1p + o0 + o, lp);
        v128.store(post + o0 + o, f64x2.sub(base, f64x2.mul(half, lp)));
      }
    }
    total += posteriorRows(post, STRIDE, k, b, i0, sampleWeight, lse, resp, lseB);
    for (let i = 0; i < b; i++) st(wB, i, sampleWeight ? ld(sampleWeight, i0 + i) : 1.0);
    if (!nk) continue;
    for (let c = 0; c < k; c++) {
      const t = tParams + ((<usize>(c * 3)) << 3);
      const nuS = ld(t, 0);
      const nu = f64x2.splat(nuS);
      const nud = f64x2.splat(nuS + fd);
      const l1pd = f64x2.splat(ld(t, 2));
      const o0 = <usize>c * STRIDE;
      let aR = zero;
      let aRU = zero;
      let aLog = zero;
      for (let o: usize = 0; o < bytes; o += 16) {
        // s·r, s·r·u (over δ in `delta`) and s·r·(log u − u), log u = log1p(d/ν) − log1p(δ/ν).
        const wv = v128.load(wB + o);
        const r = v128.andnot(f64x2.mul(v128.load(post + o0 + o), wv), f64x2.eq(wv, zero));
        const uv = f64x2.div(nud, f64x2.add(nu, v128.load(delta + o0 + o)));
        const ru = f64x2.mul(r, uv);
        aR = f64x2.add(aR, r);
        aRU = f64x2.add(aRU, ru);
        aLog = f64x2.add(aLog, f64x2.mul(r, f64x2.sub(f64x2.sub(l1pd, v128.load(l1p + o0 + o)), uv)));
        v128.store(delta + o0 + o, ru);
      }
      st(nk, c, ld(nk, c) + hsum(aR));
      st(sumU, c, ld(sumU, c) + hsum(aRU));
      if (sumLogU) st(sumLogU, c, ld(sumLogU, c) + hsum(aLog));
      shiftedMoments(
        full,
        xT,
        bytes,
        d,
        means + ((<usize>(c * d)) << 3),
        delta + o0,
        zP,
        accZ,
        accS,
        c,
        sumUZ,
        scatter,
      );
    }
  }
  return total;
}

/**
 * The statistics of explicit responsibilities `resp (n × k)` (already weighted) with u = 1 (a
 * Gaussian start), shifted by the responsibilities' own weighted means, which it writes to
 * `means (k × d)` first: μ_c = Σ_i r_ic·x_i / (Σ_i r_ic + 10·eps). Then `nk += Σ r`, `sumU += Σ r`,
 * `sumUZ (k × d) += Σ r·z`, `scatter += Σ r·z zᵀ` as the E-step's. `work` as the E-step's.
 */
function studentAccumulate(
  full: bool,
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  means: usize,
  nk: usize,
  sumU: usize,
  sumUZ: usize,
  scatter: usize,
  work: usize,
): void {
  // The E-step's layout: the block's responsibilities in place of its posteriors, the sums Σ r in
  // place of its distances.
  const g = work;
  const sums = g + <usize>k * STRIDE;
  const xT = work + <usize>(3 * k + 2) * STRIDE;
  const zP = xT + <usize>d * STRIDE;
  const accZ = zP + ((<usize>d) << 4);
  const accS = accZ + ((<usize>d) << 4);
  memory.fill(sums, 0, (<usize>k) << 3);
  memory.fill(means, 0, (<usize>(k * d)) << 3);
  for (let pass = 0; pass < 2; pass++) {
    for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
      const b = min(BLOCK_ROWS, n - i0);
      const bytes = (<usize>((b + 1) & ~1)) << 3;
      transposeBlock(x, d, i0, b, xT);
      for (let i = 0; i < b; i++) {
        const ri = resp + ((<usize>(i0 + i) * <usize>k) << 3);
        for (let c = 0; c < k; c++) st(g + <usize>c * STRIDE, i, ld(ri, c));
      }
      if (b & 1) for (let c = 0; c < k; c++) st(g + <usize>c * STRIDE, b, 0.0);
      for (let c = 0; c < k; c++) {
        const gc = g + <usize>c * STRIDE;
        let sr = f64x2.splat(0.0);
        for (let o: usize = 0; o < bytes; o += 16) sr = f64x2.add(sr, v128.load(gc + o));
        const mu = means + ((<usize>(c * d)) << 3);
        if (pass == 0) {
          st(sums, c, ld(sums, c) + hsum(sr));
          for (let j = 0; j < d; j++) {
            const xj = xT + <usize>j * STRIDE;
            let acc = f64x2.splat(0.0);
            for (let o: usize = 0; o < bytes; o += 16) {
              acc = f64x2.add(acc, f64x2.mul(v128.load(gc + o), v128.load(xj + o)));
            }
            st(mu, j, ld(mu, j) + hsum(acc));
          }
        } else {
          st(nk, c, ld(nk, c) + hsum(sr));
          st(sumU, c, ld(sumU, c) + hsum(sr));
          shiftedMoments(full, xT, bytes, d, mu, gc, zP, accZ, accS, c, sumUZ, scatter);
        }
      }
    }
    if (pass == 0) {
      for (let c = 0; c < k; c++) {
        const total = ld(sums, c) + 10.0 * 2.220446049250313e-16;
        const mu = means + ((<usize>(c * d)) << 3);
        for (let j = 0; j < d; j++) st(mu, j, ld(mu, j) / total);
      }
    }
  }
}

/** `studentAccumulate` with full scatter matrices (upper triangles of `(k × d × d)`). */
export function studentAccumulateFull(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  means: usize,
  nk: usize,
  sumU: usize,
  sumUZ: usize,
  scatter: usize,
  work: usize,
): void {
  studentAccumulate(true, x, n, d, resp, k, means, nk, sumU, sumUZ, scatter, work);
}

/** `studentAccumulate` with diagonal scatters (`(k × d)` squares). */
export function studentAccumulateDiag(
  x: usize,
  n: i32,
  d: i32,
  resp: usize,
  k: i32,
  means: usize,
  nk: usize,
  sumU: usize,
  sumUZ: usize,
  scatter: usize,
  work: usize,
): void {
  studentAccumulate(false, x, n, d, resp, k, means, nk, sumU, sumUZ, scatter, work);
}

/** `studentEStep` with full scale matrices (upper-triangular precision factors `(k × d × d)`). */
export function studentEStepFull(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  tParams: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumU: usize,
  sumUZ: usize,
  scatter: usize,
  sumLogU: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  return studentEStep(
    true,
    x,
    n,
    d,
    means,
    precChol,
    tParams,
    logWeights,
    k,
    nk,
    sumU,
    sumUZ,
    scatter,
    sumLogU,
    resp,
    lse,
    sampleWeight,
    work,
  );
}

/** `studentEStep` with diagonal scales (precision factors `(k × d)`, the inverse standard deviations). */
export function studentEStepDiag(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  tParams: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumU: usize,
  sumUZ: usize,
  scatter: usize,
  sumLogU: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  return studentEStep(
    false,
    x,
    n,
    d,
    means,
    precChol,
    tParams,
    logWeights,
    k,
    nk,
    sumU,
    sumUZ,
    scatter,
    sumLogU,
    resp,
    lse,
    sampleWeight,
    work,
  );
}
