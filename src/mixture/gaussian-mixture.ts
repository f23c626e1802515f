import { jsBackend } from '../backend/js.js';
import type { Backend, BackendName } from '../backend/types.js';
import { acquireShared, wasmBackend } from '../backend/wasm.js';
import { availableThreads, sharedMemorySupported } from '../threads/pool.js';
import { runEM, type IterationInfo } from '../em/loop.js';
import { requireInteger, requireNonNegative, requireOneOf, show } from '../util/errors.js';
import { toArray, toMatrix, type Matrix, type MatrixInput } from '../util/matrix.js';
import { Random, randomFrom } from '../util/random.js';
import { loadModule } from '../wasm/module.js';
import { fitInWorker } from '../worker/remote-fit.js';
import { checkSampleWeight, positiveRows } from '../util/weights.js';
import {
  COVARIANCE_KINDS,
  COVARIANCE_TYPES,
  type CovarianceKind,
  type CovarianceType,
} from './covariance.js';
import { GaussianEM, INIT_PARAMS, type GaussianStart, type InitParams } from './gaussian-em.js';
import { checkFixed, ConstrainedMStep, type FixedParameters } from './constrained-mstep.js';
import { checkPriorOptions, priorToJSON, resolvePrior, type PriorInput, type PriorJSON } from './prior.js';
import type { GaussianParams } from './params.js';
import { hasMissing, MissingEM, missingPosterior } from './missing-em.js';

/** A parameter array: nested arrays in scikit-learn's shape, or the same values flat. */
export type ArrayInput =
  | Float64Array
  | readonly number[]
  | readonly (readonly number[])[]
  | readonly (readonly (readonly number[])[])[];

export interface GaussianMixtureOptions {
  /** Number of mixture components K, an integer >= 1 (at most nSamples). Default 1. */
  nComponents?: number;
  /** Shape of each component's covariance. Default `'full'`. */
  covarianceType?: CovarianceType;
  /** Stop when the change of the lower bound is below `tol`; 0 runs `maxIter` iterations. Default 1e-3. */
  tol?: number;
  /** Added to the covariance diagonal at initialisation and in every M-step. Default 1e-6. */
  regCovar?: number;
  /** EM iterations per restart, an integer >= 0. Default 100. */
  maxIter?: number;
  /** Restarts; the one with the highest lower bound wins. Default 1. */
  nInit?: number;
  /** How starting responsibilities are made. Default `'kmeans'`. */
  initParams?: InitParams;
  /** Starting weights `(K)`, non-negative, summing to 1. */
  weightsInit?: ArrayInput;
  /** Starting means `(K × D)`. */
  meansInit?: ArrayInput;
  /**
   * Starting precisions (inverse covariances): full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`,
   * spherical `(K)`; symmetric positive definite (positive for diag and spherical).
   */
  precisionsInit?: ArrayInput;
  /** Integer seed in [0, 2³²): the same seed gives the same fit. Unset: a fresh seed each fit. */
  randomState?: number;
  /** Continue from the last fit's parameters (one run, no initialisation) instead of starting anew. */
  warmStart?: boolean;
  /** Called after every EM iteration, with the parameters its M-step produced. */
  onIteration?: (info: GaussianIterationInfo) => void;
  /** `'wasm'` (default) runs the WebAssembly kernels; `'js'` their plain TypeScript twins. */
  backend?: BackendName;
  /**
   * Threads for the E/M passes (Wasm backend): `'auto'` (default) uses the available cores when the
   * data are large enough to gain from them; a number asks for exactly that many. Where shared
   * memory is unavailable (a page that is not cross-origin isolated) the fit runs on one thread.
   * Results agree to ~1e-12 relative whatever the thread count.
   */
  threads?: 'auto' | number;
  /**
   * Run each fit off the calling thread, in a worker of its own started from this bundle (a Web
   * Worker in browsers, a worker thread in Node); it ends when the fit settles. Default false.
   */
  worker?: boolean;
  /** Aborts fits: an aborted fit rejects with the signal's reason (an `AbortError` DOMException). */
  signal?: AbortSignal;
  /**
   * NaN entries of X: `'error'` (default) rejects them; `'marginalize'` treats them as missing at
   * random and fits by exact EM over the observed entries (Ghahramani & Jordan 1994), and scoring
   * methods accept NaN too (see `impute`). The starting point comes from the rows with no NaN when
   * there are at least nComponents of them, else from mean-imputed data. Runs on one thread.
   */
  missing?: 'error' | 'marginalize';
  /**
   * Parameters kept at their starting values (the `*Init` given, else the initialisation's) through
   * the fit; the others are re-estimated given them (a generalised EM: the bound still never decreases).
   */
  fixed?: FixedParameters;
  /**
   * mclust's conjugate prior: a MAP M-step, and `lowerBound` adds the log-prior divided by nSamples.
   * `'default'` is mclust's `priorControl()`; see `PriorOptions` for the fields and their defaults.
   */
  prior?: PriorInput;
}

/** Per-call options of `fit` and `fitPredict`. */
export interface FitOptions {
  /** Aborts this fit (overrides the model's `signal`). */
  signal?: AbortSignal;
  /**
   * `(nSamples)` non-negative weight of each row: an integer weight counts the row that many
   * times, 0 drops it. The bound becomes the weighted mean log-likelihood.
   */
  sampleWeight?: ArrayLike<number>;
}

/** Progress of a Gaussian-mixture fit: the iteration and the parameters after its M-step (copies). */
export interface GaussianIterationInfo extends IterationInfo {
  /** `(K)` */
  weights: Float64Array;
  /** `(K × D)` */
  means: Float64Array;
  /** shaped as `GaussianMixture.covariances` */
  covariances: Float64Array;
}

/** The options after validation, with their defaults. */
interface Settings {
  nComponents: number;
  covarianceType: CovarianceType;
  tol: number;
  regCovar: number;
  maxIter: number;
  nInit: number;
  initParams: InitParams;
  warmStart: boolean;
  backend: BackendName;
  threads: 'auto' | number;
  worker: boolean;
  weightsInit?: ArrayInput;
  meansInit?: ArrayInput;
  precisionsInit?: ArrayInput;
  randomState?: number;
  onIteration?: (info: GaussianIterationInfo) => void;
  signal?: AbortSignal;
  missing: 'error' | 'marginalize';
  fixed: Required<FixedParameters>;
  prior: PriorInput | null;
}

const BACKENDS: Record<BackendName, Backend> = { wasm: wasmBackend, js: jsBackend };

/** The JSON form of a fitted model (`toJSON` / `fromJSON`). */
export interface GaussianMixtureJSON {
  format: 'emwasm.GaussianMixture';
  version: 1;
  nComponents: number;
  covarianceType: CovarianceType;
  nFeatures: number;
  tol: number;
  regCovar: number;
  maxIter: number;
  nInit: number;
  initParams: InitParams;
  randomState: number | null;
  /** The `prior` option as given, typed arrays as plain arrays; null without one. Absent in older files. */
  prior?: PriorJSON | null;
  /** The `fixed` option. Absent in older files (nothing fixed). */
  fixed?: Required<FixedParameters>;
  weights: number[];
  means: number[];
  covariances: number[];
  precisionsCholesky: number[];
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: number[];
}

interface Fitted extends GaussianParams {
  nFeatures: number;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: number[];
}

/**
 * A Gaussian mixture fitted by EM, following scikit-learn's `GaussianMixture` (same options in
 * camelCase, same conventions, same results from the same start).
 *
 * ```ts
 * const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(X);
 * gm.predict(X); gm.bic(X);
 * ```
 */
export class GaussianMixture {
  readonly nComponents: number;
  readonly covarianceType: CovarianceType;
  readonly tol: number;
  readonly regCovar: number;
  readonly maxIter: number;
  readonly nInit: number;
  readonly initParams: InitParams;
  readonly randomState: number | undefined;
  readonly warmStart: boolean;
  readonly backend: BackendName;
  private readonly settings: Settings;
  private readonly kind: CovarianceKind;
  private fitted: Fitted | null = null;

  constructor(options: GaussianMixtureOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, got ${show(options)}`);
    }
    const s: Settings = {
      nComponents: requireInteger('nComponents', options.nComponents ?? 1, 1),
      covarianceType: requireOneOf('covarianceType', options.covarianceType ?? 'full', COVARIANCE_TYPES),
      tol: requireNonNegative('tol', options.tol ?? 1e-3),
      regCovar: requireNonNegative('regCovar', options.regCovar ?? 1e-6),
      maxIter: requireInteger('maxIter', options.maxIter ?? 100, 0),
      nInit: requireInteger('nInit', options.nInit ?? 1, 1),
      initParams: requireOneOf('initParams', options.initParams ?? 'kmeans', INIT_PARAMS),
      warmStart: options.warmStart ?? false,
      backend: requireOneOf('backend', options.backend ?? 'wasm', ['wasm', 'js'] as const),
      threads: options.threads ?? 'auto',
      worker: options.worker ?? false,
      signal: options.signal,
      missing: requireOneOf('missing', options.missing ?? 'error', ['error', 'marginalize'] as const),
      weightsInit: options.weightsInit,
      meansInit: options.meansInit,
      precisionsInit: options.precisionsInit,
      randomState: options.randomState,
      onIteration: options.onIteration,
      fixed: checkFixed(options.fixed),
      prior: checkPriorOptions(options.prior),
    };
    if (s.randomState !== undefined) requireInteger('randomState', s.randomState, 0, 0xffffffff);
    if (s.threads !== 'auto') requireInteger('threads', s.threads, 1, 1024);
    for (const flag of ['warmStart', 'worker'] as const) {
      if (typeof s[flag] !== 'boolean')
        throw new TypeError(`${flag} must be a boolean, got ${show(s[flag])}`);
    }
    if (s.signal !== undefined && !isAbortSignal(s.signal)) {
      throw new TypeError(`signal must be an AbortSignal, got ${show(s.signal)}`);
    }
    if (s.onIteration !== undefined && typeof s.onIteration !== 'function') {
      throw new TypeError(`onIteration must be a function, got ${show(s.onIteration)}`);
    }
    if (s.weightsInit !== undefined) toArray(s.weightsInit, 'weightsInit', [s.nComponents]);
    this.settings = s;
    this.kind = COVARIANCE_KINDS[s.covarianceType];
    this.nComponents = s.nComponents;
    this.covarianceType = s.covarianceType;
    this.tol = s.tol;
    this.regCovar = s.regCovar;
    this.maxIter = s.maxIter;
    this.nInit = s.nInit;
    this.initParams = s.initParams;
    this.randomState = s.randomState;
    this.warmStart = s.warmStart;
    this.backend = s.backend;
  }

  /**
   * Fits the mixture to `X (nSamples × nFeatures)` by EM. Resolves to this model.
   * Throws (rejects) on invalid data or options, and when a covariance becomes singular.
   */
  async fit(X: MatrixInput, options: FitOptions = {}): Promise<this> {
    const data = this.matrix(X);
    const signal = options.signal ?? this.settings.signal;
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new TypeError(`signal must be an AbortSignal, got ${show(signal)}`);
    }
    signal?.throwIfAborted();
    const sampleWeight = checkSampleWeight(options.sampleWeight, data.rows);
    if (this.settings.worker) {
      await this.fitInWorker(data, signal, sampleWeight);
      return this;
    }
    if (this.settings.backend === 'wasm') await loadModule();
    await this.fitMatrix(data, signal, sampleWeight);
    return this;
  }

  /** Fits, then labels `X`: equal to `fit(X)` followed by `predict(X)`. Resolves to `Int32Array (nSamples)`. */
  async fitPredict(X: MatrixInput, options: FitOptions = {}): Promise<Int32Array> {
    const data = this.matrix(X);
    await this.fit(data, options);
    return this.predict(data);
  }

  private async fitInWorker(
    X: Matrix,
    signal: AbortSignal | undefined,
    sampleWeight: Float64Array | null,
  ): Promise<void> {
    const { onIteration, signal: _signal, worker: _worker, ...options } = this.settings;
    const warm = this.settings.warmStart && this.fitted ? this.toJSON() : null;
    const json = await fitInWorker(
      {
        family: 'GaussianMixture',
        options,
        X,
        sampleWeight,
        warm,
        reportIterations: onIteration !== undefined,
      },
      onIteration as ((info: unknown) => void) | undefined,
      signal,
    );
    if (this.settings.backend === 'wasm') await loadModule();
    this.fitted = fittedFromJSON(json as GaussianMixtureJSON, this.kind);
  }

  private async fitMatrix(
    X: Matrix,
    signal: AbortSignal | undefined,
    sampleWeight: Float64Array | null,
  ): Promise<void> {
    const s = this.settings;
    const k = s.nComponents;
    if (k > X.rows) {
      throw new RangeError(`nComponents must be an integer in [1, nSamples=${X.rows}], got ${k}`);
    }
    if (k > positiveRows(sampleWeight, X.rows)) {
      throw new RangeError(
        `nComponents (${k}) must not exceed the number of rows with a positive sampleWeight (${positiveRows(sampleWeight, X.rows)})`,
      );
    }
    const warm = s.warmStart && this.fitted !== null;
    if (warm && (this.fitted as Fitted).nFeatures !== X.cols) {
      throw new RangeError(
        `X has ${X.cols} features, but warmStart continues a model fitted on ${(this.fitted as Fitted).nFeatures}`,
      );
    }
    const start = warm ? {} : this.checkedStart(X.cols);
    const missing = s.missing === 'marginalize' && hasMissing(X);
    const threads = s.backend === 'wasm' && !missing ? await threadsFor(s.threads, X, k, this.kind) : 1;
    const ws = threads > 1 ? await acquireShared() : BACKENDS[s.backend].acquire();
    try {
      const { fixed, prior } = s;
      const constrained =
        prior || fixed.weights || fixed.means || fixed.covariances
          ? new ConstrainedMStep(
              ws,
              k,
              X.cols,
              this.kind,
              s.regCovar,
              fixed,
              prior && resolvePrior(prior, X, k, this.kind.type, sampleWeight),
            )
          : null;
      const em = missing
        ? new MissingEM(ws, X, k, this.kind, s.regCovar, s.initParams, start, constrained, sampleWeight)
        : new GaussianEM(
            ws,
            X,
            k,
            this.kind,
            s.regCovar,
            s.initParams,
            start,
            threads,
            constrained,
            sampleWeight,
          );
      if (warm) em.restore(this.fitted as Fitted);
      const result = await runEM(em, {
        maxIter: s.maxIter,
        tol: s.tol,
        nInit: s.nInit,
        warmStartBound: warm ? (this.fitted as Fitted).lowerBound : null,
        rng: randomFrom(s.randomState),
        signal,
        onIteration: s.onIteration && progress(s.onIteration),
      });
      this.fitted = {
        ...result.params,
        nFeatures: X.cols,
        converged: result.converged,
        nIter: result.nIter,
        lowerBound: result.lowerBound,
        lowerBounds: result.lowerBounds,
      };
    } finally {
      ws.release();
    }
  }

  /** The user's starting values, checked against the data's width (scikit-learn's `_check_*`). */
  private checkedStart(d: number): GaussianStart {
    const s = this.settings;
    const k = s.nComponents;
    const start: GaussianStart = {};
    if (s.weightsInit !== undefined) {
      const w = toArray(s.weightsInit, 'weightsInit', [k]);
      for (let c = 0; c < k; c++) {
        if (w[c] < 0 || w[c] > 1)
          throw new RangeError(`weightsInit must be in [0, 1], got ${w[c]} at index ${c}`);
      }
      const sum = w.reduce((a, b) => a + b, 0);
      if (Math.abs(1 - sum) > 1e-8) throw new RangeError(`weightsInit must sum to 1, got a sum of ${sum}`);
      start.weights = w;
    }
    if (s.meansInit !== undefined) start.means = toArray(s.meansInit, 'meansInit', [k, d]);
    if (s.precisionsInit !== undefined) {
      const p = toArray(s.precisionsInit, 'precisionsInit', this.kind.shape(k, d));
      const problem = this.kind.checkPrecisions(p, k, d);
      if (problem) {
        throw new RangeError(
          `precisionsInit must be ${this.kind.type === 'full' || this.kind.type === 'tied' ? 'symmetric positive definite' : 'positive'}: ${problem}`,
        );
      }
      const pc = this.kind.precisionCholeskyFromPrecisions(p, k, d) as Float64Array;
      start.precisionsCholesky = pc;
      start.covariances = this.kind.covariancesFromPrecisionCholesky(pc, k, d);
    }
    return start;
  }

  private requireFitted(method: string): Fitted {
    if (!this.fitted) {
      throw new Error(`This GaussianMixture is not fitted yet: call \`await gm.fit(X)\` before ${method}`);
    }
    return this.fitted;
  }

  /**
   * Runs the E-step on `X` under the fitted parameters and hands the responsibilities
   * `(n × K)` and per-row log-likelihoods `(n)` to `read` (views valid only during the call).
   */
  private posterior<T>(
    X: MatrixInput,
    method: string,
    read: (resp: Float64Array, lse: Float64Array, n: number) => T,
  ): T {
    const f = this.requireFitted(method);
    const m = this.matrix(X);
    if (m.cols !== f.nFeatures) {
      throw new RangeError(
        `X has ${m.cols} features, but this GaussianMixture was fitted with ${f.nFeatures}`,
      );
    }
    const k = this.nComponents;
    const { rows: n, cols: d } = m;
    const ws = BACKENDS[this.settings.backend].acquire();
    try {
      if (hasMissing(m)) {
        const r = missingPosterior(ws, m, k, this.kind, f);
        return read(r.resp, r.lse, n);
      }
      const x = ws.allocF64(n * d);
      const out = ws.allocF64(n * k);
      const lse = ws.allocF64(n);
      const means = ws.allocF64(k * d);
      const pc = ws.allocF64(f.precisionsCholesky.length);
      const logW = ws.allocF64(k);
      ws.f64(x, n * d).set(m.data);
      ws.f64(means, k * d).set(f.means);
      ws.f64(pc, f.precisionsCholesky.length).set(f.precisionsCholesky);
      ws.f64(logW, k).set(f.weights.map(Math.log));
      this.kind.logProb(ws.kernels, x, n, d, means, pc, k, out);
      ws.kernels.responsibilities(out, n, k, logW, lse);
      return read(ws.f64(out, n * k), ws.f64(lse, n), n);
    } finally {
      ws.release();
    }
  }

  /** The most likely component of each row of `X (nSamples × nFeatures)`: `Int32Array (nSamples)`. */
  predict(X: MatrixInput): Int32Array {
    const k = this.nComponents;
    return this.posterior(X, 'predict', (resp, _lse, n) => {
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + best]) best = c;
        labels[i] = best;
      }
      return labels;
    });
  }

  /** Posterior probability of each component: `Float64Array (nSamples × nComponents)`, rows sum to 1. */
  predictProba(X: MatrixInput): Float64Array {
    return this.posterior(X, 'predictProba', (resp) => Float64Array.from(resp));
  }

  /**
   * `X (nSamples × nFeatures)` with each NaN (missing) entry replaced by its conditional expectation
   * under the fitted model, `Σ_k p(k | x_o) E[x_m | x_o, k]`; observed entries are copied unchanged.
   * Needs `missing: 'marginalize'`. Returns `Float64Array (nSamples × nFeatures)`.
   */
  impute(X: MatrixInput): Float64Array {
    const f = this.requireFitted('impute');
    if (this.settings.missing !== 'marginalize') {
      throw new Error("impute needs a GaussianMixture created with missing: 'marginalize'");
    }
    const m = this.matrix(X);
    if (m.cols !== f.nFeatures) {
      throw new RangeError(
        `X has ${m.cols} features, but this GaussianMixture was fitted with ${f.nFeatures}`,
      );
    }
    if (!hasMissing(m)) return Float64Array.from(m.data);
    const ws = BACKENDS[this.settings.backend].acquire();
    try {
      return missingPosterior(ws, m, this.nComponents, this.kind, f).xhat;
    } finally {
      ws.release();
    }
  }

  /** The data matrix, with NaN allowed (as missing) when `missing` is `'marginalize'`. */
  private matrix(X: MatrixInput): Matrix {
    return toMatrix(X, 'X', this.settings.missing === 'marginalize');
  }

  /** Log-density `log p(x)` of each row: `Float64Array (nSamples)`. */
  scoreSamples(X: MatrixInput): Float64Array {
    return this.posterior(X, 'scoreSamples', (_resp, lse) => Float64Array.from(lse));
  }

  /** Mean log-likelihood per sample of `X` (weighted mean with `sampleWeight`). */
  score(X: MatrixInput, options: Pick<FitOptions, 'sampleWeight'> = {}): number {
    const m = this.matrix(X);
    return this.weightedLogLikelihood(m, options.sampleWeight, 'score').mean;
  }

  /** Σ w·log p(x) over the rows of X, its weight total, and their ratio. */
  private weightedLogLikelihood(
    m: Matrix,
    sampleWeight: ArrayLike<number> | undefined,
    method: string,
  ): { sum: number; total: number; mean: number } {
    const w = checkSampleWeight(sampleWeight, m.rows);
    return this.posterior(m, method, (_resp, lse, n) => {
      let sum = 0;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const wi = w ? w[i] : 1;
        if (wi !== 0) sum += wi * lse[i];
        total += wi;
      }
      return { sum, total, mean: sum / total };
    });
  }

  /** Free parameters: covariances + K·D means + K − 1 weights (scikit-learn's count). */
  nParameters(): number {
    const f = this.requireFitted('nParameters');
    const k = this.nComponents;
    return this.kind.covarianceParameters(k, f.nFeatures) + k * f.nFeatures + k - 1;
  }

  /**
   * Bayesian information criterion on `X`: `−2·n·score(X) + p·ln n`; lower is better. With
   * `sampleWeight`, n is the total weight and the log-likelihood is weighted.
   */
  bic(X: MatrixInput, options: Pick<FitOptions, 'sampleWeight'> = {}): number {
    const { sum, total } = this.weightedLogLikelihood(this.matrix(X), options.sampleWeight, 'bic');
    return -2 * sum + this.nParameters() * Math.log(total);
  }

  /** Akaike information criterion on `X`: `−2·n·score(X) + 2p`; lower is better. Weighted as `bic`. */
  aic(X: MatrixInput, options: Pick<FitOptions, 'sampleWeight'> = {}): number {
    const { sum } = this.weightedLogLikelihood(this.matrix(X), options.sampleWeight, 'aic');
    return -2 * sum + 2 * this.nParameters();
  }

  /**
   * Draws `n` samples. Labels come sorted by component, as in scikit-learn. Deterministic for a
   * given `randomState` (the model's, unless one is passed).
   */
  sample(n = 1, randomState: number | undefined = this.randomState): { X: Float64Array; labels: Int32Array } {
    const f = this.requireFitted('sample');
    requireInteger('n', n, 1);
    if (randomState !== undefined) requireInteger('randomState', randomState, 0, 0xffffffff);
    const rng = randomFrom(randomState);
    const k = this.nComponents;
    const d = f.nFeatures;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) counts[categorical(rng, f.weights)]++;
    const factors = this.kind.samplingFactors(f.precisionsCholesky, k, d);
    const X = new Float64Array(n * d);
    const labels = new Int32Array(n);
    const z = new Float64Array(d);
    let row = 0;
    for (let c = 0; c < k; c++) {
      for (let s = 0; s < counts[c]; s++, row++) {
        labels[row] = c;
        for (let j = 0; j < d; j++) z[j] = rng.normal();
        for (let a = 0; a < d; a++) {
          X[row * d + a] = f.means[c * d + a] + this.transform(factors, c, a, z, d);
        }
      }
    }
    return { X, labels };
  }

  /** `(L z)_a` for component c's factor: lower triangular (full, tied) or a scale (diag, spherical). */
  private transform(factors: Float64Array, c: number, a: number, z: Float64Array, d: number): number {
    switch (this.covarianceType) {
      case 'full':
      case 'tied': {
        const o = this.covarianceType === 'full' ? c * d * d : 0;
        let s = 0;
        for (let b = 0; b <= a; b++) s += factors[o + a * d + b] * z[b];
        return s;
      }
      case 'diag':
        return factors[c * d + a] * z[a];
      case 'spherical':
        return factors[c] * z[a];
    }
  }

  /** `(nComponents)` mixture weights. */
  get weights(): Float64Array {
    return Float64Array.from(this.requireFitted('weights').weights);
  }

  /** `(nComponents × nFeatures)` component means. */
  get means(): Float64Array {
    return Float64Array.from(this.requireFitted('means').means);
  }

  /** Covariances: full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`, spherical `(K)`. */
  get covariances(): Float64Array {
    return Float64Array.from(this.requireFitted('covariances').covariances);
  }

  /** Precisions (inverse covariances), shaped as `covariances`. */
  get precisions(): Float64Array {
    const f = this.requireFitted('precisions');
    return this.kind.precisions(f.precisionsCholesky, this.nComponents, f.nFeatures);
  }

  /** Cholesky factors of the precisions, shaped as `covariances`; upper triangular (`P = U Uᵀ`) for full and tied. */
  get precisionsCholesky(): Float64Array {
    return Float64Array.from(this.requireFitted('precisionsCholesky').precisionsCholesky);
  }

  /** Whether the winning restart met the `tol` test (false when it ran out of `maxIter`). */
  get converged(): boolean {
    return this.requireFitted('converged').converged;
  }

  /** EM iterations of the winning restart. */
  get nIter(): number {
    return this.requireFitted('nIter').nIter;
  }

  /** The winning restart's final lower bound (mean log-likelihood, from the last E-step). */
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

  /** A plain-JSON form of the fitted model; `fromJSON` restores it exactly. */
  toJSON(): GaussianMixtureJSON {
    const f = this.requireFitted('toJSON');
    const s = this.settings;
    return {
      format: 'emwasm.GaussianMixture',
      version: 1,
      nComponents: s.nComponents,
      covarianceType: s.covarianceType,
      nFeatures: f.nFeatures,
      tol: s.tol,
      regCovar: s.regCovar,
      maxIter: s.maxIter,
      nInit: s.nInit,
      initParams: s.initParams,
      randomState: s.randomState ?? null,
      prior: priorToJSON(s.prior),
      fixed: { ...s.fixed },
      weights: [...f.weights],
      means: [...f.means],
      covariances: [...f.covariances],
      precisionsCholesky: [...f.precisionsCholesky],
      converged: f.converged,
      nIter: f.nIter,
      lowerBound: f.lowerBound,
      lowerBounds: [...f.lowerBounds],
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text). */
  static fromJSON(
    json: GaussianMixtureJSON | string,
    options: Pick<
      GaussianMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal' | 'missing'
    > = {},
  ): GaussianMixture {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as GaussianMixtureJSON;
    if (!o || o.format !== 'emwasm.GaussianMixture') {
      throw new TypeError(
        `fromJSON expects a saved GaussianMixture (format 'emwasm.GaussianMixture'), got ${show(o?.format)}`,
      );
    }
    if (o.version !== 1) throw new RangeError(`fromJSON supports version 1, got ${show(o.version)}`);
    const gm = new GaussianMixture({
      nComponents: o.nComponents,
      covarianceType: o.covarianceType,
      tol: o.tol,
      regCovar: o.regCovar,
      maxIter: o.maxIter,
      nInit: o.nInit,
      initParams: o.initParams,
      randomState: o.randomState ?? undefined,
      prior: o.prior ?? undefined,
      fixed: o.fixed,
      ...options,
    });
    gm.fitted = fittedFromJSON(o, gm.kind);
    return gm;
  }
}

/** The fitted state saved by `toJSON`, checked against its own shapes. */
function fittedFromJSON(o: GaussianMixtureJSON, kind: CovarianceKind): Fitted {
  const k = requireInteger('nComponents', o.nComponents, 1);
  const d = requireInteger('nFeatures', o.nFeatures, 1);
  const shape = kind.shape(k, d);
  return {
    weights: toArray(o.weights, 'weights', [k]),
    means: toArray(o.means, 'means', [k, d]),
    covariances: toArray(o.covariances, 'covariances', shape),
    precisionsCholesky: toArray(o.precisionsCholesky, 'precisionsCholesky', shape),
    nFeatures: d,
    converged: Boolean(o.converged),
    nIter: o.nIter,
    // JSON writes −∞ (a fit with maxIter 0) as null; a null bound would make a warm start restart.
    lowerBound: typeof o.lowerBound === 'number' ? o.lowerBound : -Infinity,
    lowerBounds: Array.isArray(o.lowerBounds)
      ? o.lowerBounds.map((v) => (typeof v === 'number' ? v : -Infinity))
      : [],
  };
}

/** Adapts a user's progress callback to the loop's, adding the parameters after each M-step. */
function progress(
  onIteration: (info: GaussianIterationInfo) => void,
): (info: IterationInfo, current: () => GaussianParams) => void {
  return (info, current) => {
    const { weights, means, covariances } = current();
    onIteration({ ...info, weights, means, covariances });
  };
}

function isAbortSignal(v: unknown): v is AbortSignal {
  return typeof AbortSignal !== 'undefined' && v instanceof AbortSignal;
}

/**
 * Work per iteration (multiply-adds, roughly) each thread must get before 'auto' adds it. Measured
 * on 2 cores (1,000–30,000 rows, d = 2/10/32): a second thread starts to pay at 1–3 units of 2¹⁸
 * (waking a worker and reducing its statistics costs 0.1–0.5 ms per iteration), so two threads
 * start at 4 units.
 */
const WORK_PER_THREAD = 1 << 19;

async function threadsFor(
  option: 'auto' | number,
  X: Matrix,
  k: number,
  kind: CovarianceKind,
): Promise<number> {
  if (!sharedMemorySupported()) return 1;
  if (option !== 'auto') return Math.min(option, X.rows);
  const d = X.cols;
  // Per row: full k·d(d+1); tied (d + k)² for its one rank update plus 3kd; diag/spherical k(3d + 4).
  const perRow =
    kind.type === 'full'
      ? k * d * (d + 1)
      : kind.type === 'tied'
        ? (d + k) ** 2 + 3 * k * d
        : k * (3 * d + 4);
  const wanted = Math.floor((X.rows * perRow) / WORK_PER_THREAD);
  return Math.max(1, Math.min(await availableThreads(), wanted));
}

function categorical(rng: Random, weights: Float64Array): number {
  let u = rng.uniform();
  for (let c = 0; c < weights.length - 1; c++) {
    u -= weights[c];
    if (u < 0) return c;
  }
  return weights.length - 1;
}
