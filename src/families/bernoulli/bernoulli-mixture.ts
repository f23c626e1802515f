import { DensityMixture } from '../../em/density-mixture.js';
import { readEnvelope, type EstimatorJSON } from '../../em/estimator.js';
import {
  MIXTURE_OPTIONS,
  checkWeights,
  type ComponentContext,
  type MixtureOptions,
  type MixtureParams,
  type MixtureSettings,
} from '../../em/mixture.js';
import type { OptionSpec } from '../../em/options.js';
import { show } from '../../util/errors.js';
import type { Matrix } from '../../util/matrix.js';
import type { Random } from '../../util/random.js';
import { ALPHA_OPTION, probabilityTable, tableWidth } from '../discrete.js';
import { BernoulliParts, type BernoulliComponents } from './components.js';
import { BERNOULLI_KERNELS } from './kernels.js';

export interface BernoulliMixtureOptions extends MixtureOptions {
  /**
   * Smoothing α ≥ 0: the M-step gives `p_cj = (Σ_i r_ic·x_ij + α) / (Σ_i r_ic + 2α)`, the MAP under
   * a Beta(α + 1, α + 1) prior, and the lower bound includes that log-prior. Default 1 (Laplace
   * smoothing, as scikit-learn's `BernoulliNB`), which keeps every probability inside (0, 1).
   * 0 is maximum likelihood (R flexmix's `FLXMCmvbinary`): a probability may then be exactly 0 or
   * 1, and a row with the impossible value of such a feature gets log(5e-324) ≈ −744.4 for it
   * instead of −∞ (finite; such a row has posterior ≈ 0 for that component).
   */
  alpha?: number;
  /** Starting probabilities `(K × D)`, each in [0, 1] (nested or flat). */
  probabilitiesInit?: ArrayLike<number> | readonly (readonly number[])[];
}

interface BernoulliSettings extends MixtureSettings {
  alpha: number;
  probabilitiesInit?: ArrayLike<number>;
}

const SPEC: OptionSpec = { ...MIXTURE_OPTIONS, alpha: ALPHA_OPTION, probabilitiesInit: { type: 'array' } };

/**
 * A mixture of independent multivariate Bernoulli distributions (latent class analysis of binary
 * items), fitted by EM: `p(x | c) = Π_j p_cj^x_j (1 − p_cj)^(1 − x_j)`. X holds 0/1 values
 * `(nSamples × nFeatures)`. With `alpha: 0`, the same answers as R's flexmix `FLXMCmvbinary()`
 * from the same start.
 *
 * ```ts
 * const bm = await new BernoulliMixture({ nComponents: 10, randomState: 0 }).fit(binaryImages);
 * bm.probabilities; bm.predict(binaryImages); bm.bic(binaryImages);
 * ```
 */
export class BernoulliMixture extends DensityMixture<BernoulliComponents, BernoulliSettings> {
  protected readonly kernels = BERNOULLI_KERNELS;
  protected override readonly checkDataRejectsNonFinite = true;
  protected override readonly componentsCheckData = true;

  constructor(options: BernoulliMixtureOptions = {}) {
    super('BernoulliMixture', SPEC, options);
    const init = this.settings.probabilitiesInit;
    if (init !== undefined) {
      const k = this.settings.nComponents;
      const probabilities = probabilityTable(init, 'probabilitiesInit', k, tableWidth(init, k), null);
      this.adoptCompleteStart({
        complete: true,
        params: { probabilities },
        nFeatures: probabilities.length / k,
      });
    }
  }

  /** The smoothing α (see the option). */
  get alpha(): number {
    return this.settings.alpha;
  }

  /** `(nComponents × nFeatures)` probabilities p_cj = P(x_j = 1 | component c). */
  get probabilities(): Float64Array {
    return Float64Array.from(this.requireFitted('probabilities').params.probabilities);
  }

  protected components(ctx: ComponentContext): BernoulliParts {
    const init = this.settings.probabilitiesInit;
    const k = this.settings.nComponents;
    return new BernoulliParts(
      ctx,
      this.settings.alpha,
      init === undefined ? null : probabilityTable(init, 'probabilitiesInit', k, ctx.d, null),
      () => this.matrix(ctx.X),
    );
  }

  protected workPerRow(k: number, d: number): number {
    return 2 * k * d;
  }

  protected componentParameters(k: number, d: number): number {
    return k * d;
  }

  protected checkData(X: Matrix): void {
    const { data, cols } = X;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v !== 0 && v !== 1) {
        const r = Math.floor(i / cols);
        throw new RangeError(
          `X[${r}][${i - r * cols}] must be 0 or 1 for a BernoulliMixture, got ${show(v)}`,
        );
      }
    }
  }

  protected sampleComponent(
    p: MixtureParams<BernoulliComponents>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void {
    for (let j = 0; j < d; j++) out[offset + j] = rng.uniform() < p.probabilities[c * d + j] ? 1 : 0;
  }

  protected paramsToJSON(p: MixtureParams<BernoulliComponents>): Record<string, unknown> {
    return { weights: [...p.weights], probabilities: [...p.probabilities] };
  }

  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<BernoulliComponents> {
    const k = this.settings.nComponents;
    return {
      weights: checkWeights(o.weights, k),
      probabilities: probabilityTable(o.probabilities, 'probabilities', k, d, null),
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime options. */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<
      BernoulliMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal'
    > = {},
  ): BernoulliMixture {
    const o = readEnvelope(json, 'BernoulliMixture');
    return new BernoulliMixture({ ...(o.options as BernoulliMixtureOptions), ...options }).restoreJSON(o);
  }
}
