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
import { toArray, type Matrix } from '../../util/matrix.js';
import type { Random } from '../../util/random.js';
import { poisson } from '../../util/special.js';
import {
  ALPHA_OPTION,
  drawCategory,
  probabilityTable,
  requireNonNegativeIntegers,
  tableWidth,
} from '../discrete.js';
import { MultinomialParts, type MultinomialComponents } from './components.js';
import { MULTINOMIAL_KERNELS } from './kernels.js';

export interface MultinomialMixtureOptions extends MixtureOptions {
  /**
   * Smoothing α ≥ 0: the M-step gives `θ_cj = (Σ_i r_ic·x_ij + α) / (Σ_i r_ic·n_i + D·α)`, the MAP
   * under a symmetric Dirichlet(α + 1) prior, and the lower bound includes that log-prior. Default 1
   * (Laplace smoothing, as scikit-learn's `MultinomialNB`), which keeps every probability positive.
   * 0 is maximum likelihood: a probability may then be exactly 0, and a positive count of such a
   * category costs log(5e-324) ≈ −744.4 per count instead of −∞.
   */
  alpha?: number;
  /** Starting probabilities `(K × D)`, each row summing to 1 (nested or flat). */
  probabilitiesInit?: ArrayLike<number> | readonly (readonly number[])[];
  /**
   * Starting mean row totals `(K)`, each ≥ 0: only `sample` uses them (a fit without them starts
   * them at the data's mean row total; every M-step re-estimates them). With `maxIter: 0`,
   * `weightsInit`, `probabilitiesInit` and `rowTotalsInit`, the model is usable without data.
   */
  rowTotalsInit?: ArrayLike<number> | readonly number[];
}

interface MultinomialSettings extends MixtureSettings {
  alpha: number;
  probabilitiesInit?: ArrayLike<number>;
  rowTotalsInit?: ArrayLike<number>;
}

const SPEC: OptionSpec = {
  ...MIXTURE_OPTIONS,
  alpha: ALPHA_OPTION,
  probabilitiesInit: { type: 'array' },
  rowTotalsInit: { type: 'array' },
};

/**
 * A mixture of multinomial distributions over count vectors (bag-of-words rows: documents ×
 * vocabulary), fitted by EM: `p(x | c) = n! / Π_j x_j! · Π_j θ_cj^x_j` with n = Σ_j x_j. X holds
 * non-negative integer counts `(nSamples × nFeatures)`; `scoreSamples` includes the multinomial
 * coefficient. The row totals are not modelled: `sample` draws them from a Poisson with the
 * component's mean row total (`rowTotals`).
 *
 * ```ts
 * const mm = await new MultinomialMixture({ nComponents: 5, randomState: 0 }).fit(wordCounts);
 * mm.probabilities; mm.predict(wordCounts);
 * ```
 */
export class MultinomialMixture extends DensityMixture<MultinomialComponents, MultinomialSettings> {
  protected readonly kernels = MULTINOMIAL_KERNELS;
  protected override readonly checkDataRejectsNonFinite = true;
  protected override readonly componentsCheckData = true;

  constructor(options: MultinomialMixtureOptions = {}) {
    super('MultinomialMixture', SPEC, options);
    const { probabilitiesInit, rowTotalsInit, nComponents: k } = this.settings;
    const probabilities =
      probabilitiesInit === undefined
        ? null
        : this.probabilitiesFrom(probabilitiesInit, 'probabilitiesInit', null);
    const rowTotals = rowTotalsInit === undefined ? null : rowTotalsFrom(rowTotalsInit, 'rowTotalsInit', k);
    if (probabilities && rowTotals) {
      const nFeatures = probabilities.length / k;
      this.adoptCompleteStart({ complete: true, params: { probabilities, rowTotals }, nFeatures });
    }
  }

  private probabilitiesFrom(value: unknown, name: string, d: number | null): Float64Array {
    const k = this.settings.nComponents;
    const width = d ?? tableWidth(value, k);
    return probabilityTable(value, name, k, width, [width]);
  }

  /** The smoothing α (see the option). */
  get alpha(): number {
    return this.settings.alpha;
  }

  /** `(nComponents × nFeatures)` category probabilities θ_cj; each row sums to 1. */
  get probabilities(): Float64Array {
    return Float64Array.from(this.requireFitted('probabilities').params.probabilities);
  }

  /** `(nComponents)` mean total count of a row in each component: `Σ_i r_ic·n_i / Σ_i r_ic`. */
  get rowTotals(): Float64Array {
    return Float64Array.from(this.requireFitted('rowTotals').params.rowTotals);
  }

  protected components(ctx: ComponentContext): MultinomialParts {
    const { probabilitiesInit, rowTotalsInit, nComponents: k } = this.settings;
    return new MultinomialParts(
      ctx,
      this.settings.alpha,
      {
        probabilities:
          probabilitiesInit === undefined
            ? null
            : this.probabilitiesFrom(probabilitiesInit, 'probabilitiesInit', ctx.d),
        rowTotals: rowTotalsInit === undefined ? null : rowTotalsFrom(rowTotalsInit, 'rowTotalsInit', k),
      },
      () => this.matrix(ctx.X),
    );
  }

  protected workPerRow(k: number, d: number): number {
    return 2 * k * d;
  }

  protected componentParameters(k: number, d: number): number {
    return k * (d - 1);
  }

  protected checkData(X: Matrix): void {
    requireNonNegativeIntegers(X, 'a non-negative integer count for a MultinomialMixture');
  }

  /** A row of component c: its total from Poisson(rowTotals_c), then each count a draw from θ_c. */
  protected sampleComponent(
    p: MixtureParams<MultinomialComponents>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void {
    const total = poisson(rng, p.rowTotals[c]);
    for (let t = 0; t < total; t++) out[offset + drawCategory(rng, p.probabilities, c * d, d)]++;
  }

  protected paramsToJSON(p: MixtureParams<MultinomialComponents>): Record<string, unknown> {
    return { weights: [...p.weights], probabilities: [...p.probabilities], rowTotals: [...p.rowTotals] };
  }

  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<MultinomialComponents> {
    const k = this.settings.nComponents;
    return {
      weights: checkWeights(o.weights, k),
      probabilities: this.probabilitiesFrom(o.probabilities, 'probabilities', d),
      rowTotals: rowTotalsFrom(o.rowTotals, 'rowTotals', k),
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime options. */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<
      MultinomialMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal'
    > = {},
  ): MultinomialMixture {
    const o = readEnvelope(json, 'MultinomialMixture');
    return new MultinomialMixture({ ...(o.options as MultinomialMixtureOptions), ...options }).restoreJSON(o);
  }
}

/** `(K)` mean row totals, each finite and ≥ 0. */
function rowTotalsFrom(value: unknown, name: string, k: number): Float64Array {
  const t = toArray(value, name, [k]);
  for (let c = 0; c < k; c++) {
    if (t[c] < 0) throw new RangeError(`${name}[${c}] must be >= 0, got ${t[c]}`);
  }
  return t;
}
