import type { Handle } from '../backend/types.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { requireNonNegative, show } from '../util/errors.js';
import { toArray, toMatrix, type Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { gamma, logFactorial, poisson } from '../util/special.js';
import { BaseHMM, type HMMJSON, type HMMOptions } from './base.js';
import type { Emission } from './hmm-em.js';
import type { HmmWorkspace } from './workspace.js';

/** A parameter EM can update (see `params`). */
export type PoissonHMMParam = 'startProb' | 'transMat' | 'lambdas';
const PARAMS: readonly PoissonHMMParam[] = ['startProb', 'transMat', 'lambdas'];

export interface PoissonHMMOptions extends HMMOptions<PoissonHMMParam> {
  /** Starting rates `(K × D)`, each ≥ 0. Default: gamma draws matching the data's mean and variance. */
  lambdasInit?: ArrayInput;
  /** Gamma prior on the rates: added to the weighted counts. Default 0. */
  lambdasPrior?: number;
  /** Gamma prior on the rates: added to the state occupancy. Default 0. */
  lambdasWeight?: number;
}

/** The JSON form of a fitted PoissonHMM (`toJSON` / `fromJSON`). */
export type PoissonHMMJSON = HMMJSON<
  'emwasm.PoissonHMM',
  {
    /** The `lambdasPrior` option. */
    lambdasPrior: number;
    /** The `lambdasWeight` option. */
    lambdasWeight: number;
  },
  {
    /** Fitted rates `(nComponents × nFeatures)`, row-major. */
    lambdas: number[];
  }
>;

interface PoissonParams {
  /** `(K × D)` */
  lambdas: Float64Array;
}

interface PoissonSettings {
  lambdasInit?: Float64Array;
  lambdasPrior: number;
  lambdasWeight: number;
  update: boolean;
}

class PoissonEmission implements Emission<PoissonParams> {
  readonly degenerateAdvice =
    'A state may have rate 0 for a feature that has positive counts: set lambdasPrior above 0.';
  private readonly n: number;
  private readonly d: number;
  private readonly x: Handle;
  private readonly lambdas: Handle;
  private readonly logFactorials: Handle;
  private readonly work: Handle;
  private readonly nk: Handle;
  private readonly sumX: Handle;

  constructor(
    private readonly ws: HmmWorkspace,
    private readonly X: Matrix,
    private readonly k: number,
    private readonly settings: PoissonSettings,
  ) {
    const { rows: n, cols: d } = X;
    this.n = n;
    this.d = d;
    this.x = ws.allocF64(n * d);
    this.lambdas = ws.allocF64(k * d);
    this.logFactorials = ws.allocF64(n);
    this.work = ws.allocF64(k * d);
    this.nk = ws.allocF64(k);
    this.sumX = ws.allocF64(k * d);
    ws.f64(this.x, n * d).set(X.data);
    const lf = ws.f64(this.logFactorials, n);
    for (let t = 0; t < n; t++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += logFactorial(X.data[t * d + j]);
      lf[t] = s;
    }
  }

  /** hmmlearn's start: gamma draws with the mean and variance of all the counts. */
  initialize(rng: Random): void {
    const { k, d } = this;
    const lambdas = this.ws.f64(this.lambdas, k * d);
    if (this.settings.lambdasInit) {
      lambdas.set(this.settings.lambdasInit);
      return;
    }
    const values = this.X.data;
    let mean = 0;
    for (let i = 0; i < values.length; i++) mean += values[i];
    mean /= values.length;
    let variance = 0;
    for (let i = 0; i < values.length; i++) variance += (values[i] - mean) ** 2;
    variance /= values.length;
    for (let c = 0; c < k * d; c++) {
      // Constant data has no spread to draw from: every state starts at the mean.
      lambdas[c] = variance > 0 && mean > 0 ? gamma(rng, (mean * mean) / variance, variance / mean) : mean;
    }
  }

  restore(p: PoissonParams): void {
    this.ws.f64(this.lambdas, this.k * this.d).set(p.lambdas);
  }

  logLikelihood(logB: Handle): void {
    const { n, d, k } = this;
    this.ws.kernels.poissonLogProb(this.x, n, d, this.lambdas, k, this.logFactorials, logB, this.work);
  }

  accumulate(post: Handle): void {
    if (!this.settings.update) return;
    const { ws, n, d, k } = this;
    ws.f64(this.nk, k).fill(0);
    ws.f64(this.sumX, k * d).fill(0);
    ws.kernels.accumulateMoments(this.x, n, d, post, k, this.nk, this.sumX);
  }

  /** `λ = (prior + Σγx) / (weight + Σγ)`; a state without mass keeps its rates. */
  mStep(): void {
    if (!this.settings.update) return;
    const { ws, d, k, settings: s } = this;
    const nk = ws.f64(this.nk, k);
    const sumX = ws.f64(this.sumX, k * d);
    const lambdas = ws.f64(this.lambdas, k * d);
    for (let c = 0; c < k; c++) {
      const den = s.lambdasWeight + nk[c];
      if (!(den > 0)) continue;
      for (let j = 0; j < d; j++) lambdas[c * d + j] = (s.lambdasPrior + sumX[c * d + j]) / den;
    }
  }

  /**
   * The gamma prior whose MAP is the update above: `Σ lambdasPrior·log λ − lambdasWeight·λ`
   * (shape `lambdasPrior + 1`, rate `lambdasWeight`).
   */
  logPrior(): number {
    const { lambdasPrior: alpha, lambdasWeight: beta } = this.settings;
    if (alpha === 0 && beta === 0) return 0;
    const lambdas = this.ws.f64(this.lambdas, this.k * this.d);
    let sum = 0;
    for (let i = 0; i < lambdas.length; i++) {
      sum -= beta * lambdas[i];
      if (alpha !== 0) sum += alpha * Math.log(lambdas[i]);
    }
    return sum;
  }

  snapshot(): PoissonParams {
    return { lambdas: Float64Array.from(this.ws.f64(this.lambdas, this.k * this.d)) };
  }
}

/**
 * A hidden Markov model with Poisson emissions, independent across features (hmmlearn 0.3's
 * `PoissonHMM`): X holds non-negative integer counts `(nSamples × nFeatures)`.
 *
 * ```ts
 * const hmm = await new PoissonHMM({ nComponents: 2, randomState: 0 }).fit(counts, lengths);
 * hmm.lambdas;
 * ```
 */
export class PoissonHMM extends BaseHMM<PoissonParams, PoissonHMMParam> {
  protected readonly modelName = 'PoissonHMM';
  private readonly lambdasInit: ArrayInput | undefined;
  private readonly lambdasPrior: number;
  private readonly lambdasWeight: number;

  constructor(options: PoissonHMMOptions = {}) {
    super(options, PARAMS);
    this.lambdasInit = options.lambdasInit;
    this.lambdasPrior = requireNonNegative('lambdasPrior', options.lambdasPrior ?? 0);
    this.lambdasWeight = requireNonNegative('lambdasWeight', options.lambdasWeight ?? 0);
  }

  /** Counts: every entry a non-negative integer. */
  protected toData(X: unknown, nFeatures: number | null): Matrix {
    const m = toMatrix(X);
    if (nFeatures !== null && m.cols !== nFeatures) {
      throw new RangeError(`X has ${m.cols} features, but this PoissonHMM was fitted with ${nFeatures}`);
    }
    for (let i = 0; i < m.data.length; i++) {
      const v = m.data[i];
      if (!Number.isInteger(v) || v < 0) {
        const r = Math.floor(i / m.cols);
        throw new RangeError(
          `X[${r}][${i - r * m.cols}] must be a non-negative integer count, got ${show(v)}`,
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
  ): PoissonEmission {
    const k = this.nComponents;
    const settings: PoissonSettings = {
      lambdasPrior: this.lambdasPrior,
      lambdasWeight: this.lambdasWeight,
      update: this.params.lambdas,
    };
    if (initializing && this.lambdasInit !== undefined) {
      const lambdas = toArray(this.lambdasInit, 'lambdasInit', [k, d]);
      const bad = lambdas.findIndex((v) => v < 0);
      if (bad >= 0)
        throw new RangeError(`lambdasInit must hold rates >= 0, got ${lambdas[bad]} at flat index ${bad}`);
      settings.lambdasInit = lambdas;
    }
    return new PoissonEmission(ws, data, k, settings);
  }

  /** hmmlearn's count: K·D rates. */
  protected emissionParameters(d: number): number {
    return this.nComponents * d;
  }

  protected sampler(p: PoissonParams, d: number) {
    return {
      width: d,
      draw: (state: number, rng: Random, out: Float64Array, row: number) => {
        for (let j = 0; j < d; j++) out[row * d + j] = poisson(rng, p.lambdas[state * d + j]);
      },
    };
  }

  /** `(nComponents × nFeatures)` Poisson rates. */
  get lambdas(): Float64Array {
    return Float64Array.from(this.emissionParams('lambdas').lambdas);
  }

  protected jsonOptions() {
    return { lambdasPrior: this.lambdasPrior, lambdasWeight: this.lambdasWeight };
  }

  protected emissionToJSON(p: PoissonParams) {
    return { lambdas: [...p.lambdas] };
  }

  protected emissionFromJSON(o: Record<string, unknown>, d: number): PoissonParams {
    return { lambdas: toArray(o.lambdas, 'lambdas', [this.nComponents, d]) };
  }

  override toJSON(): PoissonHMMJSON {
    return super.toJSON() as PoissonHMMJSON;
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text); `{ warmStart: true }`
   * makes its next `fit` continue from the saved parameters.
   */
  static fromJSON(
    json: PoissonHMMJSON | string,
    options: Pick<PoissonHMMOptions, 'backend' | 'warmStart'> = {},
  ): PoissonHMM {
    const o = BaseHMM.parseJSON(json, 'PoissonHMM');
    const model = new PoissonHMM({ ...(o.options as PoissonHMMOptions), ...options });
    return model.restoreJSON(o);
  }
}
