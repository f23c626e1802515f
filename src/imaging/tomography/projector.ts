import type { BackendName, Handle } from '../../backend/types.js';
import { requireInteger, requireOneOf, show } from '../../util/errors.js';
import type { SystemMatrix } from './csr.js';
import { rayOf, rayRange } from './geometry.js';
import { runShares, shares, type BoundOperator, type Operator } from './operator.js';
import { acquireTomographyWorkspace, type TomographyWorkspace } from './workspace.js';

/** Options of {@link ParallelBeamProjector}. */
export interface ParallelBeamProjectorOptions {
  /** The image is `(size × size)` pixels of unit width. */
  size: number;
  /**
   * Projection angles: a count (spread evenly over [0°, 180°): θ_a = 180°·a / count), or the
   * angles in degrees, as scikit-image's `theta`.
   */
  angles: number | ArrayLike<number>;
  /** Detector bins per angle, unit spacing, centred on the image centre. Default `size`. */
  detectors?: number;
  /** `'wasm'` (default) runs the WebAssembly kernels; `'js'` their TypeScript twins. */
  backend?: BackendName;
}

const OPTION_KEYS = new Set(['size', 'angles', 'detectors', 'backend']);

/**
 * A matched pair of parallel-beam projectors (Joseph's ray-driven method): `forward` takes line
 * integrals through the image by stepping one pixel at a time along each ray and interpolating
 * linearly between the two nearest pixels, `back` is its exact adjoint (⟨A·x, y⟩ = ⟨x, Aᵀ·y⟩ to
 * rounding).
 *
 * Geometry (scikit-image's `radon` with `circle=True`): pixel (i, j) is centred at
 * x = j − ⌊size/2⌋, y = ⌊size/2⌋ − i (row 0 at the top); detector k at t = k − ⌊detectors/2⌋;
 * angle θ's rays are the lines x·cos θ + y·sin θ = t. Sinograms are `(nAngles × detectors)`
 * row-major, one row per angle (the transpose of scikit-image's).
 *
 * `forward` and `back` are synchronous; in a browser, `await init()` once before the first call.
 */
export class ParallelBeamProjector implements Operator {
  /** The image is `(size × size)` pixels. */
  readonly size: number;
  /** Detector bins per angle. */
  readonly detectors: number;
  /** Number of projection angles. */
  readonly nAngles: number;
  /** Where the kernels run: `'wasm'` or `'js'`. */
  readonly backend: BackendName;
  /** `(nAngles)` the angles in degrees. */
  readonly theta: Float64Array;
  /** `(2·nAngles)` (cos θ, sin θ) per angle. */
  private readonly trig: Float64Array;

  constructor(options: ParallelBeamProjectorOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`ParallelBeamProjector options must be an object, got ${show(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) {
        throw new TypeError(
          `Unknown ParallelBeamProjector option ${show(key)}; the options are ${[...OPTION_KEYS].join(', ')}`,
        );
      }
    }
    this.size = requireInteger('size', options.size, 1, 16384);
    this.detectors = requireInteger('detectors', options.detectors ?? this.size, 1, 65536);
    this.backend = requireOneOf('backend', options.backend ?? 'wasm', ['wasm', 'js'] as const);
    this.theta = anglesInDegrees(options.angles);
    this.nAngles = this.theta.length;
    this.trig = new Float64Array(2 * this.nAngles);
    for (let a = 0; a < this.nAngles; a++) {
      const rad = (this.theta[a] * Math.PI) / 180;
      this.trig[2 * a] = Math.cos(rad);
      this.trig[2 * a + 1] = Math.sin(rad);
    }
  }

  /** Sinogram rows: `nAngles × detectors`. */
  get rows(): number {
    return this.nAngles * this.detectors;
  }

  /** Image pixels: `size²`. */
  get cols(): number {
    return this.size * this.size;
  }

  /** Rows per view (one angle): `detectors`. */
  get width(): number {
    return this.detectors;
  }

  /** Views: `nAngles`. */
  get nBlocks(): number {
    return this.nAngles;
  }

  /**
   * The sinogram `(nAngles × detectors)` of an image `(size × size)`, row-major.
   */
  forward(image: ArrayLike<number>): Float64Array {
    const x = checkedArray('image', image, this.cols, `size² = ${this.size}²`);
    return this.withWorkspace((ws, bound, all) => {
      const hx = ws.allocF64(this.cols);
      const hy = ws.allocF64(this.rows);
      ws.f64(hx, this.cols).set(x);
      bound.project(hx, all, this.nAngles, hy);
      return ws.f64(hy, this.rows).slice();
    });
  }

  /** The back projection `(size × size)` of a sinogram `(nAngles × detectors)`: Aᵀ·sinogram. */
  back(sinogram: ArrayLike<number>): Float64Array {
    const y = checkedArray(
      'sinogram',
      sinogram,
      this.rows,
      `nAngles × detectors = ${this.nAngles} × ${this.detectors}`,
    );
    return this.withWorkspace((ws, bound, all) => {
      const hy = ws.allocF64(this.rows);
      const hx = ws.allocF64(this.cols);
      ws.f64(hy, this.rows).set(y);
      bound.backProject(hy, all, this.nAngles, hx);
      return ws.f64(hx, this.cols).slice();
    });
  }

  /**
   * This projector as a CSR system matrix `(nAngles·detectors × size²)`: row a·detectors + k is
   * ray k of angle a, columns are pixels i·size + j, entries the interpolation weights times the
   * step length (exact zeros left out). `A·x` equals `forward(x)` to rounding.
   */
  toCSR(): SystemMatrix {
    const n = this.size;
    const nDet = this.detectors;
    const rows = this.rows;
    const indptr = new Int32Array(rows + 1);
    let indices = new Int32Array(Math.max(16, rows * 4));
    let data = new Float64Array(indices.length);
    const dense = new Float64Array(n * n);
    const touched = new Int32Array(2 * n);
    let nnz = 0;
    for (let a = 0; a < this.nAngles; a++) {
      for (let k = 0; k < nDet; k++) {
        const { byColumns, f0, df, w } = rayOf(this.trig[2 * a], this.trig[2 * a + 1], n, nDet, k);
        const [lo, hi] = rayRange(f0, df, n);
        let count = 0;
        const add = (along: number, across: number, weight: number): void => {
          if (across < 0 || across >= n || weight === 0) return;
          const pixel = byColumns ? across * n + along : along * n + across;
          if (dense[pixel] === 0) touched[count++] = pixel;
          dense[pixel] += weight;
        };
        for (let s = lo; s <= hi; s++) {
          const f = f0 + s * df;
          const i0 = Math.trunc(f);
          const fr = f - i0;
          add(s, i0 - 1, (1 - fr) * w);
          add(s, i0, fr * w);
        }
        const row = touched.subarray(0, count).sort();
        if (nnz + count > indices.length) {
          const grown = Math.max(2 * indices.length, nnz + count);
          const moreIndices = new Int32Array(grown);
          moreIndices.set(indices.subarray(0, nnz));
          const moreData = new Float64Array(grown);
          moreData.set(data.subarray(0, nnz));
          indices = moreIndices;
          data = moreData;
        }
        for (const pixel of row) {
          indices[nnz] = pixel;
          data[nnz++] = dense[pixel];
          dense[pixel] = 0;
        }
        indptr[a * nDet + k + 1] = nnz;
      }
    }
    return {
      indptr,
      indices: indices.slice(0, nnz),
      data: data.slice(0, nnz),
      rows,
      cols: n * n,
      rowsPerView: nDet,
    };
  }

  /**
   * The projector inside an MLEM workspace (used by `mlem` and `osem`): angles are split between
   * `threads`; the forward projection shares one padded image, each thread back-projects into its
   * own pad and the pads are summed.
   * @internal
   */
  bind(ws: TomographyWorkspace, threads: number): BoundOperator {
    const n = this.size;
    const nDet = this.detectors;
    const k = ws.kernels;
    const padLength = k.tomoPadLength(n);
    const trig = ws.allocF64(this.trig.length);
    const pads = Array.from({ length: Math.max(1, threads) }, () => ws.allocF64(padLength));
    const works = pads.map(() => ws.allocF64(k.tomoWorkLength(nDet)));
    ws.f64(trig, this.trig.length).set(this.trig);
    return {
      forward: (x, blocks, count, out, keep) => {
        k.tomoPad(x, n, pads[0]);
        return runShares(ws, 'tomoForward', shares(blocks, count, threads), (b, c, t) => [
          pads[0],
          n,
          trig,
          b,
          c,
          nDet,
          out,
          works[t],
          keep,
        ]);
      },
      back: async (v, blocks, count, out) => {
        const parts = shares(blocks, count, threads);
        await runShares(ws, 'tomoBack', parts, (b, c, t) => [v, n, trig, b, c, nDet, pads[t], works[t]]);
        for (let t = 0; t < parts.length; t++) k.tomoUnpad(pads[t], n, out, t === 0 ? 0 : 1);
      },
    };
  }

  /** Runs `body` in a fresh one-thread workspace with this projector bound and all angles listed. */
  private withWorkspace(
    body: (ws: TomographyWorkspace, bound: SyncProjector, all: Handle) => Float64Array,
  ): Float64Array {
    const ws = acquireTomographyWorkspace(this.backend);
    try {
      const n = this.size;
      const k = ws.kernels;
      const trig = ws.allocF64(this.trig.length);
      const pad = ws.allocF64(k.tomoPadLength(n));
      const work = ws.allocF64(k.tomoWorkLength(this.detectors));
      const all = ws.allocI32(this.nAngles);
      ws.f64(trig, this.trig.length).set(this.trig);
      const list = ws.i32(all, this.nAngles);
      for (let a = 0; a < this.nAngles; a++) list[a] = a;
      const bound: SyncProjector = {
        project: (x, blocks, count, out) => {
          k.tomoPad(x, n, pad);
          k.tomoForward(pad, n, trig, blocks, count, this.detectors, out, work, 0);
        },
        backProject: (v, blocks, count, out) => {
          k.tomoBack(v, n, trig, blocks, count, this.detectors, pad, work);
          k.tomoUnpad(pad, n, out, 0);
        },
      };
      return body(ws, bound, all);
    } finally {
      ws.release();
    }
  }
}

interface SyncProjector {
  project(x: Handle, blocks: Handle, count: number, out: Handle): void;
  backProject(v: Handle, blocks: Handle, count: number, out: Handle): void;
}

function anglesInDegrees(angles: unknown): Float64Array {
  if (typeof angles === 'number') {
    const count = requireInteger('angles', angles, 1, 1 << 20);
    return Float64Array.from({ length: count }, (_, a) => (180 * a) / count);
  }
  const ok = Array.isArray(angles) || (ArrayBuffer.isView(angles) && !(angles instanceof DataView));
  if (!ok) {
    throw new TypeError(`angles must be a count or an array of angles in degrees, got ${show(angles)}`);
  }
  const list = angles as ArrayLike<number>;
  if (list.length === 0) throw new RangeError('angles must hold at least one angle, got an empty array');
  const out = new Float64Array(list.length);
  for (let a = 0; a < list.length; a++) {
    const v = list[a];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`angles[${a}] must be a finite angle in degrees, got ${show(v)}`);
    }
    out[a] = v;
  }
  return out;
}

/** `values` as a Float64Array of `length` finite numbers (the input itself when it is one). */
export function checkedArray(name: string, values: unknown, length: number, what: string): Float64Array {
  const ok = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
  if (!ok) throw new TypeError(`${name} must be an array or typed array of numbers, got ${show(values)}`);
  const list = values as ArrayLike<number>;
  if (list.length !== length) {
    throw new RangeError(`${name} must have ${what} = ${length} entries, got ${list.length}`);
  }
  for (let i = 0; i < length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}] must be a finite number, got ${show(v)}`);
    }
  }
  return list instanceof Float64Array ? list : Float64Array.from(list);
}
