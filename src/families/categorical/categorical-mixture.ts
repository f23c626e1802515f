import { DensityMixture } from '../../em/density-mixture.js';
import { readEnvelope, type EstimatorJSON, type FitData, type Fitted } from '../../em/estimator.js';
import {
  MIXTURE_INIT_PARAMS,
  MIXTURE_OPTIONS,
  checkWeights,
  type ComponentContext,
  type MixtureOptions,
  type MixtureParams,
  type MixtureSettings,
} from '../../em/mixture.js';
import type { OptionSpec } from '../../em/options.js';
import { isInteger, show } from '../../util/errors.js';
import type { Matrix } from '../../util/matrix.js';
import type { Random } from '../../util/random.js';
import {
  ALPHA_OPTION,
  drawCategory,
  probabilityTable,
  requireNonNegativeIntegers,
  tableWidth,
} from '../discrete.js';
import { CategoricalParts, categoryOffsets, type CategoricalComponents } from './components.js';
import { CATEGORICAL_KERNELS } from './kernels.js';

/** Inferred numbers of categories stop here: a larger code is taken as a mistake unless `nCategories` allows it. */
const INFERRED_LIMIT = 1024;
/** The largest number of categories of one feature `nCategories` may declare. */
const MAX_CATEGORIES = 1 << 20;

export interface CategoricalMixtureOptions extends MixtureOptions {
  /**
   * How starting responsibilities are made when no `respInit` is given. Default
   * `'random_from_data'` (codes are nominal, so k-means distances between them mean nothing).
   */
  initParams?: MixtureOptions['initParams'];
  /**
   * Number of categories m_j of each feature: one integer for every feature or an array `(D)`, each
   * in [1, 2²⁰]; feature j takes the codes 0 … m_j − 1. Default: inferred from the fitted data as
   * its largest code + 1 (at most 1024; a larger code is reported as an error naming it).
   */
  nCategories?: number | readonly number[];
  /**
   * Smoothing α ≥ 0: the M-step gives `θ_cjv = (Σ_i r_ic·[x_ij = v] + α) / (Σ_i r_ic + m_j·α)`, the
   * MAP under a symmetric Dirichlet(α + 1) prior, and the lower bound includes that log-prior.
   * Default 1 (Laplace smoothing, as scikit-learn's `CategoricalNB`), which keeps every probability
   * positive. 0 is maximum likelihood (poLCA): a probability may then be exactly 0, and a row with
   * such a code gets log(5e-324) ≈ −744.4 for it instead of −∞.
   */
  alpha?: number;
  /**
   * Starting tables `(K × Σ_j m_j)`, nested or flat, in the layout of `probabilities` (each
   * feature's block sums to 1). Needs `nCategories`.
   */
  probabilitiesInit?: ArrayLike<number> | readonly (readonly number[])[];
}

interface CategoricalSettings extends MixtureSettings {
  alpha: number;
  nCategories?: number | number[];
  probabilitiesInit?: ArrayLike<number>;
}

function checkNCategories(value: unknown, name: string): number | number[] {
  const ok = (v: unknown): v is number => isInteger(v) && v >= 1 && v <= MAX_CATEGORIES;
  if (ok(value)) return value;
  if ((Array.isArray(value) || ArrayBuffer.isView(value)) && (value as ArrayLike<unknown>).length > 0) {
    const list = Array.from(value as ArrayLike<unknown>);
    const bad = list.findIndex((v) => !ok(v));
    if (bad < 0) return list as number[];
    throw new RangeError(
      `${name}[${bad}] must be an integer in [1, ${MAX_CATEGORIES}], got ${show(list[bad])}`,
    );
  }
  throw new RangeError(
    `${name} must be an integer in [1, ${MAX_CATEGORIES}] or a non-empty array of them (one per feature), got ${show(value)}`,
  );
}

const SPEC: OptionSpec = {
  ...MIXTURE_OPTIONS,
  // Codes are nominal: k-means distances between them mean nothing, so the default start is a
  // table per component from K distinct rows.
  initParams: { type: 'enum', values: MIXTURE_INIT_PARAMS, default: 'random_from_data' },
  nCategories: { type: 'custom', check: checkNCategories },
  alpha: ALPHA_OPTION,
  probabilitiesInit: { type: 'array' },
};

/**
 * A mixture of independent categorical distributions (latent class analysis), fitted by EM: each
 * feature j takes one of m_j categories, coded 0 … m_j − 1, and `p(x | c) = Π_j θ_c,j,x_j`. X holds
 * the integer codes `(nSamples × nFeatures)`. With m_j = 2 for every feature, the same model as
 * `BernoulliMixture`.
 *
 * ```ts
 * const lca = await new CategoricalMixture({ nComponents: 3, randomState: 0 }).fit(answers);
 * lca.nCategories; lca.featureProbabilities(0); lca.predict(answers);
 * ```
 */
export class CategoricalMixture extends DensityMixture<CategoricalComponents, CategoricalSettings> {
  protected readonly kernels = CATEGORICAL_KERNELS;
  protected override readonly checkDataRejectsNonFinite = true;
  /** The categories of each running fit, by its data matrix (fits may overlap, scoring may run meanwhile). */
  private readonly fitCategories = new WeakMap<Matrix, Int32Array>();

  constructor(options: CategoricalMixtureOptions = {}) {
    super('CategoricalMixture', SPEC, options);
    const { probabilitiesInit: init, nCategories, nComponents: k } = this.settings;
    if (init === undefined) return;
    if (nCategories === undefined) {
      throw new TypeError(
        'probabilitiesInit needs nCategories (the number of categories of each feature: the layout of its rows)',
      );
    }
    let categories: Int32Array;
    if (typeof nCategories === 'number') {
      const width = tableWidth(init, k);
      if (width % nCategories !== 0) {
        throw new RangeError(
          `probabilitiesInit rows hold ${width} values, not a multiple of nCategories=${nCategories}`,
        );
      }
      categories = new Int32Array(width / nCategories).fill(nCategories);
    } else categories = Int32Array.from(nCategories);
    const probabilities = this.tableFrom(init, 'probabilitiesInit', categories);
    this.adoptCompleteStart({
      complete: true,
      params: { probabilities, nCategories: categories },
      nFeatures: categories.length,
    });
  }

  private tableFrom(value: unknown, name: string, categories: Int32Array): Float64Array {
    const { total } = categoryOffsets(categories);
    return probabilityTable(value, name, this.settings.nComponents, total, categories);
  }

  /** The smoothing α (see the option). */
  get alpha(): number {
    return this.settings.alpha;
  }

  /** `(nFeatures)` number of categories m_j of each feature in the fitted model. */
  get nCategories(): Int32Array {
    return Int32Array.from(this.requireFitted('nCategories').params.nCategories);
  }

  /**
   * `(nComponents × Σ_j m_j)` probability tables: row c holds feature 0's m_0 probabilities, then
   * feature 1's, …: entry `[c][offset_j + v]` = P(x_j = v | c) with offset_j = m_0 + … + m_(j−1).
   */
  get probabilities(): Float64Array {
    return Float64Array.from(this.requireFitted('probabilities').params.probabilities);
  }

  /** Feature j's table `(nComponents × m_j)`: entry `[c][v]` = P(x_j = v | component c). */
  featureProbabilities(j: number): Float64Array {
    const { probabilities, nCategories } = this.requireFitted('featureProbabilities').params;
    if (!isInteger(j) || j < 0 || j >= nCategories.length) {
      throw new RangeError(`j must be a feature index in [0, ${nCategories.length}), got ${show(j)}`);
    }
    const { offsets, total } = categoryOffsets(nCategories);
    const k = this.settings.nComponents;
    const m = nCategories[j];
    const out = new Float64Array(k * m);
    for (let c = 0; c < k; c++)
      out.set(probabilities.subarray(c * total + offsets[j], c * total + offsets[j] + m), c * m);
    return out;
  }

  /** The categories of a new fit on X: the option's, or inferred; every code checked against them. */
  private categoriesFor(X: Matrix): Int32Array {
    const given = this.settings.nCategories;
    const d = X.cols;
    let categories: Int32Array;
    if (given === undefined) {
      categories = new Int32Array(d).fill(1);
      const data = X.data;
      for (let r = 0, i = 0; r < X.rows; r++) {
        for (let j = 0; j < d; j++, i++) {
          const v = data[i];
          if (v < categories[j]) continue;
          if (v >= INFERRED_LIMIT) {
            throw new RangeError(
              `X[${r}][${j}] = ${v} is not taken as a category code: inferred categories stop at ${INFERRED_LIMIT} ` +
                `(codes 0 … ${INFERRED_LIMIT - 1}); pass nCategories to allow more`,
            );
          }
          categories[j] = v + 1;
        }
      }
      return categories;
    }
    if (typeof given === 'number') categories = new Int32Array(d).fill(given);
    else {
      if (given.length !== d) {
        throw new RangeError(`nCategories has ${given.length} entries, but X has ${d} features`);
      }
      categories = Int32Array.from(given);
    }
    checkCodes(X, categories, 'nCategories');
    return categories;
  }

  protected override async runFit(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<MixtureParams<CategoricalComponents>> | null,
  ): Promise<Fitted<MixtureParams<CategoricalComponents>>> {
    let categories: Int32Array;
    if (warm) {
      categories = warm.params.nCategories;
      checkCodes(data.X, categories, 'the model being continued (warmStart)');
    } else categories = this.categoriesFor(data.X);
    this.fitCategories.set(data.X, categories);
    try {
      return await super.runFit(data, signal, warm);
    } finally {
      this.fitCategories.delete(data.X);
    }
  }

  protected override posteriorOf(
    X: Matrix,
    method: string,
    y?: Float64Array,
  ): { resp: Float64Array; lse: Float64Array } {
    const f = this.requireFitted(method);
    if (X.cols === f.nFeatures) checkCodes(X, f.params.nCategories, 'this fitted model');
    return super.posteriorOf(X, method, y);
  }

  protected components(ctx: ComponentContext): CategoricalParts {
    const categories = this.fitCategories.get(ctx.X) ?? this.requireFitted('components').params.nCategories;
    const init = this.settings.probabilitiesInit;
    return new CategoricalParts(
      ctx,
      this.settings.alpha,
      categories,
      init === undefined ? null : this.tableFrom(init, 'probabilitiesInit', categories),
    );
  }

  protected workPerRow(k: number, d: number): number {
    return 2 * k * d;
  }

  protected componentParameters(k: number): number {
    const categories = this.requireFitted('nParameters').params.nCategories;
    let free = 0;
    for (const m of categories) free += m - 1;
    return k * free;
  }

  protected checkData(X: Matrix): void {
    requireNonNegativeIntegers(X, 'a category code (an integer >= 0) for a CategoricalMixture');
  }

  protected sampleComponent(
    p: MixtureParams<CategoricalComponents>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void {
    const { offsets, total } = categoryOffsets(p.nCategories);
    for (let j = 0; j < d; j++) {
      out[offset + j] = drawCategory(rng, p.probabilities, c * total + offsets[j], p.nCategories[j]);
    }
  }

  protected paramsToJSON(p: MixtureParams<CategoricalComponents>): Record<string, unknown> {
    return { weights: [...p.weights], nCategories: [...p.nCategories], probabilities: [...p.probabilities] };
  }

  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<CategoricalComponents> {
    const k = this.settings.nComponents;
    const listed = checkNCategories(o.nCategories, 'nCategories');
    if (!Array.isArray(listed) || listed.length !== d) {
      throw new RangeError(
        `nCategories must list ${d} numbers of categories (one per feature), got ${show(o.nCategories)}`,
      );
    }
    const nCategories = Int32Array.from(listed);
    return {
      weights: checkWeights(o.weights, k),
      nCategories,
      probabilities: this.tableFrom(o.probabilities, 'probabilities', nCategories),
    };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text); `options` sets runtime options. */
  static fromJSON(
    json: EstimatorJSON | string,
    options: Pick<
      CategoricalMixtureOptions,
      'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal'
    > = {},
  ): CategoricalMixture {
    const o = readEnvelope(json, 'CategoricalMixture');
    return new CategoricalMixture({ ...(o.options as CategoricalMixtureOptions), ...options }).restoreJSON(o);
  }
}

/** Every code of X below its feature's number of categories; the error names the first that is not. */
function checkCodes(X: Matrix, categories: Int32Array, source: string): void {
  const d = X.cols;
  for (let i = 0; i < X.data.length; i++) {
    const j = i % d;
    if (X.data[i] >= categories[j]) {
      const r = (i - j) / d;
      throw new RangeError(
        `X[${r}][${j}] = ${X.data[i]} is not a category of feature ${j}, which has ${categories[j]} ` +
          `(codes 0 … ${categories[j] - 1}) in ${source}`,
      );
    }
  }
}
