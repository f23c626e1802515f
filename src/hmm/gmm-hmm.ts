import type { EstimatorJSON } from '../em/estimator.js';
import type { OptionSpec } from '../em/options.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { COVARIANCE_KINDS, COVARIANCE_TYPES, type CovarianceType } from '../mixture/covariance.js';
import { toArray, toMatrix, type Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { BaseHMM, drawIndex, type EmissionStart } from './base.js';
import { covarsProblem, gaussianSampler } from './gaussian-covars.js';
import { GMMEmission, type GMMEmissionParams, type GMMEmissionSettings } from './gmm-emission.js';
import type { HmmWorkspace } from './kernels.js';
import { hmmSpec, priorRule, type HMMOptions, type HMMSettings } from './options.js';
import { readGaussianCovars } from './saved.js';
import { toPrior, toStochastic } from './validate.js';

/** A parameter EM can update (see `params`). */
export type GMMHMMParam = 'startProb' | 'transMat' | 'weights' | 'means' | 'covars';
const PARAMS: readonly GMMHMMParam[] = ['startProb', 'transMat', 'weights', 'means', 'covars'];

export interface GMMHMMOptions extends HMMOptions<GMMHMMParam> {
  /** Gaussians per state M, an integer >= 1. Default 1. */
  nMix?: number;
  /** Shape of the covariances; `'tied'` shares one full covariance among the M Gaussians of a state. Default `'diag'`. */
  covarianceType?: CovarianceType;
  /**
   * Added to the diagonal of the starting covariances, and a floor on the eigenvalues of every
   * covariance under which the M-step maximises (as GaussianHMM's). Default 1e-3.
   */
  minCovar?: number;
  /** Dirichlet concentration of the mixture weights: one number or `(K × M)`. Default 1 (no prior). */
  weightsPrior?: number | ArrayInput;
  /** Mean of the normal prior on the means. Default 0. */
  meansPrior?: number;
  /** Weight (precision) of the prior on the means; 0 is no prior. Default 0. */
  meansWeight?: number;
  /** Starting mixture weights `(K × M)`, rows summing to 1. Default uniform. */
  weightsInit?: ArrayInput;
  /** Starting means `(K × M × D)`. Default: k-means within k-means. */
  meansInit?: ArrayInput;
  /**
   * Starting covariances: spherical `(K × M)`, diag `(K × M × D)`, full `(K × M × D × D)`, tied
   * `(K × D × D)`. Default: the data's covariance plus `minCovar` everywhere.
   */
  covarsInit?: ArrayInput;
}

/** The JSON form of a fitted GMMHMM (`toJSON` / `fromJSON`): the engine's envelope. */
export type GMMHMMJSON = EstimatorJSON;

/** GMMHMM's parameters, for `fromParams`: those of a fitted model. */
export interface GMMHMMParams {
  /** `(K)` start probabilities. */
  startProb: ArrayInput;
  /** `(K × K)` transition probabilities, rows summing to 1. */
  transMat: ArrayInput;
  /** `(K × M)` mixture weights of each state, rows summing to 1. */
  weights: ArrayInput;
  /** `(K × M × D)` means. */
  means: ArrayInput;
  /** Covariances: spherical `(K × M)`, diag `(K × M × D)`, full `(K × M × D × D)`, tied `(K × D × D)`. */
  covars: ArrayInput;
}

interface GMMHMMSettings extends HMMSettings {
  nMix: number;
  covarianceType: CovarianceType;
  minCovar: number;
  weightsPrior: number | ArrayInput;
  meansPrior: number;
  meansWeight: number;
  weightsInit?: ArrayInput;
  meansInit?: ArrayInput;
  covarsInit?: ArrayInput;
}

const SPEC: OptionSpec = /* @__PURE__ */ hmmSpec(PARAMS, {
  nMix: { type: 'integer', min: 1, default: 1 },
  covarianceType: { type: 'enum', values: COVARIANCE_TYPES, default: 'diag' },
  minCovar: { type: 'number', min: 0, default: 1e-3 },
  weightsPrior: /* @__PURE__ */ priorRule(1),
  meansPrior: { type: 'number', default: 0 },
  meansWeight: { type: 'number', min: 0, default: 0 },
  weightsInit: { type: 'array' },
  meansInit: { type: 'array' },
  covarsInit: { type: 'array' },
});

/**
 * A hidden Markov model whose states emit from Gaussian mixtures of `nMix` components (hmmlearn
 * 0.3's `GMMHMM`). Covariances follow maximum likelihood about the updated means, their eigenvalues
 * at least `minCovar`; hmmlearn's covariance priors are not offered.
 *
 * ```ts
 * const hmm = await new GMMHMM({ nComponents: 2, nMix: 3, randomState: 0 }).fit(X, lengths);
 * hmm.weights; hmm.means;
 * ```
 */
export class GMMHMM extends BaseHMM<GMMEmissionParams, GMMHMMParam, GMMHMMSettings> {
  private readonly weightsPriors: Float64Array;

  /**
   * Checks `options` (an unknown key or a value out of range is an error that names it). With
   * `nIter: 0` and every emission `*Init`, the model is usable at once, without a fit.
   */
  constructor(options: GMMHMMOptions = {}) {
    super('GMMHMM', SPEC, options);
    const s = this.settings;
    this.weightsPriors = toPrior(s.weightsPrior, 'weightsPrior', [s.nComponents, s.nMix]);
    if (s.weightsInit !== undefined) toStochastic(s.weightsInit, 'weightsInit', [s.nComponents, s.nMix]);
    this.adoptCompleteStart();
  }

  /** Gaussians per state M. */
  get nMix(): number {
    return this.settings.nMix;
  }

  /** Shape of the covariances. */
  get covarianceType(): CovarianceType {
    return this.settings.covarianceType;
  }

  /** The floor on the covariances' eigenvalues. */
  get minCovar(): number {
    return this.settings.minCovar;
  }

  protected toData(X: unknown, nFeatures: number | null): Matrix {
    const m = toMatrix(X);
    if (nFeatures !== null && m.cols !== nFeatures) {
      throw new RangeError(`X has ${m.cols} features, but this GMMHMM was fitted with ${nFeatures}`);
    }
    return m;
  }

  protected featuresOf(data: Matrix): number {
    return data.cols;
  }

  /** The API shape of the covariances for D features. */
  private covarsShape(d: number): number[] {
    const { nComponents: k, nMix: m, covarianceType: type } = this.settings;
    return type === 'tied' ? [k, d, d] : [k, ...COVARIANCE_KINDS[type].shape(m, d)];
  }

  /** The kind and count the covariances are checked as: tied is K full matrices. */
  private covarsKind(): { type: CovarianceType; count: number } {
    const { nComponents: k, nMix: m, covarianceType: type } = this.settings;
    return type === 'tied' ? { type: 'full', count: k } : { type, count: k * m };
  }

  private checkedCovarsInit(d: number): Float64Array {
    const cov = toArray(this.settings.covarsInit, 'covarsInit', this.covarsShape(d));
    const { type, count } = this.covarsKind();
    const problem = covarsProblem(type, cov, count, d);
    if (problem) {
      const what = type === 'full' ? 'symmetric positive definite' : 'positive';
      throw new RangeError(`covarsInit must be ${what}: ${problem}`);
    }
    return cov;
  }

  protected createEmission(ws: HmmWorkspace, data: Matrix, d: number, initializing: boolean): GMMEmission {
    const s = this.settings;
    const k = s.nComponents;
    const m = s.nMix;
    const settings: GMMEmissionSettings = {
      covarianceType: s.covarianceType,
      nMix: m,
      minCovar: s.minCovar,
      weightsPrior: this.weightsPriors,
      meansPrior: s.meansPrior,
      meansWeight: s.meansWeight,
      update: { weights: s.params.weights, means: s.params.means, covars: s.params.covars },
    };
    if (initializing) {
      if (s.weightsInit !== undefined)
        settings.weightsInit = toStochastic(s.weightsInit, 'weightsInit', [k, m]);
      if (s.meansInit !== undefined) settings.meansInit = toArray(s.meansInit, 'meansInit', [k, m, d]);
      else if (k > data.rows) {
        throw new RangeError(
          `nComponents must be an integer in [1, nSamples=${data.rows}] when the means start from k-means, got ${k}`,
        );
      }
      if (s.covarsInit !== undefined) settings.covarsInit = this.checkedCovarsInit(d);
    }
    return new GMMEmission(ws, data, k, settings, initializing);
  }

  protected emissionStart(): EmissionStart<GMMEmissionParams> | null {
    const s = this.settings;
    if (s.weightsInit === undefined || s.meansInit === undefined || s.covarsInit === undefined) return null;
    const k = s.nComponents;
    const m = s.nMix;
    const d = meansWidth(s.meansInit, k * m);
    const { type, count } = this.covarsKind();
    return {
      params: {
        weights: toStochastic(s.weightsInit, 'weightsInit', [k, m]),
        means: toArray(s.meansInit, 'meansInit', [k, m, d]),
        ...readGaussianCovars(type, this.checkedCovarsInit(d), undefined, this.covarsShape(d), count, d),
      },
      nFeatures: d,
    };
  }

  /** K·M·D means, the covariances, and K(M − 1) weights (hmmlearn counts M − 1 weights in all). */
  protected emissionParameters(d: number): number {
    const { nComponents: k, nMix: m, covarianceType: type } = this.settings;
    const covariances =
      type === 'tied' ? (k * d * (d + 1)) / 2 : COVARIANCE_KINDS[type].covarianceParameters(k * m, d);
    return k * m * d + covariances + k * (m - 1);
  }

  protected sampler(p: GMMEmissionParams, d: number) {
    const { nComponents: k, nMix: m } = this.settings;
    const tied = this.settings.covarianceType === 'tied';
    let factors = p.precisionsCholesky;
    if (tied) {
      factors = new Float64Array(k * m * d * d);
      for (let c = 0; c < k; c++) {
        for (let q = 0; q < m; q++)
          factors.set(p.precisionsCholesky.subarray(c * d * d, (c + 1) * d * d), (c * m + q) * d * d);
      }
    }
    const draw = gaussianSampler(tied ? 'full' : this.settings.covarianceType, p.means, factors, k * m, d);
    return {
      width: d,
      draw: (state: number, rng: Random, out: Float64Array, row: number) => {
        const q = drawIndex(rng, p.weights, state * m, m);
        draw(state * m + q, rng, out, row * d);
      },
    };
  }

  /** `(nComponents × nMix)` mixture weights of each state. */
  get weights(): Float64Array {
    return Float64Array.from(this.emissionParams('weights').weights);
  }

  /** `(nComponents × nMix × nFeatures)` means. */
  get means(): Float64Array {
    return Float64Array.from(this.emissionParams('means').means);
  }

  /** Covariances: spherical `(K × M)`, diag `(K × M × D)`, full `(K × M × D × D)`, tied `(K × D × D)`. */
  get covars(): Float64Array {
    return Float64Array.from(this.emissionParams('covars').covars);
  }

  /** Cholesky factors of the precisions, shaped as `covars`. */
  get precisionsCholesky(): Float64Array {
    return Float64Array.from(this.emissionParams('precisionsCholesky').precisionsCholesky);
  }

  /** The saved options: an array `weightsPrior` in its checked flat `(K × M)` form. */
  protected override savedOptions(): Record<string, unknown> {
    const out = super.savedOptions();
    if (typeof this.settings.weightsPrior !== 'number') out.weightsPrior = [...this.weightsPriors];
    return out;
  }

  protected emissionToJSON(p: GMMEmissionParams) {
    return {
      weights: [...p.weights],
      means: [...p.means],
      covars: [...p.covars],
      precisionsCholesky: [...p.precisionsCholesky],
    };
  }

  protected emissionFromJSON(o: Record<string, unknown>, d: number): GMMEmissionParams {
    const { nComponents: k, nMix: m } = this.settings;
    const { type, count } = this.covarsKind();
    return {
      weights: toStochastic(o.weights, 'weights', [k, m]),
      means: toArray(o.means, 'means', [k, m, d]),
      ...readGaussianCovars(type, o.covars, o.precisionsCholesky, this.covarsShape(d), count, d),
    };
  }

  /**
   * A model with these parameters, usable at once (score, decode, predict, sample) and, with
   * `warmStart`, a starting point for `fit`. `options` are the other options (not the `*Init` ones).
   */
  static fromParams(
    params: GMMHMMParams,
    options: Omit<
      GMMHMMOptions,
      'startProbInit' | 'transMatInit' | 'weightsInit' | 'meansInit' | 'covarsInit'
    > = {},
  ): GMMHMM {
    const names = ['startProb', 'transMat', 'weights', 'means', 'covars'];
    return new GMMHMM(BaseHMM.initOptions('GMMHMM', params, names, options)).adoptParams();
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text, also files of the
   * previous `emwasm.GMMHMM` layout); `options` sets runtime options such as `warmStart: true`.
   */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<GMMHMMOptions, 'backend' | 'warmStart' | 'worker' | 'onIteration' | 'signal'> = {},
  ): GMMHMM {
    const o = BaseHMM.readSaved(json, 'GMMHMM', {
      weights: (saved) => Number(saved.nComponents ?? 1) * Number(saved.nMix ?? 1),
    });
    return new GMMHMM({ ...(o.options as GMMHMMOptions), ...options }).restoreJSON(o);
  }
}

/** D of `(K·M … × D)` means given nested `(K × M × D)` or flat. */
function meansWidth(value: unknown, rows: number): number {
  if (Array.isArray(value) && Array.isArray(value[0]) && Array.isArray(value[0][0]))
    return value[0][0].length;
  const length = (value as ArrayLike<number>).length;
  return Math.max(1, Math.floor(length / rows));
}
