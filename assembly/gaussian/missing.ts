// The E-step of a Gaussian mixture whose rows have missing entries, one missingness pattern per
// call (the contract is in src/reference/missing.ts, whose functions are the TypeScript twins).
// Inside a call the coordinates are in pattern order (observed, then missing) and the rows go in
// blocks whose columns are contiguous vectors; the statistics are accumulated in that order in
// `work` and scattered to feature order once at the end of the call.
import { LOG_2PI } from '../util/constants';
import { ld, ldi, st } from '../util/memory';

/** f64s per component in `factors`: `W`, `B`, `C` packed in `d·d` (`o² + m·o + m² ≤ d²`), + 1. */
export function missingFactorLength(d: i32): i32 {
  return d * d + 1;
}

/** f64s of `work` each `missingEStep` call needs: the block's columns, log-densities, Gram matrices. */
export function missingWorkLength(k: i32, d: i32): i32 {
  const dc = (d + 2) & ~1;
  return k * dc * (BLOCK + dc) + k * BLOCK;
}

/** `Σ_j a[j]·b[j]` over `len` contiguous f64s. */
function dot(a: usize, b: usize, len: i32): f64 {
  let acc = f64x2.splat(0.0);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const off = (<usize>j) << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + off), v128.load(b + off)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (j < len) s += ld(a, j) * ld(b, j);
  return s;
}

/** `y[j] += alpha·x[j]` over `len` contiguous f64s. */
function axpy(y: usize, alpha: f64, x: usize, len: i32): void {
  const va = f64x2.splat(alpha);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const off = (<usize>j) << 3;
    v128.store(y + off, f64x2.add(v128.load(y + off), f64x2.mul(va, v128.load(x + off))));
  }
  if (j < len) st(y, j, ld(y, j) + alpha * ld(x, j));
}

/** See `missingFactors` in src/reference/missing.ts. */
export function missingFactors(
  cov: usize,
  k: i32,
  d: i32,
  idx: usize,
  p: i32,
  nObs: i32,
  factors: usize,
): i32 {
  const o = nObs;
  const m = d - o;
  const ix = idx + ((<usize>(p * d)) << 2);
  const dd = d * d;
  for (let c = 0; c < k; c++) {
    const s = cov + ((<usize>(c * dd)) << 3);
    const f = factors + ((<usize>(c * (dd + 1))) << 3);
    const bp = f + ((<usize>(o * o)) << 3);
    const cp = bp + ((<usize>(m * o)) << 3);
    let logDet = 0.0;
    for (let j = 0; j < o; j++) {
      const oj = ldi(ix, j);
      let pivot = ld(s, oj * d + oj);
      for (let q = 0; q < j; q++) {
        const l = ld(f, j * o + q);
        pivot -= l * l;
      }
      if (!(pivot > 0.0 && pivot < Infinity)) return c + 1;
      const ljj = Math.sqrt(pivot);
      logDet += Math.log(ljj);
      st(f, j * o + j, ljj);
      for (let i = j + 1; i < o; i++) {
        let t = ld(s, ldi(ix, i) * d + oj);
        for (let q = 0; q < j; q++) t -= ld(f, i * o + q) * ld(f, j * o + q);
        st(f, i * o + j, t / ljj);
      }
      for (let q = j + 1; q < o; q++) st(f, j * o + q, 0.0);
    }
    for (let i = 0; i < o; i++) {
      const inv = 1.0 / ld(f, i * o + i);
      for (let j = 0; j < i; j++) {
        let t = 0.0;
        for (let q = j; q < i; q++) t += ld(f, i * o + q) * ld(f, q * o + j);
        st(f, i * o + j, -t * inv);
      }
      st(f, i * o + i, inv);
    }
    for (let a = 0; a < m; a++) {
      const row = s + ((<usize>(ldi(ix, o + a) * d)) << 3);
      for (let j = 0; j < o; j++) {
        let t = 0.0;
        for (let q = 0; q <= j; q++) t += ld(row, ldi(ix, q)) * ld(f, j * o + q);
        st(bp, a * o + j, t);
      }
    }
    for (let a = 0; a < m; a++) {
      const row = s + ((<usize>(ldi(ix, o + a) * d)) << 3);
      for (let b = 0; b < m; b++) {
        const t =
          ld(row, ldi(ix, o + b)) - dot(bp + ((<usize>(a * o)) << 3), bp + ((<usize>(b * o)) << 3), o);
        st(cp, a * m + b, t);
      }
    }
    for (let a = 0; a < m; a++) {
      for (let j = 0; j < o; j++) {
        let t = 0.0;
        for (let q = j; q < o; q++) t += ld(bp, a * o + q) * ld(f, q * o + j);
        st(bp, a * o + j, t);
      }
    }
    st(f, dd, -0.5 * <f64>o * LOG_2PI - logDet);
  }
  return 0;
}

/** Rows per block of `missingEStep`: the rows' columns are vectors of this length. */
const BLOCK: i32 = 64;

/** `y[r] = alpha·x[r]` (`add` false) or `y[r] += alpha·x[r]` over `len` contiguous f64s. */
function scale(y: usize, alpha: f64, x: usize, len: i32, add: bool): void {
  if (add) {
    axpy(y, alpha, x, len);
    return;
  }
  const va = f64x2.splat(alpha);
  let j = 0;
  for (; j + 1 < len; j += 2) {
    const off = (<usize>j) << 3;
    v128.store(y + off, f64x2.mul(va, v128.load(x + off)));
  }
  if (j < len) st(y, j, alpha * ld(x, j));
}

/**
 * See `missingEStep` in src/reference/missing.ts; pointer arguments may be 0 for "not wanted"
 * (`sampleWeight` 0: weight 1 everywhere).
 * The rows go through in blocks of `BLOCK`, each component's centred block held by columns
 * (`(d + 1) × BLOCK`: the `o` observed coordinates, the `m` conditional-mean deviations, then a
 * spare column), so that every step is a vector operation over the block's rows: the triangular
 * solve, the regression, and the statistics as the Gram matrix of the columns scaled by `√r`, with
 * the last column `√r` itself (giving `Σ r`, `Σ r·e` and `Σ r·e eᵀ` at once).
 */
export function missingEStep(
  x: usize,
  first: i32,
  n: i32,
  d: i32,
  idx: usize,
  p: i32,
  nObs: i32,
  means: usize,
  factors: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  sumX: usize,
  scatter: usize,
  resp: usize,
  lse: usize,
  xhat: usize,
  work: usize,
  sampleWeight: usize,
): f64 {
  const o = nObs;
  const m = d - o;
  const ix = idx + ((<usize>(p * d)) << 2);
  const dd = d * d;
  const d1 = d + 1;
  // Columns per component, even so that the Gram matrix goes in 2 × 2 tiles (a zero column pads).
  const dc = (d1 + 1) & ~1;
  const colBytes = (<usize>BLOCK) << 3;
  // work: columns (k × (d + 1) × BLOCK) | log-densities, then responsibilities (k × BLOCK) | Gram (k × (d + 1)²)
  const lp = work + ((<usize>(k * dc * BLOCK)) << 3);
  const gram = lp + ((<usize>(k * BLOCK)) << 3);
  const accumulate = nk != 0;
  if (accumulate) memory.fill(gram, 0, (<usize>(k * dc * dc)) << 3);
  if (dc > d1) for (let c = 0; c < k; c++) memory.fill(work + <usize>(c * dc + d1) * colBytes, 0, colBytes);
  let total = 0.0;
  for (let i0 = first; i0 < first + n; i0 += BLOCK) {
    const nb = min(BLOCK, first + n - i0);
    for (let c = 0; c < k; c++) {
      const f = factors + ((<usize>(c * (dd + 1))) << 3);
      const bp = f + ((<usize>(o * o)) << 3);
      const cols = work + <usize>(c * dc) * colBytes;
      const y = cols + <usize>d * colBytes;
      const l = lp + <usize>c * colBytes;
      const mu = means + ((<usize>(c * d)) << 3);
      for (let a = 0; a < o; a++) {
        const j = ldi(ix, a);
        const col = cols + <usize>a * colBytes;
        const mj = ld(mu, j);
        for (let r = 0; r < nb; r++) st(col, r, ld(x, (i0 + r) * d + j) - mj);
      }
      const base = ld(f, dd) + ld(logWeights, c);
      for (let r = 0; r < nb; r++) st(l, r, base);
      for (let a = 0; a < o; a++) {
        for (let b = 0; b <= a; b++) scale(y, ld(f, a * o + b), cols + <usize>b * colBytes, nb, b > 0);
        let r = 0;
        const half = f64x2.splat(-0.5);
        for (; r + 1 < nb; r += 2) {
          const off = (<usize>r) << 3;
          const v = v128.load(y + off);
          v128.store(l + off, f64x2.add(v128.load(l + off), f64x2.mul(half, f64x2.mul(v, v))));
        }
        if (r < nb) st(l, r, ld(l, r) - 0.5 * ld(y, r) * ld(y, r));
      }
      for (let a = 0; a < m; a++) {
        const col = cols + <usize>(o + a) * colBytes;
        if (o == 0) memory.fill(col, 0, colBytes);
        for (let b = 0; b < o; b++) scale(col, ld(bp, a * o + b), cols + <usize>b * colBytes, nb, b > 0);
      }
    }
    for (let r = 0; r < nb; r++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, ld(lp, c * BLOCK + r));
      let sum = 0.0;
      if (max == -Infinity) {
        for (let c = 0; c < k; c++) st(lp, c * BLOCK + r, 1.0 / <f64>k);
        sum = 1.0;
      } else {
        for (let c = 0; c < k; c++) {
          const v = Math.exp(ld(lp, c * BLOCK + r) - max);
          st(lp, c * BLOCK + r, v);
          sum += v;
        }
      }
      const mi = max == -Infinity ? -Infinity : max + Math.log(sum);
      const i = i0 + r;
      const wi = sampleWeight != 0 ? ld(sampleWeight, i) : 1.0;
      // A weighted row counts as that many copies of itself; weight 0 drops it.
      if (wi != 0.0 || isNaN(mi)) total += wi * mi;
      if (lse != 0) st(lse, i, mi);
      const inv = 1.0 / sum;
      for (let c = 0; c < k; c++) {
        const rc = ld(lp, c * BLOCK + r) * inv;
        st(lp, c * BLOCK + r, rc);
        if (resp != 0) st(resp, i * k + c, rc);
      }
      if (xhat != 0) {
        const xi = x + ((<usize>(i * d)) << 3);
        const xo = xhat + ((<usize>(i * d)) << 3);
        for (let a = 0; a < o; a++) {
          const j = ldi(ix, a);
          st(xo, j, ld(xi, j));
        }
        for (let a = 0; a < m; a++) {
          const j = ldi(ix, o + a);
          let t = 0.0;
          for (let c = 0; c < k; c++) {
            const dev = ld(work + <usize>(c * dc + o + a) * colBytes, r);
            t += ld(lp, c * BLOCK + r) * (ld(means, c * d + j) + dev);
          }
          st(xo, j, t);
        }
      }
      // The statistics take w·r: scaled after `resp` and `xhat`, which stay unweighted.
      if (wi != 1.0) for (let c = 0; c < k; c++) st(lp, c * BLOCK + r, ld(lp, c * BLOCK + r) * wi);
    }
    if (!accumulate) continue;
    for (let c = 0; c < k; c++) {
      const cols = work + <usize>(c * dc) * colBytes;
      const y = cols + <usize>d * colBytes;
      const l = lp + <usize>c * colBytes;
      for (let r = 0; r < nb; r++) st(y, r, Math.sqrt(ld(l, r)));
      for (let a = 0; a < d; a++) {
        const col = cols + <usize>a * colBytes;
        let r = 0;
        for (; r + 1 < nb; r += 2) {
          const off = (<usize>r) << 3;
          v128.store(col + off, f64x2.mul(v128.load(col + off), v128.load(y + off)));
        }
        if (r < nb) st(col, r, ld(col, r) * ld(y, r));
      }
      const g = gram + ((<usize>(c * dc * dc)) << 3);
      for (let a = 0; a < dc; a += 2) {
        const a0 = cols + <usize>a * colBytes;
        const a1 = a0 + colBytes;
        for (let b = a; b < dc; b += 2) {
          const b0 = cols + <usize>b * colBytes;
          const b1 = b0 + colBytes;
          let s00 = f64x2.splat(0.0);
          let s01 = f64x2.splat(0.0);
          let s10 = f64x2.splat(0.0);
          let s11 = f64x2.splat(0.0);
          let r = 0;
          for (; r + 1 < nb; r += 2) {
            const off = (<usize>r) << 3;
            const x0 = v128.load(a0 + off);
            const x1 = v128.load(a1 + off);
            const y0 = v128.load(b0 + off);
            const y1 = v128.load(b1 + off);
            s00 = f64x2.add(s00, f64x2.mul(x0, y0));
            s01 = f64x2.add(s01, f64x2.mul(x0, y1));
            s10 = f64x2.add(s10, f64x2.mul(x1, y0));
            s11 = f64x2.add(s11, f64x2.mul(x1, y1));
          }
          let t00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
          let t01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
          let t10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
          let t11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
          if (r < nb) {
            t00 += ld(a0, r) * ld(b0, r);
            t01 += ld(a0, r) * ld(b1, r);
            t10 += ld(a1, r) * ld(b0, r);
            t11 += ld(a1, r) * ld(b1, r);
          }
          const at = a * dc + b;
          st(g, at, ld(g, at) + t00);
          st(g, at + 1, ld(g, at + 1) + t01);
          st(g, at + dc, ld(g, at + dc) + t10);
          st(g, at + dc + 1, ld(g, at + dc + 1) + t11);
        }
      }
    }
  }
  if (accumulate) {
    for (let c = 0; c < k; c++) {
      const g = gram + ((<usize>(c * dc * dc)) << 3);
      const mass = ld(g, d * dc + d);
      const cp = factors + ((<usize>(c * (dd + 1) + o * o + m * o)) << 3);
      const out = scatter + ((<usize>(c * dd)) << 3);
      st(nk, c, ld(nk, c) + mass);
      for (let a = 0; a < m; a++) {
        for (let b = a; b < m; b++) {
          const at = (o + a) * dc + o + b;
          st(g, at, ld(g, at) + mass * ld(cp, a * m + b));
        }
      }
      for (let a = 0; a < d; a++) {
        const ja = ldi(ix, a);
        st(sumX, c * d + ja, ld(sumX, c * d + ja) + ld(g, a * dc + d));
        for (let b = a; b < d; b++) {
          const jb = ldi(ix, b);
          const at = ja <= jb ? ja * d + jb : jb * d + ja;
          st(out, at, ld(out, at) + ld(g, a * dc + b));
        }
      }
    }
  }
  return total;
}
