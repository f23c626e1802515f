// Plain-TypeScript twins of assembly/imaging (the contract is src/imaging/kernels.ts). They perform
// the Wasm kernels' floating-point operations in the same order, lane by lane, so the two agree to
// the last bit; the tests check that, and these twins are also `backend: 'js'`.

const C51 = 0.30901699437494745;
const C52 = -0.8090169943749475;
const S51 = 0.9510565162951535;
const S52 = 0.5877852522924731;
const S3 = 0.8660254037844386;
const RL_EPS = 1e-12;

function radixOf(n: number): number {
  if (n % 4 === 0) return 4;
  if (n % 2 === 0) return 2;
  if (n % 3 === 0) return 3;
  if (n % 5 === 0) return 5;
  return 0;
}

/** Butterfly inputs, outputs and twiddles (re and im) of `stage`, allocated once. */
const SCRATCH = Array.from({ length: 6 }, () => new Float64Array(5));

/**
 * One Stockham stage of radix r over a tile of `tile` columns: for p < m, q < s and t < tile, the r
 * inputs at index (p + j·m)·s + q of x (complex offset xo + index·xs + t) go through a length-r DFT,
 * and output k, times w^(p·k), lands at index (r·p + k)·s + q of y (offset yo + index·ys + t).
 */
function stage(
  r: number,
  x: Float64Array,
  xo: number,
  xs: number,
  y: Float64Array,
  yo: number,
  ys: number,
  m: number,
  s: number,
  tile: number,
  tstride: number,
  tw: Float64Array,
  sign: number,
): void {
  const [ar, ai, br, bi, wr, wi] = SCRATCH;
  for (let p = 0; p < m; p++) {
    for (let k = 1; k < r; k++) {
      const idx = k * p * tstride;
      wr[k] = tw[2 * idx];
      wi[k] = tw[2 * idx + 1] * -sign;
    }
    for (let q = 0; q < s; q++) {
      for (let t = 0; t < tile; t++) {
        for (let j = 0; j < r; j++) {
          const at = 2 * (xo + ((p + j * m) * s + q) * xs + t);
          ar[j] = x[at];
          ai[j] = x[at + 1];
        }
        butterfly(r, ar, ai, br, bi, sign);
        for (let k = 0; k < r; k++) {
          const at = 2 * (yo + ((r * p + k) * s + q) * ys + t);
          // w^0 = 1: no multiplication for k = 0 or p = 0, as in the Wasm kernel.
          if (k === 0 || p === 0) {
            y[at] = br[k];
            y[at + 1] = bi[k];
          } else {
            y[at] = br[k] * wr[k] + bi[k] * -wi[k];
            y[at + 1] = bi[k] * wr[k] + br[k] * wi[k];
          }
        }
      }
    }
  }
}

/** A length-r DFT (r = 2, 3, 4, 5) with sign σ, as the Wasm butterflies compute it. */
function butterfly(
  r: number,
  ar: Float64Array,
  ai: Float64Array,
  br: Float64Array,
  bi: Float64Array,
  sign: number,
): void {
  if (r === 2) {
    br[0] = ar[0] + ar[1];
    bi[0] = ai[0] + ai[1];
    br[1] = ar[0] - ar[1];
    bi[1] = ai[0] - ai[1];
  } else if (r === 4) {
    const t0r = ar[0] + ar[2];
    const t0i = ai[0] + ai[2];
    const t1r = ar[0] - ar[2];
    const t1i = ai[0] - ai[2];
    const t2r = ar[1] + ar[3];
    const t2i = ai[1] + ai[3];
    const dr = ar[1] - ar[3];
    const di = ai[1] - ai[3];
    const t3r = di * -sign;
    const t3i = dr * sign;
    br[0] = t0r + t2r;
    bi[0] = t0i + t2i;
    br[1] = t1r + t3r;
    bi[1] = t1i + t3i;
    br[2] = t0r - t2r;
    bi[2] = t0i - t2i;
    br[3] = t1r - t3r;
    bi[3] = t1i - t3i;
  } else if (r === 3) {
    const sr = ar[1] + ar[2];
    const si = ai[1] + ai[2];
    const midr = ar[0] - 0.5 * sr;
    const midi = ai[0] - 0.5 * si;
    const er = ar[1] - ar[2];
    const ei = ai[1] - ai[2];
    const dr = ei * (-sign * S3);
    const di = er * (sign * S3);
    br[0] = ar[0] + sr;
    bi[0] = ai[0] + si;
    br[1] = midr + dr;
    bi[1] = midi + di;
    br[2] = midr - dr;
    bi[2] = midi - di;
  } else {
    const t1r = ar[1] + ar[4];
    const t1i = ai[1] + ai[4];
    const t2r = ar[2] + ar[3];
    const t2i = ai[2] + ai[3];
    const d1r = ar[1] - ar[4];
    const d1i = ai[1] - ai[4];
    const d2r = ar[2] - ar[3];
    const d2i = ai[2] - ai[3];
    const m1r = ar[0] + (C51 * t1r + C52 * t2r);
    const m1i = ai[0] + (C51 * t1i + C52 * t2i);
    const m2r = ar[0] + (C52 * t1r + C51 * t2r);
    const m2i = ai[0] + (C52 * t1i + C51 * t2i);
    const f1r = S51 * d1r + S52 * d2r;
    const f1i = S51 * d1i + S52 * d2i;
    const f2r = S52 * d1r - S51 * d2r;
    const f2i = S52 * d1i - S51 * d2i;
    const e1r = f1i * -sign;
    const e1i = f1r * sign;
    const e2r = f2i * -sign;
    const e2i = f2r * sign;
    br[0] = ar[0] + (t1r + t2r);
    bi[0] = ai[0] + (t1i + t2i);
    br[1] = m1r + e1r;
    bi[1] = m1i + e1i;
    br[2] = m2r + e2r;
    bi[2] = m2i + e2i;
    br[3] = m2r - e2r;
    bi[3] = m2i - e2i;
    br[4] = m1r - e1r;
    bi[4] = m1i - e1i;
  }
}

/** Columns of the inner axis carried through all stages at once, as in the Wasm kernel. */
const TILE = 16;

export function fftWorkLength(len: number, inner: number): number {
  return 4 * len * Math.min(inner, TILE);
}

function stageCount(len: number): number {
  let stages = 0;
  for (let n = len; n > 1; n /= radixOf(n)) {
    if (radixOf(n) === 0) return -1;
    stages++;
  }
  return stages;
}

/** The stages of one tile, from complex offset `home` of data (row stride `stride`) back to it. */
function tileStages(
  data: Float64Array,
  home: number,
  stride: number,
  tile: number,
  len: number,
  stages: number,
  twiddles: Float64Array,
  work: Float64Array,
  w2: number,
  sign: number,
): void {
  let x = data;
  let xo = home;
  let xs = stride;
  let n = len;
  let s = 1;
  for (let i = 0; i < stages; i++) {
    const r = radixOf(n);
    const m = n / r;
    const last = i === stages - 1;
    const y = last ? data : work;
    const yo = last ? home : i & 1 ? w2 : 0;
    const ys = last ? stride : tile;
    stage(r, x, xo, xs, y, yo, ys, m, s, tile, len / n, twiddles, sign);
    x = y;
    xo = yo;
    xs = ys;
    n = m;
    s *= r;
  }
}

export function fftAxis(
  data: Float64Array,
  outer: number,
  len: number,
  inner: number,
  stride: number,
  twiddles: Float64Array,
  work: Float64Array,
  inverse: number,
): number {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const w2 = len * Math.min(inner, TILE);
  for (let o = 0; o < outer; o++) {
    for (let c0 = 0; c0 < inner; c0 += TILE) {
      const tile = Math.min(TILE, inner - c0);
      tileStages(
        data,
        o * len * stride + c0,
        stride,
        tile,
        len,
        stages,
        twiddles,
        work,
        w2,
        inverse ? 1 : -1,
      );
    }
  }
  return 0;
}

export function fftFilterAxis(
  data: Float64Array,
  len: number,
  inner: number,
  stride: number,
  twiddles: Float64Array,
  work: Float64Array,
  filter: Float64Array,
): number {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const w2 = len * Math.min(inner, TILE);
  for (let c0 = 0; c0 < inner; c0 += TILE) {
    const tile = Math.min(TILE, inner - c0);
    tileStages(data, c0, stride, tile, len, stages, twiddles, work, w2, -1);
    for (let i = 0; i < len; i++) multiplyAt(data, filter, i * stride + c0, tile);
    tileStages(data, c0, stride, tile, len, stages, twiddles, work, w2, 1);
  }
  return 0;
}

export function realFftWorkLength(len: number): number {
  return 6 * len * TILE;
}

function specRow(r: number, n1: number, l1: number, h: number): number {
  return (Math.floor(r / n1) * l1 + (r % n1)) * h;
}

export function zeroSpecPadding(
  spec: Float64Array,
  n0: number,
  n1: number,
  h: number,
  l0: number,
  l1: number,
): void {
  for (let i0 = 0; i0 < l0; i0++)
    for (let i1 = 0; i1 < l1; i1++)
      if (i0 >= n0 || i1 >= n1) spec.fill(0, 2 * (i0 * l1 + i1) * h, 2 * (i0 * l1 + i1 + 1) * h);
}

export function realFftRows(
  x: Float64Array,
  n0: number,
  n1: number,
  rowLen: number,
  len: number,
  twiddles: Float64Array,
  work: Float64Array,
  spec: Float64Array,
  l1: number,
  pairStart: number,
  pairEnd: number,
): number {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const h = (len >> 1) + 1;
  const rows = n0 * n1;
  // Complex offsets in work: the tile at w0, the stages' scratch at 0 and w2 (as in fftAxis).
  const w2 = len * TILE;
  const w0 = 2 * len * TILE;
  for (let p0 = pairStart; p0 < pairEnd; p0 += TILE) {
    const tile = Math.min(TILE, pairEnd - p0);
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const hasB = 2 * p + 1 < rows;
      for (let c = 0; c < len; c++) {
        const q = 2 * (w0 + c * tile + t);
        const inside = c < rowLen;
        work[q] = inside ? x[2 * p * rowLen + c] : 0;
        work[q + 1] = inside && hasB ? x[(2 * p + 1) * rowLen + c] : 0;
      }
    }
    tileStages(work, w0, tile, tile, len, stages, twiddles, work, w2, -1);
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const ra = 2 * specRow(2 * p, n1, l1, h);
      const hasB = 2 * p + 1 < rows;
      const rb = hasB ? 2 * specRow(2 * p + 1, n1, l1, h) : 0;
      for (let k = 0; k < h; k++) {
        const q = 2 * (w0 + k * tile + t);
        const qc = 2 * (w0 + (k === 0 ? 0 : len - k) * tile + t);
        const zr = work[q];
        const zi = work[q + 1];
        const cr = work[qc];
        const ci = -work[qc + 1];
        spec[ra + 2 * k] = 0.5 * (zr + cr);
        spec[ra + 2 * k + 1] = 0.5 * (zi + ci);
        if (hasB) {
          const dr = 0.5 * (zr - cr);
          const di = 0.5 * (zi - ci);
          spec[rb + 2 * k] = di * 1;
          spec[rb + 2 * k + 1] = dr * -1;
        }
      }
    }
  }
  return 0;
}

export function realIfftRows(
  spec: Float64Array,
  n0: number,
  n1: number,
  l1: number,
  len: number,
  twiddles: Float64Array,
  work: Float64Array,
  rowLen: number,
  scale: number,
  out: Float64Array,
  pairStart: number,
  pairEnd: number,
): number {
  const stages = stageCount(len);
  if (stages < 0) return -1;
  const h = (len >> 1) + 1;
  const rows = n0 * n1;
  const nyquist = len & 1 ? -1 : len >> 1;
  const w2 = len * TILE;
  const w0 = 2 * len * TILE;
  for (let p0 = pairStart; p0 < pairEnd; p0 += TILE) {
    const tile = Math.min(TILE, pairEnd - p0);
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const ra = 2 * specRow(2 * p, n1, l1, h);
      const hasB = 2 * p + 1 < rows;
      const rb = hasB ? 2 * specRow(2 * p + 1, n1, l1, h) : 0;
      for (let k = 0; k < len; k++) {
        const mirror = k >= h;
        const kk = mirror ? len - k : k;
        let yar = spec[ra + 2 * kk];
        let yai = spec[ra + 2 * kk + 1];
        let ybr = hasB ? spec[rb + 2 * kk] : 0;
        let ybi = hasB ? spec[rb + 2 * kk + 1] : 0;
        if (kk === 0 || kk === nyquist) {
          yar *= 1;
          yai *= 0;
          ybr *= 1;
          ybi *= 0;
        } else if (mirror) {
          yai = -yai;
          ybi = -ybi;
        }
        const q = 2 * (w0 + k * tile + t);
        work[q] = yar + ybi * -1;
        work[q + 1] = yai + ybr * 1;
      }
    }
    tileStages(work, w0, tile, tile, len, stages, twiddles, work, w2, 1);
    for (let t = 0; t < tile; t++) {
      const p = p0 + t;
      const hasB = 2 * p + 1 < rows;
      for (let c = 0; c < rowLen; c++) {
        const q = 2 * (w0 + c * tile + t);
        out[2 * p * rowLen + c] = work[q] * scale;
        if (hasB) out[(2 * p + 1) * rowLen + c] = work[q + 1] * scale;
      }
    }
  }
  return 0;
}

/** `a[j] *= b[j]` for the `count` complex numbers from complex offset `at`. */
function multiplyAt(a: Float64Array, b: Float64Array, at: number, count: number): void {
  for (let j = at; j < at + count; j++) {
    const xr = a[2 * j];
    const xi = a[2 * j + 1];
    const yr = b[2 * j];
    const yi = b[2 * j + 1];
    a[2 * j] = xr * yr + xi * (yi * -1);
    a[2 * j + 1] = xi * yr + xr * (yi * 1);
  }
}

export function complexMultiply(a: Float64Array, b: Float64Array, count: number): void {
  multiplyAt(a, b, 0, count);
}

export function padImage(
  x: Float64Array,
  n0: number,
  n1: number,
  n2: number,
  out: Float64Array,
  p0: number,
  p1: number,
  p2: number,
  o0: number,
  o1: number,
  o2: number,
): void {
  out.fill(0, 0, p0 * p1 * p2);
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      const src = (i0 * n1 + i1) * n2;
      out.set(x.subarray(src, src + n2), ((i0 + o0) * p1 + i1 + o1) * p2 + o2);
    }
  }
}

export function correlatePadded(
  padded: Float64Array,
  p1: number,
  p2: number,
  w: Float64Array,
  m0: number,
  m1: number,
  m2: number,
  out: Float64Array,
  n1: number,
  n2: number,
  rowStart: number,
  rowEnd: number,
): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const i0 = Math.floor(r / n1);
    const i1 = r % n1;
    const orow = r * n2;
    out.fill(0, orow, orow + n2);
    for (let k0 = 0; k0 < m0; k0++) {
      for (let k1 = 0; k1 < m1; k1++) {
        const prow = ((i0 + k0) * p1 + i1 + k1) * p2;
        const wrow = (k0 * m1 + k1) * m2;
        for (let i2 = 0; i2 < n2; i2++) {
          let acc = out[orow + i2];
          for (let k2 = 0; k2 < m2; k2++) acc += w[wrow + k2] * padded[prow + i2 + k2];
          out[orow + i2] = acc;
        }
      }
    }
  }
}

export function rlRatio(
  image: Float64Array,
  conv: Float64Array,
  count: number,
  filterEpsilon: number,
  out: Float64Array,
): void {
  const filter = filterEpsilon > 0;
  for (let j = 0; j < count; j++) {
    const c = conv[j] + RL_EPS;
    out[j] = filter && c < filterEpsilon ? 0 : image[j] / c;
  }
}

export function rlUpdate(
  u: Float64Array,
  correction: Float64Array,
  denominator: Float64Array | null,
  count: number,
): void {
  for (let j = 0; j < count; j++) {
    let v = u[j] * correction[j];
    if (denominator) v /= denominator[j];
    u[j] = v;
  }
}

export function tvDenominator(
  u: Float64Array,
  n0: number,
  n1: number,
  n2: number,
  lambda: number,
  unit: Float64Array,
  out: Float64Array,
): void {
  const count = n0 * n1 * n2;
  const s1 = n2;
  const s0 = n1 * n2;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        const j = i0 * s0 + i1 * s1 + i2;
        const v = u[j];
        const d0 = i0 + 1 < n0 ? u[j + s0] - v : 0;
        const d1 = i1 + 1 < n1 ? u[j + s1] - v : 0;
        const d2 = i2 + 1 < n2 ? u[j + 1] - v : 0;
        const norm = Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
        const inv = norm > 0 ? 1 / norm : 0;
        unit[j] = d0 * inv;
        unit[count + j] = d1 * inv;
        unit[2 * count + j] = d2 * inv;
      }
    }
  }
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        const j = i0 * s0 + i1 * s1 + i2;
        let div = unit[j] + unit[count + j] + unit[2 * count + j];
        if (i0 > 0) div -= unit[j - s0];
        if (i1 > 0) div -= unit[count + j - s1];
        if (i2 > 0) div -= unit[2 * count + j - 1];
        out[j] = 1 - lambda * div;
      }
    }
  }
}
