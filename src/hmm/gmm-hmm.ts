import { COVARIANCE_KINDS, COVARIANCE_TYPES, type CovarianceType } from '../mixture/covariance.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { requireInteger, requireNonNegative, requireOneOf } from '../util/errors.js';
import { toArray, toMatrix, type Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { BaseHMM, drawIndex, type HMMJSON, type HMMOptions } from './base.js';
import { covarsProblem, gaussianSampler, precisionCholeskyOf } from './gaussian-covars.js';
import { GMMEmission, type GMMEmissionParams, type GMMEmissionSettings } from './gmm-emission.js';
import { requireFinite, toPrior, toStochastic } from './validate.js';
import type { HmmWorkspace } from './workspace.js';

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

/** The JSON form of a fitted GMMHMM (`toJSON` / `fromJSON`). */
export type GMMHMMJSON = HMMJSON<
  'emwasm.GMMHMM',
  {
    /** The `nMix` option. */
    nMix: number;
    /** The `covarianceType` option. */
    covarianceType: CovarianceType;
    /** The `minCovar` option. */
    minCovar: number;
    /** The `weightsPrior` option. */
    weightsPrior: number | number[];
    /** The `meansPrior` option. */
    meansPrior: number;
    /** The `meansWeight` option. */
    meansWeight: number;
  },
  {
    /** Fitted mixture weights `(nComponents × nMix)`, row-major. */
    weights: number[];
    /** Fitted means `(nComponents × nMix × nFeatures)`, row-major. */
    means: number[];
    /** Fitted covariances, flat in the shape of `covarianceType` per state and component. */
    covars: number[];
    /** Cholesky factors of the precisions, the shape of `covars`. */
    precisionsCholesky: number[];
  }
>;

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
export class GMMHMM extends BaseHMM<GMMEmissionParams, GMMHMMParam> {
  protected readonly modelName = 'GMMHMM';
  /** Mixture components per state. */
  readonly nMix: number;
  /** Shape of each mixture component's covariance. */
  readonly covarianceType: CovarianceType;
  /** Floor added to the covariance diagonals. */
  readonly minCovar: number;
  private readonly weightsPrior: number | ArrayInput;
  private readonly meansPrior: number;
  private readonly meansWeight: number;
  private readonly weightsInit: ArrayInput | undefined;
  private readonly meansInit: ArrayInput | undefined;
  private readonly covarsInit: ArrayInput | undefined;

  constructor(options: GMMHMMOptions = {}) {
    super(options, PARAMS);
    this.nMix = requireInteger('nMix', options.nMix ?? 1, 1);
    this.covarianceType = requireOneOf('covarianceType', options.covarianceType ?? 'diag', COVARIANCE_TYPES);
    this.minCovar = requireNonNegative('minCovar', options.minCovar ?? 1e-3);
    this.weightsPrior = options.weightsPrior ?? 1;
    toPrior(this.weightsPrior, 'weightsPrior', [this.nComponents, this.nMix]);
    this.meansPrior = requireFinite('meansPrior', options.meansPrior ?? 0);
    this.meansWeight = requireNonNegative('meansWeight', options.meansWeight ?? 0);
    this.weightsInit = options.weightsInit;
    if (this.weightsInit !== undefined)
      toStochastic(this.weightsInit, 'weightsInit', [this.nComponents, this.nMix]);
    this.meansInit = options.meansInit;
    this.covarsInit = options.covarsInit;
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
    const k = this.nComponents;
    const m = this.nMix;
    return this.covarianceType === 'tied'
      ? [k, d, d]
      : [k, ...COVARIANCE_KINDS[this.covarianceType].shape(m, d)];
  }

  protected createEmission(ws: HmmWorkspace, data: Matrix, d: number, initializing: boolean): GMMEmission {
    const k = this.nComponents;
    const m = this.nMix;
    const settings: GMMEmissionSettings = {
      covarianceType: this.covarianceType,
      nMix: m,
      minCovar: this.minCovar,
      weightsPrior: toPrior(this.weightsPrior, 'weightsPrior', [k, m]),
      meansPrior: this.meansPrior,
      meansWeight: this.meansWeight,
      update: { weights: this.params.weights, means: this.params.means, covars: this.params.covars },
    };
    if (initializing) {
      if (this.weightsInit !== undefined)
        settings.weightsInit = toStochastic(this.weightsInit, 'weightsInit', [k, m]);
      if (this.meansInit !== undefined) settings.meansInit = toArray(this.meansInit, 'meansInit', [k, m, d]);
      else if (k > data.rows) {
        throw new RangeError(
          `nComponents must be an integer in [1, nSamples=${data.rows}] when the means start from k-means, got ${k}`,
        );
      }
      if (this.covarsInit !== undefined) {
        const cov = toArray(this.covarsInit, 'covarsInit', this.covarsShape(d));
        const tied = this.covarianceType === 'tied';
        const problem = covarsProblem(tied ? 'full' : this.covarianceType, cov, tied ? k : k * m, d);
        if (problem) {
          const what = tied || this.covarianceType === 'full' ? 'symmetric positive definite' : 'positive';
          throw new RangeError(`covarsInit must be ${what}: ${problem}`);
        }
        settings.covarsInit = cov;
      }
    }
    return new GMMEmission(ws, data, k, settings, initializing);
  }

  /** K·M·D means, the covariances, and K(M − 1) weights (hmmlearn counts M − 1 weights in all). */
  protected emissionParameters(d: number): number {
    const k = this.nComponents;
    const m = this.nMix;
    const covariances =
      this.covarianceType === 'tied'
        ? (k * d * (d + 1)) / 2
        : COVARIANCE_KINDS[this.covarianceType].covarianceParameters(k * m, d);
    return k * m * d + covariances + k * (m - 1);
  }

  protected sampler(p: GMMEmissionParams, d: number) {
    const k = this.nComponents;
    const m = this.nMix;
    const tied = this.covarianceType === 'tied';
    let factors = p.precisionsCholesky;
    if (tied) {
      factors = new Float64Array(k * m * d * d);
      for (let c = 0; c < k; c++) {
        for (let q = 0; q < m; q++)
          factors.set(p.precisionsCholesky.subarray(c * d * d, (c + 1) * d * d), (c * m + q) * d * d);
      }
    }
    const draw = gaussianSampler(tied ? 'full' : this.covarianceType, p.means, factors, k * m, d);
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

  protected jsonOptions() {
    const prior = this.weightsPrior;
    return {
      nMix: this.nMix,
      covarianceType: this.covarianceType,
      minCovar: this.minCovar,
      weightsPrior:
        typeof prior === 'number'
          ? prior
          : [...toPrior(prior, 'weightsPrior', [this.nComponents, this.nMix])],
      meansPrior: this.meansPrior,
      meansWeight: this.meansWeight,
    };
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
    const k = this.nComponents;
    const m = this.nMix;
    const shape = this.covarsShape(d);
    const covars = toArray(o.covars, 'covars', shape);
    const tied = this.covarianceType === 'tied';
    const precisionsCholesky =
      o.precisionsCholesky === undefined
        ? precisionCholeskyOf(tied ? 'full' : this.covarianceType, covars, tied ? k : k * m, d)
        : toArray(o.precisionsCholesky, 'precisionsCholesky', shape);
    if (!precisionsCholesky) throw new RangeError('fromJSON: covars are not positive definite');
    return {
      weights: toStochastic(o.weights, 'weights', [k, m]),
      means: toArray(o.means, 'means', [k, m, d]),
      covars,
      precisionsCholesky,
    };
  }

  override toJSON(): GMMHMMJSON {
    return super.toJSON() as GMMHMMJSON;
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text); `{ warmStart: true }`
   * makes its next `fit` continue from the saved parameters.
   */
  static fromJSON(
    json: GMMHMMJSON | string,
    options: Pick<GMMHMMOptions, 'backend' | 'warmStart'> = {},
  ): GMMHMM {
    const o = BaseHMM.parseJSON(json, 'GMMHMM');
    const model = new GMMHMM({ ...(o.options as GMMHMMOptions), ...options });
    return model.restoreJSON(o);
  }
}
