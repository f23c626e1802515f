import { DensityMixture } from '../../em/density-mixture.js';
import { readEnvelope, type EstimatorJSON } from '../../em/estimator.js';
import {
  MIXTURE_OPTIONS,
  type ComponentContext,
  type MixtureOptions,
  type MixtureParams,
  type MixtureSettings,
  checkWeights,
} from '../../em/mixture.js';
import type { OptionSpec } from '../../em/options.js';
import { COVARIANCE_KINDS, type CovarianceKind } from '../../mixture/covariance.js';
import type { ArrayInput } from '../../mixture/gaussian-mixture.js';
import { show } from '../../util/errors.js';
import { toArray } from '../../util/matrix.js';
import type { Random } from '../../util/random.js';
import { gamma } from '../../util/special.js';
import { StudentParts, type DofSettings, type StudentComponents, type StudentStart } from './components.js';
import { STUDENT_KERNELS } from './kernels.js';

/** Shapes of the t mixture's scale matrices: full `(D × D)` or diagonal per component. */
export type StudentCovarianceType = 'full' | 'diag';

export interface StudentMixtureOptions extends MixtureOptions {
  /** Shape of each component's scale matrix Σ_c: `'full'` (default) or `'diag'`. */
  covarianceType?: StudentCovarianceType;
  /** Added to the diagonal of every scale matrix in every M-step (as GaussianMixture). Default 1e-6. */
  regCovar?: number;
  /**
   * `'estimate'` (default): each component's degrees of freedom ν_c are estimated by ECM within
   * [dofMin, dofMax]; a number > 0: every ν_c is held at that value (a very large ν gives the
   * Gaussian mixture).
   */
  dof?: 'estimate' | number;
  /** Lower bound of estimated degrees of freedom, > 0. Default 0.5. */
  dofMin?: number;
  /** Upper bound of estimated degrees of freedom, > dofMin. Default 200. */
  dofMax?: number;
  /** Starting degrees of freedom `(K)`, each in [dofMin, dofMax] (only with `dof: 'estimate'`). Default 50 each (R's teigen). */
  dofInit?: ArrayLike<number>;
  /** Starting means `(K × D)` (nested or flat). */
  meansInit?: ArrayInput;
  /**
   * Starting inverse scale matrices (GaussianMixture's `precisionsInit` shapes): full `(K × D × D)`
   * symmetric positive definite, diag `(K × D)` positive.
   */
  precisionsInit?: ArrayInput;
}

interface StudentSettings extends MixtureSettings {
  covarianceType: StudentCovarianceType;
  regCovar: number;
  dof: 'estimate' | number;
  dofMin: number;
  dofMax: number;
  dofInit?: ArrayLike<number>;
  meansInit?: ArrayInput;
  precisionsInit?: ArrayInput;
}

/** The starting ν of every component when `dofInit` is not given (R's teigen's `dfstart`). */
const DEFAULT_DOF_INIT = 50;

const SPEC: OptionSpec = {
  ...MIXTURE_OPTIONS,
  covarianceType: { type: 'enum', values: ['full', 'diag'], default: 'full' },
  regCovar: { type: 'number', min: 0, default: 1e-6 },
  dof: {
    type: 'custom',
    default: 'estimate',
    check: (v, name) => {
      if (v === 'estimate' || (typeof v === 'number' && Number.isFinite(v) && v > 0)) return v;
      throw new RangeError(`${name} must be 'estimate' or a finite number > 0, got ${show(v)}`);
    },
  },
  dofMin: { type: 'number', min: 0, openMin: true, default: 0.5 },
  dofMax: { type: 'number', min: 0, openMin: true, default: 200 },
  dofInit: { type: 'array' },
  meansInit: { type: 'array' },
  precisionsInit: { type: 'array' },
};

/**
 * A mixture of multivariate t distributions fitted by ECM (Peel & McLachlan 2000): component c has
 * location μ_c, scale matrix Σ_c (full or diagonal) and degrees of freedom ν_c,
 *
 *   p(x | c) = Γ((ν+d)/2) / (Γ(ν/2)·(νπ)^(d/2)·|Σ|^½) · (1 + δ/ν)^(−(ν+d)/2),  δ = (x − μ)ᵀ Σ⁻¹ (x − μ).
 *
 * Heavy tails make the fit robust to outliers: a far point gets a small latent weight
 * u = (ν + d)/(ν + δ) and barely moves μ and Σ. ν_c is estimated per component (the ECM
 * CM-step, a one-dimensional root find) within [dofMin, dofMax] — a component whose ν lands on a
 * bound (see `dofAtBound`) is a finite, documented result: ν = dofMax means "as good as Gaussian"
 * — or held fixed with `dof: number`. As ν → ∞ the model is the Gaussian mixture. `lowerBound` is
 * the observed-data log-likelihood per sample, which ECM never decreases.
 *
 * ```ts
 * const tm = await new StudentMixture({ nComponents: 2, randomState: 0 }).fit(X);
 * tm.means; tm.covariances; tm.dof; tm.predict(X);
 * ```
 */
export class StudentMixture extends DensityMixture<StudentComponents, StudentSettings> {
  protected readonly kernels = STUDENT_KERNELS;
  private readonly kind: CovarianceKind;
  /** Per component sampling factor L (Σ = L Lᵀ; std devs when diagonal), for the parameters it was made from. */
  private samplingCache: { params: MixtureParams<StudentComponents>; factors: Float64Array } | null = null;

  constructor(options: StudentMixtureOptions = {}) {
    super('StudentMixture', SPEC, options);
    const s = this.settings;
    this.kind = COVARIANCE_KINDS[s.covarianceType];
    if (!(s.dofMin < s.dofMax)) {
      throw new RangeError(`dofMin must be below dofMax, got dofMin=${s.dofMin} and dofMax=${s.dofMax}`);
    }
    if (s.dofInit !== undefined && s.dof !== 'estimate') {
      throw new RangeError(
        `dofInit is only used with dof: 'estimate', got dofInit together with dof=${show(s.dof)}`,
      );
    }
    if (s.meansInit !== undefined && s.precisionsInit !== undefined) {
      const k = s.nComponents;
      const means = s.meansInit;
      const length =
        Array.isArray(means) && Array.isArray(means[0])
          ? k * (means[0] as unknown[]).length
          : (means as ArrayLike<number>).length;
      const d = Math.max(1, Math.floor(length / k));
      const start = this.checkedStart(d);
      this.adoptCompleteStart({
        complete: true,
        params: {
          means: start.means as Float64Array,
          precisionsCholesky: start.precisionsCholesky as Float64Array,
          dof: this.dofStart(),
        },
        nFeatures: d,
      });
    }
  }

  /** `(K)` starting ν: `dofInit`, the fixed `dof`, or 50. */
  private dofStart(): Float64Array {
    const s = this.settings;
    const k = s.nComponents;
    if (s.dof !== 'estimate') return new Float64Array(k).fill(s.dof);
    if (s.dofInit === undefined) {
      return new Float64Array(k).fill(Math.min(s.dofMax, Math.max(s.dofMin, DEFAULT_DOF_INIT)));
    }
    const v = toArray(s.dofInit, 'dofInit', [k]);
    for (let c = 0; c < k; c++) {
      if (v[c] < s.dofMin || v[c] > s.dofMax) {
        throw new RangeError(
          `dofInit[${c}] must be in [dofMin=${s.dofMin}, dofMax=${s.dofMax}], got ${v[c]}`,
        );
      }
    }
    return v;
  }

  /** `meansInit` and `precisionsInit` checked against D and turned into precision factors. */
  private checkedStart(d: number): StudentStart {
    const s = this.settings;
    const k = s.nComponents;
    const start: StudentStart = { means: null, precisionsCholesky: null };
    if (s.meansInit !== undefined) start.means = toArray(s.meansInit, 'meansInit', [k, d]);
    if (s.precisionsInit !== undefined) {
      const p = toArray(s.precisionsInit, 'precisionsInit', this.kind.shape(k, d));
      const problem = this.kind.checkPrecisions(p, k, d);
      if (problem) {
        throw new RangeError(
          `precisionsInit must be ${this.kind.type === 'full' ? 'symmetric positive definite' : 'positive'}: ${problem}`,
        );
      }
      start.precisionsCholesky = this.kind.precisionCholeskyFromPrecisions(p, k, d);
    }
    return start;
  }

  private dofSettings(): DofSettings {
    const s = this.settings;
    return { estimate: s.dof === 'estimate', min: s.dofMin, max: s.dofMax, start: this.dofStart() };
  }

  /** `(nComponents × nFeatures)` component locations μ_c. */
  get means(): Float64Array {
    return Float64Array.from(this.requireFitted('means').params.means);
  }

  /** Scale matrices Σ_c (regCovar included): full `(nComponents × nFeatures × nFeatures)`, diag `(nComponents × nFeatures)`. */
  get covariances(): Float64Array {
    const f = this.requireFitted('covariances');
    return this.kind.covariancesFromPrecisionCholesky(
      f.params.precisionsCholesky,
      this.settings.nComponents,
      f.nFeatures,
    );
  }

  /**
   * Cholesky factors U_c of Σ_c⁻¹ = U_c U_cᵀ: full `(nComponents × nFeatures × nFeatures)` upper
   * triangular, diag `(nComponents × nFeatures)` (1/σ).
   */
  get precisionsCholesky(): Float64Array {
    return Float64Array.from(this.requireFitted('precisionsCholesky').params.precisionsCholesky);
  }

  /** `(nComponents)` degrees of freedom ν_c. */
  get dof(): Float64Array {
    return Float64Array.from(this.requireFitted('dof').params.dof);
  }

  /**
   * `(nComponents)` where each estimated ν_c ended: `'min'` or `'max'` when it is clamped to
   * dofMin or dofMax (the likelihood wanted a value beyond: `'max'` means the component's tails are
   * as light as the data can tell from a Gaussian's), `'none'` inside the bounds or when ν is fixed.
   */
  get dofAtBound(): ('none' | 'min' | 'max')[] {
    const s = this.settings;
    return Array.from(this.requireFitted('dofAtBound').params.dof, (v) =>
      s.dof !== 'estimate' ? 'none' : v === s.dofMin ? 'min' : v === s.dofMax ? 'max' : 'none',
    );
  }

  protected components(ctx: ComponentContext): StudentParts {
    return new StudentParts(
      ctx,
      this.kind,
      this.settings.regCovar,
      this.dofSettings(),
      this.checkedStart(ctx.d),
    );
  }

  protected workPerRow(k: number, d: number): number {
    return this.kind.type === 'full' ? k * (d * d + 3 * d) : 5 * k * d;
  }

  protected componentParameters(k: number, d: number): number {
    return k * d + this.kind.covarianceParameters(k, d) + (this.settings.dof === 'estimate' ? k : 0);
  }

  /** Any finite X is in the domain (`toMatrix` has already rejected NaN and ±∞). */
  protected checkData(): void {}

  /** x = μ + L z / √g with z ~ N(0, I), g ~ Gamma(ν/2, rate ν/2): the t as a scale mixture of normals. */
  protected sampleComponent(
    p: MixtureParams<StudentComponents>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void {
    if (this.samplingCache?.params !== p) {
      this.samplingCache = {
        params: p,
        factors: this.kind.samplingFactors(p.precisionsCholesky, this.settings.nComponents, d),
      };
    }
    const nu = p.dof[c];
    const scale = 1 / Math.sqrt(gamma(rng, nu / 2, 2 / nu));
    const z = new Float64Array(d);
    for (let j = 0; j < d; j++) z[j] = scale * rng.normal();
    for (let a = 0; a < d; a++) out[offset + a] = p.means[c * d + a];
    this.kind.addScaled(this.samplingCache.factors, c, d, z, out, offset);
  }

  protected paramsToJSON(p: MixtureParams<StudentComponents>): Record<string, unknown> {
    return {
      weights: [...p.weights],
      means: [...p.means],
      precisionsCholesky: [...p.precisionsCholesky],
      dof: [...p.dof],
    };
  }

  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<StudentComponents> {
    const k = this.settings.nComponents;
    const pc = toArray(o.precisionsCholesky, 'precisionsCholesky', this.kind.shape(k, d));
    const full = this.kind.type === 'full';
    for (let c = 0; c < k; c++) {
      for (let a = 0; a < d; a++) {
        const diagonal = full ? pc[c * d * d + a * d + a] : pc[c * d + a];
        if (!(diagonal > 0)) {
          throw new RangeError(
            `precisionsCholesky of component ${c} must have a positive diagonal, got ${diagonal} at [${a}][${a}]`,
          );
        }
        if (full) {
          for (let b = 0; b < a; b++) {
            if (pc[c * d * d + a * d + b] !== 0) {
              throw new RangeError(
                `precisionsCholesky of component ${c} must be upper triangular, got ${pc[c * d * d + a * d + b]} at [${a}][${b}]`,
              );
            }
          }
        }
      }
    }
    const dof = toArray(o.dof, 'dof', [k]);
    for (let c = 0; c < k; c++) {
      if (!(dof[c] > 0)) throw new RangeError(`dof[${c}] must be > 0, got ${dof[c]}`);
    }
    return {
      weights: checkWeights(o.weights, k),
      means: toArray(o.means, 'means', [k, d]),
      precisionsCholesky: pc,
      dof,
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime options. */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<
      StudentMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal'
    > = {},
  ): StudentMixture {
    const o = readEnvelope(json, 'StudentMixture');
    return new StudentMixture({ ...(o.options as StudentMixtureOptions), ...options }).restoreJSON(o);
  }
}
