import type { EstimatorJSON } from '../em/estimator.js';
import type { OptionSpec } from '../em/options.js';
import type { ArrayInput } from '../mixture/gaussian-mixture.js';
import { COVARIANCE_KINDS, COVARIANCE_TYPES, type CovarianceType } from '../mixture/covariance.js';
import { toArray, toMatrix, type Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { BaseHMM, widthOf, type EmissionStart } from './base.js';
import { covarsProblem, gaussianSampler } from './gaussian-covars.js';
import {
  GaussianEmission,
  type GaussianEmissionParams,
  type GaussianEmissionSettings,
} from './gaussian-emission.js';
import type { HmmWorkspace } from './kernels.js';
import { hmmSpec, type HMMOptions, type HMMSettings } from './options.js';
import { readGaussianCovars } from './saved.js';

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

/** GaussianHMM's parameters, for `fromParams`: those of a fitted model. */
export interface GaussianHMMParams {
  /** `(K)` start probabilities. */
  startProb: ArrayInput;
  /** `(K × K)` transition probabilities, rows summing to 1. */
  transMat: ArrayInput;
  /** `(K × D)` state means. */
  means: ArrayInput;
  /** Covariances by type: spherical `(K)`, diag `(K × D)`, full `(K × D × D)`, tied `(D × D)`. */
  covars: ArrayInput;
}

interface GaussianHMMSettings extends HMMSettings {
  covarianceType: CovarianceType;
  minCovar: number;
  meansPrior: number;
  meansWeight: number;
  covarsPrior: number;
  covarsWeight: number;
  meansInit?: ArrayInput;
  covarsInit?: ArrayInput;
}

const SPEC: OptionSpec = /* @__PURE__ */ hmmSpec(PARAMS, {
  covarianceType: { type: 'enum', values: COVARIANCE_TYPES, default: 'diag' },
  minCovar: { type: 'number', min: 0, default: 1e-3 },
  meansPrior: { type: 'number', default: 0 },
  meansWeight: { type: 'number', min: 0, default: 0 },
  covarsPrior: { type: 'number', min: 0, default: 1e-2 },
  covarsWeight: { type: 'number', default: 1 },
  meansInit: { type: 'array' },
  covarsInit: { type: 'array' },
});

/** The JSON form of a fitted GaussianHMM (`toJSON` / `fromJSON`): the engine's envelope. */
export type GaussianHMMJSON = EstimatorJSON;

/**
 * A hidden Markov model with Gaussian emissions, trained by Baum-Welch, following hmmlearn 0.3's
 * `GaussianHMM` (same options in camelCase, same conventions).
 *
 * ```ts
 * const hmm = await new GaussianHMM({ nComponents: 3, randomState: 0 }).fit(X, lengths);
 * hmm.decode(X, lengths).states; hmm.score(X, lengths);
 * ```
 */
export class GaussianHMM extends BaseHMM<GaussianEmissionParams, GaussianHMMParam, GaussianHMMSettings> {
  /**
   * Checks `options` (an unknown key or a value out of range is an error that names it). With
   * `nIter: 0` and every emission `*Init`, the model is usable at once, without a fit.
   */
  constructor(options: GaussianHMMOptions = {}) {
    super('GaussianHMM', SPEC, options);
    this.adoptCompleteStart();
  }

  /** Shape of each state's covariance. */
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
      throw new RangeError(`X has ${m.cols} features, but this GaussianHMM was fitted with ${nFeatures}`);
    }
    return m;
  }

  protected featuresOf(data: Matrix): number {
    return data.cols;
  }

  private checkedCovarsInit(k: number, d: number): Float64Array {
    const type = this.settings.covarianceType;
    const cov = toArray(this.settings.covarsInit, 'covarsInit', COVARIANCE_KINDS[type].shape(k, d));
    const problem = covarsProblem(type, cov, k, d);
    if (problem) {
      throw new RangeError(
        `covarsInit must be ${type === 'full' || type === 'tied' ? 'symmetric positive definite' : 'positive'}: ${problem}`,
      );
    }
    return cov;
  }

  protected createEmission(
    ws: HmmWorkspace,
    data: Matrix,
    d: number,
    initializing: boolean,
  ): GaussianEmission {
    const s = this.settings;
    const k = s.nComponents;
    const settings: GaussianEmissionSettings = {
      covarianceType: s.covarianceType,
      minCovar: s.minCovar,
      meansPrior: s.meansPrior,
      meansWeight: s.meansWeight,
      covarsPrior: s.covarsPrior,
      covarsWeight: s.covarsWeight,
      update: { means: s.params.means, covars: s.params.covars },
    };
    if (initializing) {
      if (s.meansInit !== undefined) settings.meansInit = toArray(s.meansInit, 'meansInit', [k, d]);
      else if (k > data.rows) {
        throw new RangeError(
          `nComponents must be an integer in [1, nSamples=${data.rows}] when the means start from k-means, got ${k}`,
        );
      }
      if (s.covarsInit !== undefined) settings.covarsInit = this.checkedCovarsInit(k, d);
    }
    return new GaussianEmission(ws, data, k, settings, initializing);
  }

  protected emissionStart(): EmissionStart<GaussianEmissionParams> | null {
    const s = this.settings;
    if (s.meansInit === undefined || s.covarsInit === undefined) return null;
    const k = s.nComponents;
    const d = widthOf(s.meansInit, k);
    const means = toArray(s.meansInit, 'meansInit', [k, d]);
    const covars = this.checkedCovarsInit(k, d);
    const shape = COVARIANCE_KINDS[s.covarianceType].shape(k, d);
    return {
      params: { means, ...readGaussianCovars(s.covarianceType, covars, undefined, shape, k, d) },
      nFeatures: d,
    };
  }

  /** hmmlearn's count: K·D means plus the covariances (spherical K, diag K·D, full K·D(D+1)/2, tied D(D+1)/2). */
  protected emissionParameters(d: number): number {
    const k = this.settings.nComponents;
    return k * d + COVARIANCE_KINDS[this.settings.covarianceType].covarianceParameters(k, d);
  }

  protected sampler(p: GaussianEmissionParams, d: number) {
    const draw = gaussianSampler(
      this.settings.covarianceType,
      p.means,
      p.precisionsCholesky,
      this.settings.nComponents,
      d,
    );
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

  protected emissionToJSON(p: GaussianEmissionParams) {
    return { means: [...p.means], covars: [...p.covars], precisionsCholesky: [...p.precisionsCholesky] };
  }

  protected emissionFromJSON(o: Record<string, unknown>, d: number): GaussianEmissionParams {
    const k = this.settings.nComponents;
    const type = this.settings.covarianceType;
    const shape = COVARIANCE_KINDS[type].shape(k, d);
    return {
      means: toArray(o.means, 'means', [k, d]),
      ...readGaussianCovars(type, o.covars, o.precisionsCholesky, shape, k, d),
    };
  }

  /**
   * A model with these parameters, usable at once (score, decode, predict, sample) and, with
   * `warmStart`, a starting point for `fit`. `options` are the other options (not the `*Init` ones).
   */
  static fromParams(
    params: GaussianHMMParams,
    options: Omit<GaussianHMMOptions, 'startProbInit' | 'transMatInit' | 'meansInit' | 'covarsInit'> = {},
  ): GaussianHMM {
    const names = ['startProb', 'transMat', 'means', 'covars'];
    return new GaussianHMM(BaseHMM.initOptions('GaussianHMM', params, names, options)).adoptParams();
  }

  /**
   * Restores a model saved with `toJSON` (a parsed object or its JSON text, also files of the
   * previous `emwasm.GaussianHMM` layout); `options` sets runtime options such as `warmStart: true`
   * (its next `fit` continues from the saved parameters).
   */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<GaussianHMMOptions, 'backend' | 'warmStart' | 'worker' | 'onIteration' | 'signal'> = {},
  ): GaussianHMM {
    const o = BaseHMM.readSaved(json, 'GaussianHMM');
    return new GaussianHMM({ ...(o.options as GaussianHMMOptions), ...options }).restoreJSON(o);
  }
}
