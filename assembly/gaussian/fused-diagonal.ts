// Fused E-step and M-step statistics for the diagonal and spherical covariance types. The
// log-densities run across components: with the means and factors transposed to `(d × kp)`, one
// f64x2 lane pair holds two components of the same row, so no horizontal sums are needed and any d
// (also 1) fills the lanes. The statistics run along features, component by component, with the
// sums of a few features held in registers over the block's rows (rows with r = 0 skipped).
import { LOG_2PI } from '../util/constants';
import { emStepSmall } from './fused-small';
import {
  BLOCK,
  SMALL_D,
  baseOffset,
  maximaOffset,
  normalizeBlock,
  nkSumOffset,
  padBase,
  padK,
  paramsOffset,
  respOffset,
  rowsOffset,
  sphericalOffset,
  sumColumns,
} from './fused-common';

/**
 * Fills `muT (d × kp)` with the transposed means and `pT` with the transposed factors (diag,
 * `d × kp`) or the squared factors (spherical, `kp`); padding components get zeros. Writes the
 * per-component constants of the log-density, log weights included, to `base`.
 */
function prepare(
  means: usize,
  precChol: usize,
  logWeights: usize,
  k: i32,
  d: i32,
  spherical: bool,
  muT: usize,
  pT: usize,
  base: usize,
): void {
  const kp = padK(k);
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < kp; c++) {
      const o = (<usize>(j * kp + c)) << 3;
      const real = c < k;
      store<f64>(muT + o, real ? load<f64>(means + ((<usize>(c * d + j)) << 3)) : 0.0);
      if (!spherical) store<f64>(pT + o, real ? load<f64>(precChol + ((<usize>(c * d + j)) << 3)) : 0.0);
    }
  }
  const constant = -0.5 * <f64>d * LOG_2PI;
  for (let c = 0; c < k; c++) {
    let logDet = 0.0;
    if (spherical) {
      const p = load<f64>(precChol + ((<usize>c) << 3));
      store<f64>(pT + ((<usize>c) << 3), p * p);
      logDet = <f64>d * Math.log(Math.abs(p));
    } else {
      for (let j = 0; j < d; j++)
        logDet += Math.log(Math.abs(load<f64>(precChol + ((<usize>(c * d + j)) << 3))));
    }
    store<f64>(base + ((<usize>c) << 3), constant + logDet + load<f64>(logWeights + ((<usize>c) << 3)));
  }
  if (spherical) for (let c = k; c < kp; c++) store<f64>(pT + ((<usize>c) << 3), 0.0);
  padBase(base, k, kp);
}

/**
 * `resp (nb × kp)`: diagonal log-densities plus log weights of the rows at `xb`, `xStride` bytes
 * apart. Diag: `pT (d × kp)` holds the transposed factors, applied feature by feature; spherical:
 * `pT (kp)` holds the squared factors, applied to the summed squares, and with `dist ≠ 0` the
 * squared distances `‖x − μ_c‖² (nb × kp)` are stored there too. Four rows at a time, each lane
 * pair two components, so four f64x2 sums run side by side; the caller zero-pads the rows of the
 * last block up to a multiple of 4 (their results land in the padding rows of `resp` and `dist`,
 * which are never read).
 */
export function logDensityDiagonal(
  xb: usize,
  nb: i32,
  d: i32,
  xStride: usize,
  muT: usize,
  pT: usize,
  base: usize,
  resp: usize,
  kp: i32,
  spherical: bool,
  dist: usize,
): void {
  const kpBytes = (<usize>kp) << 3;
  const dBytes = (<usize>d) << 3;
  const half = f64x2.splat(0.5);
  for (let r = 0; r < nb; r += 4) {
    const x0 = xb + <usize>r * xStride;
    const x1 = x0 + xStride;
    const x2 = x1 + xStride;
    const x3 = x2 + xStride;
    const out = resp + <usize>r * kpBytes;
    for (let cp: usize = 0; cp < kpBytes; cp += 16) {
      let q0 = f64x2.splat(0.0);
      let q1 = f64x2.splat(0.0);
      let q2 = f64x2.splat(0.0);
      let q3 = f64x2.splat(0.0);
      let mp = muT + cp;
      if (spherical) {
        for (let j: usize = 0; j < dBytes; j += 8) {
          const m = v128.load(mp);
          let y = f64x2.sub(v128.load64_splat(x0 + j), m);
          q0 = f64x2.add(q0, f64x2.mul(y, y));
          y = f64x2.sub(v128.load64_splat(x1 + j), m);
          q1 = f64x2.add(q1, f64x2.mul(y, y));
          y = f64x2.sub(v128.load64_splat(x2 + j), m);
          q2 = f64x2.add(q2, f64x2.mul(y, y));
          y = f64x2.sub(v128.load64_splat(x3 + j), m);
          q3 = f64x2.add(q3, f64x2.mul(y, y));
          mp += kpBytes;
        }
        if (dist != 0) {
          const o = dist + <usize>r * kpBytes + cp;
          v128.store(o, q0);
          v128.store(o + kpBytes, q1);
          v128.store(o + 2 * kpBytes, q2);
          v128.store(o + 3 * kpBytes, q3);
        }
        const p2 = v128.load(pT + cp);
        q0 = f64x2.mul(p2, q0);
        q1 = f64x2.mul(p2, q1);
        q2 = f64x2.mul(p2, q2);
        q3 = f64x2.mul(p2, q3);
      } else {
        let pp = pT + cp;
        for (let j: usize = 0; j < dBytes; j += 8) {
          const m = v128.load(mp);
          const p = v128.load(pp);
          let y = f64x2.mul(f64x2.sub(v128.load64_splat(x0 + j), m), p);
          q0 = f64x2.add(q0, f64x2.mul(y, y));
          y = f64x2.mul(f64x2.sub(v128.load64_splat(x1 + j), m), p);
          q1 = f64x2.add(q1, f64x2.mul(y, y));
          y = f64x2.mul(f64x2.sub(v128.load64_splat(x2 + j), m), p);
          q2 = f64x2.add(q2, f64x2.mul(y, y));
          y = f64x2.mul(f64x2.sub(v128.load64_splat(x3 + j), m), p);
          q3 = f64x2.add(q3, f64x2.mul(y, y));
          mp += kpBytes;
          pp += kpBytes;
        }
      }
      const b = v128.load(base + cp);
      v128.store(out + cp, f64x2.sub(b, f64x2.mul(half, q0)));
      v128.store(out + cp + kpBytes, f64x2.sub(b, f64x2.mul(half, q1)));
      v128.store(out + cp + 2 * kpBytes, f64x2.sub(b, f64x2.mul(half, q2)));
      v128.store(out + cp + 3 * kpBytes, f64x2.sub(b, f64x2.mul(half, q3)));
    }
  }
}

/** `r ≠ 0` for the f64 at `p`, tested on its bits (±0 have no bits but the sign) to spare a vector register. */
function isNonZero(p: usize): bool {
  return load<u64>(p) << 1 != 0;
}

/**
 * Adds the block's statistics of component `c`: for every row with `r ≠ 0`,
 * `sumX_c += r·(x − μ_c)` and `scatter_c += r·(x − μ_c)²`, feature by feature (`(k × d)` each).
 * Six features at a time keep six f64x2 sums in registers over the whole block (eight would not fit
 * V8's fifteen vector registers next to the loads); then pairs, then the last odd feature.
 */
function accumulateDiagonal(
  xb: usize,
  nb: i32,
  d: i32,
  mu: usize,
  resp: usize,
  kp: i32,
  c: i32,
  sx: usize,
  sc: usize,
): void {
  const kpBytes = (<usize>kp) << 3;
  const xStride = (<usize>d) << 3;
  const rc = resp + ((<usize>c) << 3);
  let j: usize = 0;
  for (; j + 48 <= xStride; j += 48) {
    const m = mu + j;
    let x0 = f64x2.splat(0.0);
    let x1 = f64x2.splat(0.0);
    let x2 = f64x2.splat(0.0);
    let s0 = f64x2.splat(0.0);
    let s1 = f64x2.splat(0.0);
    let s2 = f64x2.splat(0.0);
    let rp = rc;
    let xi = xb + j;
    for (let r = 0; r < nb; r++) {
      if (isNonZero(rp)) {
        const rv = v128.load64_splat(rp);
        let dv = f64x2.sub(v128.load(xi), v128.load(m));
        let rd = f64x2.mul(rv, dv);
        x0 = f64x2.add(x0, rd);
        s0 = f64x2.add(s0, f64x2.mul(rd, dv));
        dv = f64x2.sub(v128.load(xi, 16), v128.load(m, 16));
        rd = f64x2.mul(rv, dv);
        x1 = f64x2.add(x1, rd);
        s1 = f64x2.add(s1, f64x2.mul(rd, dv));
        dv = f64x2.sub(v128.load(xi, 32), v128.load(m, 32));
        rd = f64x2.mul(rv, dv);
        x2 = f64x2.add(x2, rd);
        s2 = f64x2.add(s2, f64x2.mul(rd, dv));
      }
      rp += kpBytes;
      xi += xStride;
    }
    v128.store(sx + j, f64x2.add(v128.load(sx + j), x0));
    v128.store(sx + j, f64x2.add(v128.load(sx + j, 16), x1), 16);
    v128.store(sx + j, f64x2.add(v128.load(sx + j, 32), x2), 32);
    v128.store(sc + j, f64x2.add(v128.load(sc + j), s0));
    v128.store(sc + j, f64x2.add(v128.load(sc + j, 16), s1), 16);
    v128.store(sc + j, f64x2.add(v128.load(sc + j, 32), s2), 32);
  }
  for (; j + 16 <= xStride; j += 16) {
    const m = v128.load(mu + j);
    let x0 = f64x2.splat(0.0);
    let s0 = f64x2.splat(0.0);
    let rp = rc;
    let xi = xb + j;
    for (let r = 0; r < nb; r++) {
      if (isNonZero(rp)) {
        const dv = f64x2.sub(v128.load(xi), m);
        const rd = f64x2.mul(v128.load64_splat(rp), dv);
        x0 = f64x2.add(x0, rd);
        s0 = f64x2.add(s0, f64x2.mul(rd, dv));
      }
      rp += kpBytes;
      xi += xStride;
    }
    v128.store(sx + j, f64x2.add(v128.load(sx + j), x0));
    v128.store(sc + j, f64x2.add(v128.load(sc + j), s0));
  }
  if (j < xStride) {
    const m = load<f64>(mu + j);
    let x0 = 0.0;
    let s0 = 0.0;
    let rp = rc;
    let xi = xb + j;
    for (let r = 0; r < nb; r++) {
      if (isNonZero(rp)) {
        const dv = load<f64>(xi) - m;
        const rd = load<f64>(rp) * dv;
        x0 += rd;
        s0 += rd * dv;
      }
      rp += kpBytes;
      xi += xStride;
    }
    store<f64>(sx + j, load<f64>(sx + j) + x0);
    store<f64>(sc + j, load<f64>(sc + j) + s0);
  }
}

/**
 * Spherical statistics of the block: `sumX_c += r·(x − μ_c)` as the diagonal kernel (without the
 * squares), and `trace (kp) += r ⊙ dist` over the block's rows, the squared distances the
 * log-density stored (a row's `r = 0` entries add nothing, even where its distance is infinite).
 */
function accumulateSpherical(
  xb: usize,
  nb: i32,
  d: i32,
  means: usize,
  resp: usize,
  dist: usize,
  k: i32,
  kp: i32,
  sumX: usize,
  trace: usize,
): void {
  const kpBytes = (<usize>kp) << 3;
  const xStride = (<usize>d) << 3;
  const zero = f64x2.splat(0.0);
  for (let p: usize = 0; p < kpBytes; p += 16) {
    let acc = v128.load(trace + p);
    let rp = resp + p;
    let qp = dist + p;
    for (let r = 0; r < nb; r++) {
      const rv = v128.load(rp);
      acc = f64x2.add(acc, v128.and(f64x2.mul(rv, v128.load(qp)), f64x2.ne(rv, zero)));
      rp += kpBytes;
      qp += kpBytes;
    }
    v128.store(trace + p, acc);
  }
  for (let c = 0; c < k; c++) {
    const mu = means + <usize>c * xStride;
    const sx = sumX + <usize>c * xStride;
    const rc = resp + ((<usize>c) << 3);
    let j: usize = 0;
    for (; j + 64 <= xStride; j += 64) {
      const m = mu + j;
      let x0 = f64x2.splat(0.0);
      let x1 = f64x2.splat(0.0);
      let x2 = f64x2.splat(0.0);
      let x3 = f64x2.splat(0.0);
      let rp = rc;
      let xi = xb + j;
      for (let r = 0; r < nb; r++) {
        if (isNonZero(rp)) {
          const rv = v128.load64_splat(rp);
          x0 = f64x2.add(x0, f64x2.mul(rv, f64x2.sub(v128.load(xi), v128.load(m))));
          x1 = f64x2.add(x1, f64x2.mul(rv, f64x2.sub(v128.load(xi, 16), v128.load(m, 16))));
          x2 = f64x2.add(x2, f64x2.mul(rv, f64x2.sub(v128.load(xi, 32), v128.load(m, 32))));
          x3 = f64x2.add(x3, f64x2.mul(rv, f64x2.sub(v128.load(xi, 48), v128.load(m, 48))));
        }
        rp += kpBytes;
        xi += xStride;
      }
      v128.store(sx + j, f64x2.add(v128.load(sx + j), x0));
      v128.store(sx + j, f64x2.add(v128.load(sx + j, 16), x1), 16);
      v128.store(sx + j, f64x2.add(v128.load(sx + j, 32), x2), 32);
      v128.store(sx + j, f64x2.add(v128.load(sx + j, 48), x3), 48);
    }
    for (; j + 16 <= xStride; j += 16) {
      const m = v128.load(mu + j);
      let x0 = f64x2.splat(0.0);
      let rp = rc;
      let xi = xb + j;
      for (let r = 0; r < nb; r++) {
        if (isNonZero(rp)) x0 = f64x2.add(x0, f64x2.mul(v128.load64_splat(rp), f64x2.sub(v128.load(xi), m)));
        rp += kpBytes;
        xi += xStride;
      }
      v128.store(sx + j, f64x2.add(v128.load(sx + j), x0));
    }
    if (j < xStride) {
      const m = load<f64>(mu + j);
      let x0 = 0.0;
      let rp = rc;
      let xi = xb + j;
      for (let r = 0; r < nb; r++) {
        if (isNonZero(rp)) x0 += load<f64>(rp) * (load<f64>(xi) - m);
        rp += kpBytes;
        xi += xStride;
      }
      store<f64>(sx + j, load<f64>(sx + j) + x0);
    }
  }
}

function emStepDiagonal(
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
  spherical: bool,
  sampleWeight: usize,
): f64 {
  if (d >= 1 && d <= SMALL_D) {
    const type = spherical ? 3 : 2;
    return emStepSmall(x, n, d, means, precChol, logWeights, k, nk, sumX, scatter, work, type, sampleWeight);
  }
  const kp = padK(k);
  const resp = respOffset(work);
  const maxima = maximaOffset(work, kp);
  const base = baseOffset(work, kp);
  const nkSum = nkSumOffset(work, kp);
  const muT = paramsOffset(work, kp);
  const pT = muT + ((<usize>(d * kp)) << 3);
  const tail = rowsOffset(work, k, d);
  const dist = spherical ? sphericalOffset(work, k, d) : 0;
  const trace = dist + ((<usize>(BLOCK * kp)) << 3);
  prepare(means, precChol, logWeights, k, d, spherical, muT, pT, base);
  memory.fill(nkSum, 0, (<usize>kp) << 3);
  if (spherical) memory.fill(trace, 0, (<usize>kp) << 3);
  const rowBytes = (<usize>d) << 3;
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const nb = n - i0 < BLOCK ? n - i0 : BLOCK;
    let xb = x + <usize>i0 * rowBytes;
    if (nb & 3) {
      // The last block: copy its rows and zero-pad them to a multiple of 4 for the row tiles.
      memory.copy(tail, xb, <usize>nb * rowBytes);
      memory.fill(tail + <usize>nb * rowBytes, 0, <usize>(4 - (nb & 3)) * rowBytes);
      xb = tail;
    }
    logDensityDiagonal(xb, nb, d, rowBytes, muT, pT, base, resp, kp, spherical, dist);
    total += normalizeBlock(
      resp,
      maxima,
      nb,
      k,
      kp,
      sampleWeight == 0 ? 0 : sampleWeight + ((<usize>i0) << 3),
    );
    sumColumns(resp, nb, kp, nkSum);
    if (spherical) {
      accumulateSpherical(xb, nb, d, means, resp, dist, k, kp, sumX, trace);
    } else {
      for (let c = 0; c < k; c++) {
        const off = <usize>c * rowBytes;
        accumulateDiagonal(xb, nb, d, means + off, resp, kp, c, sumX + off, scatter + off);
      }
    }
  }
  for (let c = 0; c < k; c++) {
    const o = nk + ((<usize>c) << 3);
    store<f64>(o, load<f64>(o) + load<f64>(nkSum + ((<usize>c) << 3)));
    if (spherical) {
      const so = scatter + <usize>c * rowBytes;
      store<f64>(so, load<f64>(so) + load<f64>(trace + ((<usize>c) << 3)));
    }
  }
  return total;
}

/**
 * Fused E-step and M-step statistics, diagonal covariances (`precChol (k × d)`, 1/σ). Accumulates
 * `nk (k)`, `sumX (k × d)` about the current means and the diagonal `scatter (k × d)`; returns
 * Σ_i log-sum-exp. `work` holds `emStepWorkLength(k, d)` f64s.
 */
export function emStepDiag(
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
  sampleWeight: usize,
): f64 {
  return emStepDiagonal(
    x,
    n,
    d,
    means,
    precChol,
    logWeights,
    k,
    nk,
    sumX,
    scatter,
    work,
    false,
    sampleWeight,
  );
}

/**
 * As `emStepDiag` with `precChol (k)`, one 1/σ per component. The scatter is still `(k × d)`, but
 * only its sum over features is used: `Σ r·‖x − μ_c‖²` is added to column 0 of row c, the other
 * columns are left as they are.
 */
export function emStepSpherical(
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
  sampleWeight: usize,
): f64 {
  return emStepDiagonal(x, n, d, means, precChol, logWeights, k, nk, sumX, scatter, work, true, sampleWeight);
}
