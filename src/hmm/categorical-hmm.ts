import type { Handle } from '../backend/types.js';
import type { EstimatorJSON } from '../em/estimator.js';
import type { OptionSpec } from '../em/options.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { show } from '../util/errors.js';
import { toMatrix, type Matrix } from '../util/matrix.js';
import { randomStochasticRows, type Random } from '../util/random.js';
import { BaseHMM, drawIndex, widthOf, type EmissionStart } from './base.js';
import { dirichletUpdate, type Emission } from './hmm-em.js';
import { dirichletLogPrior } from './log-prior.js';
import { toPrior, toStochastic } from './validate.js';
import type { HmmWorkspace } from './kernels.js';
import { hmmSpec, priorRule, type HMMOptions, type HMMSettings } from './options.js';

/** A parameter EM can update (see `params`). */
export type CategoricalHMMParam = 'startProb' | 'transMat' | 'emissionProb';

/**
 * Without `nFeatures` the alphabet is [0, largest symbol]: one stray large symbol would make the
 * emission tables that wide, so an inferred alphabet stops here (an explicit `nFeatures` may be larger).
 */
export const MAX_INFERRED_SYMBOLS = 1 << 20;

/** Entries of the `(K × M)` emission tables at most (1 GiB each as f64). */
const MAX_EMISSION_ENTRIES = 1 << 27;
const PARAMS: readonly CategoricalHMMParam[] = ['startProb', 'transMat', 'emissionProb'];

export interface CategoricalHMMOptions extends HMMOptions<CategoricalHMMParam> {
  /**
   * Number of symbols M: X holds integers in [0, M). Default: the largest symbol in the fitted X
   * plus 1, which may be at most `MAX_INFERRED_SYMBOLS` (1,048,576); nComponents × nFeatures at most 2²⁷.
   */
  nFeatures?: number;
  /** Starting emission probabilities `(K × M)`, rows summing to 1. Default: random rows. */
  emissionProbInit?: ArrayInput;
  /** Dirichlet concentration for each row of `emissionProb`: one number or `(K × M)`. Default 1 (no prior). */
  emissionProbPrior?: number | ArrayInput;
}

/** The JSON form of a fitted CategoricalHMM (`toJSON` / `fromJSON`): the engine's envelope. */
export type CategoricalHMMJSON = EstimatorJSON;

/** CategoricalHMM's parameters, for `fromParams`: those of a fitted model. */
export interface CategoricalHMMParams {
  /** `(K)` start probabilities. */
  startProb: ArrayInput;
  /** `(K × K)` transition probabilities, rows summing to 1. */
  transMat: ArrayInput;
  /** `(K × M)` probability of each symbol in each state, rows summing to 1. */
  emissionProb: ArrayInput;
}

interface CategoricalHMMSettings extends HMMSettings {
  nFeatures?: number;
  emissionProbInit?: ArrayInput;
  emissionProbPrior: number | ArrayInput;
}

const SPEC: OptionSpec = /* @__PURE__ */ hmmSpec(PARAMS, {
  nFeatures: { type: 'integer', min: 1 },
  emissionProbInit: { type: 'array' },
  emissionProbPrior: /* @__PURE__ */ priorRule(1),
});

interface CategoricalParams {
  /** `(K × M)` */
  emissionProb: Float64Array;
}

interface CategoricalSettings {
  emissionProbInit?: Float64Array;
  emissionProbPrior: Float64Array;
  update: boolean;
}

class CategoricalEmission implements Emission<CategoricalParams> {
  readonly degenerateAdvice =
    'A symbol may have emission probability 0 in every state that can emit it: set emissionProbPrior above 1.';
  private readonly symbols: Handle;
  private readonly logEmission: Handle;
  private readonly counts: Handle;
  private readonly emissionProb: Float64Array;
  private readonly n: number;

  constructor(
    private readonly ws: HmmWorkspace,
    X: Matrix,
    private readonly k: number,
    private readonly m: number,
    private readonly settings: CategoricalSettings,
  ) {
    this.n = X.rows;
    this.symbols = ws.allocI32(X.rows);
    this.logEmission = ws.allocF64(k * m);
    this.counts = ws.allocF64(k * m);
    ws.i32(this.symbols, X.rows).set(X.data);
    this.emissionProb = new Float64Array(k * m);
  }

  /** hmmlearn's start: uniform random rows, normalised. */
  initialize(rng: Random): void {
    const { k, m } = this;
    if (this.settings.emissionProbInit) {
      this.emissionProb.set(this.settings.emissionProbInit);
      return;
    }
    randomStochasticRows(rng, this.emissionProb, k, m);
  }

  restore(p: CategoricalParams): void {
    this.emissionProb.set(p.emissionProb);
  }

  logLikelihood(logB: Handle): void {
    const { ws, k, m } = this;
    ws.f64(this.logEmission, k * m).set(this.emissionProb.map(Math.log));
    ws.calls.categoricalLogProb(this.symbols, this.n, this.logEmission, k, m, logB);
  }

  accumulate(post: Handle): void {
    if (!this.settings.update) return;
    const { ws, k, m } = this;
    ws.f64(this.counts, k * m).fill(0);
    ws.calls.accumulateCategorical(this.symbols, this.n, post, k, m, this.counts);
  }

  /** `max(prior − 1 + counts, 0)` normalised per state; a state without counts keeps its row. */
  mStep(): void {
    if (!this.settings.update) return;
    const { k, m } = this;
    const counts = this.ws.f64(this.counts, k * m);
    dirichletUpdate(this.emissionProb, counts, this.settings.emissionProbPrior, k, m, false);
  }

  logPrior(): number {
    return dirichletLogPrior(this.emissionProb, this.settings.emissionProbPrior);
  }

  snapshot(): CategoricalParams {
    return { emissionProb: Float64Array.from(this.emissionProb) };
  }
}

/** The largest symbol in checked data (one column of non-negative integers). */
function largestSymbol(data: Matrix): number {
  let top = 0;
  for (let t = 0; t < data.rows; t++) top = Math.max(top, data.data[t]);
  return top;
}

/**
 * A hidden Markov model with categorical emissions (hmmlearn 0.3's `CategoricalHMM`): X holds one
 * integer symbol in [0, nFeatures) per row, as `(nSamples × 1)` rows or a flat array.
 *
 * ```ts
 * const hmm = await new CategoricalHMM({ nComponents: 2, randomState: 0 }).fit(symbols, lengths);
 * hmm.emissionProb; hmm.predict(symbols, lengths);
 * ```
 */
export class CategoricalHMM extends BaseHMM<CategoricalParams, CategoricalHMMParam, CategoricalHMMSettings> {
  /**
   * Checks `options` (an unknown key or a value out of range is an error that names it). With
   * `nIter: 0` and every emission `*Init`, the model is usable at once, without a fit.
   */
  constructor(options: CategoricalHMMOptions = {}) {
    super('CategoricalHMM', SPEC, options);
    const m = this.settings.nFeatures;
    if (m !== undefined && this.nComponents * m > MAX_EMISSION_ENTRIES) {
      throw new RangeError(
        `nComponents × nFeatures must be at most ${MAX_EMISSION_ENTRIES.toLocaleString('en-US')} (the emission ` +
          `table), got ${this.nComponents} × ${m}`,
      );
    }
    this.adoptCompleteStart();
  }

  /** Symbols as a matrix of one column; each must be an integer in [0, nFeatures) when that is known. */
  protected toData(X: unknown, nFeatures: number | null): Matrix {
    const isRow = (v: unknown): boolean => Array.isArray(v) || ArrayBuffer.isView(v);
    const flat = ArrayBuffer.isView(X) || (Array.isArray(X) && !X.some(isRow));
    if (Array.isArray(X) && !flat && !X.every(isRow)) {
      const symbol = X.findIndex((v) => !isRow(v));
      const row = X.findIndex(isRow);
      throw new RangeError(
        `X must be a flat array of symbols or an array of rows (nSamples × 1), but X[${row}] is a row ` +
          `and X[${symbol}] is ${show(X[symbol])}`,
      );
    }
    // A flat array is checked entry by entry below, so that a bad entry is named as X[t].
    const m = flat
      ? {
          data: Float64Array.from(X as ArrayLike<unknown>, (v) => (typeof v === 'number' ? v : NaN)),
          rows: (X as ArrayLike<number>).length,
          cols: 1,
        }
      : toMatrix(X);
    if (m.cols !== 1)
      throw new RangeError(`X must hold one symbol per row (nSamples × 1), got ${m.cols} columns`);
    if (m.rows === 0) throw new RangeError('X must have at least one row, got an empty array');
    const limit = nFeatures ?? this.settings.nFeatures;
    const name = (t: number): string => (flat ? `X[${t}]` : `X[${t}][0]`);
    for (let t = 0; t < m.rows; t++) {
      const v = m.data[t];
      if (!Number.isInteger(v) || v < 0 || (limit !== undefined && v >= limit)) {
        const range =
          limit === undefined
            ? 'a non-negative integer symbol'
            : `an integer symbol in [0, nFeatures=${limit})`;
        throw new RangeError(
          `${name(t)} must be ${range}, got ${show(flat ? (X as ArrayLike<unknown>)[t] : v)}`,
        );
      }
      if (limit === undefined && v >= MAX_INFERRED_SYMBOLS) {
        throw new RangeError(
          `${name(t)} is the symbol ${v}: without nFeatures the alphabet is [0, largest symbol], at most ` +
            `${MAX_INFERRED_SYMBOLS.toLocaleString('en-US')} symbols; relabel the symbols as 0…M−1, or pass ` +
            `nFeatures (the number of symbols) if the alphabet really is that large`,
        );
      }
    }
    return m;
  }

  protected featuresOf(data: Matrix): number {
    return this.settings.nFeatures ?? largestSymbol(data) + 1;
  }

  /** A warm start may see fewer symbols than the fit did, but none outside [0, nFeatures). */
  protected override checkWarmData(data: Matrix, m: number): void {
    const top = largestSymbol(data);
    if (top >= m) {
      throw new RangeError(
        `X holds symbol ${top}, but warmStart continues a CategoricalHMM fitted with nFeatures=${m} (symbols in [0, ${m}))`,
      );
    }
  }

  protected createEmission(
    ws: HmmWorkspace,
    data: Matrix,
    m: number,
    initializing: boolean,
  ): CategoricalEmission {
    const s = this.settings;
    const k = s.nComponents;
    const settings: CategoricalSettings = {
      emissionProbPrior: toPrior(s.emissionProbPrior, 'emissionProbPrior', [k, m]),
      update: s.params.emissionProb,
    };
    if (initializing && s.emissionProbInit !== undefined) {
      settings.emissionProbInit = toStochastic(s.emissionProbInit, 'emissionProbInit', [k, m]);
    }
    return new CategoricalEmission(ws, data, k, m, settings);
  }

  protected emissionStart(): EmissionStart<CategoricalParams> | null {
    const s = this.settings;
    if (s.emissionProbInit === undefined) return null;
    const m = s.nFeatures ?? widthOf(s.emissionProbInit, s.nComponents);
    const emissionProb = toStochastic(s.emissionProbInit, 'emissionProbInit', [s.nComponents, m]);
    return { params: { emissionProb }, nFeatures: m };
  }

  /** hmmlearn's count: K·(M − 1). */
  protected emissionParameters(m: number): number {
    return this.settings.nComponents * (m - 1);
  }

  protected sampler(p: CategoricalParams, m: number) {
    return {
      width: 1,
      draw: (state: number, rng: Random, out: Float64Array, row: number) => {
        out[row] = drawIndex(rng, p.emissionProb, state * m, m);
      },
    };
  }

  /** `(nComponents × nFeatures)` probability of each symbol in each state. */
  get emissionProb(): Float64Array {
    return Float64Array.from(this.emissionParams('emissionProb').emissionProb);
  }

  /** The saved options: an array `emissionProbPrior` in its checked flat `(K × M)` form. */
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

  protected emissionToJSON(p: CategoricalParams) {
    return { emissionProb: [...p.emissionProb] };
  }

  protected emissionFromJSON(o: Record<string, unknown>, m: number): CategoricalParams {
    return { emissionProb: toStochastic(o.emissionProb, 'emissionProb', [this.settings.nComponents, m]) };
  }

  /**
   * A model with these parameters, usable at once (score, decode, predict, sample) and, with
   * `warmStart`, a starting point for `fit`. `options` are the other options (not the `*Init` ones).
   */
  static fromParams(
    params: CategoricalHMMParams,
    options: Omit<CategoricalHMMOptions, 'startProbInit' | 'transMatInit' | 'emissionProbInit'> = {},
  ): CategoricalHMM {
    const names = ['startProb', 'transMat', 'emissionProb'];
    return new CategoricalHMM(BaseHMM.initOptions('CategoricalHMM', params, names, options)).adoptParams();
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text, also files of the
   * previous `emwasm.CategoricalHMM` layout); `options` sets runtime options such as `warmStart: true`.
   */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<CategoricalHMMOptions, 'backend' | 'warmStart' | 'worker' | 'onIteration' | 'signal'> = {},
  ): CategoricalHMM {
    const o = BaseHMM.readSaved(json, 'CategoricalHMM');
    return new CategoricalHMM({ ...(o.options as CategoricalHMMOptions), ...options }).restoreJSON(o);
  }
}
