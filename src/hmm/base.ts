import { requireWasmMemory } from '../backend/wasm.js';
import { Estimator, readEnvelope, type EstimatorJSON, type FitData, type Fitted } from '../em/estimator.js';
import { runEM } from '../em/loop.js';
import { parseOptions, type OptionSpec } from '../em/options.js';
import { isInteger, requireInteger, requireOneOf, show } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import { randomFrom, type Random } from '../util/random.js';
import { Chain } from './chain.js';
import { HmmEM, type ChainSettings, type Emission, type HmmParams } from './hmm-em.js';
import { acquireHmmWorkspace, type HmmWorkspace } from './kernels.js';
import { DECODE_ALGORITHMS, type DecodeAlgorithm, type HMMSettings } from './options.js';
import { CHAIN_SIZES, checkSavedSizes, flatLength, upgradeLegacy } from './saved.js';
import { stationaryDistribution } from './stationary.js';
import { toLengths, toPrior, toStochastic } from './validate.js';

/** Sequence lengths: their sum must be the number of rows of X. */
export type LengthsInput = readonly number[] | Int32Array;

/** The options of `sample` (hmmlearn's `random_state` and `currstate`). */
export interface SampleOptions {
  /** Integer seed in [0, 2³²). Default: the model's `randomState` (unset: a fresh seed each call). */
  randomState?: number;
  /** The state of the first sample, an integer in [0, nComponents). Default: drawn from `startProb`. */
  currentState?: number;
}

/** Per-call options of an HMM's `fit`. */
export interface HMMFitOptions {
  /** Aborts this fit (overrides the model's `signal`); the fit rejects with the signal's reason. */
  signal?: AbortSignal;
}

const SAMPLE_OPTIONS: readonly (keyof SampleOptions)[] = ['randomState', 'currentState'];
const FIT_OPTIONS: OptionSpec = { signal: { type: 'signal' } };

/** Draws an index from the probabilities `p[offset … offset + count)`. */
export function drawIndex(rng: Random, p: Float64Array, offset: number, count: number): number {
  let u = rng.uniform();
  for (let c = 0; c < count - 1; c++) {
    u -= p[offset + c];
    if (u < 0) return c;
  }
  return count - 1;
}

/** D of a `(K × D …)` array given nested or flat (the width a `*Init` implies). */
export function widthOf(value: unknown, k: number): number {
  if (Array.isArray(value) && Array.isArray(value[0])) return value[0].length;
  const length = (value as ArrayLike<number>).length;
  return Math.max(1, Math.floor(length / k));
}

/** A family's starting emission parameters when its `*Init` options set all of them. */
export interface EmissionStart<E> {
  params: E;
  nFeatures: number;
}

/**
 * What the HMM families share, following hmmlearn's `BaseHMM`, on the engine's estimator shell
 * (options, fit here or in a worker, abort, warm start, getters, the JSON envelope): fitting
 * through the one EM loop, scoring, decoding, sampling, information criteria, the stationary
 * distribution and models set from parameters. A family supplies its data check and an
 * `Emission` (see hmm-em.ts).
 *
 * Improvements over hmmlearn 0.3: `converged` is true only when the `tol` test passed; a start
 * vector or transition row whose counts are all zero keeps its previous value instead of turning
 * into NaN; `'map'` decoding reports `Σ log max posterior` (hmmlearn sums the probabilities).
 */
export abstract class BaseHMM<E, P extends string, S extends HMMSettings = HMMSettings> extends Estimator<
  HmmParams<E>,
  S
> {
  private readonly chainSettings: ChainSettings;

  protected constructor(family: string, spec: OptionSpec, options: unknown) {
    super(family, spec, options);
    const s = this.settings;
    const k = s.nComponents;
    this.chainSettings = {
      startProbInit:
        s.startProbInit === undefined ? undefined : toStochastic(s.startProbInit, 'startProbInit', [k]),
      transMatInit:
        s.transMatInit === undefined ? undefined : toStochastic(s.transMatInit, 'transMatInit', [k, k]),
      startProbPrior: toPrior(s.startProbPrior, 'startProbPrior', [k]),
      transMatPrior: toPrior(s.transMatPrior, 'transMatPrior', [k, k]),
      update: { startProb: s.params.startProb, transMat: s.params.transMat },
    };
  }

  /** Checks X for this family; `nFeatures` is the fitted width when scoring, null when fitting. */
  protected abstract toData(X: unknown, nFeatures: number | null): Matrix;

  /** The width of X a fit on `data` gives the model (for CategoricalHMM: the number of symbols). */
  protected abstract featuresOf(data: Matrix): number;

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

  /** The fitted emission parameters as plain arrays, for `toJSON`. */
  protected abstract emissionToJSON(params: E): Record<string, unknown>;

  /** Reads and checks emission parameters saved by `toJSON` (shapes, ranges, sums). */
  protected abstract emissionFromJSON(json: Record<string, unknown>, nFeatures: number): E;

  /** The emission parameters the `*Init` options give, checked, when they set all of them; else null. */
  protected abstract emissionStart(): EmissionStart<E> | null;

  /** Checks that a warm start of a model fitted with `nFeatures` can continue on `data`. */
  protected checkWarmData(data: Matrix, nFeatures: number): void {
    const width = this.featuresOf(data);
    if (width !== nFeatures) {
      throw new RangeError(
        `X has ${width} features, but warmStart continues a ${this.family} fitted with nFeatures=${nFeatures}`,
      );
    }
  }

  protected override checkWarmStart(data: FitData, warm: Fitted<HmmParams<E>>): void {
    this.checkWarmData(data.X, warm.nFeatures);
  }

  /**
   * With every emission `*Init` given (and `startProbInit` / `transMatInit`, uniform otherwise), the
   * fitted state those starting values describe: `nIter` 0, `lowerBound` −∞. Null when incomplete.
   */
  private completeStart(): Fitted<HmmParams<E>> | null {
    const emission = this.emissionStart();
    if (!emission) return null;
    const k = this.settings.nComponents;
    const c = this.chainSettings;
    return {
      params: {
        startProb: c.startProbInit ? Float64Array.from(c.startProbInit) : new Float64Array(k).fill(1 / k),
        transMat: c.transMatInit ? Float64Array.from(c.transMatInit) : new Float64Array(k * k).fill(1 / k),
        emission: emission.params,
      },
      nFeatures: emission.nFeatures,
      converged: false,
      nIter: 0,
      lowerBound: -Infinity,
      lowerBounds: [],
    };
  }

  /**
   * Call at the end of a family's constructor: with `nIter: 0` and a complete start, the model is
   * usable at once (score, decode, predict, sample) without a fit.
   */
  protected adoptCompleteStart(): void {
    if (this.settings.nIter === 0) this.fitted = this.completeStart();
  }

  /** Sets the fitted state from the `*Init` options, which must be complete (`fromParams`). */
  protected adoptParams(): this {
    const start = this.completeStart();
    if (!start) throw new TypeError(`${this.family}.fromParams needs every emission parameter`);
    this.fitted = start;
    return this;
  }

  /**
   * Renames `{ startProb, transMat, means, … }` to the `*Init` options (`fromParams`); `nComponents`
   * defaults to the length of `startProb`.
   */
  protected static initOptions<O extends object>(
    family: string,
    given: object,
    names: readonly string[],
    options: O,
  ): O {
    if (!given || typeof given !== 'object') {
      throw new TypeError(`${family}.fromParams expects an object of parameters, got ${show(given)}`);
    }
    const params = given as Record<string, unknown>;
    const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
    for (const name of names) {
      if (params[name] === undefined) {
        throw new TypeError(
          `${family}.fromParams needs ${names.map((n) => `'${n}'`).join(', ')}; '${name}' is missing`,
        );
      }
      out[`${name}Init`] = params[name];
    }
    for (const key of Object.keys(params)) {
      if (!names.includes(key)) {
        throw new TypeError(
          `${family}.fromParams has no parameter '${key}'; the parameters are ${names.map((n) => `'${n}'`).join(', ')}`,
        );
      }
    }
    // K is the length of startProb unless the options say it (then the shapes are checked against it).
    if (out.nComponents === undefined && flatLength(params.startProb) > 0) {
      out.nComponents = flatLength(params.startProb);
    }
    return out as O;
  }

  protected async runFit(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<HmmParams<E>> | null,
  ): Promise<Fitted<HmmParams<E>>> {
    const s = this.settings;
    const X = data.X;
    const lengths = data.lengths ?? Int32Array.of(X.rows);
    const nFeatures = warm ? warm.nFeatures : this.featuresOf(X);
    this.requireMemory(X);
    const ws = acquireHmmWorkspace(s.backend);
    try {
      const chain = new Chain(ws, lengths, X.rows, s.nComponents);
      const emission = this.createEmission(ws, X, nFeatures, !warm);
      const em = new HmmEM(chain, emission, this.chainSettings);
      if (warm) em.restore(warm.params);
      const onIteration = s.onIteration;
      const result = await runEM(em, {
        maxIter: s.nIter,
        tol: s.tol,
        nInit: s.nInit,
        warmStartBound: warm ? warm.lowerBound : null,
        rng: randomFrom(s.randomState),
        signal,
        onIteration: onIteration && ((info) => onIteration({ ...info })),
      });
      return {
        params: result.params,
        nFeatures,
        converged: result.converged,
        nIter: result.nIter,
        lowerBound: result.lowerBound,
        lowerBounds: result.lowerBounds,
      };
    } finally {
      ws.release();
    }
  }

  /**
   * Fits the model to `X (nSamples × nFeatures)` by Baum-Welch (EM). `X` holds the sequences one
   * after another and `lengths` their lengths (default: one sequence). With `warmStart` on a fitted
   * model, continues from its parameters. `options.signal` aborts the fit (the model's `signal`
   * otherwise). Resolves to this model; with `worker: true` the fit runs in a worker of its own.
   */
  async fit(X: unknown, lengths?: LengthsInput, options: HMMFitOptions = {}): Promise<this> {
    const given = parseOptions(`${this.family}.fit`, FIT_OPTIONS, options) as HMMFitOptions;
    const data = this.toData(X, null);
    const lens = toLengths(lengths, data.rows);
    await this.fitChecked({ X: data, sampleWeight: null, lengths: lens }, given);
    return this;
  }

  /** Checks that X fits in Wasm memory with the chain's per-row arrays (emissions, lattice, posteriors). */
  private requireMemory(data: Matrix): void {
    if (this.settings.backend === 'wasm') {
      requireWasmMemory(data.rows, data.cols, data.cols + 4 * this.settings.nComponents);
    }
  }

  protected override requireFitted(method: string): Fitted<HmmParams<E>> {
    if (!this.fitted) {
      throw new Error(
        `This ${this.family} is not fitted yet: call \`await model.fit(X, lengths)\` before ${method}`,
      );
    }
    return this.fitted;
  }

  /** Runs `use` on a chain whose emission log-likelihoods of X under the fitted parameters are in place. */
  private withChain<T>(
    X: unknown,
    lengths: LengthsInput | undefined,
    method: string,
    use: (chain: Chain, fitted: Fitted<HmmParams<E>>) => T,
  ): T {
    const f = this.requireFitted(method);
    const data = this.toData(X, f.nFeatures);
    const lens = toLengths(lengths, data.rows);
    this.requireMemory(data);
    const ws = acquireHmmWorkspace(this.settings.backend);
    try {
      const chain = new Chain(ws, lens, data.rows, this.settings.nComponents);
      const emission = this.createEmission(ws, data, f.nFeatures, false);
      emission.restore(f.params.emission);
      chain.setParameters(f.params.startProb, f.params.transMat);
      emission.logLikelihood(chain.logB);
      return use(chain, f);
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
    algorithm: DecodeAlgorithm = this.settings.algorithm,
  ): {
    /** Log-probability of the decoded states (see above), summed over sequences. */
    logProb: number;
    /** The decoded state of each sample, `(nSamples)`. */
    states: Int32Array;
  } {
    return this.decodeFor(X, lengths, algorithm, 'decode');
  }

  private decodeFor(
    X: unknown,
    lengths: LengthsInput | undefined,
    algorithm: DecodeAlgorithm,
    method: string,
  ): { logProb: number; states: Int32Array } {
    requireOneOf('algorithm', algorithm, DECODE_ALGORITHMS);
    if (algorithm === 'viterbi') {
      return this.withChain(X, lengths, method, (chain, f) =>
        chain.viterbi(f.params.startProb, f.params.transMat),
      );
    }
    const k = this.settings.nComponents;
    const post = this.forwardBackward(X, lengths, method).posteriors;
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
    return this.decodeFor(X, lengths, this.settings.algorithm, 'predict').states;
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
    options: number | SampleOptions | undefined = this.settings.randomState,
  ): {
    /** The samples `(n × width)`, row-major. */
    X: Float64Array;
    /** The hidden state of each sample, `(n)`. */
    states: Int32Array;
  } {
    const f = this.requireFitted('sample');
    requireInteger('n', n, 1);
    const k = this.settings.nComponents;
    const { randomState, currentState } = this.toSampleOptions(options);
    const rng = randomFrom(randomState);
    const sampler = this.sampler(f.params.emission, f.nFeatures);
    const X = new Float64Array(n * sampler.width);
    const states = new Int32Array(n);
    let state = currentState ?? drawIndex(rng, f.params.startProb, 0, k);
    for (let t = 0; t < n; t++) {
      if (t > 0) state = drawIndex(rng, f.params.transMat, state * k, k);
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
      o = { randomState: randomState ?? this.settings.randomState, currentState };
    }
    if (o.randomState !== undefined) requireInteger('randomState', o.randomState, 0, 0xffffffff);
    const k = this.settings.nComponents;
    const s = o.currentState;
    if (s !== undefined && (!isInteger(s) || s < 0 || s >= k)) {
      throw new RangeError(`currentState must be an integer in [0, nComponents=${k}), got ${show(s)}`);
    }
    return o;
  }

  /** Free parameters: `K − 1` start, `K(K − 1)` transition, plus the emissions' (hmmlearn's count). */
  nParameters(): number {
    const f = this.requireFitted('nParameters');
    const k = this.settings.nComponents;
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

  /**
   * The stationary distribution of the fitted chain, `Float64Array (nComponents)`: π with
   * `π·transMat = π` and `Σπ = 1` (hmmlearn's `get_stationary_distribution`). Throws when the chain
   * has several closed classes of states (no unique π).
   */
  stationaryDistribution(): Float64Array {
    const f = this.requireFitted('stationaryDistribution');
    return stationaryDistribution(f.params.transMat, this.settings.nComponents);
  }

  /** The number of hidden states K. */
  get nComponents(): number {
    return this.settings.nComponents;
  }

  /** EM stops when the bound changes by less than this. */
  get tol(): number {
    return this.settings.tol;
  }

  /** Restarts; the one with the highest final bound wins. */
  get nInit(): number {
    return this.settings.nInit;
  }

  /** The seed, or undefined when none was given. */
  get randomState(): number | undefined {
    return this.settings.randomState;
  }

  /** The decoder of `decode` and `predict`. */
  get algorithm(): DecodeAlgorithm {
    return this.settings.algorithm;
  }

  /** Whether `fit` continues from the fitted parameters (see `HMMOptions.warmStart`). */
  get warmStart(): boolean {
    return this.settings.warmStart;
  }

  /** `'wasm'` (the WebAssembly kernels) or `'js'` (their TypeScript twins). */
  get backend(): 'wasm' | 'js' {
    return this.settings.backend;
  }

  /** Which parameters EM updates. */
  get params(): Readonly<Record<P, boolean>> {
    return { ...this.settings.params } as Record<P, boolean>;
  }

  /** `(nComponents)` start probabilities. */
  get startProb(): Float64Array {
    return Float64Array.from(this.requireFitted('startProb').params.startProb);
  }

  /** `(nComponents × nComponents)` transition probabilities; row i holds the transitions from state i. */
  get transMat(): Float64Array {
    return Float64Array.from(this.requireFitted('transMat').params.transMat);
  }

  /**
   * The bound of the last E-step (before the last M-step) of the winning restart: the total
   * log-likelihood plus the log-prior density (up to a constant) of every prior in use (start and
   * transition Dirichlets, the emissions' priors), the objective each EM step increases, so it never
   * decreases. Without priors (the defaults, except GaussianHMM's `covarsPrior` 1e-2) it is the
   * log-likelihood, `score` of the training data under the parameters of that E-step. −∞ when no
   * iteration ran.
   */
  override get lowerBound(): number {
    return super.lowerBound;
  }

  protected emissionParams(method: string): E {
    return this.requireFitted(method).params.emission;
  }

  /** The saved options: the priors in the checked flat form they were used in. */
  protected override savedOptions(): Record<string, unknown> {
    const out = super.savedOptions();
    const c = this.chainSettings;
    for (const [name, value] of [
      ['startProbPrior', c.startProbPrior],
      ['transMatPrior', c.transMatPrior],
    ] as const) {
      if (typeof out[name] !== 'number') out[name] = [...value];
    }
    return out;
  }

  protected paramsToJSON(p: HmmParams<E>): Record<string, unknown> {
    return { startProb: [...p.startProb], transMat: [...p.transMat], ...this.emissionToJSON(p.emission) };
  }

  protected paramsFromJSON(json: Record<string, unknown>, nFeatures: number): HmmParams<E> {
    const k = this.settings.nComponents;
    return {
      startProb: toStochastic(json.startProb, 'startProb', [k]),
      transMat: toStochastic(json.transMat, 'transMat', [k, k]),
      emission: this.emissionFromJSON(json, nFeatures),
    };
  }

  /**
   * A saved model of `family` (the engine's envelope, or the previous `emwasm.<family>` layout),
   * checked before anything is built from it: its options' sizes must be matched by the arrays it
   * holds (`sizes`, besides K and K²).
   */
  protected static readSaved(
    json: unknown,
    family: string,
    sizes: Readonly<Record<string, (options: Record<string, unknown>) => number>> = {},
  ): EstimatorJSON {
    const o = readEnvelope(upgradeLegacy(json, family), family);
    const k = o.options.nComponents;
    if (k !== undefined && !isInteger(k)) {
      throw new RangeError(`fromJSON: options.nComponents must be an integer >= 1, got ${show(k)}`);
    }
    checkSavedSizes(o, { ...CHAIN_SIZES, ...sizes });
    return o;
  }
}
