// Mixture of multivariate t distributions: one fused pass per ECM iteration (Peel & McLachlan 2000).
// Per row and component, δ = ‖(x − μ)·U‖² through the upper-triangular precision Cholesky factor U
// (full: entry j of (x − μ)·U is a dot product of x − μ with column j of U, which the kernel copies
// once per call into the rows of Uᵀ so that every dot runs over contiguous memory; d²/2
// multiply-adds; diag: U is a vector of d scales), then
//   log p(x | c) = logNorm_c − ((ν + d)/2)·log1p(δ/ν),
// logNorm_c = log Γ((ν+d)/2) − log Γ(ν/2) − (d/2)·log(νπ) + log|U| (precomputed by the caller, so
// the kernel needs no log-gamma). log1p keeps the ν → ∞ limit (−δ/2, the Gaussian) to full
// precision. The latent weight u = (ν + d)/(ν + δ) scales the mean and scatter statistics, which are
// shifted by the current means (the rows' distances are already at hand, and the M-step then never
// subtracts two large sums). log u = log1p(d/ν) − log1p(δ/ν) reuses the density's log1p, so the
// statistics cost no log or exp beyond the density's.
// Rows go by blocks of BLOCK_ROWS: each row's distances δ_ic are written component-major, then per
// component and two rows per vector log1p(δ/ν) (a vector log, Goldberg's log1p), the log-joints,
// `blockPosterior`, and the latent weights; the statistics then run row by row over those.
import { ld, st } from '../../util/memory';
import { logF64x2 } from '../../util/simd';
import { BLOCK_ROWS, blockPosterior } from '../block';

const STRIDE: usize = (<usize>BLOCK_ROWS) << 3;

/** `Σ_j a[j]·b[j]` over `d` f64s, two lanes at a time. */
function dot(a: usize, b: usize, d: i32): f64 {
  let acc = f64x2.splat(0.0);
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (d & 1) s += ld(a, d - 1) * ld(b, d - 1);
  return s;
}

/** `y[j] += alpha·x[j]` over `d` f64s, two lanes at a time. */
function axpy(y: usize, alpha: f64, x: usize, d: i32): void {
  const av = f64x2.splat(alpha);
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  if (d & 1) {
    const o = (<usize>(d - 1)) << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** `y[j] += alpha·x[j]²` over `d` f64s, two lanes at a time (the diagonal scatter). */
function axpySquares(y: usize, alpha: f64, x: usize, d: i32): void {
  const av = f64x2.splat(alpha);
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    const v = v128.load(x + o);
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, f64x2.mul(v, v))));
  }
  if (d & 1) {
    const o = (<usize>(d - 1)) << 3;
    const v = load<f64>(x + o);
    store<f64>(y + o, load<f64>(y + o) + alpha * v * v);
  }
}

/** `Σ_j (a[j]·b[j])²` over `d` f64s, two lanes at a time (the diagonal Mahalanobis distance). */
function scaledSquares(a: usize, b: usize, d: i32): f64 {
  let acc = f64x2.splat(0.0);
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    const v = f64x2.mul(v128.load(a + o), v128.load(b + o));
    acc = f64x2.add(acc, f64x2.mul(v, v));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (d & 1) {
    const v = ld(a, d - 1) * ld(b, d - 1);
    s += v * v;
  }
  return s;
}

/** `out = x − mu` over `d` f64s. */
function centre(x: usize, mu: usize, d: i32, out: usize): void {
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(out + o, f64x2.sub(v128.load(x + o), v128.load(mu + o)));
  }
  if (d & 1) st(out, d - 1, ld(x, d - 1) - ld(mu, d - 1));
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
 * The fused E-step of a t mixture over `n` rows `x (n × d)`. Components: `means (k × d)`,
 * `precChol` (full: `(k × d × d)` upper factors; diag: `(k × d)` scales), `tParams (k × 3)` =
 * [ν, logNorm, log1p(d/ν)] per component, `logWeights (k)`. When `nk` is not 0, accumulates for each
 * component (s = the row's sample weight, r its posterior, u its latent weight, z = x − μ_c; a row
 * of weight 0 adds nothing): `nk += s·r`, `sumU += s·r·u`, `sumUZ (k × d) += s·r·u·z`,
 * `scatter += s·r·u·z zᵀ` (full: the upper triangle of `(k × d × d)`; diag: `(k × d)` squares), and
 * when `sumLogU` is not 0, `sumLogU += s·r·(log u − u)`. Writes `resp (n × k)` and `lse (n)` when not
 * 0; returns Σ s·log p(x). `work` holds (3k + 2)·BLOCK_ROWS + d + 1 (+ k·d² when full) f64s.
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
  // Per block, component-major: a_ic then r_ic (`post`), δ_ic then s·r_ic·u_ic (`delta`),
  // log1p(δ_ic/ν_c) (`l1p`); the log-sum-exps, the sample weights (0 past the last row); then one
  // row's z, and Uᵀ (full).
  const post = work;
  const delta = post + <usize>k * STRIDE;
  const l1p = delta + <usize>k * STRIDE;
  const lseB = l1p + <usize>k * STRIDE;
  const wB = lseB + STRIDE;
  const z = wB + STRIDE;
  const ut = z + ((<usize>((d + 1) & ~1)) << 3);
  const fd = <f64>d;
  const zero = f64x2.splat(0.0);
  if (full) {
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      for (let a = 0; a < d; a++)
        for (let j = a; j < d; j++) st(ut, o + j * d + a, ld(precChol, o + a * d + j));
    }
  }
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    const bytes = (<usize>((b + 1) & ~1)) << 3;
    for (let i = 0; i < b; i++) {
      const xi = x + ((<usize>(i0 + i) * <usize>d) << 3);
      for (let c = 0; c < k; c++) {
        centre(xi, means + ((<usize>(c * d)) << 3), d, z);
        let dl = 0.0;
        if (full) {
          const uc = ut + ((<usize>(c * d * d)) << 3);
          for (let j = 0; j < d; j++) {
            const v = dot(z, uc + ((<usize>(j * d)) << 3), j + 1);
            dl += v * v;
          }
        } else {
          dl = scaledSquares(z, precChol + ((<usize>(c * d)) << 3), d);
        }
        st(delta + <usize>c * STRIDE, i, dl);
      }
    }
    if (b & 1) {
      st(wB, b, 0.0);
      for (let c = 0; c < k; c++) st(delta + <usize>c * STRIDE, b, 0.0);
    }
    for (let c = 0; c < k; c++) {
      const t = tParams + ((<usize>(c * 3)) << 3);
      const nu = f64x2.splat(ld(t, 0));
      const base = f64x2.splat(ld(logWeights, c) + ld(t, 1));
      const half = f64x2.splat(0.5 * (ld(t, 0) + fd));
      const o0 = <usize>c * STRIDE;
      for (let o: usize = 0; o < bytes; o += 16) {
        const lp = log1pF64x2(f64x2.div(v128.load(delta + o0 + o), nu));
        v128.store(l1p + o0 + o, lp);
        v128.store(post + o0 + o, f64x2.sub(base, f64x2.mul(half, lp)));
      }
    }
    blockPosterior(post, STRIDE, k, b, lseB);
    for (let i = 0; i < b; i++) {
      const w = sampleWeight ? ld(sampleWeight, i0 + i) : 1.0;
      st(wB, i, w);
      const l = ld(lseB, i);
      if (w != 0.0) total += w * l;
      if (lse) st(lse, i0 + i, l);
      if (resp) {
        const ri = resp + ((<usize>(i0 + i) * <usize>k) << 3);
        for (let c = 0; c < k; c++) st(ri, c, ld(post + <usize>c * STRIDE, i));
      }
    }
    if (!nk) continue;
    // Per component, over the block: s·r, s·r·u and s·r·(log u − u), log u = log1p(d/ν) − log1p(δ/ν).
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
        const wv = v128.load(wB + o);
        const r = v128.andnot(f64x2.mul(v128.load(post + o0 + o), wv), f64x2.eq(wv, zero));
        const u = f64x2.div(nud, f64x2.add(nu, v128.load(delta + o0 + o)));
        const ru = f64x2.mul(r, u);
        aR = f64x2.add(aR, r);
        aRU = f64x2.add(aRU, ru);
        aLog = f64x2.add(aLog, f64x2.mul(r, f64x2.sub(f64x2.sub(l1pd, v128.load(l1p + o0 + o)), u)));
        v128.store(delta + o0 + o, ru);
      }
      st(nk, c, ld(nk, c) + (f64x2.extract_lane(aR, 0) + f64x2.extract_lane(aR, 1)));
      st(sumU, c, ld(sumU, c) + (f64x2.extract_lane(aRU, 0) + f64x2.extract_lane(aRU, 1)));
      if (sumLogU)
        st(sumLogU, c, ld(sumLogU, c) + (f64x2.extract_lane(aLog, 0) + f64x2.extract_lane(aLog, 1)));
    }
    for (let i = 0; i < b; i++) {
      const xi = x + ((<usize>(i0 + i) * <usize>d) << 3);
      for (let c = 0; c < k; c++) {
        const ru = ld(delta + <usize>c * STRIDE, i);
        if (ru == 0.0) continue;
        centre(xi, means + ((<usize>(c * d)) << 3), d, z);
        axpy(sumUZ + ((<usize>(c * d)) << 3), ru, z, d);
        if (full) {
          const s = scatter + ((<usize>(c * d * d)) << 3);
          for (let a = 0; a < d; a++) {
            axpy(s + ((<usize>(a * d + a)) << 3), ru * ld(z, a), z + ((<usize>a) << 3), d - a);
          }
        } else {
          axpySquares(scatter + ((<usize>(c * d)) << 3), ru, z, d);
        }
      }
    }
  }
  return total;
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
