import type { Matrix } from '../util/matrix.js';
import type { SerializedError } from './errors.js';

/**
 * Main thread → fit worker: one fit of the registered estimator `family` (src/em/registry.ts).
 * `options` are the model's options less callbacks and signals.
 */
export interface FitRequest {
  family: string;
  options: Record<string, unknown>;
  X: Matrix;
  /** `(nSamples)` responses, for regression mixtures. */
  y?: Float64Array;
  sampleWeight: Float64Array | null;
  /** The fitted model to continue from (`warmStart`), as `toJSON()` gives it. */
  warm: unknown;
  reportIterations: boolean;
  /**
   * The library's compiled kernels (set by fitInWorker): the worker's bundle has no wasm bytes of
   * its own. `threaded` is null where shared memory is unavailable.
   */
  modules?: { single: WebAssembly.Module; threaded: WebAssembly.Module | null };
}

/** Fit worker → main thread. */
export type FitReply =
  | { type: 'iteration'; info: unknown }
  | { type: 'done'; model: unknown }
  | { type: 'error'; error: SerializedError };
