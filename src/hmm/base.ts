import type { BackendName } from '../backend/types.js';
import { requireWasmMemory } from '../backend/wasm.js';
import { runEM, type IterationInfo } from '../em/loop.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { isInteger, requireInteger, requireNonNegative, requireOneOf, show } from '../util/errors.js';
import { toArray, type Matrix } from '../util/matrix.js';
import { randomFrom, type Random } from '../util/random.js';
import { loadModule } from '../wasm/module.js';
import { Chain } from './chain.js';
import { HmmEM, type ChainSettings, type Emission, type HmmParams } from './hmm-em.js';
import { toLengths, toParamFlags, toPrior, toStochastic } from './validate.js';
import { acquireHmmWorkspace, type HmmWorkspace } from './workspace.js';

export const DECODE_ALGORITHMS = ['viterbi', 'map'] as const;

/** `'viterbi'`: the most likely state sequence; `'map'`: the most likely state of each sample. */
export type DecodeAlgorithm = (typeof DECODE_ALGORITHMS)[number];

/** Sequence lengths: their sum must be the number of rows of X. */
export type LengthsInput = readonly number[] | Int32Array;

/** The options of `sample` (hmmlearn's `random_state` and `currstate`). */
export interface SampleOptions {
  /** Integer seed in [0, 2³²). Default: the model's `randomState` (unset: a fresh seed each call). */
  randomState?: number;
  /** The state of the first sample, an integer in [0, nComponents). Default: drawn from `startProb`. */
  currentState?: number;
}

const SAMPLE_OPTIONS: readonly (keyof SampleOptions)[] = ['randomState', 'currentState'];

/** Options every HMM shares (hmmlearn's, in camelCase). */
export interface HMMOptions<P extends string> {
  /** Number of hidden states K, an integer >= 1. Default 1. */
  nComponents?: number;
  /** EM iterations per restart at most, an integer >= 0. Default 10 (as hmmlearn's `n_iter`). */
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
   * once the model is fitted (or restored by `fromJSON`), `fit` starts from the fitted `startProb`,
   * `transMat` and emission parameters, skips the `*Init` options and the k-means start, and runs
   * one run (`nInit` is ignored). `nIter`, `lowerBounds` and `converged` then describe that call,
   * whose first change is measured from the previous `lowerBound`, so over successive calls the
   * bound never decreases. X must have the fitted `nFeatures`. Parameters frozen by `params` keep
   * their values. Unfitted, `fit` initialises as usual. Default false.
   */
  warmStart?: boolean;
  /** Called after every EM iteration; `lowerBound` is the bound (see the `lowerBound` getter). */
  onIteration?: (info: IterationInfo) => void;
  /** `'wasm'` (default) runs the WebAssembly kernels; `'js'` their plain TypeScript twins. */
  backend?: BackendName;
}

/**
 * The options every saved HMM records (the starting values are not kept: the fitted ones are).
 * `warmStart` is not recorded, as in GaussianMixture's JSON: it says what the next `fit` of this
 * object does, not what the model is, so `fromJSON(json, { warmStart: true })` asks for it.
 */
export interface HMMJSONOptions {
  /** Number of hidden states. */
  nComponents: number;
  /** Maximum EM iterations per initialization (the `nIter` option). */
  nIter: number;
  /** Convergence threshold on the change of the log-likelihood. */
  tol: number;
  /** Initializations; the best log-likelihood wins. */
  nInit: number;
  /** The seed, or null when none was given. */
  randomState: number | null;
  /** The default decoder of `decode` and `predict`. */
  algorithm: DecodeAlgorithm;
  /** Dirichlet prior of the start probabilities `(nComponents)`. */
  startProbPrior: number[];
  /** Dirichlet prior of the transition rows `(nComponents × nComponents)`, row-major. */
  transMatPrior: number[];
  /** Which parameters EM updated. */
  params: Record<string, boolean>;
}

/** The JSON form of a fitted HMM; `O` adds the family's options, `E` its fitted emission parameters. */
export type HMMJSON<F extends string, O, E> = {
  /** Tells the model class apart, e.g. `'emwasm.GaussianHMM'`. */
  format: F;
  /** The format version; `fromJSON` reads version 1. */
  version: 1;
  /** The options to construct the model again. */
  options: HMMJSONOptions & O;
  /** The width of the data the model was fitted on (CategoricalHMM: the number of symbols). */
  nFeatures: number;
  /** Fitted start probabilities `(nComponents)`. */
  startProb: number[];
  /** Fitted transition matrix `(nComponents × nComponents)`, row-major. */
  transMat: number[];
  /** Whether the best run met `tol` within `nIter`. */
  converged: boolean;
  /** EM iterations of the best run. */
  nIter: number;
  /** The best run's final log-likelihood; null in JSON text when it is −∞. */
  lowerBound: number;
  /** The log-likelihood after each iteration of the best run. */
  lowerBounds: number[];
} & E;

interface Fitted<E> extends HmmParams<E> {
  nFeatures: number;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: number[];
}

/** Draws an index from the probabilities `p[offset … offset + count)`. */
export function drawIndex(rng: Random, p: Float64Array, offset: number, count: number): number {
  let u = rng.uniform();
  for (let c = 0; c < count - 1; c++) {
    u -= p[offset + c];
    if (u < 0) return c;
  }
  return count - 1;
}

/**
 * What the HMM families share, following hmmlearn's `BaseHMM`: options, fitting through the one
 * EM loop, scoring, decoding, sampling, information criteria and JSON. A family supplies its data
 * check and an `Emission` (see hmm-em.ts).
 *
 * Improvements over hmmlearn 0.3: `converged` is true only when the `tol` test passed; a start
 * vector or transition row whose counts are all zero keeps its previous value instead of turning
 * into NaN; `'map'` decoding reports `Σ log max posterior` (hmmlearn sums the probabilities).
 */
export abstract class BaseHMM<E, P extends string> {
  /** Number of hidden states. */
  readonly nComponents: number;
  /** EM stops when the log-likelihood improves by less than this. */
  readonly tol: number;
  /** Initializations; the one with the best log-likelihood is kept. */
  readonly nInit: number;
  /** The seed of initialization and sampling (undefined: a fresh seed each fit). */
  readonly randomState: number | undefined;
  /** The decoder `decode` and `predict` use by default: `'viterbi'` or `'map'`. */
  readonly algorithm: DecodeAlgorithm;
  /** Whether `fit` continues from the fitted parameters (see `HMMOptions.warmStart`). */
  readonly warmStart: boolean;
  /** Where the kernels run: `'wasm'` (default) or `'js'` (the TypeScript reference). */
  readonly backend: BackendName;
  /** Which parameters EM updates. */
  readonly params: Readonly<Record<P, boolean>>;
  protected readonly maxIter: number;
  private readonly chainSettings: ChainSettings;
  private readonly onIteration: ((info: IterationInfo) => void) | undefined;
  private fitted: Fitted<E> | null = null;

  /** The class name, for messages and the JSON format tag. */
  protected abstract readonly modelName: string;

  protected constructor(options: HMMOptions<P>, paramNames: readonly P[]) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, got ${show(options)}`);
    }
    const k = requireInteger('nComponents', options.nComponents ?? 1, 1);
    this.nComponents = k;
    this.maxIter = requireInteger('nIter', options.nIter ?? 10, 0);
    this.tol = requireNonNegative('tol', options.tol ?? 1e-2);
    this.nInit = requireInteger('nInit', options.nInit ?? 1, 1);
    if (options.randomState !== undefined) requireInteger('randomState', options.randomState, 0, 0xffffffff);
    this.randomState = options.randomState;
    this.algorithm = requireOneOf('algorithm', options.algorithm ?? 'viterbi', DECODE_ALGORITHMS);
    this.backend = requireOneOf('backend', options.backend ?? 'wasm', ['wasm', 'js'] as const);
    this.warmStart = options.warmStart ?? false;
    if (typeof this.warmStart !== 'boolean') {
      throw new TypeError(`warmStart must be a boolean, got ${show(this.warmStart)}`);
    }
    if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
      throw new TypeError(`onIteration must be a function, got ${show(options.onIteration)}`);
    }
    this.onIteration = options.onIteration;
    const params = toParamFlags(options.params, paramNames);
    this.params = params;
    const flags = params as Record<string, boolean>;
    this.chainSettings = {
      startProbInit:
        options.startProbInit === undefined
          ? undefined
          : toStochastic(options.startProbInit, 'startProbInit', [k]),
      transMatInit:
        options.transMatInit === undefined
          ? undefined
          : toStochastic(options.transMatInit, 'transMatInit', [k, k]),
      startProbPrior: toPrior(options.startProbPrior ?? 1, 'startProbPrior', [k]),
      transMatPrior: toPrior(options.transMatPrior ?? 1, 'transMatPrior', [k, k]),
      update: { startProb: flags.startProb, transMat: flags.transMat },
    };
  }

  /** Checks X for this family; `nFeatures` is the fitted width when scoring, null when fitting. */
  protected abstract toData(X: unknown, nFeatures: number | null): Matrix;

  /** The width of X a fit on `data` gives the model (for CategoricalHMM: the number of symbols). */
  protected abstract featuresOf(data: Matrix): number;

  /** Checks that a warm start of a model fitted with `nFeatures` can continue on `data`. */
  protected checkWarmStart(data: Matrix, nFeatures: number): void {
    const width = this.featuresOf(data);
    if (width !== nFeatures) {
      throw new RangeError(
        `X has ${width} features, but warmStart continues a ${this.modelName} fitted with nFeatures=${nFeatures}`,
      );
    }
  }

  /**
   * The emission model of one fit or scoring call, with `data` copied into `ws`. `initializing`: a
   * fit that starts anew (the `*Init` options are read and checked, k-means buffers allocated);
   * false for scoring and warm starts, which `restore` fitted parameters instead.
   */
  protected abstract createEmission(
    ws: HmmWorkspace,
    data: Matrix,
    nFeatures: number,
    initializing: boolean,
  ): Emission<E>;

  /** Free parameters of the emissions (hmmlearn's `_get_n_fit_scalars_per_param`). */
  protected abstract emissionParameters(nFeatures: number): number;

  /** A function that writes one sample of state `state` into `out` at row `row` (width `sampleWidth`). */
  protected abstract sampler(
    params: E,
    nFeatures: number,
  ): { width: number; draw(state: number, rng: Random, out: Float64Array, row: number): void };

  /** The family's options as saved by `toJSON`. */
  protected abstract jsonOptions(): object;

  /** The fitted emission parameters as plain arrays, for `toJSON`. */
  protected abstract emissionToJSON(params: E): object;

  /** Reads and checks emission parameters saved by `toJSON`. */
  protected abstract emissionFromJSON(json: Record<string, unknown>, nFeatures: number): E;

  /**
   * Fits the model to `X (nSamples × nFeatures)` by Baum-Welch (EM). `X` holds the sequences one
   * after another and `lengths` their lengths (default: one sequence). With `warmStart` on a fitted
   * model, continues from its parameters. Resolves to this model.
   */
  async fit(X: unknown, lengths?: LengthsInput): Promise<this> {
    const data = this.toData(X, null);
    const lens = toLengths(lengths, data.rows);
    const warm = this.warmStart ? this.fitted : null;
    if (warm) this.checkWarmStart(data, warm.nFeatures);
    if (this.backend === 'wasm') await loadModule();
    const nFeatures = warm ? warm.nFeatures : this.featuresOf(data);
    this.requireMemory(data);
    const ws = acquireHmmWorkspace(this.backend);
    try {
      const chain = new Chain(ws, lens, data.rows, this.nComponents);
      const emission = this.createEmission(ws, data, nFeatures, !warm);
      const em = new HmmEM(chain, emission, this.chainSettings);
      if (warm) em.restore(warm);
      const result = await runEM(em, {
        maxIter: this.maxIter,
        tol: this.tol,
        nInit: this.nInit,
        warmStartBound: warm ? warm.lowerBound : null,
        rng: randomFrom(this.randomState),
        onIteration: this.onIteration,
      });
      this.fitted = {
        ...result.params,
        nFeatures,
        converged: result.converged,
        nIter: result.nIter,
        lowerBound: result.lowerBound,
        lowerBounds: result.lowerBounds,
      };
    } finally {
      ws.release();
    }
    return this;
  }

  /** Checks that X fits in Wasm memory with the chain's per-row arrays (emissions, lattice, posteriors). */
  private requireMemory(data: Matrix): void {
    if (this.backend === 'wasm') requireWasmMemory(data.rows, data.cols, data.cols + 4 * this.nComponents);
  }

  protected requireFitted(method: string): Fitted<E> {
    if (!this.fitted) {
      throw new Error(
        `This ${this.modelName} is not fitted yet: call \`await model.fit(X, lengths)\` before ${method}`,
      );
    }
    return this.fitted;
  }

  /** Runs `use` on a chain whose emission log-likelihoods of X under the fitted parameters are in place. */
  private withChain<T>(
    X: unknown,
    lengths: LengthsInput | undefined,
    method: string,
    use: (chain: Chain) => T,
  ): T {
    const f = this.requireFitted(method);
    const data = this.toData(X, f.nFeatures);
    const lens = toLengths(lengths, data.rows);
    this.requireMemory(data);
    const ws = acquireHmmWorkspace(this.backend);
    try {
      const chain = new Chain(ws, lens, data.rows, this.nComponents);
      const emission = this.createEmission(ws, data, f.nFeatures, false);
      emission.restore(f.emission);
      chain.setParameters(f.startProb, f.transMat);
      emission.logLikelihood(chain.logB);
      return use(chain);
    } finally {
      ws.release();
    }
  }

  /** Total log-likelihood `Σ_s log p(sequence s)` of X under the model. */
  score(X: unknown, lengths?: LengthsInput): number {
    return this.withChain(X, lengths, 'score', (chain) => chain.forward());
  }

  /**
   * One forward-backward pass over X (hmmlearn's `score_samples`): `logProb`, the total
   * log-likelihood `Σ_s log p(sequence s)` (equal to `score`), and `posteriors`, the state posteriors
   * `p(z_t = c | X)` as `Float64Array (nSamples × nComponents)` row-major, rows summing to 1 (a row of
   * a sequence that is impossible under the model holds 1/K, and `logProb` is then −∞).
   */
  scoreSamples(
    X: unknown,
    lengths?: LengthsInput,
  ): {
    /** Log-likelihood of X, summed over sequences. */
    logProb: number;
    /** State posteriors `(nSamples × nComponents)`, row-major. */
    posteriors: Float64Array;
  } {
    return this.forwardBackward(X, lengths, 'scoreSamples');
  }

  /**
   * State posteriors `p(z_t = c | X)`: `Float64Array (nSamples × nComponents)`, rows sum to 1 (a row
   * of a sequence that is impossible under the model holds 1/K). The `posteriors` of `scoreSamples`.
   */
  predictProba(X: unknown, lengths?: LengthsInput): Float64Array {
    return this.forwardBackward(X, lengths, 'predictProba').posteriors;
  }

  /** The forward-backward pass behind `scoreSamples`, `predictProba` and `'map'` decoding. */
  private forwardBackward(
    X: unknown,
    lengths: LengthsInput | undefined,
    method: string,
  ): { logProb: number; posteriors: Float64Array } {
    return this.withChain(X, lengths, method, (chain) => {
      const logProb = chain.forward();
      chain.smooth({ transitions: false, starts: false });
      return { logProb, posteriors: Float64Array.from(chain.posteriors()) };
    });
  }

  /**
   * The most likely states: `'viterbi'` (default: the model's `algorithm`) gives the most likely
   * sequence and its log-probability summed over sequences; `'map'` the most likely state of each
   * sample with `Σ_t log max_c p(z_t = c | X)`. Ties go to the lower state.
   */
  decode(
    X: unknown,
    lengths?: LengthsInput,
    algorithm: DecodeAlgorithm = this.algorithm,
  ): {
    /** The decoder's log-probability, summed over sequences. */
    logProb: number;
    /** The decoded state of each sample, `Int32Array (nSamples)`. */
    states: Int32Array;
  } {
    requireOneOf('algorithm', algorithm, DECODE_ALGORITHMS);
    const f = this.requireFitted('decode');
    if (algorithm === 'viterbi') {
      return this.withChain(X, lengths, 'decode', (chain) => chain.viterbi(f.startProb, f.transMat));
    }
    const k = this.nComponents;
    const post = this.forwardBackward(X, lengths, 'decode').posteriors;
    const n = post.length / k;
    const states = new Int32Array(n);
    let logProb = 0;
    for (let t = 0; t < n; t++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (post[t * k + c] > post[t * k + best]) best = c;
      states[t] = best;
      logProb += Math.log(post[t * k + best]);
    }
    return { logProb, states };
  }

  /** The decoded states (`algorithm` of the model): `Int32Array (nSamples)`. */
  predict(X: unknown, lengths?: LengthsInput): Int32Array {
    this.requireFitted('predict');
    return this.decode(X, lengths).states;
  }

  /**
   * Draws one sequence of `n` samples: `X (n × width)` row-major (width `nFeatures`; 1 for
   * CategoricalHMM) and the hidden `states`, `Int32Array (n)`. The second argument is a seed or
   * `{ randomState, currentState }` (hmmlearn's `random_state` and `currstate`): the chain starts in
   * `currentState`, an integer in [0, nComponents), instead of a state drawn from `startProb`.
   * Deterministic for a given `randomState` (the model's, unless one is passed).
   */
  sample(
    n = 1,
    options: number | SampleOptions | undefined = this.randomState,
  ): {
    /** The samples `(n × width)`, row-major. */
    X: Float64Array;
    /** The hidden state of each sample, `Int32Array (n)`. */
    states: Int32Array;
  } {
    const f = this.requireFitted('sample');
    requireInteger('n', n, 1);
    const k = this.nComponents;
    const { randomState, currentState } = this.toSampleOptions(options);
    const rng = randomFrom(randomState);
    const sampler = this.sampler(f.emission, f.nFeatures);
    const X = new Float64Array(n * sampler.width);
    const states = new Int32Array(n);
    let state = currentState ?? drawIndex(rng, f.startProb, 0, k);
    for (let t = 0; t < n; t++) {
      if (t > 0) state = drawIndex(rng, f.transMat, state * k, k);
      states[t] = state;
      sampler.draw(state, rng, X, t);
    }
    return { X, states };
  }

  /** The checked second argument of `sample`: a seed, or options whose unset seed is the model's. */
  private toSampleOptions(options: unknown): SampleOptions {
    let o: SampleOptions = { randomState: options as number | undefined };
    if (options !== null && typeof options === 'object') {
      for (const key of Object.keys(options)) {
        if (!(SAMPLE_OPTIONS as readonly string[]).includes(key)) {
          throw new RangeError(
            `sample has no option ${show(key)}; the options are ${SAMPLE_OPTIONS.map((n) => `'${n}'`).join(', ')}`,
          );
        }
      }
      const { randomState, currentState } = options as SampleOptions;
      o = { randomState: randomState ?? this.randomState, currentState };
    }
    if (o.randomState !== undefined) requireInteger('randomState', o.randomState, 0, 0xffffffff);
    const k = this.nComponents;
    const s = o.currentState;
    if (s !== undefined && (!isInteger(s) || s < 0 || s >= k)) {
      throw new RangeError(`currentState must be an integer in [0, nComponents=${k}), got ${show(s)}`);
    }
    return o;
  }

  /** Free parameters: `K − 1` start, `K(K − 1)` transition, plus the emissions' (hmmlearn's count). */
  nParameters(): number {
    const f = this.requireFitted('nParameters');
    const k = this.nComponents;
    return k - 1 + k * (k - 1) + this.emissionParameters(f.nFeatures);
  }

  /** Akaike information criterion on X: `−2·score + 2p`; lower is better. */
  aic(X: unknown, lengths?: LengthsInput): number {
    this.requireFitted('aic');
    return -2 * this.score(X, lengths) + 2 * this.nParameters();
  }

  /** Bayesian information criterion on X: `−2·score + p·ln nSamples`; lower is better. */
  bic(X: unknown, lengths?: LengthsInput): number {
    const rows = this.toData(X, this.requireFitted('bic').nFeatures).rows;
    return -2 * this.score(X, lengths) + this.nParameters() * Math.log(rows);
  }

  /** `(nComponents)` start probabilities. */
  get startProb(): Float64Array {
    return Float64Array.from(this.requireFitted('startProb').startProb);
  }

  /** `(nComponents × nComponents)` transition probabilities; row i holds the transitions from state i. */
  get transMat(): Float64Array {
    return Float64Array.from(this.requireFitted('transMat').transMat);
  }

  /** Whether the winning restart met the `tol` test (false when it ran out of `nIter`). */
  get converged(): boolean {
    return this.requireFitted('converged').converged;
  }

  /** EM iterations the winning restart ran. */
  get nIter(): number {
    return this.requireFitted('nIter').nIter;
  }

  /**
   * The bound of the last E-step (before the last M-step) of the winning restart: the total
   * log-likelihood plus the log-prior density (up to a constant) of every prior in use (start and
   * transition Dirichlets, the emissions' priors), the objective each EM step increases, so it never
   * decreases. Without priors (the defaults, except GaussianHMM's `covarsPrior` 1e-2) it is the
   * log-likelihood, `score` of the training data under the parameters of that E-step.
   */
  get lowerBound(): number {
    return this.requireFitted('lowerBound').lowerBound;
  }

  /** The bound (see `lowerBound`) at every iteration of the winning restart. */
  get lowerBounds(): number[] {
    return [...this.requireFitted('lowerBounds').lowerBounds];
  }

  /** The width of X seen in `fit` (for CategoricalHMM: the number of symbols). */
  get nFeatures(): number {
    return this.requireFitted('nFeatures').nFeatures;
  }

  protected emissionParams(method: string): E {
    return this.requireFitted(method).emission;
  }

  /** The fitted model as plain JSON; `fromJSON` restores it exactly. */
  toJSON(): HMMJSON<string, object, object> {
    const f = this.requireFitted('toJSON');
    const s = this.chainSettings;
    return {
      format: `emwasm.${this.modelName}`,
      version: 1,
      options: {
        nComponents: this.nComponents,
        nIter: this.maxIter,
        tol: this.tol,
        nInit: this.nInit,
        randomState: this.randomState ?? null,
        algorithm: this.algorithm,
        startProbPrior: [...s.startProbPrior],
        transMatPrior: [...s.transMatPrior],
        params: { ...(this.params as Record<string, boolean>) },
        ...this.jsonOptions(),
      },
      nFeatures: f.nFeatures,
      startProb: [...f.startProb],
      transMat: [...f.transMat],
      ...this.emissionToJSON(f.emission),
      converged: f.converged,
      nIter: f.nIter,
      lowerBound: f.lowerBound,
      lowerBounds: [...f.lowerBounds],
    };
  }

  /** The parsed JSON of a saved model of this class, checked: the options to construct it from. */
  protected static parseJSON(
    json: unknown,
    modelName: string,
  ): Record<string, unknown> & { options: object } {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
    const format = `emwasm.${modelName}`;
    if (!o || typeof o !== 'object' || o.format !== format) {
      throw new TypeError(
        `fromJSON expects a saved ${modelName} (format '${format}'), got ${show(o?.format)}`,
      );
    }
    if (o.version !== 1) throw new RangeError(`fromJSON supports version 1, got ${show(o.version)}`);
    if (!o.options || typeof o.options !== 'object') throw new TypeError('fromJSON: options are missing');
    const options = { ...(o.options as Record<string, unknown>) };
    if (options.randomState === null) delete options.randomState;
    return { ...o, options };
  }

  /** Sets the fitted state from checked JSON (after construction from its options). */
  protected restoreJSON(o: Record<string, unknown>): this {
    const k = this.nComponents;
    const nFeatures = requireInteger('nFeatures', o.nFeatures, 1);
    this.fitted = {
      startProb: toStochastic(o.startProb, 'startProb', [k]),
      transMat: toStochastic(o.transMat, 'transMat', [k, k]),
      emission: this.emissionFromJSON(o, nFeatures),
      nFeatures,
      converged: Boolean(o.converged),
      nIter: requireInteger('nIter', o.nIter, 0),
      lowerBound: typeof o.lowerBound === 'number' ? o.lowerBound : NaN,
      lowerBounds: Array.isArray(o.lowerBounds)
        ? Array.from(toArray(o.lowerBounds, 'lowerBounds', [o.lowerBounds.length]))
        : [],
    };
    return this;
  }
}
