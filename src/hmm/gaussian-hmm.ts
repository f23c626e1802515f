import { COVARIANCE_KINDS, COVARIANCE_TYPES, type CovarianceType } from '../mixture/covariance.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { requireNonNegative, requireOneOf } from '../util/errors.js';
import { toArray, toMatrix, type Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { BaseHMM, type HMMJSON, type HMMOptions } from './base.js';
import { covarsProblem, gaussianSampler, precisionCholeskyOf } from './gaussian-covars.js';
import {
  GaussianEmission,
  type GaussianEmissionParams,
  type GaussianEmissionSettings,
} from './gaussian-emission.js';
import { requireFinite } from './validate.js';
import type { HmmWorkspace } from './workspace.js';

/** A parameter EM can update (see `params`). */
export type GaussianHMMParam = 'startProb' | 'transMat' | 'means' | 'covars';
const PARAMS: readonly GaussianHMMParam[] = ['startProb', 'transMat', 'means', 'covars'];

export interface GaussianHMMOptions extends HMMOptions<GaussianHMMParam> {
  /** Shape of each state's covariance. Default `'diag'` (hmmlearn's default). */
  covarianceType?: CovarianceType;
  /**
   * Added to the diagonal of the starting covariance, and a floor on the eigenvalues of every
   * covariance (each variance for diag and spherical) under which the M-step maximises, so the bound
   * still never decreases. Default 1e-3.
   */
  minCovar?: number;
  /** Mean of the normal prior on the means. Default 0. */
  meansPrior?: number;
  /** Weight (precision) of the prior on the means; 0 is no prior. Default 0. */
  meansWeight?: number;
  /**
   * Scale ψ of the inverse-gamma (diag, spherical) or inverse-Wishart (full, tied) prior on the
   * covariances: ψ is added to the diagonal of the scatter. Default 1e-2 (hmmlearn's). The prior's
   * log-density `−(a/2)·log|Σ| − (ψ/2)·tr(Σ⁻¹)` is part of the bound.
   */
  covarsPrior?: number;
  /**
   * Degrees of freedom of the prior on the covariances: `a = max(covarsWeight − 1, 0)` (diag,
   * spherical) or `max(covarsWeight − nFeatures, 0)` (full, tied) is added to the state occupancy.
   * Default 1.
   */
  covarsWeight?: number;
  /** Starting means `(K × D)`. Default: k-means centers. */
  meansInit?: ArrayInput;
  /**
   * Starting covariances by type: spherical `(K)`, diag `(K × D)`, full `(K × D × D)`, tied `(D × D)`.
   * Default: the data's covariance plus `minCovar` for every state.
   */
  covarsInit?: ArrayInput;
}

/** The GaussianHMM options saved in its JSON form. */
export interface GaussianHMMJSONOptions {
  /** The `covarianceType` option. */
  covarianceType: CovarianceType;
  /** The `minCovar` option. */
  minCovar: number;
  /** The `meansPrior` option. */
  meansPrior: number;
  /** The `meansWeight` option. */
  meansWeight: number;
  /** The `covarsPrior` option. */
  covarsPrior: number;
  /** The `covarsWeight` option. */
  covarsWeight: number;
}

/** The JSON form of a fitted GaussianHMM (`toJSON` / `fromJSON`). */
export type GaussianHMMJSON = HMMJSON<
  'emwasm.GaussianHMM',
  GaussianHMMJSONOptions,
  {
    /** Fitted means `(nComponents × nFeatures)`, row-major. */
    means: number[];
    /** Fitted covariances, flat in the shape of `covarianceType`. */
    covars: number[];
    /** Cholesky factors of the precisions, the shape of `covars`. */
    precisionsCholesky: number[];
  }
>;

/**
 * A hidden Markov model with Gaussian emissions, trained by Baum-Welch, following hmmlearn 0.3's
 * `GaussianHMM` (same options in camelCase, same conventions).
 *
 * ```ts
 * const hmm = await new GaussianHMM({ nComponents: 3, randomState: 0 }).fit(X, lengths);
 * hmm.decode(X, lengths).states; hmm.score(X, lengths);
 * ```
 */
export class GaussianHMM extends BaseHMM<GaussianEmissionParams, GaussianHMMParam> {
  protected readonly modelName = 'GaussianHMM';
  /** Shape of each state's covariance. */
  readonly covarianceType: CovarianceType;
  /** Floor added to the covariance diagonals. */
  readonly minCovar: number;
  private readonly emissionSettings: Omit<GaussianEmissionSettings, 'meansInit' | 'covarsInit'>;
  private readonly meansInit: ArrayInput | undefined;
  private readonly covarsInit: ArrayInput | undefined;

  constructor(options: GaussianHMMOptions = {}) {
    super(options, PARAMS);
    this.covarianceType = requireOneOf('covarianceType', options.covarianceType ?? 'diag', COVARIANCE_TYPES);
    this.minCovar = requireNonNegative('minCovar', options.minCovar ?? 1e-3);
    this.emissionSettings = {
      covarianceType: this.covarianceType,
      minCovar: this.minCovar,
      meansPrior: requireFinite('meansPrior', options.meansPrior ?? 0),
      meansWeight: requireNonNegative('meansWeight', options.meansWeight ?? 0),
      covarsPrior: requireNonNegative('covarsPrior', options.covarsPrior ?? 1e-2),
      covarsWeight: requireFinite('covarsWeight', options.covarsWeight ?? 1),
      update: { means: this.params.means, covars: this.params.covars },
    };
    this.meansInit = options.meansInit;
    this.covarsInit = options.covarsInit;
  }

  protected toData(X: unknown, nFeatures: number | null): Matrix {
    const m = toMatrix(X);
    if (nFeatures !== null && m.cols !== nFeatures) {
      throw new RangeError(`X has ${m.cols} features, but this GaussianHMM was fitted with ${nFeatures}`);
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
  ): GaussianEmission {
    const k = this.nComponents;
    const settings: GaussianEmissionSettings = { ...this.emissionSettings };
    if (initializing) {
      if (this.meansInit !== undefined) settings.meansInit = toArray(this.meansInit, 'meansInit', [k, d]);
      else if (k > data.rows) {
        throw new RangeError(
          `nComponents must be an integer in [1, nSamples=${data.rows}] when the means start from k-means, got ${k}`,
        );
      }
      if (this.covarsInit !== undefined) {
        const cov = toArray(this.covarsInit, 'covarsInit', COVARIANCE_KINDS[this.covarianceType].shape(k, d));
        const problem = covarsProblem(this.covarianceType, cov, k, d);
        if (problem) {
          throw new RangeError(
            `covarsInit must be ${this.covarianceType === 'full' || this.covarianceType === 'tied' ? 'symmetric positive definite' : 'positive'}: ${problem}`,
          );
        }
        settings.covarsInit = cov;
      }
    }
    return new GaussianEmission(ws, data, k, settings, initializing);
  }

  /** hmmlearn's count: K·D means plus the covariances (spherical K, diag K·D, full K·D(D+1)/2, tied D(D+1)/2). */
  protected emissionParameters(d: number): number {
    const k = this.nComponents;
    return k * d + COVARIANCE_KINDS[this.covarianceType].covarianceParameters(k, d);
  }

  protected sampler(p: GaussianEmissionParams, d: number) {
    const draw = gaussianSampler(this.covarianceType, p.means, p.precisionsCholesky, this.nComponents, d);
    return {
      width: d,
      draw: (state: number, rng: Random, out: Float64Array, row: number) => draw(state, rng, out, row * d),
    };
  }

  /** `(nComponents × nFeatures)` state means. */
  get means(): Float64Array {
    return Float64Array.from(this.emissionParams('means').means);
  }

  /** Covariances by type: spherical `(K)`, diag `(K × D)`, full `(K × D × D)`, tied `(D × D)`. */
  get covars(): Float64Array {
    return Float64Array.from(this.emissionParams('covars').covars);
  }

  /** Cholesky factors of the precisions, shaped as `covars`; upper triangular (`P = U Uᵀ`) for full and tied. */
  get precisionsCholesky(): Float64Array {
    return Float64Array.from(this.emissionParams('precisionsCholesky').precisionsCholesky);
  }

  protected jsonOptions(): GaussianHMMJSONOptions {
    const { meansPrior, meansWeight, covarsPrior, covarsWeight } = this.emissionSettings;
    return {
      covarianceType: this.covarianceType,
      minCovar: this.minCovar,
      meansPrior,
      meansWeight,
      covarsPrior,
      covarsWeight,
    };
  }

  protected emissionToJSON(p: GaussianEmissionParams) {
    return { means: [...p.means], covars: [...p.covars], precisionsCholesky: [...p.precisionsCholesky] };
  }

  protected emissionFromJSON(o: Record<string, unknown>, d: number): GaussianEmissionParams {
    const k = this.nComponents;
    const shape = COVARIANCE_KINDS[this.covarianceType].shape(k, d);
    const covars = toArray(o.covars, 'covars', shape);
    const precisionsCholesky =
      o.precisionsCholesky === undefined
        ? precisionCholeskyOf(this.covarianceType, covars, k, d)
        : toArray(o.precisionsCholesky, 'precisionsCholesky', shape);
    if (!precisionsCholesky) throw new RangeError('fromJSON: covars are not positive definite');
    return { means: toArray(o.means, 'means', [k, d]), covars, precisionsCholesky };
  }

  override toJSON(): GaussianHMMJSON {
    return super.toJSON() as GaussianHMMJSON;
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text); `{ warmStart: true }`
   * makes its next `fit` continue from the saved parameters.
   */
  static fromJSON(
    json: GaussianHMMJSON | string,
    options: Pick<GaussianHMMOptions, 'backend' | 'warmStart'> = {},
  ): GaussianHMM {
    const o = BaseHMM.parseJSON(json, 'GaussianHMM');
    const model = new GaussianHMM({ ...(o.options as GaussianHMMOptions), ...options });
    return model.restoreJSON(o);
  }
}
