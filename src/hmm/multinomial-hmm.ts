import type { Handle } from '../backend/types.js';
import type { EstimatorJSON } from '../em/estimator.js';
import type { OptionSpec } from '../em/options.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { show } from '../util/errors.js';
import { toMatrix, type Matrix } from '../util/matrix.js';
import { randomStochasticRows, type Random } from '../util/random.js';
import { logFactorial } from '../util/special.js';
import { BaseHMM, drawIndex, widthOf, type EmissionStart } from './base.js';
import { dirichletUpdate, type Emission } from './hmm-em.js';
import type { HmmWorkspace } from './kernels.js';
import { dirichletLogPrior } from './log-prior.js';
import { hmmSpec, priorRule, type HMMOptions, type HMMSettings } from './options.js';
import { toPrior, toStochastic } from './validate.js';

/** A parameter EM can update (see `params`). */
export type MultinomialHMMParam = 'startProb' | 'transMat' | 'emissionProb';
const PARAMS: readonly MultinomialHMMParam[] = ['startProb', 'transMat', 'emissionProb'];

export interface MultinomialHMMOptions extends HMMOptions<MultinomialHMMParam> {
  /**
   * Trials per sample n: every row of X must then sum to it, and `sample` draws rows of n trials.
   * Unset: each row's total is its own n (hmmlearn's `n_trials=None`), and `sample` uses the total
   * shared by every row of the fitted data.
   */
  nTrials?: number;
  /** Starting emission probabilities `(K × D)`, rows summing to 1. Default: random rows (hmmlearn's start). */
  emissionProbInit?: ArrayInput;
  /**
   * Dirichlet concentration for each row of `emissionProb`: one number or `(K × D)`. Default 1 (no
   * prior, hmmlearn's update `emissionProb ∝ Σγ·x`).
   */
  emissionProbPrior?: number | ArrayInput;
}

/** The JSON form of a fitted MultinomialHMM (`toJSON` / `fromJSON`): the engine's envelope. */
export type MultinomialHMMJSON = EstimatorJSON;

/** MultinomialHMM's parameters, for `fromParams`: those of a fitted model. */
export interface MultinomialHMMParams {
  /** `(K)` start probabilities. */
  startProb: ArrayInput;
  /** `(K × K)` transition probabilities, rows summing to 1. */
  transMat: ArrayInput;
  /** `(K × D)` probability of each outcome in each state, rows summing to 1. */
  emissionProb: ArrayInput;
}

interface MultinomialHMMSettings extends HMMSettings {
  nTrials?: number;
  emissionProbInit?: ArrayInput;
  emissionProbPrior: number | ArrayInput;
}

const SPEC: OptionSpec = /* @__PURE__ */ hmmSpec(PARAMS, {
  nTrials: { type: 'integer', min: 1 },
  emissionProbInit: { type: 'array' },
  emissionProbPrior: /* @__PURE__ */ priorRule(1),
});

interface MultinomialParams {
  /** `(K × D)` */
  emissionProb: Float64Array;
  /** The trials of every row of the fitted data when they all had the same total, else null (for `sample`). */
  nTrials: number | null;
}

interface MultinomialSettings {
  emissionProbInit?: Float64Array;
  emissionProbPrior: Float64Array;
  update: boolean;
}

/**
 * Multinomial emissions: `log p(x | c) = log n! − Σ_j log x_j! + Σ_j x_j·log p_cj` with n the row's
 * total. The constant of each row is computed once; the kernel adds `X · log pᵀ`; the statistics
 * `Σ_t γ_tc·x_t` come from the shared moment kernel.
 */
class MultinomialEmission implements Emission<MultinomialParams> {
  readonly degenerateAdvice =
    'An outcome may have probability 0 in every state that can emit it: set emissionProbPrior above 1.';
  private readonly n: number;
  private readonly d: number;
  private readonly x: Handle;
  private readonly logProb: Handle;
  private readonly rowConst: Handle;
  private readonly nk: Handle;
  private readonly counts: Handle;
  private readonly emissionProb: Float64Array;
  private readonly nTrials: number | null;

  constructor(
    private readonly ws: HmmWorkspace,
    X: Matrix,
    private readonly k: number,
    private readonly settings: MultinomialSettings,
  ) {
    const { rows: n, cols: d } = X;
    this.n = n;
    this.d = d;
    this.x = ws.allocF64(n * d);
    this.logProb = ws.allocF64(k * d);
    this.rowConst = ws.allocF64(n);
    this.nk = ws.allocF64(k);
    this.counts = ws.allocF64(k * d);
    ws.f64(this.x, n * d).set(X.data);
    const rowConst = ws.f64(this.rowConst, n);
    let shared: number | null = null;
    for (let t = 0; t < n; t++) {
      let total = 0;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = X.data[t * d + j];
        total += v;
        s -= logFactorial(v);
      }
      rowConst[t] = s + logFactorial(total);
      shared = t === 0 || shared === total ? total : -1;
    }
    this.nTrials = shared !== null && shared > 0 ? shared : null;
    this.emissionProb = new Float64Array(k * d);
  }

  /** hmmlearn's start: uniform random rows, normalised. */
  initialize(rng: Random): void {
    const { k, d } = this;
    if (this.settings.emissionProbInit) {
      this.emissionProb.set(this.settings.emissionProbInit);
      return;
    }
    randomStochasticRows(rng, this.emissionProb, k, d);
  }

  restore(p: MultinomialParams): void {
    this.emissionProb.set(p.emissionProb);
  }

  logLikelihood(logB: Handle): void {
    const { ws, n, d, k } = this;
    ws.f64(this.logProb, k * d).set(this.emissionProb.map(Math.log));
    ws.calls.multinomialLogProb(this.x, n, d, this.logProb, k, this.rowConst, logB);
  }

  accumulate(post: Handle): void {
    if (!this.settings.update) return;
    const { ws, n, d, k } = this;
    ws.f64(this.nk, k).fill(0);
    ws.f64(this.counts, k * d).fill(0);
    ws.kernels.accumulateMoments(this.x, n, d, post, k, this.nk, this.counts);
  }

  /** `max(prior − 1 + Σγx, 0)` normalised per state (hmmlearn's `obs / obs.sum(1)` without a prior). */
  mStep(): void {
    if (!this.settings.update) return;
    const { k, d } = this;
    const counts = this.ws.f64(this.counts, k * d);
    dirichletUpdate(this.emissionProb, counts, this.settings.emissionProbPrior, k, d, false);
  }

  logPrior(): number {
    return dirichletLogPrior(this.emissionProb, this.settings.emissionProbPrior);
  }

  snapshot(): MultinomialParams {
    return { emissionProb: Float64Array.from(this.emissionProb), nTrials: this.nTrials };
  }
}

/**
 * A hidden Markov model with multinomial emissions (hmmlearn 0.3's `MultinomialHMM`): each row of
 * X `(nSamples × nFeatures)` holds the counts of D outcomes in n trials (non-negative integers;
 * n is the row's total, or the `nTrials` option), `p(x | c) = n! / Π x_j! · Π p_cj^x_j`.
 * With one trial per row it is a CategoricalHMM over one-hot rows.
 *
 * ```ts
 * const hmm = await new MultinomialHMM({ nComponents: 2, nTrials: 5, randomState: 0 }).fit(counts, lengths);
 * hmm.emissionProb; hmm.predict(counts, lengths);
 * ```
 */
export class MultinomialHMM extends BaseHMM<MultinomialParams, MultinomialHMMParam, MultinomialHMMSettings> {
  /**
   * Checks `options` (an unknown key or a value out of range is an error that names it). With
   * `nIter: 0` and every emission `*Init`, the model is usable at once, without a fit.
   */
  constructor(options: MultinomialHMMOptions = {}) {
    super('MultinomialHMM', SPEC, options);
    this.adoptCompleteStart();
  }

  /** Counts: non-negative integers, each row summing to `nTrials` when that is set. */
  protected toData(X: unknown, nFeatures: number | null): Matrix {
    const m = toMatrix(X);
    if (nFeatures !== null && m.cols !== nFeatures) {
      throw new RangeError(`X has ${m.cols} features, but this MultinomialHMM was fitted with ${nFeatures}`);
    }
    const trials = this.settings.nTrials;
    for (let r = 0; r < m.rows; r++) {
      let total = 0;
      for (let j = 0; j < m.cols; j++) {
        const v = m.data[r * m.cols + j];
        if (!Number.isInteger(v) || v < 0) {
          throw new RangeError(`X[${r}][${j}] must be a non-negative integer count, got ${show(v)}`);
        }
        total += v;
      }
      if (trials !== undefined && total !== trials) {
        throw new RangeError(
          `X[${r}] must sum to nTrials=${trials} (the counts of nTrials trials), got ${total}`,
        );
      }
    }
    return m;
  }

  protected featuresOf(data: Matrix): number {
    return data.cols;
  }

  protected createEmission(
    ws: HmmWorkspace,
    data: Matrix,
    d: number,
    initializing: boolean,
  ): MultinomialEmission {
    const s = this.settings;
    const k = s.nComponents;
    const settings: MultinomialSettings = {
      emissionProbPrior: toPrior(s.emissionProbPrior, 'emissionProbPrior', [k, d]),
      update: s.params.emissionProb,
    };
    if (initializing && s.emissionProbInit !== undefined) {
      settings.emissionProbInit = toStochastic(s.emissionProbInit, 'emissionProbInit', [k, d]);
    }
    return new MultinomialEmission(ws, data, k, settings);
  }

  protected emissionStart(): EmissionStart<MultinomialParams> | null {
    const s = this.settings;
    if (s.emissionProbInit === undefined) return null;
    const d = widthOf(s.emissionProbInit, s.nComponents);
    const emissionProb = toStochastic(s.emissionProbInit, 'emissionProbInit', [s.nComponents, d]);
    return { params: { emissionProb, nTrials: s.nTrials ?? null }, nFeatures: d };
  }

  /** hmmlearn's count: K·(D − 1). */
  protected emissionParameters(d: number): number {
    return this.settings.nComponents * (d - 1);
  }

  protected sampler(p: MultinomialParams, d: number) {
    const trials = this.settings.nTrials ?? p.nTrials;
    if (trials === null) {
      throw new RangeError(
        'sample needs one number of trials: set the nTrials option (the rows this model was fitted on had different totals, or it was not fitted on data)',
      );
    }
    return {
      width: d,
      draw: (state: number, rng: Random, out: Float64Array, row: number) => {
        for (let j = 0; j < d; j++) out[row * d + j] = 0;
        for (let trial = 0; trial < trials; trial++)
          out[row * d + drawIndex(rng, p.emissionProb, state * d, d)]++;
      },
    };
  }

  /** `(nComponents × nFeatures)` probability of each outcome in each state. */
  get emissionProb(): Float64Array {
    return Float64Array.from(this.emissionParams('emissionProb').emissionProb);
  }

  /** The saved options: an array `emissionProbPrior` in its checked flat `(K × D)` form. */
  protected override savedOptions(): Record<string, unknown> {
    const out = super.savedOptions();
    const prior = this.settings.emissionProbPrior;
    if (typeof prior !== 'number' && this.fitted) {
      out.emissionProbPrior = [
        ...toPrior(prior, 'emissionProbPrior', [this.nComponents, this.fitted.nFeatures]),
      ];
    }
    return out;
  }

  protected emissionToJSON(p: MultinomialParams) {
    return { emissionProb: [...p.emissionProb], nTrials: p.nTrials };
  }

  protected emissionFromJSON(o: Record<string, unknown>, d: number): MultinomialParams {
    const n = o.nTrials;
    if (n !== null && n !== undefined && !(Number.isSafeInteger(n) && (n as number) >= 1)) {
      throw new RangeError(`fromJSON: params.nTrials must be an integer >= 1 or null, got ${show(n)}`);
    }
    return {
      emissionProb: toStochastic(o.emissionProb, 'emissionProb', [this.settings.nComponents, d]),
      nTrials: (n as number | null | undefined) ?? null,
    };
  }

  /**
   * A model with these parameters, usable at once (score, decode, predict, sample) and, with
   * `warmStart`, a starting point for `fit`. `options` are the other options (not the `*Init` ones);
   * `sample` needs `nTrials` among them.
   */
  static fromParams(
    params: MultinomialHMMParams,
    options: Omit<MultinomialHMMOptions, 'startProbInit' | 'transMatInit' | 'emissionProbInit'> = {},
  ): MultinomialHMM {
    const names = ['startProb', 'transMat', 'emissionProb'];
    return new MultinomialHMM(BaseHMM.initOptions('MultinomialHMM', params, names, options)).adoptParams();
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime
   * options such as `warmStart: true`.
   */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<MultinomialHMMOptions, 'backend' | 'warmStart' | 'worker' | 'onIteration' | 'signal'> = {},
  ): MultinomialHMM {
    const o = BaseHMM.readSaved(json, 'MultinomialHMM');
    return new MultinomialHMM({ ...(o.options as MultinomialHMMOptions), ...options }).restoreJSON(o);
  }
}
