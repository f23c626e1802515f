// Mixture of linear regressions: one fused pass per EM iteration over rows (x, y).
// log p(y | x, c) = −½·log(2π·σ²_c) − (y − z·β_c)² / (2σ²_c), z = (1, x) with an intercept or x.
// The rows go in blocks of BLOCK_ROWS: the block's design is transposed into `work` (feature-major,
// the intercept a row of ones, so X is never copied with an extra column), then each step runs
// across rows two per f64x2: the residuals and log-joint values of every component, the shared
// `blockPosterior`, and the statistics of each component as dot products over the block's rows,
// summed in registers and added to the statistics arrays once per block.
//
// Statistics are taken about the current coefficients β_c (the ones this pass scores with): with
// e = y − z·β_c, the pass accumulates Σ r·z·zᵀ, Σ r·z·e and Σ r·e². The M-step solves for the
// change δ = β_new − β_c and gets the new residual sum of squares exactly as
// Σ r·e² − 2·δᵀΣ r·z·e + δᵀ(Σ r·z·zᵀ)δ. Expanding about β_c instead of 0 (yᵀWy − 2βᵀXᵀWy + βᵀXᵀWXβ)
// avoids the cancellation of three terms of the size of Σ r·y² when the fit is good: here every
// term is of the size of the residuals, and near convergence δ → 0.
import { ld, st } from '../../util/memory';
import { BLOCK_ROWS, blockPosterior } from '../block';

/** Bytes between two rows of a block's scratch (one feature, component, … over the block's rows). */
const ROW: usize = (<usize>BLOCK_ROWS) << 3;

/** The sum of a vector's two lanes. */
function sum2(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * Copies rows [i0, i0 + b) of X into `z` feature-major (after the intercept's row of ones) and of
 * y into `yb`; the lanes from b up to `end` (bytes, a multiple of 32) are set to 0, so every
 * quantity of those padding lanes is finite.
 */
function loadBlock(
  x: usize,
  d: i32,
  y: usize,
  intercept: i32,
  i0: i32,
  b: i32,
  end: usize,
  z: usize,
  yb: usize,
): void {
  const zx = z + <usize>intercept * ROW;
  for (let i = 0; i < b; i++) {
    const xi = x + ((<usize>((i0 + i) * d)) << 3);
    const o = (<usize>i) << 3;
    for (let j = 0; j < d; j++) store<f64>(zx + <usize>j * ROW + o, load<f64>(xi + ((<usize>j) << 3)));
    store<f64>(yb + o, ld(y, i0 + i));
  }
  for (let o = (<usize>b) << 3; o < end; o += 8) {
    for (let j = 0; j < d; j++) store<f64>(zx + <usize>j * ROW + o, 0.0);
    store<f64>(yb + o, 0.0);
  }
}

/**
 * `e (block)` = y − z·β over the block's lanes up to `end` bytes (a multiple of 32); β = `beta (p)`,
 * its first entry the intercept's when `intercept` is 1 (z's row of ones is then not read). When
 * `l` is not 0, also writes `l (block)` = a − h·e².
 */
function residuals(
  z: usize,
  yb: usize,
  beta: usize,
  p: i32,
  intercept: i32,
  end: usize,
  e: usize,
  l: usize,
  a: v128,
  h: v128,
): void {
  const b0 = intercept ? v128.load64_splat(beta) : f64x2.splat(0.0);
  const zx = z + <usize>intercept * ROW;
  const bx = beta + ((<usize>intercept) << 3);
  const d = p - intercept;
  for (let o: usize = 0; o < end; o += 32) {
    let e0 = f64x2.sub(v128.load(yb + o), b0);
    let e1 = f64x2.sub(v128.load(yb + o + 16), b0);
    for (let j = 0; j < d; j++) {
      const bj = v128.load64_splat(bx + ((<usize>j) << 3));
      const zj = zx + <usize>j * ROW + o;
      e0 = f64x2.sub(e0, f64x2.mul(v128.load(zj), bj));
      e1 = f64x2.sub(e1, f64x2.mul(v128.load(zj + 16), bj));
    }
    v128.store(e + o, e0);
    v128.store(e + o + 16, e1);
    if (l) {
      v128.store(l + o, f64x2.sub(a, f64x2.mul(h, f64x2.mul(e0, e0))));
      v128.store(l + o + 16, f64x2.sub(a, f64x2.mul(h, f64x2.mul(e1, e1))));
    }
  }
}

/**
 * One component's statistics over a block: `r (block)` its responsibilities (times the rows'
 * weights; 0 on padding lanes), `e (block)` its residuals (overwritten by r·e), `z` the block's
 * design (p rows, the first the intercept's ones when `intercept` is 1), `u` one row of scratch,
 * `end` bytes (a multiple of 32). Adds Σ r·e² to `ete`, Σ r·e·z to `xte (p)` and, when `xtx` is
 * not 0, Σ r to `nk` and Σ r·z·zᵀ to `xtx (t)` (packed). A residual whose responsibility is 0 is
 * taken as 0, so it adds nothing even when not finite. With the intercept, its row of Σ r·z·zᵀ
 * (Σ r, Σ r·x_j) and its Σ r·e come from sums the other sweeps make anyway: no sweep multiplies by 1.
 */
function blockStats(
  r: usize,
  e: usize,
  z: usize,
  u: usize,
  p: i32,
  intercept: i32,
  end: usize,
  nk: usize,
  xtx: usize,
  xte: usize,
  ete: usize,
): void {
  const zero = f64x2.splat(0.0);
  let sr0 = zero;
  let sr1 = zero;
  let se0 = zero;
  let se1 = zero;
  let sx0 = zero;
  let sx1 = zero;
  for (let o: usize = 0; o < end; o += 32) {
    const r0 = v128.load(r + o);
    const r1 = v128.load(r + o + 16);
    const e0 = v128.and(v128.load(e + o), f64x2.ne(r0, zero));
    const e1 = v128.and(v128.load(e + o + 16), f64x2.ne(r1, zero));
    const re0 = f64x2.mul(r0, e0);
    const re1 = f64x2.mul(r1, e1);
    v128.store(e + o, re0);
    v128.store(e + o + 16, re1);
    sr0 = f64x2.add(sr0, r0);
    sr1 = f64x2.add(sr1, r1);
    sx0 = f64x2.add(sx0, re0);
    sx1 = f64x2.add(sx1, re1);
    se0 = f64x2.add(se0, f64x2.mul(re0, e0));
    se1 = f64x2.add(se1, f64x2.mul(re1, e1));
  }
  const sr = sum2(f64x2.add(sr0, sr1));
  store<f64>(ete, load<f64>(ete) + sum2(f64x2.add(se0, se1)));
  if (xtx) store<f64>(nk, load<f64>(nk) + sr);
  if (intercept) {
    store<f64>(xte, load<f64>(xte) + sum2(f64x2.add(sx0, sx1)));
    if (xtx) store<f64>(xtx, load<f64>(xtx) + sr);
  }
  // Row j of Σ r·z·zᵀ starts at j·p − j(j − 1)/2 in the packed triangle.
  let q = xtx + ((<usize>(intercept * p)) << 3);
  for (let j = intercept; j < p; j++) {
    const zj = z + <usize>j * ROW;
    let a0 = zero;
    let a1 = zero;
    let s0 = zero;
    let s1 = zero;
    for (let o: usize = 0; o < end; o += 32) {
      const z0 = v128.load(zj + o);
      const z1 = v128.load(zj + o + 16);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(e + o), z0));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(e + o + 16), z1));
      if (xtx) {
        const u0 = f64x2.mul(v128.load(r + o), z0);
        const u1 = f64x2.mul(v128.load(r + o + 16), z1);
        v128.store(u + o, u0);
        v128.store(u + o + 16, u1);
        s0 = f64x2.add(s0, u0);
        s1 = f64x2.add(s1, u1);
      }
    }
    st(xte, j, ld(xte, j) + sum2(f64x2.add(a0, a1)));
    if (!xtx) continue;
    if (intercept) st(xtx, j, ld(xtx, j) + sum2(f64x2.add(s0, s1)));
    // Row j from m = j: two columns per sweep over the block, two vectors per step.
    let m = j;
    for (; m + 1 < p; m += 2) {
      const za = z + <usize>m * ROW;
      const zb = za + ROW;
      let b0 = zero;
      let b1 = zero;
      let c0 = zero;
      let c1 = zero;
      for (let o: usize = 0; o < end; o += 32) {
        const u0 = v128.load(u + o);
        const u1 = v128.load(u + o + 16);
        b0 = f64x2.add(b0, f64x2.mul(u0, v128.load(za + o)));
        b1 = f64x2.add(b1, f64x2.mul(u1, v128.load(za + o + 16)));
        c0 = f64x2.add(c0, f64x2.mul(u0, v128.load(zb + o)));
        c1 = f64x2.add(c1, f64x2.mul(u1, v128.load(zb + o + 16)));
      }
      store<f64>(q, load<f64>(q) + sum2(f64x2.add(b0, b1)));
      store<f64>(q + 8, load<f64>(q + 8) + sum2(f64x2.add(c0, c1)));
      q += 16;
    }
    if (m < p) {
      const za = z + <usize>m * ROW;
      let b0 = zero;
      let b1 = zero;
      for (let o: usize = 0; o < end; o += 32) {
        b0 = f64x2.add(b0, f64x2.mul(v128.load(u + o), v128.load(za + o)));
        b1 = f64x2.add(b1, f64x2.mul(v128.load(u + o + 16), v128.load(za + o + 16)));
      }
      store<f64>(q, load<f64>(q) + sum2(f64x2.add(b0, b1)));
      q += 8;
    }
  }
}

/** Lanes [b, end) of the k rows at `r` set to 0 (padding adds nothing to the statistics). */
function clearPadding(r: usize, k: i32, b: i32, end: usize): void {
  for (let c = 0; c < k; c++) {
    const rc = r + <usize>c * ROW;
    for (let o = (<usize>b) << 3; o < end; o += 8) store<f64>(rc + o, 0.0);
  }
}

/**
 * Responsibilities r_c ∝ w_c·N(y; z·β_c, σ²_c) of each row; accumulates (s the row's sample
 * weight, 1 when `sampleWeight` is 0) `nk (k) += s·r`, `xtx (k × t) += s·r·z·zᵀ` (the upper
 * triangle packed row by row, t = p(p + 1)/2), `xte (k × p) += s·r·e·z` and `ete (k) += s·r·e²`
 * with e = y − z·β_c; writes `resp (n × k)` and `lse (n)` when they are not 0; returns
 * Σ s·log p(y | x) over the rows with s ≠ 0. `nk` 0 skips the statistics (scoring). p = d +
 * intercept; `coef (k × p)`, `logNorm (k)` = −½·log(2π·σ²_c), `halfPrec (k)` = 1 / (2σ²_c).
 * A row impossible under every component gets lse −∞ and responsibilities 0. `work` holds
 * (2k + p + 4)·BLOCK_ROWS f64s, 16-byte aligned.
 */
export function regressionEStep(
  x: usize,
  n: i32,
  d: i32,
  y: usize,
  intercept: i32,
  coef: usize,
  logNorm: usize,
  halfPrec: usize,
  logWeights: usize,
  k: i32,
  nk: usize,
  xtx: usize,
  xte: usize,
  ete: usize,
  resp: usize,
  lse: usize,
  sampleWeight: usize,
  work: usize,
): f64 {
  const p = d + intercept;
  const t = (p * (p + 1)) >> 1;
  const lj = work;
  const res = lj + <usize>k * ROW;
  const z = res + <usize>k * ROW;
  const yb = z + <usize>p * ROW;
  const sw = yb + ROW;
  const lb = sw + ROW;
  const u = lb + ROW;
  if (intercept) for (let o: usize = 0; o < ROW; o += 8) store<f64>(z + o, 1.0);
  let total = 0.0;
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    const end = (<usize>((b + 3) & ~3)) << 3;
    loadBlock(x, d, y, intercept, i0, b, end, z, yb);
    for (let c = 0; c < k; c++) {
      const a = f64x2.splat(ld(logWeights, c) + ld(logNorm, c));
      const h = f64x2.splat(ld(halfPrec, c));
      const off = <usize>c * ROW;
      residuals(z, yb, coef + ((<usize>(c * p)) << 3), p, intercept, end, res + off, lj + off, a, h);
    }
    // Each row's lse only when it is weighted or asked for; a fit's pass needs just their sum.
    const sum = blockPosterior(lj, ROW, k, b, sampleWeight || lse ? lb : 0);
    if (sampleWeight) {
      // A row of weight 0 adds nothing (not even 0·(−∞)); its weight 0 also drops it from the statistics.
      for (let i = 0; i < b; i++) {
        const w = ld(sampleWeight, i0 + i);
        st(sw, i, w);
        if (w != 0.0) total += w * ld(lb, i);
      }
      for (let i = b; i < BLOCK_ROWS; i++) st(sw, i, 0.0);
    } else {
      total += sum;
    }
    if (lse) for (let i = 0; i < b; i++) st(lse, i0 + i, ld(lb, i));
    if (resp) {
      for (let i = 0; i < b; i++) {
        const ri = resp + ((<usize>((i0 + i) * k)) << 3);
        for (let c = 0; c < k; c++) st(ri, c, load<f64>(lj + <usize>c * ROW + ((<usize>i) << 3)));
      }
    }
    if (!nk) continue;
    clearPadding(lj, k, b, end);
    for (let c = 0; c < k; c++) {
      const lc = lj + <usize>c * ROW;
      if (sampleWeight) {
        for (let o: usize = 0; o < end; o += 16)
          v128.store(lc + o, f64x2.mul(v128.load(lc + o), v128.load(sw + o)));
      }
      blockStats(
        lc,
        res + <usize>c * ROW,
        z,
        u,
        p,
        intercept,
        end,
        nk + ((<usize>c) << 3),
        xtx + ((<usize>(c * t)) << 3),
        xte + ((<usize>(c * p)) << 3),
        ete + ((<usize>c) << 3),
      );
    }
  }
  return total;
}

/**
 * The statistics of given responsibilities (the first M-step, from `respInit` or a random start):
 * for each row and component with `resp (n × k)` r ≠ 0 (already multiplied by the row's weight),
 * e = y − z·shift_c, adds `xte (k × p) += r·e·z`, `ete (k) += r·e²` and, when `nk` and `xtx`
 * are not 0, `nk (k) += r`, `xtx (k × t) += r·z·zᵀ` (packed as in `regressionEStep`; neither
 * depends on the shift, so a second pass about a new shift can leave them out). `work` as
 * `regressionEStep`'s.
 */
export function regressionAccumulate(
  x: usize,
  n: i32,
  d: i32,
  y: usize,
  intercept: i32,
  shift: usize,
  k: i32,
  resp: usize,
  nk: usize,
  xtx: usize,
  xte: usize,
  ete: usize,
  work: usize,
): void {
  const p = d + intercept;
  const t = (p * (p + 1)) >> 1;
  const r = work;
  const res = r + ROW;
  const z = res + ROW;
  const yb = z + <usize>p * ROW;
  const u = yb + ROW;
  if (intercept) for (let o: usize = 0; o < ROW; o += 8) store<f64>(z + o, 1.0);
  for (let i0 = 0; i0 < n; i0 += BLOCK_ROWS) {
    const b = min(BLOCK_ROWS, n - i0);
    const end = (<usize>((b + 3) & ~3)) << 3;
    loadBlock(x, d, y, intercept, i0, b, end, z, yb);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < b; i++) st(r, i, ld(resp, (i0 + i) * k + c));
      clearPadding(r, 1, b, end);
      const none = f64x2.splat(0.0);
      residuals(z, yb, shift + ((<usize>(c * p)) << 3), p, intercept, end, res, 0, none, none);
      blockStats(
        r,
        res,
        z,
        u,
        p,
        intercept,
        end,
        nk + ((<usize>c) << 3),
        nk && xtx ? xtx + ((<usize>(c * t)) << 3) : 0,
        xte + ((<usize>(c * p)) << 3),
        ete + ((<usize>c) << 3),
      );
    }
  }
}
