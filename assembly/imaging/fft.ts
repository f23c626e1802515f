// Complex FFTs along one axis and the real-input packing around them, for convolution by FFT
// (src/imaging/kernels.ts is the contract, src/reference/imaging.ts the TypeScript twins).
//
// Complex numbers are interleaved (re, im) f64 pairs, one f64x2 each. `fftAxis` runs a Stockham
// autosort FFT (radix 4, 2, 3, 5; lengths 2^a·3^b·5^c) along the middle axis of an
// (outer × len × stride) array, TILE columns at a time through all stages (a tile stays in cache):
// each butterfly applies one twiddle to a contiguous run of a tile's columns, so the inner loops are
// plain f64x2 streams whichever axis is transformed. The real transforms along rows transpose a
// tile of row pairs into such columns in a small buffer (`realFftRows`), transform and unpack it
// there, so neither the transposes nor the stages leave the cache. The twins do the same operations
// in the same order, so the two agree to the last bit.

// cos and sin of 2π/5 and 4π/5, and sin(2π/3) = √3/2.
const C51: f64 = 0.30901699437494745;
const C52: f64 = -0.8090169943749475;
const S51: f64 = 0.9510565162951535;
const S52: f64 = 0.5877852522924731;
const S3: f64 = 0.8660254037844386;

function swap(v: v128): v128 {
  return v128.shuffle<f64>(v, v, 1, 0);
}

/** `b · w` for w = (wr, wi) given as `wr = splat(wr)`, `wi = (−wi, wi)`. */
function cmul(b: v128, wr: v128, wi: v128): v128 {
  return f64x2.add(f64x2.mul(b, wr), f64x2.mul(swap(b), wi));
}

/** `b · σi` for `rot = (−σ, σ)`. */
function rotate(b: v128, rot: v128): v128 {
  return f64x2.mul(swap(b), rot);
}

/** The radix of the next stage for a remaining length n (0 if n has a factor other than 2, 3, 5). */
function radixOf(n: i32): i32 {
  if (n % 4 == 0) return 4;
  if (n % 2 == 0) return 2;
  if (n % 3 == 0) return 3;
  if (n % 5 == 0) return 5;
  return 0;
}

/**
 * Loads the twiddle w^k of table index `index` as (splat(wr), (−wi, wi)), conjugated when `sign`
 * is +1 (inverse transform).
 */
function twRe(table: usize, index: i32): v128 {
  return v128.load64_splat(table + ((<usize>index) << 4));
}

function twIm(table: usize, index: i32, sign: f64): v128 {
  const wi = load<f64>(table + ((<usize>index) << 4) + 8) * -sign;
  return f64x2(-wi, wi);
}

/*
 * One Stockham stage of radix r over a tile of `tile` columns: for p < m, q < s and t < tile, the r
 * inputs at index (p + j·m)·s + q of x go through a length-r DFT, and output k, times w^(p·k)
 * (w = exp(∓2πi/(r·m)), from `table` at stride `tstride`), lands at index (r·p + k)·s + q of y.
 * Index i of x is the row at x + i·xs·16 bytes (its `tile` elements contiguous); likewise y, ys.
 */

function stage2(
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  m: i32,
  s: i32,
  tile: i32,
  tstride: i32,
  table: usize,
  sign: f64,
): void {
  const xq = (<usize>xs) << 4;
  const yq = (<usize>ys) << 4;
  const mb = <usize>(m * s) * xq;
  const yk = <usize>s * yq;
  const run = (<usize>tile) << 4;
  for (let p = 0; p < m; p++) {
    const w1r = twRe(table, p * tstride);
    const w1i = twIm(table, p * tstride, sign);
    for (let q = 0; q < s; q++) {
      const xp = x + <usize>(p * s + q) * xq;
      const yp = y + <usize>(2 * p * s + q) * yq;
      for (let t: usize = 0; t < run; t += 16) {
        const a0 = v128.load(xp + t);
        const a1 = v128.load(xp + mb + t);
        v128.store(yp + t, f64x2.add(a0, a1));
        const b1 = f64x2.sub(a0, a1);
        v128.store(yp + yk + t, p == 0 ? b1 : cmul(b1, w1r, w1i));
      }
    }
  }
}

function stage4(
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  m: i32,
  s: i32,
  tile: i32,
  tstride: i32,
  table: usize,
  sign: f64,
): void {
  const xq = (<usize>xs) << 4;
  const yq = (<usize>ys) << 4;
  const mb = <usize>(m * s) * xq;
  const yk = <usize>s * yq;
  const run = (<usize>tile) << 4;
  const rot = f64x2(-sign, sign);
  for (let p = 0; p < m; p++) {
    const i1 = p * tstride;
    const w1r = twRe(table, i1);
    const w1i = twIm(table, i1, sign);
    const w2r = twRe(table, 2 * i1);
    const w2i = twIm(table, 2 * i1, sign);
    const w3r = twRe(table, 3 * i1);
    const w3i = twIm(table, 3 * i1, sign);
    for (let q = 0; q < s; q++) {
      const xp = x + <usize>(p * s + q) * xq;
      const yp = y + <usize>(4 * p * s + q) * yq;
      for (let t: usize = 0; t < run; t += 16) {
        const a0 = v128.load(xp + t);
        const a1 = v128.load(xp + mb + t);
        const a2 = v128.load(xp + 2 * mb + t);
        const a3 = v128.load(xp + 3 * mb + t);
        const t0 = f64x2.add(a0, a2);
        const t1 = f64x2.sub(a0, a2);
        const t2 = f64x2.add(a1, a3);
        const t3 = rotate(f64x2.sub(a1, a3), rot);
        const b1 = f64x2.add(t1, t3);
        const b2 = f64x2.sub(t0, t2);
        const b3 = f64x2.sub(t1, t3);
        v128.store(yp + t, f64x2.add(t0, t2));
        if (p == 0) {
          v128.store(yp + yk + t, b1);
          v128.store(yp + 2 * yk + t, b2);
          v128.store(yp + 3 * yk + t, b3);
        } else {
          v128.store(yp + yk + t, cmul(b1, w1r, w1i));
          v128.store(yp + 2 * yk + t, cmul(b2, w2r, w2i));
          v128.store(yp + 3 * yk + t, cmul(b3, w3r, w3i));
        }
      }
    }
  }
}

function stage3(
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  m: i32,
  s: i32,
  tile: i32,
  tstride: i32,
  table: usize,
  sign: f64,
): void {
  const xq = (<usize>xs) << 4;
  const yq = (<usize>ys) << 4;
  const mb = <usize>(m * s) * xq;
  const yk = <usize>s * yq;
  const run = (<usize>tile) << 4;
  const rot = f64x2(-sign * S3, sign * S3);
  const half = f64x2.splat(0.5);
  for (let p = 0; p < m; p++) {
    const i1 = p * tstride;
    const w1r = twRe(table, i1);
    const w1i = twIm(table, i1, sign);
    const w2r = twRe(table, 2 * i1);
    const w2i = twIm(table, 2 * i1, sign);
    for (let q = 0; q < s; q++) {
      const xp = x + <usize>(p * s + q) * xq;
      const yp = y + <usize>(3 * p * s + q) * yq;
      for (let t: usize = 0; t < run; t += 16) {
        const a0 = v128.load(xp + t);
        const a1 = v128.load(xp + mb + t);
        const a2 = v128.load(xp + 2 * mb + t);
        const sum = f64x2.add(a1, a2);
        const mid = f64x2.sub(a0, f64x2.mul(half, sum));
        const d = rotate(f64x2.sub(a1, a2), rot);
        const b1 = f64x2.add(mid, d);
        const b2 = f64x2.sub(mid, d);
        v128.store(yp + t, f64x2.add(a0, sum));
        if (p == 0) {
          v128.store(yp + yk + t, b1);
          v128.store(yp + 2 * yk + t, b2);
        } else {
          v128.store(yp + yk + t, cmul(b1, w1r, w1i));
          v128.store(yp + 2 * yk + t, cmul(b2, w2r, w2i));
        }
      }
    }
  }
}

function stage5(
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  m: i32,
  s: i32,
  tile: i32,
  tstride: i32,
  table: usize,
  sign: f64,
): void {
  const xq = (<usize>xs) << 4;
  const yq = (<usize>ys) << 4;
  const mb = <usize>(m * s) * xq;
  const yk = <usize>s * yq;
  const run = (<usize>tile) << 4;
  const c1 = f64x2.splat(C51);
  const c2 = f64x2.splat(C52);
  const s1 = f64x2.splat(S51);
  const s2 = f64x2.splat(S52);
  const rot = f64x2(-sign, sign);
  for (let p = 0; p < m; p++) {
    const i1 = p * tstride;
    const w1r = twRe(table, i1);
    const w1i = twIm(table, i1, sign);
    const w2r = twRe(table, 2 * i1);
    const w2i = twIm(table, 2 * i1, sign);
    const w3r = twRe(table, 3 * i1);
    const w3i = twIm(table, 3 * i1, sign);
    const w4r = twRe(table, 4 * i1);
    const w4i = twIm(table, 4 * i1, sign);
    for (let q = 0; q < s; q++) {
      const xp = x + <usize>(p * s + q) * xq;
      const yp = y + <usize>(5 * p * s + q) * yq;
      for (let t: usize = 0; t < run; t += 16) {
        const a0 = v128.load(xp + t);
        const a1 = v128.load(xp + mb + t);
        const a2 = v128.load(xp + 2 * mb + t);
        const a3 = v128.load(xp + 3 * mb + t);
        const a4 = v128.load(xp + 4 * mb + t);
        const t1 = f64x2.add(a1, a4);
        const t2 = f64x2.add(a2, a3);
        const d1 = f64x2.sub(a1, a4);
        const d2 = f64x2.sub(a2, a3);
        const m1 = f64x2.add(a0, f64x2.add(f64x2.mul(c1, t1), f64x2.mul(c2, t2)));
        const m2 = f64x2.add(a0, f64x2.add(f64x2.mul(c2, t1), f64x2.mul(c1, t2)));
        const e1 = rotate(f64x2.add(f64x2.mul(s1, d1), f64x2.mul(s2, d2)), rot);
        const e2 = rotate(f64x2.sub(f64x2.mul(s2, d1), f64x2.mul(s1, d2)), rot);
        const b1 = f64x2.add(m1, e1);
        const b2 = f64x2.add(m2, e2);
        const b3 = f64x2.sub(m2, e2);
        const b4 = f64x2.sub(m1, e1);
        v128.store(yp + t, f64x2.add(a0, f64x2.add(t1, t2)));
        if (p == 0) {
          v128.store(yp + yk + t, b1);
          v128.store(yp + 2 * yk + t, b2);
          v128.store(yp + 3 * yk + t, b3);
          v128.store(yp + 4 * yk + t, b4);
        } else {
          v128.store(yp + yk + t, cmul(b1, w1r, w1i));
          v128.store(yp + 2 * yk + t, cmul(b2, w2r, w2i));
          v128.store(yp + 3 * yk + t, cmul(b3, w3r, w3i));
          v128.store(yp + 4 * yk + t, cmul(b4, w4r, w4i));
        }
      }
    }
  }
}

/** Columns of the inner axis that `fftAxis` carries through all its stages at once (they stay in cache). */
const TILE: i32 = 16;

/** f64s of `work` that `fftAxis` needs. */
export function fftWorkLength(len: i32, inner: i32): i32 {
  return 4 * len * min(inner, TILE);
}

/** Runs the stages of one tile: from `home` (row stride `stride`) back to `home`, via w1 and w2. */
function tileStages(
  home: usize,
  stride: i32,
  tile: i32,
  len: i32,
  stages: i32,
  twiddles: usize,
  w1: usize,
  w2: usize,
  sign: f64,
): void {
  // Stage i reads what stage i − 1 wrote; the first reads and the last writes `home`, the others
  // ping-pong between w1 and w2 (row stride tile). The last stage has m = 1: each butterfly loads
  // all its inputs before it stores, so with a single stage it runs in place.
  let x = home;
  let xs = stride;
  let n = len;
  let s = 1;
  for (let i = 0; i < stages; i++) {
    const r = radixOf(n);
    const m = n / r;
    const last = i == stages - 1;
    const y = last ? home : i & 1 ? w2 : w1;
    const ys = last ? stride : tile;
    const tstride = len / n;
    if (r == 4) stage4(x, xs, y, ys, m, s, tile, tstride, twiddles, sign);
    else if (r == 2) stage2(x, xs, y, ys, m, s, tile, tstride, twiddles, sign);
    else if (r == 3) stage3(x, xs, y, ys, m, s, tile, tstride, twiddles, sign);
    else stage5(x, xs, y, ys, m, s, tile, tstride, twiddles, sign);
    x = y;
    xs = ys;
    n = m;
    s *= r;
  }
}

/** The number of stages for len, or −1 when len has a prime factor above 5. */
function stageCount(len: i32): i32 {
  let stages = 0;
  for (let n = len; n > 1; n /= radixOf(n)) {
    if (radixOf(n) == 0) return -1;
    stages++;
  }
  return stages;
}

/**
 * In place on the complex `data (outer × len × stride)`: the DFT along the middle axis of its first
 * `inner` columns,
 * `X[k] = Σ_j x[j]·exp(∓2πi·jk/len)` (− forward, + when `inverse` is 1; unscaled). `twiddles (len)`
 * holds exp(−2πi·j/len); `work` is scratch of `fftWorkLength(len, inner)` f64s. Returns 0, or −1
 * when len has a prime factor above 5.
 */
export function fftAxis(
  data: usize,
  outer: i32,
  len: i32,
  inner: i32,
  stride: i32,
  twiddles: usize,
  work: usize,
  inverse: i32,
): i32 {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const sign: f64 = inverse ? 1.0 : -1.0;
  const slab = (<usize>len * <usize>stride) << 4;
  const w2 = work + ((<usize>len * <usize>min(inner, TILE)) << 4);
  for (let o = 0; o < outer; o++) {
    for (let c0 = 0; c0 < inner; c0 += TILE) {
      const home = data + <usize>o * slab + ((<usize>c0) << 4);
      tileStages(home, stride, min(TILE, inner - c0), len, stages, twiddles, work, w2, sign);
    }
  }
  return 0;
}

/**
 * `fftAxis` forward, `data *= filter` (same layout), then `fftAxis` inverse, on the
 * (len × stride) `data`, one tile at a time so that each tile stays in cache through all three.
 * Returns 0, or −1 when len has a prime factor above 5.
 */
export function fftFilterAxis(
  data: usize,
  len: i32,
  inner: i32,
  stride: i32,
  twiddles: usize,
  work: usize,
  filter: usize,
): i32 {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const w2 = work + ((<usize>len * <usize>min(inner, TILE)) << 4);
  const rowBytes = (<usize>stride) << 4;
  for (let c0 = 0; c0 < inner; c0 += TILE) {
    const tile = min(TILE, inner - c0);
    const home = data + ((<usize>c0) << 4);
    tileStages(home, stride, tile, len, stages, twiddles, work, w2, -1.0);
    const f = filter + ((<usize>c0) << 4);
    for (let i = 0; i < len; i++) complexMultiply(home + <usize>i * rowBytes, f + <usize>i * rowBytes, tile);
    tileStages(home, stride, tile, len, stages, twiddles, work, w2, 1.0);
  }
  return 0;
}

/** f64s of `work` that `realFftRows` and `realIfftRows` need: three (len × TILE) complex tiles. */
export function realFftWorkLength(len: i32): i32 {
  return 6 * len * TILE;
}

/** Offset (complex elements) of spectrum row r of a (n0 × n1) stack of rows in an (l0 × l1 × h) array. */
function specRow(r: i32, n1: i32, l1: i32, h: i32): usize {
  return <usize>((r / n1) * l1 + (r % n1)) * <usize>h;
}

/** Zeroes the rows of the complex `spec (l0 × l1 × h)` other than (i0 < n0, i1 < n1). */
export function zeroSpecPadding(spec: usize, n0: i32, n1: i32, h: i32, l0: i32, l1: i32): void {
  const specBytes = (<usize>h) << 4;
  for (let i0 = 0; i0 < n0; i0++) {
    const slab = spec + ((<usize>(i0 * l1) * <usize>h) << 4);
    memory.fill(slab + <usize>n1 * specBytes, 0, <usize>(l1 - n1) * specBytes);
  }
  memory.fill(spec + ((<usize>(n0 * l1) * <usize>h) << 4), 0, <usize>(l0 - n0) * <usize>l1 * specBytes);
}

/**
 * The half spectra (k < h = ⌊len/2⌋ + 1) of the rows of the real `x (n0 × n1 × rowLen)`, each
 * zero-padded to len, for the row pairs (2p, 2p+1) with p in [pairStart, pairEnd): row
 * r = i0·n1 + i1 into row (i0, i1) of the complex `spec (· × l1 × h)` (`zeroSpecPadding` clears the
 * others). Two real rows go through one complex FFT (z = x_a + i·x_b,
 * X_a = (Z[k] + conj Z[−k])/2, X_b = −i·(Z[k] − conj Z[−k])/2), TILE pairs at a time: each tile is
 * transposed into `work` (realFftWorkLength(len) f64s), transformed there and unpacked, without
 * leaving the cache. Returns 0, or −1 when len has a prime factor above 5.
 */
export function realFftRows(
  x: usize,
  n0: i32,
  n1: i32,
  rowLen: i32,
  len: i32,
  twiddles: usize,
  work: usize,
  spec: usize,
  l1: i32,
  pairStart: i32,
  pairEnd: i32,
): i32 {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const h = (len >> 1) + 1;
  const rows = n0 * n1;
  const tileBytes = (<usize>len * <usize>TILE) << 4;
  const w0 = work;
  const w1 = work + tileBytes;
  const w2 = work + 2 * tileBytes;
  const rowBytes = (<usize>rowLen) << 3;
  const half = f64x2.splat(0.5);
  const conj = f64x2(0.0, -0.0);
  for (let p0 = pairStart; p0 < pairEnd; p0 += TILE) {
    const tile = min(TILE, pairEnd - p0);
    const ts = (<usize>tile) << 4;
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const ra = x + <usize>(2 * p) * rowBytes;
      const hasB = 2 * p + 1 < rows;
      let wp = w0 + ((<usize>t) << 4);
      for (let c = 0; c < rowLen; c++) {
        const o = (<usize>c) << 3;
        v128.store(wp, f64x2(load<f64>(ra + o), hasB ? load<f64>(ra + rowBytes + o) : 0.0));
        wp += ts;
      }
    }
    memory.fill(w0 + <usize>rowLen * ts, 0, <usize>(len - rowLen) * ts);
    tileStages(w0, tile, tile, len, stages, twiddles, w1, w2, -1.0);
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const ra = spec + (specRow(2 * p, n1, l1, h) << 4);
      const hasB = 2 * p + 1 < rows;
      const rb = hasB ? spec + (specRow(2 * p + 1, n1, l1, h) << 4) : 0;
      const zp = w0 + ((<usize>t) << 4);
      for (let k = 0; k < h; k++) {
        const zk = v128.load(zp + <usize>k * ts);
        const kc = k == 0 ? 0 : len - k;
        const zc = v128.xor(v128.load(zp + <usize>kc * ts), conj);
        v128.store(ra + ((<usize>k) << 4), f64x2.mul(half, f64x2.add(zk, zc)));
        if (hasB) {
          const d = f64x2.mul(half, f64x2.sub(zk, zc));
          // −i·(dr + i·di) = di − i·dr
          v128.store(rb + ((<usize>k) << 4), f64x2.mul(swap(d), f64x2(1.0, -1.0)));
        }
      }
    }
  }
  return 0;
}

/**
 * The reverse of `realFftRows` for rows (i0 < n0, i1 < n1) of `spec (l0 × l1 × h)`: each row's
 * full spectrum (Hermitian, from its half; the imaginary parts at k = 0 and k = len/2 dropped, as a
 * real inverse FFT does), two rows per complex inverse FFT (Y_a + i·Y_b), and
 * `out (n0 × n1 × rowLen)` = scale times the first rowLen entries of each row's inverse transform,
 * for the row pairs (2p, 2p+1) with p in [pairStart, pairEnd). Returns 0, or −1 when len has a prime factor above 5.
 */
export function realIfftRows(
  spec: usize,
  n0: i32,
  n1: i32,
  l1: i32,
  len: i32,
  twiddles: usize,
  work: usize,
  rowLen: i32,
  scale: f64,
  out: usize,
  pairStart: i32,
  pairEnd: i32,
): i32 {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const h = (len >> 1) + 1;
  const rows = n0 * n1;
  const tileBytes = (<usize>len * <usize>TILE) << 4;
  const w0 = work;
  const w1 = work + tileBytes;
  const w2 = work + 2 * tileBytes;
  const rowBytes = (<usize>rowLen) << 3;
  const rot = f64x2(-1.0, 1.0);
  const conj = f64x2(0.0, -0.0);
  const realOnly = f64x2(1.0, 0.0);
  const nyquist = len & 1 ? -1 : len >> 1;
  for (let p0 = pairStart; p0 < pairEnd; p0 += TILE) {
    const tile = min(TILE, pairEnd - p0);
    const ts = (<usize>tile) << 4;
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const ra = spec + (specRow(2 * p, n1, l1, h) << 4);
      const hasB = 2 * p + 1 < rows;
      const rb = hasB ? spec + (specRow(2 * p + 1, n1, l1, h) << 4) : 0;
      const zp = w0 + ((<usize>t) << 4);
      for (let k = 0; k < len; k++) {
        const mirror = k >= h;
        const kk = mirror ? len - k : k;
        let ya = v128.load(ra + ((<usize>kk) << 4));
        let yb = hasB ? v128.load(rb + ((<usize>kk) << 4)) : f64x2.splat(0.0);
        if (kk == 0 || kk == nyquist) {
          ya = f64x2.mul(ya, realOnly);
          yb = f64x2.mul(yb, realOnly);
        } else if (mirror) {
          ya = v128.xor(ya, conj);
          yb = v128.xor(yb, conj);
        }
        v128.store(zp + <usize>k * ts, f64x2.add(ya, f64x2.mul(swap(yb), rot)));
      }
    }
    tileStages(w0, tile, tile, len, stages, twiddles, w1, w2, 1.0);
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const ra = out + <usize>(2 * p) * rowBytes;
      const hasB = 2 * p + 1 < rows;
      let zp = w0 + ((<usize>t) << 4);
      for (let c = 0; c < rowLen; c++) {
        const o = (<usize>c) << 3;
        store<f64>(ra + o, load<f64>(zp) * scale);
        if (hasB) store<f64>(ra + rowBytes + o, load<f64>(zp + 8) * scale);
        zp += ts;
      }
    }
  }
  return 0;
}

/** `a[j] *= b[j]` for `count` complex numbers. */
export function complexMultiply(a: usize, b: usize, count: i32): void {
  const end = a + ((<usize>count) << 4);
  let q = b;
  for (let p = a; p < end; p += 16) {
    const x = v128.load(p);
    const y = v128.load(q);
    const yr = v128.shuffle<f64>(y, y, 0, 0);
    const yi = f64x2.mul(v128.shuffle<f64>(y, y, 1, 1), f64x2(-1.0, 1.0));
    v128.store(p, f64x2.add(f64x2.mul(x, yr), f64x2.mul(swap(x), yi)));
    q += 16;
  }
}
