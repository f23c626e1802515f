// Fused E-step and M-step statistics for small d (1 ≤ d ≤ SMALL_D = 4), every covariance type. With d this
// small the per-component work of the general kernels (centred row copies, tile products) costs
// more than the arithmetic, so here everything runs across pairs of components: the means and
// factors are transposed to f64x2 lanes (`params`), the quadratic form is written out for each d,
// and the statistics of a pair are summed in registers over the block's rows, then into per-pair
// accumulators (`acc`) in `work`, added to the outputs once at the end of the call.
//
// Per pair of components, `smallStride(d)` f64x2 lanes each:
//   params  full/tied: μ_0 … μ_{d−1}, then U_{aj} for j = 0 … d−1, a = 0 … j;
//           diag/spherical: μ_0 … μ_{d−1}, then the factors p_0 … p_{d−1} (spherical: p in each)
//   acc     Σ r·e_0 … Σ r·e_{d−1} (e = x − μ), then Σ r·e_a·e_b for a ≤ b, row by row
//           (diag/spherical: the d squares only)
// Padding components have μ = 0 and factors 0 (finite log-densities plus base −∞: −∞).
// Rows with r = 0 add nothing: their centred values are masked to 0 before any product.
import { LOG_2PI } from '../util/constants';
import {
  BLOCK,
  baseOffset,
  maximaOffset,
  nkSumOffset,
  normalizeBlock,
  padBase,
  padK,
  respOffset,
  smallOffset,
  smallStride,
} from './fused-common';

const FULL: i32 = 0;
const TIED: i32 = 1;
const DIAG: i32 = 2;
const SPHERICAL: i32 = 3;

function lane(p: usize, c: i32, v: f64): void {
  store<f64>(p + ((<usize>(c & 1)) << 3), v);
}

/** Transposes means and factors into `params`, writes `base`, zeroes `acc`. */
function prepareSmall(
  means: usize,
  precChol: usize,
  logWeights: usize,
  k: i32,
  d: i32,
  type: i32,
  params: usize,
  acc: usize,
  base: usize,
): void {
  const kp = padK(k);
  const stride = (<usize>smallStride(d)) << 4;
  memory.fill(params, 0, <usize>(kp >> 1) * stride);
  memory.fill(acc, 0, <usize>(kp >> 1) * stride);
  const constant = -0.5 * <f64>d * LOG_2PI;
  for (let c = 0; c < k; c++) {
    const q = params + <usize>(c >> 1) * stride;
    for (let a = 0; a < d; a++)
      lane(q + ((<usize>a) << 4), c, load<f64>(means + ((<usize>(c * d + a)) << 3)));
    let logDet = 0.0;
    if (type == FULL || type == TIED) {
      const u = precChol + (type == FULL ? (<usize>(c * d * d)) << 3 : 0);
      let idx = d;
      for (let j = 0; j < d; j++) {
        for (let a = 0; a <= j; a++) {
          lane(q + ((<usize>idx) << 4), c, load<f64>(u + ((<usize>(a * d + j)) << 3)));
          idx++;
        }
        logDet += Math.log(Math.abs(load<f64>(u + ((<usize>(j * d + j)) << 3))));
      }
    } else {
      for (let a = 0; a < d; a++) {
        const p =
          type == DIAG
            ? load<f64>(precChol + ((<usize>(c * d + a)) << 3))
            : load<f64>(precChol + ((<usize>c) << 3));
        lane(q + ((<usize>(d + a)) << 4), c, p);
        logDet += Math.log(Math.abs(p));
      }
    }
    store<f64>(base + ((<usize>c) << 3), constant + logDet + load<f64>(logWeights + ((<usize>c) << 3)));
  }
  padBase(base, k, kp);
}

/** `resp (nb × kp)`: triangular log-densities plus log weights, pair by pair. */
function logDensityTriangularSmall(
  xb: usize,
  nb: i32,
  d: i32,
  params: usize,
  base: usize,
  resp: usize,
  kp: i32,
): void {
  const kpBytes = (<usize>kp) << 3;
  const stride = (<usize>smallStride(d)) << 4;
  const half = f64x2.splat(0.5);
  const pairs = kp >> 1;
  for (let p = 0; p < pairs; p++) {
    const q = params + <usize>p * stride;
    const b = v128.load(base + ((<usize>p) << 4));
    let out = resp + ((<usize>p) << 4);
    if (d == 1) {
      const m0 = v128.load(q);
      const u00 = v128.load(q, 16);
      let xi = xb;
      for (let r = 0; r < nb; r++) {
        const y0 = f64x2.mul(u00, f64x2.sub(v128.load64_splat(xi), m0));
        v128.store(out, f64x2.sub(b, f64x2.mul(half, f64x2.mul(y0, y0))));
        xi += 8;
        out += kpBytes;
      }
    } else if (d == 2) {
      const m0 = v128.load(q);
      const m1 = v128.load(q, 16);
      const u00 = v128.load(q, 32);
      const u01 = v128.load(q, 48);
      const u11 = v128.load(q, 64);
      let xi = xb;
      for (let r = 0; r < nb; r++) {
        const e0 = f64x2.sub(v128.load64_splat(xi), m0);
        const e1 = f64x2.sub(v128.load64_splat(xi, 8), m1);
        const y0 = f64x2.mul(u00, e0);
        const y1 = f64x2.add(f64x2.mul(u01, e0), f64x2.mul(u11, e1));
        const s = f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1));
        v128.store(out, f64x2.sub(b, f64x2.mul(half, s)));
        xi += 16;
        out += kpBytes;
      }
    } else if (d == 4) {
      let xi = xb;
      for (let r = 0; r < nb; r++) {
        const e0 = f64x2.sub(v128.load64_splat(xi), v128.load(q));
        const e1 = f64x2.sub(v128.load64_splat(xi, 8), v128.load(q, 16));
        const e2 = f64x2.sub(v128.load64_splat(xi, 16), v128.load(q, 32));
        const e3 = f64x2.sub(v128.load64_splat(xi, 24), v128.load(q, 48));
        const y0 = f64x2.mul(v128.load(q, 64), e0);
        const y1 = f64x2.add(f64x2.mul(v128.load(q, 80), e0), f64x2.mul(v128.load(q, 96), e1));
        const y2 = f64x2.add(
          f64x2.add(f64x2.mul(v128.load(q, 112), e0), f64x2.mul(v128.load(q, 128), e1)),
          f64x2.mul(v128.load(q, 144), e2),
        );
        const y3 = f64x2.add(
          f64x2.add(f64x2.mul(v128.load(q, 160), e0), f64x2.mul(v128.load(q, 176), e1)),
          f64x2.add(f64x2.mul(v128.load(q, 192), e2), f64x2.mul(v128.load(q, 208), e3)),
        );
        const s = f64x2.add(
          f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1)),
          f64x2.add(f64x2.mul(y2, y2), f64x2.mul(y3, y3)),
        );
        v128.store(out, f64x2.sub(b, f64x2.mul(half, s)));
        xi += 32;
        out += kpBytes;
      }
    } else {
      let xi = xb;
      for (let r = 0; r < nb; r++) {
        const e0 = f64x2.sub(v128.load64_splat(xi), v128.load(q));
        const e1 = f64x2.sub(v128.load64_splat(xi, 8), v128.load(q, 16));
        const e2 = f64x2.sub(v128.load64_splat(xi, 16), v128.load(q, 32));
        const y0 = f64x2.mul(v128.load(q, 48), e0);
        const y1 = f64x2.add(f64x2.mul(v128.load(q, 64), e0), f64x2.mul(v128.load(q, 80), e1));
        const y2 = f64x2.add(
          f64x2.add(f64x2.mul(v128.load(q, 96), e0), f64x2.mul(v128.load(q, 112), e1)),
          f64x2.mul(v128.load(q, 128), e2),
        );
        const s = f64x2.add(f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1)), f64x2.mul(y2, y2));
        v128.store(out, f64x2.sub(b, f64x2.mul(half, s)));
        xi += 24;
        out += kpBytes;
      }
    }
  }
}

/** `resp (nb × kp)`: diagonal (or spherical, the factor in every feature) log-densities plus log weights. */
function logDensityDiagonalSmall(
  xb: usize,
  nb: i32,
  d: i32,
  params: usize,
  base: usize,
  resp: usize,
  kp: i32,
): void {
  const kpBytes = (<usize>kp) << 3;
  const stride = (<usize>smallStride(d)) << 4;
  const half = f64x2.splat(0.5);
  const pairs = kp >> 1;
  const dBytes = (<usize>d) << 3;
  for (let p = 0; p < pairs; p++) {
    const q = params + <usize>p * stride;
    const b = v128.load(base + ((<usize>p) << 4));
    let out = resp + ((<usize>p) << 4);
    const pq = q + ((<usize>d) << 4);
    let xi = xb;
    if (d == 1) {
      const m0 = v128.load(q);
      const p0 = v128.load(pq);
      for (let r = 0; r < nb; r++) {
        const y0 = f64x2.mul(f64x2.sub(v128.load64_splat(xi), m0), p0);
        v128.store(out, f64x2.sub(b, f64x2.mul(half, f64x2.mul(y0, y0))));
        xi += dBytes;
        out += kpBytes;
      }
    } else if (d == 2) {
      const m0 = v128.load(q);
      const m1 = v128.load(q, 16);
      const p0 = v128.load(pq);
      const p1 = v128.load(pq, 16);
      for (let r = 0; r < nb; r++) {
        const y0 = f64x2.mul(f64x2.sub(v128.load64_splat(xi), m0), p0);
        const y1 = f64x2.mul(f64x2.sub(v128.load64_splat(xi, 8), m1), p1);
        const s = f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1));
        v128.store(out, f64x2.sub(b, f64x2.mul(half, s)));
        xi += dBytes;
        out += kpBytes;
      }
    } else if (d == 4) {
      for (let r = 0; r < nb; r++) {
        const y0 = f64x2.mul(f64x2.sub(v128.load64_splat(xi), v128.load(q)), v128.load(pq));
        const y1 = f64x2.mul(f64x2.sub(v128.load64_splat(xi, 8), v128.load(q, 16)), v128.load(pq, 16));
        const y2 = f64x2.mul(f64x2.sub(v128.load64_splat(xi, 16), v128.load(q, 32)), v128.load(pq, 32));
        const y3 = f64x2.mul(f64x2.sub(v128.load64_splat(xi, 24), v128.load(q, 48)), v128.load(pq, 48));
        const s = f64x2.add(
          f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1)),
          f64x2.add(f64x2.mul(y2, y2), f64x2.mul(y3, y3)),
        );
        v128.store(out, f64x2.sub(b, f64x2.mul(half, s)));
        xi += dBytes;
        out += kpBytes;
      }
    } else {
      const m0 = v128.load(q);
      const m1 = v128.load(q, 16);
      const m2 = v128.load(q, 32);
      const p0 = v128.load(pq);
      const p1 = v128.load(pq, 16);
      const p2 = v128.load(pq, 32);
      for (let r = 0; r < nb; r++) {
        const y0 = f64x2.mul(f64x2.sub(v128.load64_splat(xi), m0), p0);
        const y1 = f64x2.mul(f64x2.sub(v128.load64_splat(xi, 8), m1), p1);
        const y2 = f64x2.mul(f64x2.sub(v128.load64_splat(xi, 16), m2), p2);
        const s = f64x2.add(f64x2.add(f64x2.mul(y0, y0), f64x2.mul(y1, y1)), f64x2.mul(y2, y2));
        v128.store(out, f64x2.sub(b, f64x2.mul(half, s)));
        xi += dBytes;
        out += kpBytes;
      }
    }
  }
}

function addTo(p: usize, v: v128): void {
  v128.store(p, f64x2.add(v128.load(p), v));
}

/**
 * Adds the block's statistics of every pair of components to `acc`. `triangular`: the whole upper
 * triangle of the scatter; otherwise its diagonal.
 */
function accumulateSmall(
  xb: usize,
  nb: i32,
  d: i32,
  params: usize,
  acc: usize,
  resp: usize,
  kp: i32,
  triangular: bool,
  nkSum: usize,
): void {
  const kpBytes = (<usize>kp) << 3;
  const stride = (<usize>smallStride(d)) << 4;
  const zero = f64x2.splat(0.0);
  const pairs = kp >> 1;
  const dBytes = (<usize>d) << 3;
  for (let p = 0; p < pairs; p++) {
    const q = params + <usize>p * stride;
    const o = acc + <usize>p * stride;
    let rp = resp + ((<usize>p) << 4);
    let xi = xb;
    let nkv = zero;
    if (d == 1) {
      const m0 = v128.load(q);
      let s0 = zero;
      let c00 = zero;
      for (let r = 0; r < nb; r++) {
        const rv = v128.load(rp);
        nkv = f64x2.add(nkv, rv);
        const e0 = v128.and(f64x2.sub(v128.load64_splat(xi), m0), f64x2.ne(rv, zero));
        const t0 = f64x2.mul(rv, e0);
        s0 = f64x2.add(s0, t0);
        c00 = f64x2.add(c00, f64x2.mul(t0, e0));
        rp += kpBytes;
        xi += dBytes;
      }
      addTo(o, s0);
      addTo(o + 16, c00);
    } else if (d == 2) {
      const m0 = v128.load(q);
      const m1 = v128.load(q, 16);
      let s0 = zero;
      let s1 = zero;
      let c00 = zero;
      let c01 = zero;
      let c11 = zero;
      if (triangular) {
        for (let r = 0; r < nb; r++) {
          const rv = v128.load(rp);
          nkv = f64x2.add(nkv, rv);
          const nz = f64x2.ne(rv, zero);
          const e0 = v128.and(f64x2.sub(v128.load64_splat(xi), m0), nz);
          const e1 = v128.and(f64x2.sub(v128.load64_splat(xi, 8), m1), nz);
          const t0 = f64x2.mul(rv, e0);
          const t1 = f64x2.mul(rv, e1);
          s0 = f64x2.add(s0, t0);
          s1 = f64x2.add(s1, t1);
          c00 = f64x2.add(c00, f64x2.mul(t0, e0));
          c01 = f64x2.add(c01, f64x2.mul(t0, e1));
          c11 = f64x2.add(c11, f64x2.mul(t1, e1));
          rp += kpBytes;
          xi += dBytes;
        }
        addTo(o, s0);
        addTo(o + 16, s1);
        addTo(o + 32, c00);
        addTo(o + 48, c01);
        addTo(o + 64, c11);
      } else {
        for (let r = 0; r < nb; r++) {
          const rv = v128.load(rp);
          nkv = f64x2.add(nkv, rv);
          const nz = f64x2.ne(rv, zero);
          const e0 = v128.and(f64x2.sub(v128.load64_splat(xi), m0), nz);
          const e1 = v128.and(f64x2.sub(v128.load64_splat(xi, 8), m1), nz);
          const t0 = f64x2.mul(rv, e0);
          const t1 = f64x2.mul(rv, e1);
          s0 = f64x2.add(s0, t0);
          s1 = f64x2.add(s1, t1);
          c00 = f64x2.add(c00, f64x2.mul(t0, e0));
          c11 = f64x2.add(c11, f64x2.mul(t1, e1));
          rp += kpBytes;
          xi += dBytes;
        }
        addTo(o, s0);
        addTo(o + 16, s1);
        addTo(o + 32, c00);
        addTo(o + 48, c11);
      }
    } else if (d == 4) {
      nkv = accumulate4(xb, nb, q, o, rp, kpBytes, triangular);
    } else {
      const m0 = v128.load(q);
      const m1 = v128.load(q, 16);
      const m2 = v128.load(q, 32);
      let s0 = zero;
      let s1 = zero;
      let s2 = zero;
      let c00 = zero;
      let c01 = zero;
      let c02 = zero;
      let c11 = zero;
      let c12 = zero;
      let c22 = zero;
      if (triangular) {
        for (let r = 0; r < nb; r++) {
          const rv = v128.load(rp);
          nkv = f64x2.add(nkv, rv);
          const nz = f64x2.ne(rv, zero);
          const e0 = v128.and(f64x2.sub(v128.load64_splat(xi), m0), nz);
          const e1 = v128.and(f64x2.sub(v128.load64_splat(xi, 8), m1), nz);
          const e2 = v128.and(f64x2.sub(v128.load64_splat(xi, 16), m2), nz);
          const t0 = f64x2.mul(rv, e0);
          const t1 = f64x2.mul(rv, e1);
          const t2 = f64x2.mul(rv, e2);
          s0 = f64x2.add(s0, t0);
          s1 = f64x2.add(s1, t1);
          s2 = f64x2.add(s2, t2);
          c00 = f64x2.add(c00, f64x2.mul(t0, e0));
          c01 = f64x2.add(c01, f64x2.mul(t0, e1));
          c02 = f64x2.add(c02, f64x2.mul(t0, e2));
          c11 = f64x2.add(c11, f64x2.mul(t1, e1));
          c12 = f64x2.add(c12, f64x2.mul(t1, e2));
          c22 = f64x2.add(c22, f64x2.mul(t2, e2));
          rp += kpBytes;
          xi += dBytes;
        }
        addTo(o, s0);
        addTo(o + 16, s1);
        addTo(o + 32, s2);
        addTo(o + 48, c00);
        addTo(o + 64, c01);
        addTo(o + 80, c02);
        addTo(o + 96, c11);
        addTo(o + 112, c12);
        addTo(o + 128, c22);
      } else {
        for (let r = 0; r < nb; r++) {
          const rv = v128.load(rp);
          nkv = f64x2.add(nkv, rv);
          const nz = f64x2.ne(rv, zero);
          const e0 = v128.and(f64x2.sub(v128.load64_splat(xi), m0), nz);
          const e1 = v128.and(f64x2.sub(v128.load64_splat(xi, 8), m1), nz);
          const e2 = v128.and(f64x2.sub(v128.load64_splat(xi, 16), m2), nz);
          const t0 = f64x2.mul(rv, e0);
          const t1 = f64x2.mul(rv, e1);
          const t2 = f64x2.mul(rv, e2);
          s0 = f64x2.add(s0, t0);
          s1 = f64x2.add(s1, t1);
          s2 = f64x2.add(s2, t2);
          c00 = f64x2.add(c00, f64x2.mul(t0, e0));
          c11 = f64x2.add(c11, f64x2.mul(t1, e1));
          c22 = f64x2.add(c22, f64x2.mul(t2, e2));
          rp += kpBytes;
          xi += dBytes;
        }
        addTo(o, s0);
        addTo(o + 16, s1);
        addTo(o + 32, s2);
        addTo(o + 48, c00);
        addTo(o + 64, c11);
        addTo(o + 80, c22);
      }
    }
    addTo(nkSum + ((<usize>p) << 4), nkv);
  }
}

/**
 * d = 4, one pair of components: the first moments and the first scatter row (diagonal types: the
 * squares) in one sweep of the rows, then (triangular) the other six entries in a second sweep, so
 * the sums stay in registers.
 */
function accumulate4(
  xb: usize,
  nb: i32,
  q: usize,
  o: usize,
  rp0: usize,
  kpBytes: usize,
  triangular: bool,
): v128 {
  const zero = f64x2.splat(0.0);
  let nkv = zero;
  const m0 = v128.load(q);
  const m1 = v128.load(q, 16);
  const m2 = v128.load(q, 32);
  const m3 = v128.load(q, 48);
  let s0 = zero;
  let s1 = zero;
  let s2 = zero;
  let s3 = zero;
  let a0 = zero;
  let a1 = zero;
  let a2 = zero;
  let a3 = zero;
  let rp = rp0;
  let xi = xb;
  for (let r = 0; r < nb; r++) {
    const rv = v128.load(rp);
    nkv = f64x2.add(nkv, rv);
    const nz = f64x2.ne(rv, zero);
    const e0 = v128.and(f64x2.sub(v128.load64_splat(xi), m0), nz);
    const e1 = v128.and(f64x2.sub(v128.load64_splat(xi, 8), m1), nz);
    const e2 = v128.and(f64x2.sub(v128.load64_splat(xi, 16), m2), nz);
    const e3 = v128.and(f64x2.sub(v128.load64_splat(xi, 24), m3), nz);
    const t0 = f64x2.mul(rv, e0);
    const t1 = f64x2.mul(rv, e1);
    const t2 = f64x2.mul(rv, e2);
    const t3 = f64x2.mul(rv, e3);
    s0 = f64x2.add(s0, t0);
    s1 = f64x2.add(s1, t1);
    s2 = f64x2.add(s2, t2);
    s3 = f64x2.add(s3, t3);
    if (triangular) {
      a0 = f64x2.add(a0, f64x2.mul(t0, e0));
      a1 = f64x2.add(a1, f64x2.mul(t0, e1));
      a2 = f64x2.add(a2, f64x2.mul(t0, e2));
      a3 = f64x2.add(a3, f64x2.mul(t0, e3));
    } else {
      a0 = f64x2.add(a0, f64x2.mul(t0, e0));
      a1 = f64x2.add(a1, f64x2.mul(t1, e1));
      a2 = f64x2.add(a2, f64x2.mul(t2, e2));
      a3 = f64x2.add(a3, f64x2.mul(t3, e3));
    }
    rp += kpBytes;
    xi += 32;
  }
  addTo(o, s0);
  addTo(o + 16, s1);
  addTo(o + 32, s2);
  addTo(o + 48, s3);
  addTo(o + 64, a0);
  addTo(o + 80, a1);
  addTo(o + 96, a2);
  addTo(o + 112, a3);
  if (!triangular) return nkv;
  let c11 = zero;
  let c12 = zero;
  let c13 = zero;
  let c22 = zero;
  let c23 = zero;
  let c33 = zero;
  rp = rp0;
  xi = xb;
  for (let r = 0; r < nb; r++) {
    const rv = v128.load(rp);
    const nz = f64x2.ne(rv, zero);
    const e1 = v128.and(f64x2.sub(v128.load64_splat(xi, 8), m1), nz);
    const e2 = v128.and(f64x2.sub(v128.load64_splat(xi, 16), m2), nz);
    const e3 = v128.and(f64x2.sub(v128.load64_splat(xi, 24), m3), nz);
    const t1 = f64x2.mul(rv, e1);
    const t2 = f64x2.mul(rv, e2);
    const t3 = f64x2.mul(rv, e3);
    c11 = f64x2.add(c11, f64x2.mul(t1, e1));
    c12 = f64x2.add(c12, f64x2.mul(t1, e2));
    c13 = f64x2.add(c13, f64x2.mul(t1, e3));
    c22 = f64x2.add(c22, f64x2.mul(t2, e2));
    c23 = f64x2.add(c23, f64x2.mul(t2, e3));
    c33 = f64x2.add(c33, f64x2.mul(t3, e3));
    rp += kpBytes;
    xi += 32;
  }
  addTo(o + 128, c11);
  addTo(o + 144, c12);
  addTo(o + 160, c13);
  addTo(o + 176, c22);
  addTo(o + 192, c23);
  addTo(o + 208, c33);
  return nkv;
}

function accLane(acc: usize, stride: usize, c: i32, idx: i32): f64 {
  return load<f64>(acc + <usize>(c >> 1) * stride + ((<usize>idx) << 4) + ((<usize>(c & 1)) << 3));
}

function addScalar(p: usize, v: f64): void {
  store<f64>(p, load<f64>(p) + v);
}

/**
 * The small-d body of every `emStep*` (`type`: 0 full, 1 tied, 2 diag, 3 spherical), with the
 * contract of the general kernels. `work` holds `emStepWorkLength(k, d)` f64s.
 */
export function emStepSmall(
  x: usize,
  n: i32,
  d: i32,
  means: usize,
  precChol: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  scatter: usize,
  work: usize,
  type: i32,
  sampleWeight: usize,
): f64 {
  const kp = padK(k);
  const resp = respOffset(work);
  const maxima = maximaOffset(work, kp);
  const base = baseOffset(work, kp);
  const nkSum = nkSumOffset(work, kp);
  const stride = (<usize>smallStride(d)) << 4;
  const params = smallOffset(work, k, d);
  const acc = params + <usize>(kp >> 1) * stride;
  const triangular = type == FULL || type == TIED;
  prepareSmall(means, precChol, logWeights, k, d, type, params, acc, base);
  memory.fill(nkSum, 0, (<usize>kp) << 3);
  const rowBytes = (<usize>d) << 3;
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const nb = n - i0 < BLOCK ? n - i0 : BLOCK;
    const xb = x + <usize>i0 * rowBytes;
    if (triangular) logDensityTriangularSmall(xb, nb, d, params, base, resp, kp);
    else logDensityDiagonalSmall(xb, nb, d, params, base, resp, kp);
    total += normalizeBlock(
      resp,
      maxima,
      nb,
      k,
      kp,
      sampleWeight == 0 ? 0 : sampleWeight + ((<usize>i0) << 3),
    );
    accumulateSmall(xb, nb, d, params, acc, resp, kp, triangular, nkSum);
  }
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) addScalar(sumX + ((<usize>(c * d + a)) << 3), accLane(acc, stride, c, a));
    if (triangular) {
      const out = type == TIED ? scatter : scatter + ((<usize>(c * d * d)) << 3);
      let idx = d;
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          addScalar(out + ((<usize>(a * d + b)) << 3), accLane(acc, stride, c, idx));
          idx++;
        }
      }
    } else if (type == SPHERICAL) {
      // Spherical: only the trace is used; it goes to column 0, as in the general kernel.
      let trace = 0.0;
      for (let a = 0; a < d; a++) trace += accLane(acc, stride, c, d + a);
      addScalar(scatter + ((<usize>(c * d)) << 3), trace);
    } else {
      for (let a = 0; a < d; a++)
        addScalar(scatter + ((<usize>(c * d + a)) << 3), accLane(acc, stride, c, d + a));
    }
    addScalar(nk + ((<usize>c) << 3), load<f64>(nkSum + ((<usize>c) << 3)));
  }
  return total;
}
