import type { BackendName } from '../backend/types.js';
import { show } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import { loadModule } from '../wasm/module.js';
import { fitInWorker } from '../worker/remote-fit.js';
import type { IterationInfo } from './loop.js';
import { checkOption, isAbortSignal, parseOptions, type OptionSpec } from './options.js';

/** The data of one fit, already checked: what crosses to a fit worker. */
export interface FitData {
  /** `(nSamples × nFeatures)` */
  X: Matrix;
  /** `(nSamples)` responses (regression mixtures). */
  y?: Float64Array;
  /** `(nSamples)` non-negative row weights; null for weight 1 everywhere. */
  sampleWeight: Float64Array | null;
}

/** What a fit leaves besides the parameters (the same for every model). */
export interface FitState {
  nFeatures: number;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: number[];
}

export interface Fitted<P> extends FitState {
  params: P;
}

/** The JSON form of every fitted emwasm estimator (`toJSON` / `fromJSON`). */
export interface EstimatorJSON {
  /** Tells an emwasm model file from other JSON. */
  format: 'emwasm';
  /** Version of this layout for the family: a newer file is rejected by an older emwasm. */
  version: number;
  /** The estimator's class name, e.g. `'PoissonMixture'`. */
  family: string;
  /** The options that describe the model (not the runtime ones such as `threads` or `onIteration`). */
  options: Record<string, unknown>;
  /** The fitted parameters, flat arrays in the documented shapes. */
  params: Record<string, unknown>;
  /** How the fit went; a bound of −∞ (no iteration run) is written as null. */
  fit: {
    /** Number of features the model was fitted on. */
    nFeatures: number;
    /** Whether the best run met `tol` within `maxIter`. */
    converged: boolean;
    /** EM iterations of the best run. */
    nIter: number;
    /** The best run's final lower bound. */
    lowerBound: number | null;
    /** The lower bound after each iteration of the best run. */
    lowerBounds: (number | null)[];
  };
}

/** Options every estimator takes that say how to run a fit rather than what the model is; not saved. */
export const RUNTIME_OPTIONS = [
  'warmStart',
  'onIteration',
  'backend',
  'threads',
  'worker',
  'signal',
] as const;

/** The rules of the options every estimator shares. */
export const COMMON_OPTIONS: OptionSpec = {
  tol: { type: 'number', min: 0, default: 1e-3 },
  maxIter: { type: 'integer', min: 0, default: 100 },
  nInit: { type: 'integer', min: 1, default: 1 },
  randomState: { type: 'integer', min: 0, max: 0xffffffff },
  warmStart: { type: 'boolean', default: false },
  onIteration: { type: 'function' },
  backend: { type: 'enum', values: ['wasm', 'js'], default: 'wasm' },
  threads: { type: 'threads', default: 'auto' },
  worker: { type: 'boolean', default: false },
  signal: { type: 'signal' },
};

/** The common options after validation. */
export interface CommonSettings {
  tol: number;
  maxIter: number;
  nInit: number;
  randomState?: number;
  warmStart: boolean;
  onIteration?: (info: IterationInfo & Record<string, unknown>) => void;
  backend: BackendName;
  threads: 'auto' | number;
  worker: boolean;
  signal?: AbortSignal;
}

/** Per-call options of `fit`. */
export interface EstimatorFitOptions {
  /** Aborts this fit (overrides the model's `signal`); the fit rejects with the signal's reason. */
  signal?: AbortSignal;
  /** `(nSamples)` non-negative weight of each row: an integer weight counts the row that many times. */
  sampleWeight?: ArrayLike<number>;
}

/**
 * What every emwasm estimator shares, written once: declarative options (unknown keys rejected),
 * the fit shell (abort, off-thread fit in a worker, warm start), the fit state getters and the
 * JSON envelope. A family supplies its option rules, the fit itself (`runFit`) and the conversion
 * of its parameters to and from JSON.
 *
 * @typeParam P - the fitted parameters
 * @typeParam S - the options after validation
 */
export abstract class Estimator<P, S extends CommonSettings = CommonSettings> {
  /** The validated options, with their defaults. */
  protected readonly settings: S;
  protected fitted: Fitted<P> | null = null;

  constructor(
    /** The class name used in messages, in JSON and by the worker's registry. */
    protected readonly family: string,
    protected readonly spec: OptionSpec,
    options: unknown,
  ) {
    this.settings = parseOptions(family, spec, options) as unknown as S;
  }

  /** The variable name the "not fitted" message shows (`await gm.fit(X)`). */
  protected get exampleName(): string {
    return 'model';
  }

  /** The version of this family's JSON layout. */
  protected get jsonVersion(): number {
    return 1;
  }

  /** Runs the fit on this thread (the model's own work). */
  protected abstract runFit(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<P> | null,
  ): Promise<Fitted<P>>;

  /** The fitted parameters as plain JSON (flat arrays). */
  protected abstract paramsToJSON(p: P): Record<string, unknown>;

  /** Parameters read back from JSON, checked as strictly as options (shapes, ranges, sums). */
  protected abstract paramsFromJSON(json: Record<string, unknown>, nFeatures: number): P;

  /**
   * The shared fit shell: checks the signal, runs the fit here or in a worker, keeps the result.
   * `data` has been checked by the family's public `fit`.
   */
  protected async fitChecked(data: FitData, options: EstimatorFitOptions): Promise<void> {
    const signal = options.signal ?? this.settings.signal;
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new TypeError(`signal must be an AbortSignal, got ${show(signal)}`);
    }
    signal?.throwIfAborted();
    const warm = this.settings.warmStart ? this.fitted : null;
    if (warm && warm.nFeatures !== data.X.cols) {
      throw new RangeError(
        `X has ${data.X.cols} features, but warmStart continues a model fitted on ${warm.nFeatures}`,
      );
    }
    if (this.settings.worker) {
      const json = await fitInWorker(
        {
          family: this.family,
          options: this.transferableOptions(),
          X: data.X,
          y: data.y,
          sampleWeight: data.sampleWeight,
          warm: warm ? this.toJSON() : null,
          reportIterations: this.settings.onIteration !== undefined,
        },
        this.settings.onIteration as ((info: unknown) => void) | undefined,
        signal,
      );
      if (this.settings.backend === 'wasm') await loadModule();
      this.fitted = this.fittedFromJSON(json as EstimatorJSON);
      return;
    }
    if (this.settings.backend === 'wasm') await loadModule();
    this.fitted = await this.runFit(data, signal, warm);
  }

  /**
   * Fits `data` on this thread: what a fit worker runs for a request.
   * @internal
   */
  async fitInThisThread(data: FitData): Promise<void> {
    if (this.settings.backend === 'wasm') await loadModule();
    this.fitted = await this.runFit(data, undefined, this.settings.warmStart ? this.fitted : null);
  }

  /** The options a worker needs to build the same model: all but callbacks, signals and `worker`. */
  private transferableOptions(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.settings)) {
      if (k === 'onIteration' || k === 'signal' || k === 'worker' || v === undefined) continue;
      out[k] = v;
    }
    return out;
  }

  protected requireFitted(method: string): Fitted<P> {
    if (!this.fitted) {
      throw new Error(
        `This ${this.family} is not fitted yet: call \`await ${this.exampleName}.fit(X)\` before ${method}`,
      );
    }
    return this.fitted;
  }

  /** Whether the winning restart met the `tol` test (false when it ran out of `maxIter`). */
  get converged(): boolean {
    return this.requireFitted('converged').converged;
  }

  /** EM iterations of the winning restart. */
  get nIter(): number {
    return this.requireFitted('nIter').nIter;
  }

  /** The winning restart's final lower bound (from the last E-step); −∞ when no iteration ran. */
  get lowerBound(): number {
    return this.requireFitted('lowerBound').lowerBound;
  }

  /** The lower bound at every iteration of the winning restart. */
  get lowerBounds(): number[] {
    return [...this.requireFitted('lowerBounds').lowerBounds];
  }

  /** Number of features seen in `fit`. */
  get nFeatures(): number {
    return this.requireFitted('nFeatures').nFeatures;
  }

  /** The options that describe the model, as saved in JSON. */
  protected savedOptions(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, rule] of Object.entries(this.spec)) {
      if ((RUNTIME_OPTIONS as readonly string[]).includes(name) || rule.type === 'array') continue;
      const v = (this.settings as unknown as Record<string, unknown>)[name];
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /** A plain-JSON form of the fitted model; `fromJSON` restores it exactly. */
  toJSON(): EstimatorJSON {
    const f = this.requireFitted('toJSON');
    return {
      format: 'emwasm',
      version: this.jsonVersion,
      family: this.family,
      options: this.savedOptions(),
      params: this.paramsToJSON(f.params),
      fit: {
        nFeatures: f.nFeatures,
        converged: f.converged,
        nIter: f.nIter,
        lowerBound: Number.isFinite(f.lowerBound) ? f.lowerBound : null,
        lowerBounds: f.lowerBounds.map((v) => (Number.isFinite(v) ? v : null)),
      },
    };
  }

  /** The fitted state of a saved model of this family, checked. */
  protected fittedFromJSON(o: EstimatorJSON): Fitted<P> {
    const fit = o.fit as unknown;
    if (!fit || typeof fit !== 'object')
      throw new TypeError(`fromJSON: 'fit' must be an object, got ${show(fit)}`);
    const f = fit as Record<string, unknown>;
    const nFeatures = checkOption(
      'fit.nFeatures',
      { type: 'integer', min: 1, max: 1 << 24 },
      f.nFeatures,
    ) as number;
    const nIter = checkOption('fit.nIter', { type: 'integer', min: 0 }, f.nIter) as number;
    if (typeof f.converged !== 'boolean')
      throw new TypeError(`fit.converged must be a boolean, got ${show(f.converged)}`);
    const bound = (v: unknown, name: string): number => {
      if (v === null) return -Infinity;
      if (typeof v !== 'number' || Number.isNaN(v))
        throw new TypeError(`${name} must be a number or null, got ${show(v)}`);
      return v;
    };
    if (!Array.isArray(f.lowerBounds) || f.lowerBounds.length > 1e6) {
      throw new TypeError(`fit.lowerBounds must be an array, got ${show(f.lowerBounds)}`);
    }
    const params = o.params as unknown;
    if (!params || typeof params !== 'object' || Array.isArray(params)) {
      throw new TypeError(`fromJSON: 'params' must be an object, got ${show(params)}`);
    }
    return {
      params: this.paramsFromJSON(params as Record<string, unknown>, nFeatures),
      nFeatures,
      converged: f.converged,
      nIter,
      lowerBound: bound(f.lowerBound, 'fit.lowerBound'),
      lowerBounds: f.lowerBounds.map((v, i) => bound(v, `fit.lowerBounds[${i}]`)),
    };
  }

  /** Puts a saved model's fitted state into this (fresh) estimator. @internal */
  restoreJSON(o: EstimatorJSON): this {
    this.fitted = this.fittedFromJSON(o);
    return this;
  }
}

/** Reads a saved estimator's envelope, checking that it is `family`'s and of a version it knows. */
export function readEnvelope(json: unknown, family: string, maxVersion = 1): EstimatorJSON {
  const o = (typeof json === 'string' ? JSON.parse(json) : json) as EstimatorJSON;
  if (!o || typeof o !== 'object' || o.format !== 'emwasm') {
    throw new TypeError(`fromJSON expects a saved emwasm model (format 'emwasm'), got ${show(o?.format)}`);
  }
  if (o.family !== family) {
    throw new TypeError(
      `fromJSON: this file holds a ${show(o.family)}, not a ${family}; use ${o.family}.fromJSON`,
    );
  }
  if (!Number.isInteger(o.version) || o.version < 1 || o.version > maxVersion) {
    throw new RangeError(
      `fromJSON: ${family} files of version ${show(o.version)} are not supported by this emwasm (versions 1–${maxVersion})`,
    );
  }
  if (!o.options || typeof o.options !== 'object' || Array.isArray(o.options)) {
    throw new TypeError(`fromJSON: 'options' must be an object, got ${show(o.options)}`);
  }
  return o;
}
