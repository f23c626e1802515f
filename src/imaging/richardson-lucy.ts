import type { BackendName } from '../backend/types.js';
import { show, requireInteger, requireOneOf } from '../util/errors.js';
import { chooseMethod, createConvolver, type ConvolutionMethod } from './convolver.js';
import { axes3, readImage, type Image, type ImageInput } from './image.js';
import { acquireShared } from '../backend/wasm.js';
import { sharedMemorySupported } from '../threads/pool.js';
import { acquireImagingWorkspace, wrapImagingWorkspace } from './workspace.js';

/** Progress of one Richardson–Lucy iteration, passed to `onIteration`. */
export interface DeconvolutionIterationInfo {
  /** 1-based iteration number. */
  iteration: number;
  /** A copy of the estimate after this iteration (not clipped), shaped like the image. */
  estimate(): Image;
}

/** Options of `richardsonLucy`; every one is optional, and an unknown key is an error. */
export interface RichardsonLucyOptions {
  /** Number of iterations (integer ≥ 0); scikit-image's `num_iter`. Default 50. */
  iterations?: number;
  /** Clip the result to [−1, 1] at the end, as scikit-image does by default. Default true. */
  clip?: boolean;
  /**
   * Where the blurred estimate (plus 1e-12) falls below this value, the ratio is set to 0 instead
   * of dividing by a small number; scikit-image's `filter_epsilon`. 0 or null (the default): off.
   */
  filterEpsilon?: number | null;
  /**
   * Total-variation regularisation (Dey et al. 2006): each update is divided by
   * `1 − tv·div(∇u/|∇u|)`. `tv` must be in [0, 1/(2·ndim)), where that factor stays positive;
   * values around 0.002–0.02 are typical. Default: none.
   */
  regularization?: {
    /** λ of the total-variation term. */
    tv: number;
  };
  /** 'fft', 'direct', or 'auto' (default): whichever an estimate of their cost finds faster. */
  method?: ConvolutionMethod;
  /** Called after every iteration. */
  onIteration?: (info: DeconvolutionIterationInfo) => void;
  /** Aborts the deconvolution: the promise rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /**
   * Worker threads (Wasm backend): each convolution pass is split over them (row pairs and spectrum
   * columns of the FFT, rows of the direct method), over shared memory; the result does not depend on
   * the count. Default 1; one thread where shared memory is unavailable (a page that is not
   * cross-origin isolated).
   */
  threads?: number;
  /** 'wasm' (default) or 'js' (the TypeScript twins of the kernels). */
  backend?: BackendName;
}

const OPTION_KEYS = [
  'iterations',
  'clip',
  'filterEpsilon',
  'regularization',
  'method',
  'onIteration',
  'signal',
  'threads',
  'backend',
] as const;

interface Settings {
  iterations: number;
  clip: boolean;
  filterEpsilon: number;
  tv: number;
  method: ConvolutionMethod;
  onIteration: RichardsonLucyOptions['onIteration'];
  signal: AbortSignal | undefined;
  threads: number;
  backend: BackendName;
}

function readOptions(options: RichardsonLucyOptions, ndim: number): Settings {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new RangeError(`unknown option ${show(key)}; known options: ${OPTION_KEYS.join(', ')}`);
    }
  }
  const o = options;
  const iterations = requireInteger('iterations', o.iterations ?? 50, 0);
  const clip = o.clip ?? true;
  if (typeof clip !== 'boolean') throw new TypeError(`clip must be true or false, got ${show(clip)}`);
  const fe = o.filterEpsilon ?? 0;
  if (typeof fe !== 'number' || !Number.isFinite(fe) || fe < 0) {
    throw new RangeError(`filterEpsilon must be a finite number >= 0 or null, got ${show(o.filterEpsilon)}`);
  }
  let tv = 0;
  if (o.regularization !== undefined) {
    const reg = o.regularization as unknown;
    if (reg === null || typeof reg !== 'object' || Object.keys(reg).some((k) => k !== 'tv')) {
      throw new RangeError(`regularization must be { tv: number }, got ${show(reg)}`);
    }
    tv = (reg as { tv: unknown }).tv as number;
    const limit = 1 / (2 * ndim);
    if (typeof tv !== 'number' || !Number.isFinite(tv) || tv < 0 || tv >= limit) {
      throw new RangeError(
        `regularization.tv must be a number in [0, ${limit}) for a ${ndim}D image, got ${show(tv)}`,
      );
    }
  }
  const method = requireOneOf('method', o.method ?? 'auto', ['auto', 'fft', 'direct'] as const);
  if (o.onIteration !== undefined && typeof o.onIteration !== 'function') {
    throw new TypeError(`onIteration must be a function, got ${show(o.onIteration)}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${show(o.signal)}`);
  }
  const threads = requireInteger('threads', o.threads ?? 1, 1, 256);
  const backend = requireOneOf('backend', o.backend ?? 'wasm', ['wasm', 'js'] as const);
  if (threads > 1 && backend === 'js') {
    throw new RangeError(`threads must be 1 with backend 'js' (threads run Wasm kernels), got ${threads}`);
  }
  return {
    iterations,
    clip,
    filterEpsilon: fe,
    tv,
    method,
    onIteration: o.onIteration,
    signal: o.signal,
    threads: threads > 1 && sharedMemorySupported() ? threads : 1,
    backend,
  };
}

function readPsf(input: unknown, ndim: number): Image {
  const psf = readImage('psf', input);
  if (psf.shape.length !== ndim) {
    throw new RangeError(
      `psf must have as many dimensions as image (${ndim}), got shape [${psf.shape.join(', ')}]`,
    );
  }
  let sum = 0;
  for (let i = 0; i < psf.data.length; i++) {
    if (psf.data[i] < 0) throw new RangeError(`psf.data[${i}] must be >= 0, got ${show(psf.data[i])}`);
    sum += psf.data[i];
  }
  if (!(sum > 0)) throw new RangeError('psf must have a positive sum, got all zeros');
  return psf;
}

/**
 * Richardson–Lucy deconvolution, as scikit-image's `restoration.richardson_lucy`: starting from 0.5
 * everywhere, `u ← u · conv(image / (conv(u, psf) + 1e-12), flip(psf))` for `iterations` steps,
 * each convolution `scipy.signal.convolve(…, mode='same')` (zero outside the image, the output
 * centred on the full convolution), then clipped to [−1, 1] if `clip`. It is the EM algorithm for
 * an image blurred by `psf` with Poisson noise.
 *
 * @param image the blurred image: 2D `(rows × cols)` or 3D `(planes × rows × cols)`, as
 *   `{ data, shape }` (row-major) or, in 2D, nested rows. Finite values.
 * @param psf the point-spread function, same number of dimensions as `image` (any size, odd or
 *   even), values ≥ 0 with a positive sum. It is used as given (not normalised), as scikit-image does.
 * @returns the restored image as `{ data: Float64Array, shape }` with the image's shape.
 *
 * @example
 * ```ts
 * const psf = { data: new Float64Array(25).fill(1 / 25), shape: [5, 5] };
 * const restored = await richardsonLucy(blurred, psf, { iterations: 30, clip: false });
 * ```
 */
export async function richardsonLucy(
  image: ImageInput,
  psf: ImageInput,
  options: RichardsonLucyOptions = {},
): Promise<Image> {
  const img = readImage('image', image);
  const ndim = img.shape.length;
  const kernel = readPsf(psf, ndim);
  const s = readOptions(options, ndim);
  s.signal?.throwIfAborted();

  const n = axes3(img.shape);
  const m = axes3(kernel.shape);
  const count = img.data.length;
  const ws =
    s.threads > 1 ? wrapImagingWorkspace(await acquireShared(), 'wasm') : acquireImagingWorkspace(s.backend);
  try {
    const k = ws.kernels;
    const method = s.method === 'auto' ? chooseMethod(n, m) : s.method;
    const conv = await createConvolver(ws, n, kernel.data, m, method, s.threads);
    const observed = ws.allocF64(count);
    const u = ws.allocF64(count);
    const blurred = ws.allocF64(count);
    const ratio = ws.allocF64(count);
    const denominator = s.tv > 0 ? ws.allocF64(count) : 0;
    const unit = s.tv > 0 ? ws.allocF64(3 * count) : 0;
    ws.f64(observed, count).set(img.data);
    ws.f64(u, count).fill(0.5);
    const copy = (): Image => ({ data: ws.f64(u, count).slice(), shape: [...img.shape] });

    let lastYield = Date.now();
    for (let iteration = 1; iteration <= s.iterations; iteration++) {
      if (s.signal) {
        // A synchronous loop never lets an abort() run: give the event loop a turn every 50 ms.
        if (Date.now() - lastYield > 50) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = Date.now();
        }
        s.signal.throwIfAborted();
      }
      if (s.tv > 0) k.tvDenominator(u, n[0], n[1], n[2], s.tv, unit, denominator);
      await conv.run(u, blurred, false);
      k.rlRatio(observed, blurred, count, s.filterEpsilon, ratio);
      await conv.run(ratio, blurred, true);
      k.rlUpdate(u, blurred, denominator, count);
      s.onIteration?.({ iteration, estimate: copy });
    }
    const result = copy();
    if (s.clip) {
      const d = result.data;
      for (let i = 0; i < d.length; i++) d[i] = d[i] > 1 ? 1 : d[i] < -1 ? -1 : d[i];
    }
    return result;
  } finally {
    ws.release();
  }
}
