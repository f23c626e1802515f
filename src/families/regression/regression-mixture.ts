import {
  readEnvelope,
  type EstimatorFitOptions,
  type EstimatorJSON,
  type FitData,
  type Fitted,
} from '../../em/estimator.js';
import {
  drawComponent,
  MIXTURE_OPTIONS,
  MixtureEstimator,
  type ComponentContext,
  type MixtureOptions,
  type MixtureParams,
  type MixtureSettings,
  checkWeights,
} from '../../em/mixture.js';
import type { OptionSpec } from '../../em/options.js';
import { requireInteger, show } from '../../util/errors.js';
import { toArray, toMatrix, type Matrix, type MatrixInput } from '../../util/matrix.js';
import { randomFrom } from '../../util/random.js';
import { checkSampleWeight, positiveRows } from '../../util/weights.js';
import { RegressionParts, type RegressionComponents } from './components.js';
import { REGRESSION_KERNELS } from './kernels.js';

/** How the starting responsibilities are made for a regression mixture. */
export type RegressionInitParams = 'random' | 'kmeans' | 'k-means++';

/** Options of `new RegressionMixture(options)`; every one is optional. */
export interface RegressionMixtureOptions extends Omit<MixtureOptions, 'initParams'> {
  /**
   * Starting responsibilities when no `respInit` is given: `'random'` (default; uniform random
   * rows normalised to sum to 1, a soft version of flexmix's random partition), or `'kmeans'` /
   * `'k-means++'` on the rows of X alone (y is not used: useful only when the regimes separate in X).
   */
  initParams?: RegressionInitParams;
  /** Add an intercept column: `coef[c][0]` is then the intercept. Default true. */
  fitIntercept?: boolean;
  /**
   * Ridge penalty λ ≥ 0 on every coefficient but the intercept: each component solves
   * `(Zᵀ R Z + λ·I′) β = Zᵀ R y`, and its variance includes `λ·‖β′‖²` (see RegressionMixture).
   * Default 0 (plain weighted least squares).
   */
  regCoef?: number;
  /**
   * Every variance is kept ≥ `regVariance` × the (weighted) variance of y in the fit, so a
   * component cannot collapse onto an exact fit of a few rows. Default 1e-6.
   */
  regVariance?: number;
  /** One noise variance for every component (mixtools' `arbvar = FALSE`). Default false. */
  sharedVariance?: boolean;
  /**
   * Scale the variances by N / (N − P) as flexmix's `FLXMRglm()` does (N the total weight, P the
   * coefficients per component). This is not the maximum-likelihood estimate, so the bound is then
   * not guaranteed to increase. Default false (maximum likelihood, as mixtools).
   */
  dfCorrection?: boolean;
  /** Starting coefficients `(K × P)`, P = nFeatures (+ 1 with the intercept first), nested or flat. */
  coefInit?: ArrayLike<number> | readonly (readonly number[])[];
  /** Starting variances `(K)`, each > 0 (`(1)` or `(K)` equal values with `sharedVariance`). */
  variancesInit?: ArrayLike<number> | readonly number[];
}

interface RegressionSettings extends MixtureSettings {
  fitIntercept: boolean;
  regCoef: number;
  regVariance: number;
  sharedVariance: boolean;
  dfCorrection: boolean;
  coefInit?: ArrayLike<number>;
  variancesInit?: ArrayLike<number>;
}

const SPEC: OptionSpec = {
  ...MIXTURE_OPTIONS,
  initParams: { type: 'enum', values: ['random', 'kmeans', 'k-means++'], default: 'random' },
  fitIntercept: { type: 'boolean', default: true },
  regCoef: { type: 'number', min: 0, default: 0 },
  regVariance: { type: 'number', min: 0, default: 1e-6 },
  sharedVariance: { type: 'boolean', default: false },
  dfCorrection: { type: 'boolean', default: false },
  coefInit: { type: 'array' },
  variancesInit: { type: 'array' },
};

/** Σ w·y / Σ w and the weighted variance of y. */
function weightedVariance(y: Float64Array, w: Float64Array | null): number {
  let total = 0;
  let mean = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    total += wi;
    mean += wi * y[i];
  }
  mean /= total;
  let ss = 0;
  for (let i = 0; i < y.length; i++) ss += (w ? w[i] : 1) * (y[i] - mean) ** 2;
  return ss / total;
}

/** The one value y takes on every row with a positive weight, or null when it varies there. */
function constantValue(y: Float64Array, w: Float64Array | null): number | null {
  let first: number | null = null;
  for (let i = 0; i < y.length; i++) {
    if (w && !(w[i] > 0)) continue;
    if (first === null) first = y[i];
    else if (y[i] !== first) return null;
  }
  return first;
}

/**
 * A mixture of linear regressions fitted by EM: `y = z·β_c + ε`, ε ~ N(0, σ²_c) in component c
 * with probability w_c, z = (1, x) with the intercept (default) or x. X is `(nSamples × nFeatures)`,
 * y `(nSamples)`. The M-step is weighted least squares per component (Cholesky of the weighted
 * normal equations) and `σ²_c = Σ r·(y − z·β_c)² / Σ r`: the same answers as R's mixtools
 * `regmixEM()` from the same start, and flexmix's `FLXMRglm()` with `dfCorrection: true`.
 *
 * The bound is the mean log-likelihood per sample (per unit of weight): `lowerBound × nSamples`
 * is the log-likelihood flexmix and mixtools report; `logLikelihood(X, y)` gives the total under
 * the fitted parameters.
 *
 * With `regCoef` λ > 0 the fit maximises the log-likelihood minus `Σ_c λ·‖β′_c‖² / (2σ²_c)`
 * (β′ the coefficients without the intercept; a normal prior β′ ~ N(0, σ²_c/λ) up to constants):
 * β_c is the weighted ridge solution and `σ²_c = (Σ r·(y − z·β_c)² + λ·‖β′_c‖²) / Σ r`; for
 * K = 1 this is ridge regression's closed form. The bound includes the penalty.
 *
 * Degenerate fits: a component whose rows do not determine its coefficients (collinear features,
 * too few rows) stops the fit with an error that names it (R's lm.fit tolerance); a variance that
 * would fall below `regVariance`·var(y) is held there (a constrained maximum: the bound is still the
 * log-likelihood and never decreases). flexmix instead stops when the log-likelihood becomes
 * infinite and drops components whose weight falls below `minprior`; mixtools restarts from new
 * random values when a σ falls below 1e-8. Components are never dropped here.
 *
 * ```ts
 * const rm = await new RegressionMixture({ nComponents: 2, randomState: 0 }).fit(X, y);
 * rm.coef; rm.variances; rm.weights; rm.predictProba(X, y); rm.predict(X); rm.bic(X, y);
 * ```
 */
export class RegressionMixture extends MixtureEstimator<RegressionComponents, RegressionSettings> {
  protected readonly kernels = REGRESSION_KERNELS;
  /** The variance floor of the running fit: `regVariance` × the weighted variance of its y. */
  private varianceFloor = 0;

  constructor(options: RegressionMixtureOptions = {}) {
    super('RegressionMixture', SPEC, options);
    const s = this.settings;
    const coef = s.coefInit === undefined ? null : this.coefFrom(s.coefInit, 'coefInit', null);
    const variances =
      s.variancesInit === undefined ? null : this.variancesFrom(s.variancesInit, 'variancesInit', true);
    if (coef && variances) {
      const d = coef.length / s.nComponents - this.interceptColumns;
      this.adoptCompleteStart({ complete: true, params: { coef, variances }, nFeatures: d });
    }
  }

  private get interceptColumns(): number {
    return this.settings.fitIntercept ? 1 : 0;
  }

  /**
   * `(K × P)` coefficients checked: P = d + intercept (d from the data, or from the array when
   * `d` is null), each finite.
   */
  private coefFrom(value: unknown, name: string, d: number | null): Float64Array {
    const k = this.settings.nComponents;
    const extra = this.interceptColumns;
    let p: number;
    if (d !== null) p = d + extra;
    else {
      const length =
        Array.isArray(value) && Array.isArray(value[0])
          ? k * value[0].length
          : (value as ArrayLike<number>).length;
      p = Math.floor(length / k);
      if (p < 1 + extra) {
        throw new RangeError(
          `${name} must have shape (nComponents × P) with P = nFeatures${extra ? ' + 1 (the intercept first)' : ''} ` +
            `>= ${1 + extra}, got ${length} values for nComponents = ${k}`,
        );
      }
    }
    try {
      return toArray(value, name, [k, p]);
    } catch (e) {
      if (d === null) throw e;
      throw new RangeError(
        `${(e as Error).message} (P = ${d} features${extra ? ' + 1 for the intercept, which comes first' : ''})`,
      );
    }
  }

  /** `(K)` variances (or `(1)` broadcast with `sharedVariance` when `allowOne`), each finite and > 0. */
  private variancesFrom(value: unknown, name: string, allowOne: boolean): Float64Array {
    const k = this.settings.nComponents;
    const shared = this.settings.sharedVariance;
    const given = value as ArrayLike<number>;
    const v =
      allowOne && shared && given?.length === 1
        ? new Float64Array(k).fill(toArray(value, name, [1])[0])
        : toArray(value, name, [k]);
    for (let c = 0; c < k; c++) {
      if (!(v[c] > 0)) throw new RangeError(`${name}[${c}] must be a variance > 0, got ${v[c]}`);
      if (shared && v[c] !== v[0]) {
        throw new RangeError(
          `${name} must hold one value for every component with sharedVariance, got ${v[0]} and ${v[c]}`,
        );
      }
    }
    return v;
  }

  /** `(nComponents × P)` coefficients β_c, the intercept first when `fitIntercept` (P = nFeatures + 1). */
  get coef(): Float64Array {
    return Float64Array.from(this.requireFitted('coef').params.coef);
  }

  /** `(nComponents)` noise variances σ²_c (all equal with `sharedVariance`). */
  get variances(): Float64Array {
    return Float64Array.from(this.requireFitted('variances').params.variances);
  }

  protected components(ctx: ComponentContext): RegressionParts {
    const s = this.settings;
    return new RegressionParts(ctx, {
      intercept: s.fitIntercept,
      regCoef: s.regCoef,
      sharedVariance: s.sharedVariance,
      dfCorrection: s.dfCorrection,
      varianceFloor: this.varianceFloor,
      coefInit: s.coefInit === undefined ? null : this.coefFrom(s.coefInit, 'coefInit', ctx.d),
      variancesInit:
        s.variancesInit === undefined ? null : this.variancesFrom(s.variancesInit, 'variancesInit', true),
    });
  }

  protected override async runFit(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<MixtureParams<RegressionComponents>> | null,
  ): Promise<Fitted<MixtureParams<RegressionComponents>>> {
    this.varianceFloor =
      this.settings.regVariance * weightedVariance(data.y as Float64Array, data.sampleWeight);
    return super.runFit(data, signal, warm);
  }

  protected workPerRow(k: number, d: number): number {
    const p = d + 1;
    return k * ((p * (p + 1)) / 2 + 2 * p + 4);
  }

  /** K·P coefficients and K variances (1 with `sharedVariance`): flexmix's df for `FLXMRglm()`. */
  protected componentParameters(k: number, d: number): number {
    return k * (d + this.interceptColumns) + (this.settings.sharedVariance ? 1 : k);
  }

  /** Any finite X is valid (`toMatrix` checks finiteness). */
  protected checkData(): void {}

  /** X, y and the weights checked against each other and against what a fit needs. */
  private fitData(X: MatrixInput, y: unknown, sampleWeight: unknown): FitData {
    const m = toMatrix(X, 'X');
    const yv = checkResponse(y, m.rows);
    const w = checkSampleWeight(sampleWeight, m.rows);
    const p = m.cols + this.interceptColumns;
    const rows = positiveRows(w, m.rows);
    if (this.settings.regCoef === 0 && p > rows) {
      throw new RangeError(
        `RegressionMixture needs at least P = ${p} rows${w ? ' with a positive sampleWeight' : ''} ` +
          `to determine P coefficients (${m.cols} features${this.interceptColumns ? ' + the intercept' : ''}), ` +
          `got ${rows}; set regCoef > 0 for a ridge fit`,
      );
    }
    const constant = constantValue(yv, w);
    if (constant !== null) {
      throw new RangeError(`y must vary: every value${w ? ' with weight' : ''} is ${constant}`);
    }
    return { X: m, y: yv, sampleWeight: w };
  }

  /**
   * Fits the mixture to `X (nSamples × nFeatures)` and `y (nSamples)` by EM; resolves to this model.
   * Rejects on invalid data or options, and when the fit is aborted.
   */
  async fit(X: MatrixInput, y: ArrayLike<number>, options: EstimatorFitOptions = {}): Promise<this> {
    await this.fitChecked(this.fitData(X, y, options.sampleWeight), options);
    return this;
  }

  private scoringData(X: MatrixInput, y: unknown): { m: Matrix; y: Float64Array } {
    const m = toMatrix(X, 'X');
    return { m, y: checkResponse(y, m.rows) };
  }

  /**
   * The mixture's expected response at each row of `X (nSamples × nFeatures)`:
   * `Σ_c w_c·z·β_c`, `Float64Array (nSamples)`.
   */
  predict(X: MatrixInput): Float64Array {
    const f = this.requireFitted('predict');
    const m = toMatrix(X, 'X');
    if (m.cols !== f.nFeatures) {
      throw new RangeError(
        `X has ${m.cols} features, but this RegressionMixture was fitted with ${f.nFeatures}`,
      );
    }
    const { coef, weights } = f.params;
    const k = this.settings.nComponents;
    const extra = this.interceptColumns;
    const d = m.cols;
    const p = d + extra;
    const mean = new Float64Array(p);
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) mean[j] += weights[c] * coef[c * p + j];
    const out = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      let s = extra ? mean[0] : 0;
      for (let j = 0; j < d; j++) s += m.data[i * d + j] * mean[extra + j];
      out[i] = s;
    }
    return out;
  }

  /**
   * Posterior probability of each component given (x, y): `Float64Array (nSamples × nComponents)`,
   * rows sum to 1.
   */
  predictProba(X: MatrixInput, y: ArrayLike<number>): Float64Array {
    const d = this.scoringData(X, y);
    return this.posteriorOf(d.m, 'predictProba', d.y).resp;
  }

  /** Log-density `log p(y | x)` of each row: `Float64Array (nSamples)`. */
  scoreSamples(X: MatrixInput, y: ArrayLike<number>): Float64Array {
    const d = this.scoringData(X, y);
    return this.posteriorOf(d.m, 'scoreSamples', d.y).lse;
  }

  private weighted(
    X: MatrixInput,
    y: ArrayLike<number>,
    sampleWeight: unknown,
    method: string,
  ): { sum: number; total: number } {
    const d = this.scoringData(X, y);
    const w = checkSampleWeight(sampleWeight, d.m.rows);
    return MixtureEstimator.weightedSum(this.posteriorOf(d.m, method, d.y).lse, w);
  }

  /** Total log-likelihood `Σ_i w_i·log p(y_i | x_i)` under the fitted parameters (flexmix's and mixtools' `loglik`). */
  logLikelihood(
    X: MatrixInput,
    y: ArrayLike<number>,
    options: Pick<EstimatorFitOptions, 'sampleWeight'> = {},
  ): number {
    return this.weighted(X, y, options.sampleWeight, 'logLikelihood').sum;
  }

  /** Mean log-likelihood per sample of (X, y) (weighted mean with `sampleWeight`). */
  score(
    X: MatrixInput,
    y: ArrayLike<number>,
    options: Pick<EstimatorFitOptions, 'sampleWeight'> = {},
  ): number {
    const { sum, total } = this.weighted(X, y, options.sampleWeight, 'score');
    return sum / total;
  }

  /** Bayesian information criterion `−2·log L + p·ln n` (p = `nParameters()`); lower is better. */
  bic(X: MatrixInput, y: ArrayLike<number>, options: Pick<EstimatorFitOptions, 'sampleWeight'> = {}): number {
    const { sum, total } = this.weighted(X, y, options.sampleWeight, 'bic');
    return -2 * sum + this.nParameters() * Math.log(total);
  }

  /** Akaike information criterion `−2·log L + 2p`; lower is better. */
  aic(X: MatrixInput, y: ArrayLike<number>, options: Pick<EstimatorFitOptions, 'sampleWeight'> = {}): number {
    const { sum } = this.weighted(X, y, options.sampleWeight, 'aic');
    return -2 * sum + 2 * this.nParameters();
  }

  /**
   * Draws a response for each row of `X (n × nFeatures)`: a component c with probability w_c, then
   * `y = z·β_c + σ_c·N(0, 1)`. Returns `{ y: Float64Array (n), labels: Int32Array (n) }` in the
   * order of X's rows. Deterministic for a given `randomState` (the model's by default).
   */
  sample(
    X: MatrixInput,
    randomState: number | undefined = this.settings.randomState,
  ): {
    /** A response drawn for each row of X, `(nSamples)`. */
    y: Float64Array;
    /** The component each response was drawn from, `Int32Array (nSamples)`. */
    labels: Int32Array;
  } {
    const f = this.requireFitted('sample');
    const m = toMatrix(X, 'X');
    if (m.cols !== f.nFeatures) {
      throw new RangeError(
        `X has ${m.cols} features, but this RegressionMixture was fitted with ${f.nFeatures}`,
      );
    }
    if (randomState !== undefined) requireInteger('randomState', randomState, 0, 0xffffffff);
    const rng = randomFrom(randomState);
    const { coef, variances, weights } = f.params;
    const extra = this.interceptColumns;
    const d = m.cols;
    const p = d + extra;
    const y = new Float64Array(m.rows);
    const labels = new Int32Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      const c = drawComponent(rng, weights);
      let s = extra ? coef[c * p] : 0;
      for (let j = 0; j < d; j++) s += m.data[i * d + j] * coef[c * p + extra + j];
      labels[i] = c;
      y[i] = s + Math.sqrt(variances[c]) * rng.normal();
    }
    return { y, labels };
  }

  protected paramsToJSON(p: MixtureParams<RegressionComponents>): Record<string, unknown> {
    return { weights: [...p.weights], coef: [...p.coef], variances: [...p.variances] };
  }

  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<RegressionComponents> {
    return {
      weights: checkWeights(o.weights, this.settings.nComponents),
      coef: this.coefFrom(o.coef, 'coef', d),
      variances: this.variancesFrom(o.variances, 'variances', false),
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime options. */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<
      RegressionMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal'
    > = {},
  ): RegressionMixture {
    const o = readEnvelope(json, 'RegressionMixture');
    return new RegressionMixture({ ...(o.options as RegressionMixtureOptions), ...options }).restoreJSON(o);
  }
}

/** `y (n)`: an array of n finite numbers, copied. */
function checkResponse(y: unknown, n: number): Float64Array {
  if (!Array.isArray(y) && !ArrayBuffer.isView(y)) {
    throw new TypeError(`y must be an array of ${n} numbers (one per row of X), got ${show(y)}`);
  }
  const given = y as ArrayLike<unknown>;
  if (given.length !== n) {
    throw new RangeError(`y must have one value per row of X (${n}), got ${given.length}`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = given[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`y[${i}] must be a finite number, got ${show(v)}`);
    }
    out[i] = v;
  }
  return out;
}
