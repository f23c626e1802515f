import type { Handle } from '../../backend/types.js';

/**
 * The emission-tomography kernels: Wasm exports of assembly/imaging/tomography*.ts, with
 * plain-TypeScript twins in ./reference.ts (same names, same arithmetic, arrays in place of
 * handles). Images are `(n × n)` row-major f64, sinograms `(nAngles × nDet)`; `trig (2·nAngles)`
 * holds (cos θ, sin θ) per angle; `blocks` lists `count` i32 block indices, block b being rows
 * [b·width, (b + 1)·width) of a sinogram or matrix. Kernels allocate nothing.
 */
export interface TomographyKernels {
  /** f64s of the padded image pair that `tomoPad`, `tomoBack` and `tomoUnpad` use: `2·(n + 2)²`. */
  tomoPadLength(n: number): number;
  /** f64s of the per-thread `work` of `tomoForward` and `tomoBack`: `4·nDet + 1`. */
  tomoWorkLength(nDet: number): number;
  /** `pad` = the image `(n × n)` with a zero border, then its transpose with a zero border. */
  tomoPad(image: Handle, n: number, pad: Handle): void;
  /** `out (n × n)` = (or += when `accumulate` ≠ 0) the sum of both halves' interiors of `pad`. */
  tomoUnpad(pad: Handle, n: number, out: Handle, accumulate: number): void;
  /**
   * Sinogram rows `angles[0..count)` of the image padded in `pad` (Joseph's method). With `keep`
   * (a sinogram, or 0: every ray) only the rays whose `keep` entry is not 0 are projected, the
   * others set to 0.
   */
  tomoForward(
    pad: Handle,
    n: number,
    trig: Handle,
    angles: Handle,
    count: number,
    nDet: number,
    sino: Handle,
    work: Handle,
    keep: Handle,
  ): void;
  /** `pad` = the back projection of sinogram rows `angles[0..count)`: the adjoint of `tomoForward`. */
  tomoBack(
    sino: Handle,
    n: number,
    trig: Handle,
    angles: Handle,
    count: number,
    nDet: number,
    pad: Handle,
    work: Handle,
  ): void;
  /** `out[r]` = row r of the CSR matrix · `x`, for the listed blocks' rows. */
  csrForward(
    indptr: Handle,
    indices: Handle,
    data: Handle,
    blocks: Handle,
    count: number,
    width: number,
    x: Handle,
    out: Handle,
  ): void;
  /** `out (cols)` = Σ over the listed blocks' rows r of `v[r]`·(row r of the CSR matrix). */
  csrBack(
    indptr: Handle,
    indices: Handle,
    data: Handle,
    blocks: Handle,
    count: number,
    width: number,
    v: Handle,
    cols: number,
    out: Handle,
  ): void;
  /**
   * For the listed blocks' rows, q = proj + background (`background` 0: none): `ratio` = y / q (0
   * where y = 0); returns Σ y·log q − q over the rows with y > 0 (−∞ when one has q = 0) less the
   * background of the rows with y = 0, whose `proj` is not read.
   */
  mlemRatio(
    y: Handle,
    proj: Handle,
    background: Handle,
    blocks: Handle,
    count: number,
    width: number,
    ratio: Handle,
  ): number;
  /** `x[j] ← x[j]·back[j] / sensitivity[j]`, 0 where the sensitivity is 0, for j < n. */
  mlemUpdate(x: Handle, back: Handle, sensitivity: Handle, n: number): void;
}
