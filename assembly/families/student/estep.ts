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
import { ld, st } from '../../util/memory';
import { axpy, dot, rowPosterior } from '../row';

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
 * The fused E-step of a t mixture over `n` rows `x (n × d)`. Components: `means (k × d)`,
 * `precChol` (full: `(k × d × d)` upper factors; diag: `(k × d)` scales), `tParams (k × 3)` =
 * [ν, logNorm, log1p(d/ν)] per component, `logWeights (k)`. When `nk` is not 0, accumulates for each
 * component (s = the row's sample weight, r its posterior, u its latent weight, z = x − μ_c):
 * `nk += s·r`, `sumU += s·r·u`, `sumUZ (k × d) += s·r·u·z`, `scatter += s·r·u·z zᵀ` (full: the upper
 * triangle of `(k × d × d)`; diag: `(k × d)` squares), and when `sumLogU` is not 0,
 * `sumLogU += s·r·(log u − u)`. Writes `resp (n × k)` and `lse (n)` when not 0; returns Σ s·log p(x).
 * `work` holds 3k + 2 + k·d (+ k·d² when full) f64s.
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
  const scale = work + ((<usize>k) << 3);
  const deltas = scale + 16;
  const log1pDelta = deltas + ((<usize>k) << 3);
  const z = log1pDelta + ((<usize>k) << 3);
  const ut = z + ((<usize>(k * d)) << 3);
  const fd = <f64>d;
  if (full) {
    for (let c = 0; c < k; c++) {
      const o = c * d * d;
      for (let a = 0; a < d; a++)
        for (let j = a; j < d; j++) st(ut, o + j * d + a, ld(precChol, o + a * d + j));
    }
  }
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    for (let c = 0; c < k; c++) {
      const zc = z + ((<usize>(c * d)) << 3);
      centre(xi, means + ((<usize>(c * d)) << 3), d, zc);
      let delta = 0.0;
      if (full) {
        const uc = ut + ((<usize>(c * d * d)) << 3);
        for (let j = 0; j < d; j++) {
          const v = dot(zc, uc + ((<usize>(j * d)) << 3), j + 1);
          delta += v * v;
        }
      } else {
        delta = scaledSquares(zc, precChol + ((<usize>(c * d)) << 3), d);
      }
      const t = tParams + ((<usize>(c * 3)) << 3);
      const nu = ld(t, 0);
      const l1p = Math.log1p(delta / nu);
      st(deltas, c, delta);
      st(log1pDelta, c, l1p);
      st(work, c, ld(logWeights, c) + ld(t, 1) - 0.5 * (nu + fd) * l1p);
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
      for (let c = 0; c < k; c++) {
        const r = w * ld(work, c) * inv;
        if (r == 0.0) continue;
        const t = tParams + ((<usize>(c * 3)) << 3);
        const nu = ld(t, 0);
        const uc = (nu + fd) / (nu + ld(deltas, c));
        const ru = r * uc;
        st(nk, c, ld(nk, c) + r);
        st(sumU, c, ld(sumU, c) + ru);
        if (sumLogU) st(sumLogU, c, ld(sumLogU, c) + r * (ld(t, 2) - ld(log1pDelta, c) - uc));
        const zc = z + ((<usize>(c * d)) << 3);
        axpy(sumUZ + ((<usize>(c * d)) << 3), ru, zc, d);
        if (full) {
          const s = scatter + ((<usize>(c * d * d)) << 3);
          for (let a = 0; a < d; a++) {
            axpy(s + ((<usize>(a * d + a)) << 3), ru * ld(zc, a), zc + ((<usize>a) << 3), d - a);
          }
        } else {
          axpySquares(scatter + ((<usize>(c * d)) << 3), ru, zc, d);
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
