import type { BackendName } from '../backend/types.js';
import { COMMON_OPTIONS, type ShellSettings } from '../em/estimator.js';
import type { IterationInfo } from '../em/loop.js';
import type { OptionRule, OptionSpec } from '../em/options.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { show } from '../util/errors.js';
import { toParamFlags, toPrior } from './validate.js';

export const DECODE_ALGORITHMS = ['viterbi', 'map'] as const;

/** `'viterbi'`: the most likely state sequence; `'map'`: the most likely state of each sample. */
export type DecodeAlgorithm = (typeof DECODE_ALGORITHMS)[number];

/** Options every HMM shares (hmmlearn's, in camelCase). */
export interface HMMOptions<P extends string> {
  /** Number of hidden states K, an integer >= 1. Default 1. */
  nComponents?: number;
  /**
   * EM iterations per restart at most, an integer >= 0 (hmmlearn's `n_iter`). Default 10. With 0
   * and every emission `*Init` given, the model is usable without fitting (see `fromParams`).
   */
  nIter?: number;
  /** Stop when the bound (see `lowerBound`) changes by less than `tol` (absolute); 0 runs `nIter` iterations. Default 1e-2. */
  tol?: number;
  /** Restarts; the one with the highest final bound wins. Default 1. */
  nInit?: number;
  /** Integer seed in [0, 2³²): the same seed gives the same fit. Unset: a fresh seed each fit. */
  randomState?: number;
  /** Which parameters EM updates; a parameter set to false keeps its starting value. Default: all true. */
  params?: Partial<Record<P, boolean>>;
  /** Starting start probabilities `(K)`, summing to 1. Default uniform. */
  startProbInit?: ArrayInput;
  /** Starting transition matrix `(K × K)`, rows summing to 1. Default uniform. */
  transMatInit?: ArrayInput;
  /** Dirichlet concentration for `startProb`: one number or `(K)`. Default 1 (no prior). */
  startProbPrior?: number | ArrayInput;
  /** Dirichlet concentration for each row of `transMat`: one number or `(K × K)`. Default 1 (no prior). */
  transMatPrior?: number | ArrayInput;
  /** The decoder `predict` uses. Default `'viterbi'`. */
  algorithm?: DecodeAlgorithm;
  /**
   * Continue from the last fit's parameters instead of starting anew (scikit-learn's `warm_start`):
   * once the model is fitted (or restored by `fromJSON`, or set by `fromParams`), `fit` starts from
   * the fitted `startProb`, `transMat` and emission parameters, skips the `*Init` options and the
   * k-means start, and runs one run (`nInit` is ignored). `nIter`, `lowerBounds` and `converged`
   * then describe that call, whose first change is measured from the previous `lowerBound`, so over
   * successive calls the bound never decreases. X must have the fitted `nFeatures`. Parameters
   * frozen by `params` keep their values. Unfitted, `fit` initialises as usual. Default false.
   */
  warmStart?: boolean;
  /** Called after every EM iteration; `lowerBound` is the bound (see the `lowerBound` getter). */
  onIteration?: (info: IterationInfo) => void;
  /** `'wasm'` (default) runs the WebAssembly kernels; `'js'` their plain TypeScript twins. */
  backend?: BackendName;
  /** Run each fit in a worker of its own (off the calling thread). Default false. */
  worker?: boolean;
  /** Aborts fits: an aborted fit rejects with the signal's reason (a `signal` passed to `fit` overrides it). */
  signal?: AbortSignal;
}

/** The options of every HMM after validation. */
export interface HMMSettings extends ShellSettings {
  nComponents: number;
  nIter: number;
  algorithm: DecodeAlgorithm;
  params: Record<string, boolean>;
  startProbInit?: ArrayInput;
  transMatInit?: ArrayInput;
  startProbPrior: number | ArrayInput;
  transMatPrior: number | ArrayInput;
}

/** A Dirichlet (or gamma) prior: one finite number ≥ 0, or an array checked for its shape once K is known. */
export function priorRule(defaultValue: number): OptionRule {
  return {
    type: 'custom',
    default: defaultValue,
    check: (value, name) => {
      if (typeof value === 'number') toPrior(value, name, [1]);
      else if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
        throw new TypeError(`${name} must be a finite number >= 0 or an array of them, got ${show(value)}`);
      }
      return value;
    },
  };
}

/** Which parameters EM updates: `{ name: boolean }` over `names`, unknown names rejected. */
export function paramsRule(names: readonly string[]): OptionRule {
  return {
    type: 'custom',
    default: Object.fromEntries(names.map((n) => [n, true])),
    check: (value) => toParamFlags(value, names),
  };
}

/** The option rules every HMM shares; a family adds `params` and its own through `hmmSpec`. */
export const HMM_OPTIONS: OptionSpec = /* @__PURE__ */ (() => ({
  nComponents: { type: 'integer', min: 1, default: 1 },
  nIter: { type: 'integer', min: 0, default: 10 },
  tol: { type: 'number', min: 0, default: 1e-2 },
  nInit: COMMON_OPTIONS.nInit,
  randomState: COMMON_OPTIONS.randomState,
  algorithm: { type: 'enum', values: DECODE_ALGORITHMS, default: 'viterbi' },
  startProbInit: { type: 'array' },
  transMatInit: { type: 'array' },
  startProbPrior: priorRule(1),
  transMatPrior: priorRule(1),
  warmStart: COMMON_OPTIONS.warmStart,
  onIteration: COMMON_OPTIONS.onIteration,
  backend: COMMON_OPTIONS.backend,
  worker: COMMON_OPTIONS.worker,
  signal: COMMON_OPTIONS.signal,
}))();

/**
 * A family's option rules: the shared ones, `params` over its parameter names, and its own. A
 * call marked pure, so a bundle that never makes an HMM drops the rules with the class.
 */
export function hmmSpec(paramNames: readonly string[], own: OptionSpec): OptionSpec {
  return { ...HMM_OPTIONS, params: paramsRule(paramNames), ...own };
}
