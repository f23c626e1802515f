import type { Handle } from '../backend/types.js';

/**
 * The imaging kernels: Wasm exports of assembly/imaging, with plain-TypeScript twins in
 * src/reference/imaging.ts (same names and semantics, arrays in place of handles). Real images are
 * row-major f64 `(n0 × n1 × n2)` arrays (a 2D image has n0 = 1); complex arrays interleave (re, im)
 * f64 pairs. Kernels allocate nothing: scratch comes in `work`/`unit`.
 */
export interface ImagingKernels {
  /** f64s of `work` that `fftAxis` needs for this length and inner size. */
  fftWorkLength(len: number, inner: number): number;
  /**
   * In place on the complex `data (outer × len × stride)`: the unscaled DFT along the middle axis of
   * the first `inner` columns,
   * `X[k] = Σ_j x[j]·exp(∓2πi·jk/len)` (− forward, + when `inverse` is 1). `twiddles (len)` holds
   * exp(−2πi·j/len); `work` has `fftWorkLength(len, inner)` f64s. Returns 0, or −1 when len has a prime factor above 5.
   */
  fftAxis(
    data: Handle,
    outer: number,
    len: number,
    inner: number,
    stride: number,
    twiddles: Handle,
    work: Handle,
    inverse: number,
  ): number;
  /**
   * `fftAxis` forward along the first axis of the complex `data (len × stride)` (first `inner`
   * columns), `data *= filter` (same layout), then `fftAxis` inverse: a tile of columns at a time,
   * so it stays in cache. Returns 0, or −1 when len has a prime factor above 5.
   */
  fftFilterAxis(
    data: Handle,
    len: number,
    inner: number,
    stride: number,
    twiddles: Handle,
    work: Handle,
    filter: Handle,
  ): number;
  /** f64s of `work` that `realFftRows` and `realIfftRows` need. */
  realFftWorkLength(len: number): number;
  /** Zeroes the rows of the complex `spec (l0 × l1 × h)` other than (i0 < n0, i1 < n1). */
  zeroSpecPadding(spec: Handle, n0: number, n1: number, h: number, l0: number, l1: number): void;
  /**
   * The half spectra (h = ⌊len/2⌋ + 1 bins) of the rows of the real `x (n0 × n1 × rowLen)`, each
   * zero-padded to len, for the row pairs (2p, 2p+1), p in [pairStart, pairEnd): row (i0, i1) into
   * row (i0, i1) of the complex `spec (· × l1 × h)`. Returns 0, or −1 when len has a prime factor
   * above 5.
   */
  realFftRows(
    x: Handle,
    n0: number,
    n1: number,
    rowLen: number,
    len: number,
    twiddles: Handle,
    work: Handle,
    spec: Handle,
    l1: number,
    pairStart: number,
    pairEnd: number,
  ): number;
  /**
   * The reverse of `realFftRows` for rows (i0 < n0, i1 < n1) of `spec (l0 × l1 × h)`, each row's
   * spectrum taken as Hermitian (imaginary parts at k = 0 and k = len/2 dropped, as a real inverse
   * FFT does): `out (n0 × n1 × rowLen)` = scale times the first rowLen entries of each row's unscaled
   * inverse transform, for the row pairs p in [pairStart, pairEnd). Returns 0, or −1 when len has a
   * prime factor above 5.
   */
  realIfftRows(
    spec: Handle,
    n0: number,
    n1: number,
    l1: number,
    len: number,
    twiddles: Handle,
    work: Handle,
    rowLen: number,
    scale: number,
    out: Handle,
    pairStart: number,
    pairEnd: number,
  ): number;
  /** `a[j] *= b[j]` for `count` complex numbers. */
  complexMultiply(a: Handle, b: Handle, count: number): void;
  /** `out (p0 × p1 × p2)` = zeros with `x (n0 × n1 × n2)` at offset (o0, o1, o2). */
  padImage(
    x: Handle,
    n0: number,
    n1: number,
    n2: number,
    out: Handle,
    p0: number,
    p1: number,
    p2: number,
    o0: number,
    o1: number,
    o2: number,
  ): void;
  /**
   * `out[i0, i1, i2] = Σ_k padded[i0 + k0, i1 + k1, i2 + k2]·w[k0, k1, k2]` (k in row-major order)
   * for output rows r = i0·n1 + i1 in [rowStart, rowEnd); `padded` has rows of p2 f64 and p1 rows
   * per plane, `w (m0 × m1 × m2)`, `out (n0 × n1 × n2)`.
   */
  correlatePadded(
    padded: Handle,
    p1: number,
    p2: number,
    w: Handle,
    m0: number,
    m1: number,
    m2: number,
    out: Handle,
    n1: number,
    n2: number,
    rowStart: number,
    rowEnd: number,
  ): void;
  /** With c = conv + 1e-12: `out = image / c`, or 0 where c < filterEpsilon when filterEpsilon > 0. */
  rlRatio(image: Handle, conv: Handle, count: number, filterEpsilon: number, out: Handle): void;
  /** `u = u·correction`, then `/ denominator` unless that handle is 0. */
  rlUpdate(u: Handle, correction: Handle, denominator: Handle, count: number): void;
  /**
   * `out = 1 − λ·div(∇u/|∇u|)` for `u (n0 × n1 × n2)`: forward differences (0 across an axis's last
   * index), 0 where |∇u| = 0, backward differences for the divergence. `unit` is 3·n0·n1·n2 f64s.
   */
  tvDenominator(
    u: Handle,
    n0: number,
    n1: number,
    n2: number,
    lambda: number,
    unit: Handle,
    out: Handle,
  ): void;
}
