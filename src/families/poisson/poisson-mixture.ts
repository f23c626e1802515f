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
import { toArray, type Matrix } from '../../util/matrix.js';
import type { Random } from '../../util/random.js';
import { poisson } from '../../util/special.js';
import { requireNonNegativeIntegers } from '../discrete.js';
import { PoissonParts, type PoissonComponents } from './components.js';
import { POISSON_KERNELS } from './kernels.js';

export interface PoissonMixtureOptions extends MixtureOptions {
  /** Starting rates `(K × D)`, each ≥ 0 (nested or flat). */
  ratesInit?: ArrayLike<number> | readonly (readonly number[])[];
}

interface PoissonSettings extends MixtureSettings {
  ratesInit?: ArrayLike<number>;
}

const SPEC: OptionSpec = { ...MIXTURE_OPTIONS, ratesInit: { type: 'array' } };

/**
 * A mixture of independent multivariate Poisson distributions, fitted by EM: each component has
 * one rate per feature, `p(x | c) = Π_j Pois(x_j; λ_cj)`. X holds non-negative integer counts
 * `(nSamples × nFeatures)`. Same answers as R's flexmix `FLXMCmvpois()` from the same start.
 *
 * ```ts
 * const pm = await new PoissonMixture({ nComponents: 3, randomState: 0 }).fit(counts);
 * pm.rates; pm.predict(counts); pm.bic(counts);
 * ```
 */
export class PoissonMixture extends DensityMixture<PoissonComponents, PoissonSettings> {
  protected readonly kernels = POISSON_KERNELS;

  constructor(options: PoissonMixtureOptions = {}) {
    super('PoissonMixture', SPEC, options);
    const init = this.settings.ratesInit;
    if (init !== undefined) {
      const k = this.settings.nComponents;
      const rates = this.ratesFrom(init, 'ratesInit', null);
      this.adoptCompleteStart({ complete: true, params: { rates }, nFeatures: rates.length / k });
    }
  }

  /** `(K × D)` rates checked: shape (D from the data, or from the array when `d` is null), each finite and ≥ 0. */
  private ratesFrom(value: unknown, name: string, d: number | null): Float64Array {
    const k = this.settings.nComponents;
    let width = d;
    if (width === null) {
      const length =
        Array.isArray(value) && Array.isArray(value[0])
          ? k * value[0].length
          : (value as ArrayLike<number>).length;
      width = Math.max(1, Math.floor(length / k));
    }
    const rates = toArray(value, name, [k, width]);
    for (let i = 0; i < rates.length; i++) {
      if (rates[i] < 0)
        throw new RangeError(`${name} must hold rates >= 0, got ${rates[i]} at flat index ${i}`);
    }
    return rates;
  }

  /** `(nComponents × nFeatures)` rates λ_cj. */
  get rates(): Float64Array {
    return Float64Array.from(this.requireFitted('rates').params.rates);
  }

  protected components(ctx: ComponentContext): PoissonParts {
    const init = this.settings.ratesInit;
    return new PoissonParts(ctx, init === undefined ? null : this.ratesFrom(init, 'ratesInit', ctx.d));
  }

  protected workPerRow(k: number, d: number): number {
    return 2 * k * d;
  }

  protected componentParameters(k: number, d: number): number {
    return k * d;
  }

  protected checkData(X: Matrix): void {
    requireNonNegativeIntegers(X, 'a non-negative integer count for a PoissonMixture');
  }

  protected sampleComponent(
    p: MixtureParams<PoissonComponents>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void {
    for (let j = 0; j < d; j++) out[offset + j] = poisson(rng, p.rates[c * d + j]);
  }

  protected paramsToJSON(p: MixtureParams<PoissonComponents>): Record<string, unknown> {
    return { weights: [...p.weights], rates: [...p.rates] };
  }

  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<PoissonComponents> {
    return {
      weights: checkWeights(o.weights, this.settings.nComponents),
      rates: this.ratesFrom(o.rates, 'rates', d),
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime options. */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<
      PoissonMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal'
    > = {},
  ): PoissonMixture {
    const o = readEnvelope(json, 'PoissonMixture');
    return new PoissonMixture({ ...(o.options as PoissonMixtureOptions), ...options }).restoreJSON(o);
  }
}
