import type { BackendName, Handle } from '../../backend/types.js';
import { sharedMemorySupported } from '../../threads/pool.js';
import { requireInteger, requireOneOf, show } from '../../util/errors.js';
import { loadModule } from '../../wasm/module.js';
import { validateSystemMatrix, type SystemMatrixInput } from './csr.js';
import { matrixOperator } from './matrix-operator.js';
import type { Operator } from './operator.js';
import { logGamma } from './log-gamma.js';
import { checkedArray, ParallelBeamProjector } from './projector.js';
import {
  acquireThreadedTomographyWorkspace,
  acquireTomographyWorkspace,
  type TomographyWorkspace,
} from './workspace.js';

/** Options of {@link mlem}. */
export interface MLEMOptions {
  /** Full passes over the data (EM iterations). Default 50 for `mlem`, 10 for `osem`. */
  iterations?: number;
  /**
   * The starting image `(cols)`, non-negative, or one positive value for every pixel. Default: a
   * uniform image whose expected counts match the data, Σ(y − background) / Σ sensitivity.
   */
  init?: number | ArrayLike<number>;
  /**
   * `(cols)` the probability that an emission in each pixel is detected at all, when it is not
   * Aᵀ·1 (attenuation, detector efficiency). Default Aᵀ·1. OSEM gives each subset 1/subsets of it.
   */
  sensitivity?: ArrayLike<number>;
  /** Known additive expected counts `(rows)` (randoms, scatter), or one value for every bin. Default 0. */
  background?: number | ArrayLike<number>;
  /** Called after every iteration; `image()` copies the current image and is valid only during the call. */
  onIteration?: (info: MLEMIterationInfo) => void;
  /** Aborts the reconstruction: it rejects with the signal's reason (an `AbortError` DOMException). */
  signal?: AbortSignal;
  /**
   * Threads for the projections (Wasm backend; angles, or rows of a CSR matrix, are split between
   * them). Default 1. Where shared memory is unavailable (a page that is not cross-origin isolated)
   * the work runs on one thread. Results agree to rounding whatever the thread count.
   */
  threads?: number;
  /** `'wasm'` runs the WebAssembly kernels; `'js'` their TypeScript twins. Default: the projector's, else `'wasm'`. */
  backend?: BackendName;
}

/** Options of {@link osem}: those of {@link mlem} and the number of subsets. */
export interface OSEMOptions extends MLEMOptions {
  /**
   * Ordered subsets (Hudson & Larkin 1994): views (projection angles, or `rowsPerView` rows of a
   * CSR matrix) are dealt out interleaved, view v to subset v mod subsets, and each subset makes
   * one multiplicative update per iteration. Default 8; 1 is MLEM.
   */
  subsets?: number;
}

/** What `onIteration` receives. */
export interface MLEMIterationInfo {
  /** 1, 2, … */
  iteration: number;
  /** The Poisson log-likelihood of the data under the image after this iteration. */
  logLikelihood: number;
  /** A copy of the current image `(cols)`. */
  image(): Float64Array;
}

/** The result of {@link mlem} and {@link osem}. */
export interface MLEMResult {
  /** `(cols)` the reconstructed image (`(size × size)` row-major for a projector). */
  image: Float64Array;
  /** The Poisson log-likelihood Σ y·log(A·x + b) − (A·x + b) − log y! of `image`. */
  logLikelihood: number;
  /** `(iterations + 1)` the log-likelihood of the starting image, then after each iteration. */
  logLikelihoods: Float64Array;
  /** Iterations run. */
  iterations: number;
}

/** A system matrix for {@link mlem}: a projector, or a CSR matrix. */
export type SystemModel = ParallelBeamProjector | SystemMatrixInput;

const MLEM_KEYS = [
  'iterations',
  'init',
  'sensitivity',
  'background',
  'onIteration',
  'signal',
  'threads',
  'backend',
] as const;

/**
 * Maximum-likelihood expectation maximisation (Shepp & Vardi 1982) for emission tomography:
 * counts y ~ Poisson(A·x + background), x ≥ 0. Each iteration projects the image (A·x), divides
 * the data by it (the E-step) and back-projects the ratio into the multiplicative update
 * x ← x · Aᵀ(y / (A·x + background)) / sensitivity (the M-step). The log-likelihood never
 * decreases from one iteration to the next.
 *
 * @param y - `(rows)` the measured counts, finite and ≥ 0: a sinogram `(nAngles × detectors)` for a
 *   projector.
 * @param A - a {@link ParallelBeamProjector} (matrix-free), or a CSR system matrix
 *   `(rows × cols)` (checked as {@link validateSystemMatrix} does).
 */
export function mlem(y: ArrayLike<number>, A: SystemModel, options: MLEMOptions = {}): Promise<MLEMResult> {
  return reconstruct('mlem', y, A, options, 1, 50);
}

/**
 * Ordered-subsets EM (Hudson & Larkin 1994): MLEM's update applied once per subset of views, each
 * subset with its own sensitivity, so one iteration (a full pass) moves about `subsets` times as
 * far as an MLEM iteration. The log-likelihood is reported after each full pass (one more forward
 * projection per pass, whose first subset's rows the next pass reuses); unlike MLEM's it may dip
 * once the image nears the maximum. With `subsets: 1` it is MLEM, operation for operation.
 *
 * @param y - `(rows)` the measured counts, as for {@link mlem}.
 * @param A - a {@link ParallelBeamProjector} (subsets of angles) or a CSR system matrix (subsets of
 *   its views, `rowsPerView` rows each).
 */
export function osem(y: ArrayLike<number>, A: SystemModel, options: OSEMOptions = {}): Promise<MLEMResult> {
  const { subsets, ...rest } = options;
  const op = operatorOf(A);
  const s = requireInteger('subsets', subsets ?? Math.min(8, op.nBlocks), 1, op.nBlocks);
  return reconstruct('osem', y, op, rest, s, 10);
}

function operatorOf(A: SystemModel | Operator): Operator {
  if (A instanceof ParallelBeamProjector) return A;
  if (typeof A === 'object' && A !== null && 'bind' in A) return A;
  return matrixOperator(validateSystemMatrix(A as SystemMatrixInput, 'A'));
}

async function reconstruct(
  name: string,
  yIn: ArrayLike<number>,
  A: SystemModel | Operator,
  options: MLEMOptions,
  nSubsets: number,
  defaultIterations: number,
): Promise<MLEMResult> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name} options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(MLEM_KEYS as readonly string[]).includes(key)) {
      const keys = name === 'osem' ? [...MLEM_KEYS, 'subsets'] : MLEM_KEYS;
      throw new TypeError(`Unknown ${name} option ${show(key)}; the options are ${keys.join(', ')}`);
    }
  }
  const op = operatorOf(A);
  const { rows, cols } = op;
  const y = checkedArray('y', yIn, rows, 'the system matrix rows');
  requireNonNegativeEntries('y', y);
  const iterations = requireInteger('iterations', options.iterations ?? defaultIterations, 0);
  const background = optionalVector('background', options.background, rows, 'the system matrix rows');
  const sensitivity =
    options.sensitivity === undefined
      ? null
      : checkedArray('sensitivity', options.sensitivity, cols, 'the system matrix columns');
  if (sensitivity) requireNonNegativeEntries('sensitivity', sensitivity);
  if (typeof options.init === 'number' && !(options.init > 0 && options.init < Infinity)) {
    throw new RangeError(`init must be a number > 0 or an image, got ${show(options.init)}`);
  }
  const init = optionalVector('init', options.init, cols, 'the system matrix columns');
  const backend = requireOneOf(
    'backend',
    options.backend ?? (A instanceof ParallelBeamProjector ? A.backend : 'wasm'),
    ['wasm', 'js'] as const,
  );
  const threadsAsked = requireInteger('threads', options.threads ?? 1, 1, 256);
  if (threadsAsked > 1 && backend === 'js') {
    throw new RangeError(
      `threads must be 1 with backend 'js' (threads run Wasm kernels), got ${threadsAsked}`,
    );
  }
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
    throw new TypeError(`onIteration must be a function, got ${show(options.onIteration)}`);
  }
  const { signal, onIteration } = options;
  signal?.throwIfAborted();

  const threads = threadsAsked > 1 && sharedMemorySupported() ? threadsAsked : 1;
  if (backend === 'wasm') await loadModule();
  const ws = threads > 1 ? await acquireThreadedTomographyWorkspace() : acquireTomographyWorkspace(backend);
  try {
    return await run(ws, op, threads, {
      y,
      background,
      sensitivity,
      init,
      iterations,
      nSubsets,
      signal,
      onIteration,
    });
  } finally {
    ws.release();
  }
}

interface Problem {
  y: Float64Array;
  background: Float64Array | null;
  sensitivity: Float64Array | null;
  init: Float64Array | null;
  iterations: number;
  nSubsets: number;
  signal?: AbortSignal;
  onIteration?: (info: MLEMIterationInfo) => void;
}

async function run(ws: TomographyWorkspace, op: Operator, threads: number, p: Problem): Promise<MLEMResult> {
  const { rows, cols, width, nBlocks } = op;
  const k = ws.kernels;
  const hy = ws.allocF64(rows);
  const hproj = ws.allocF64(rows);
  const hratio = ws.allocF64(rows);
  const hbg = p.background ? ws.allocF64(rows) : 0;
  const hx = ws.allocF64(cols);
  const hback = ws.allocF64(cols);
  let zeroCounts = 0;
  for (const v of p.y) if (v === 0) zeroCounts++;
  // Aᵀ·[y = 0]: the projections of the bins without counts enter the log-likelihood only through
  // their sum, x · Aᵀ[y = 0], so the forward projections leave those bins out.
  const hunseen = zeroCounts > 0 ? ws.allocF64(cols) : 0;
  const hsens = Array.from({ length: p.nSubsets }, () => ws.allocF64(cols));
  const hall = ws.allocI32(nBlocks);
  const subsetViews = Array.from({ length: p.nSubsets }, (_, s) => Math.ceil((nBlocks - s) / p.nSubsets));
  const hsubsets = subsetViews.map((count) => ws.allocI32(count));
  const bound = op.bind(ws, threads);
  // Every allocation is done: views taken from here on stay valid.
  ws.f64(hy, rows).set(p.y);
  if (p.background) ws.f64(hbg, rows).set(p.background);
  const all = ws.i32(hall, nBlocks);
  for (let b = 0; b < nBlocks; b++) all[b] = b;
  hsubsets.forEach((h, s) => {
    const list = ws.i32(h, subsetViews[s]);
    for (let i = 0; i < list.length; i++) list[i] = s + i * p.nSubsets;
  });

  const totalSensitivity = new Float64Array(cols);
  if (p.sensitivity) {
    for (const h of hsens) {
      const sens = ws.f64(h, cols);
      for (let j = 0; j < cols; j++) sens[j] = p.sensitivity[j] / p.nSubsets;
    }
    totalSensitivity.set(p.sensitivity);
  } else {
    ws.f64(hratio, rows).fill(1);
    for (let s = 0; s < p.nSubsets; s++) {
      await bound.back(hratio, hsubsets[s], subsetViews[s], hsens[s]);
      const sens = ws.f64(hsens[s], cols);
      for (let j = 0; j < cols; j++) totalSensitivity[j] += sens[j];
    }
  }
  if (hunseen !== 0) {
    const indicator = ws.f64(hratio, rows);
    for (let r = 0; r < rows; r++) indicator[r] = p.y[r] === 0 ? 1 : 0;
    await bound.back(hratio, hall, nBlocks, hunseen);
  }
  const unseen = hunseen === 0 ? null : ws.f64(hunseen, cols);
  const x = ws.f64(hx, cols);
  if (p.init) x.set(p.init);
  else x.fill(uniformStart(p.y, p.background, totalSensitivity));

  const logYFactorial = sumLogFactorials(p.y);
  const logLikelihoods = new Float64Array(p.iterations + 1);
  const evaluate = async (): Promise<number> => {
    await bound.forward(hx, hall, nBlocks, hproj, hy);
    let unseenCounts = 0;
    if (unseen) for (let j = 0; j < cols; j++) unseenCounts += x[j] * unseen[j];
    const value = k.mlemRatio(hy, hproj, hbg, hall, nBlocks, width, hratio) - unseenCounts - logYFactorial;
    if (!(value > -Infinity)) throw impossibleCount(ws, hy, hproj, hbg, rows);
    return value;
  };
  logLikelihoods[0] = await evaluate();
  let lastYield = Date.now();
  for (let it = 1; it <= p.iterations; it++) {
    if (p.signal) {
      // A loop of synchronous kernels never lets an abort() run: give the event loop a turn every 50 ms.
      if (Date.now() - lastYield > 50) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = Date.now();
      }
      p.signal.throwIfAborted();
    }
    for (let s = 0; s < p.nSubsets; s++) {
      // Subset 0's projections and ratios are those `evaluate` just computed for the same image.
      if (s > 0) {
        await bound.forward(hx, hsubsets[s], subsetViews[s], hproj, hy);
        k.mlemRatio(hy, hproj, hbg, hsubsets[s], subsetViews[s], width, hratio);
      }
      await bound.back(hratio, hsubsets[s], subsetViews[s], hback);
      k.mlemUpdate(hx, hback, hsens[s], cols);
    }
    logLikelihoods[it] = await evaluate();
    p.onIteration?.({
      iteration: it,
      logLikelihood: logLikelihoods[it],
      image: () => ws.f64(hx, cols).slice(),
    });
  }
  return {
    image: ws.f64(hx, cols).slice(),
    logLikelihood: logLikelihoods[p.iterations],
    logLikelihoods,
    iterations: p.iterations,
  };
}

function uniformStart(y: Float64Array, background: Float64Array | null, sensitivity: Float64Array): number {
  let counts = 0;
  for (const v of y) counts += v;
  let excess = counts;
  if (background) for (const v of background) excess -= v;
  let total = 0;
  for (const v of sensitivity) total += v;
  if (total === 0) return 0;
  return (excess > 0 ? excess : counts) / total;
}

function impossibleCount(
  ws: TomographyWorkspace,
  hy: Handle,
  hproj: Handle,
  hbg: Handle,
  rows: number,
): Error {
  const y = ws.f64(hy, rows);
  const proj = ws.f64(hproj, rows);
  const bg = hbg === 0 ? null : ws.f64(hbg, rows);
  for (let r = 0; r < rows; r++) {
    if (y[r] > 0 && !(proj[r] + (bg ? bg[r] : 0) > 0)) {
      return new RangeError(
        `y[${r}] = ${y[r]} counts, but the model expects none there (A·x + background = 0 in that bin: ` +
          `row ${r} of A is empty or meets only pixels the image holds at 0). ` +
          `Give a background > 0, a positive init, or leave the bin out`,
      );
    }
  }
  return new RangeError('the log-likelihood is not finite');
}

function requireNonNegativeEntries(name: string, v: Float64Array): void {
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0) throw new RangeError(`${name}[${i}] must be >= 0, got ${v[i]}`);
  }
}

function optionalVector(name: string, value: unknown, length: number, what: string): Float64Array | null {
  if (value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`${name} must be a finite number >= 0 or an array, got ${show(value)}`);
    }
    return new Float64Array(length).fill(value);
  }
  const v = checkedArray(name, value, length, what);
  requireNonNegativeEntries(name, v);
  return v;
}

/** Σ log Γ(y + 1). */
function sumLogFactorials(y: Float64Array): number {
  let total = 0;
  for (const v of y) if (v > 0) total += logGamma(v + 1);
  return total;
}
