import { familyEntry } from '../em/registry.js';
import { COVARIANCE_TYPES, type CovarianceType } from '../mixture/covariance.js';
import { DegenerateCovarianceError } from '../mixture/degenerate.js';
import type { GaussianMixture, GaussianMixtureOptions } from '../mixture/gaussian-mixture.js';
import { requireInteger, requireOneOf, show } from '../util/errors.js';
import { toMatrix, type Matrix, type MatrixInput } from '../util/matrix.js';
import { randomFrom, type Random } from '../util/random.js';

export const CRITERIA = ['bic', 'icl', 'aic', 'cv'] as const;

/**
 * How models are compared. Every score is lower-is-better (scikit-learn's sign convention):
 * - `'bic'`: `−2·log L + p·ln n` (mclust's BIC is the negative of this: higher is better there);
 * - `'icl'`: BIC − 2·Σ_i ln max_c r_ic, the BIC penalised by the classification likelihood of the
 *   hard assignment (mclust's `icl`, negated);
 * - `'aic'`: `−2·log L + 2p`;
 * - `'cv'`: minus the mean held-out log-likelihood per sample over `nFolds` folds.
 */
export type SelectionCriterion = (typeof CRITERIA)[number];

/** Options of the underlying fits; the grid and the seed are set by `selectModel`. */
export type SelectionModelOptions = Omit<
  GaussianMixtureOptions,
  'nComponents' | 'covarianceType' | 'nInit' | 'randomState' | 'warmStart' | 'onIteration'
>;

/** What selectModel needs of a fitted model of any density family (every mixture but regression). */
export interface SelectableModel {
  /** Fits the model to X. */
  fit(X: Matrix): Promise<unknown>;
  /** BIC on X, lower is better. */
  bic(X: Matrix): number;
  /** AIC on X, lower is better. */
  aic(X: Matrix): number;
  /** Responsibilities `(nSamples × nComponents)`, row-major. */
  predictProba(X: Matrix): Float64Array;
  /** log p(x) of each row, `(nSamples)`. */
  scoreSamples(X: Matrix): Float64Array;
  /** Free parameters for data of `nFeatures` columns. */
  nParametersFor(nFeatures: number): number;
  /** Number of components. */
  readonly nComponents: number;
  /** The saved form (`toJSON`). */
  toJSON(): unknown;
}

/** Options of `selectModel`: the grid to search, the criterion, and the options of every fit. */
export interface SelectModelOptions {
  /**
   * The model family, by class name (`'GaussianMixture'`, `'PoissonMixture'`, `'BernoulliMixture'`,
   * …; any registered family that models X alone). Default `'GaussianMixture'`.
   */
  family?: string;
  /** Candidate numbers of components (integers in [1, nSamples]). Default 1…9 (those ≤ nSamples). */
  nComponents?: readonly number[];
  /**
   * Candidate covariance types, for the families that have them (GaussianMixture: default all
   * four; StudentMixture: default 'full' and 'diag'). Other families have none (rows then carry none).
   */
  covarianceTypes?: readonly CovarianceType[];
  /** Default `'bic'`. */
  criterion?: SelectionCriterion;
  /** Folds for `'cv'`, an integer in [2, nSamples]. Default 5. */
  nFolds?: number;
  /** Restarts of every fit. Default 1. */
  nInit?: number;
  /** Integer seed in [0, 2³²): the same seed gives the same table and the same best model. */
  randomState?: number;
  /** Called after each combination is scored. */
  onProgress?: (progress: SelectionProgress) => void;
  /** Passed to every model (tol, regCovar, maxIter, initParams, prior, backend …). */
  modelOptions?: SelectionModelOptions | Record<string, unknown>;
}

/** One (nComponents, covarianceType) combination of a `selectModel` table and its score. */
export interface SelectionRow {
  /** The model family (class name); selectModel always sets it. */
  family?: string;
  /** Number of components of this fit. */
  nComponents: number;
  /** The covariance type, for families that have one. */
  covarianceType?: CovarianceType;
  /** The criterion `score` holds. */
  criterion: SelectionCriterion;
  /** The criterion, lower is better; `Infinity` when the fit failed (see `error`). */
  score: number;
  /** Free parameters (the model's count, as `nParameters()`). */
  nParameters: number;
  /** Why the fit failed (a covariance collapsed), if it did. */
  error?: string;
}

/** What `onProgress` gets after each combination is scored. */
export interface SelectionProgress {
  /** Combinations scored so far. */
  done: number;
  /** Combinations in all. */
  total: number;
  /** The row just scored. */
  row: SelectionRow;
}

/** What `selectModel` resolves to. */
export interface SelectionResult<M = GaussianMixture> {
  /** One row per combination, covariance type major, in the order given. */
  table: SelectionRow[];
  /** The row with the lowest score (the first such row on a tie). */
  bestRow: SelectionRow;
  /** The best combination fitted on all of X. */
  best: M;
}

/**
 * Fits a Gaussian mixture for every (nComponents, covarianceType) pair on `X (nSamples × nFeatures)`
 * and scores it by `criterion`; resolves to the table and the best model. Deterministic under
 * `randomState`: every fit uses one seed drawn from it, and the folds come from a shuffle seeded by it.
 */
export async function selectModel(
  X: MatrixInput,
  options?: SelectModelOptions & { family?: 'GaussianMixture' },
): Promise<SelectionResult<GaussianMixture>>;
export async function selectModel(
  X: MatrixInput,
  options: SelectModelOptions & { family: string },
): Promise<SelectionResult<SelectableModel>>;
export async function selectModel(
  X: MatrixInput,
  options: SelectModelOptions = {},
): Promise<SelectionResult<SelectableModel>> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`options must be an object, got ${show(options)}`);
  }
  const data = toMatrix(X);
  const n = data.rows;
  const criterion = requireOneOf('criterion', options.criterion ?? 'bic', CRITERIA);
  const nFolds = requireInteger('nFolds', options.nFolds ?? 5, 2, n);
  const nInit = requireInteger('nInit', options.nInit ?? 1, 1);
  if (options.randomState !== undefined) requireInteger('randomState', options.randomState, 0, 0xffffffff);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError(`onProgress must be a function, got ${show(options.onProgress)}`);
  }
  const maxK = criterion === 'cv' ? n - Math.ceil(n / nFolds) : n;
  const ks = checkList(
    'nComponents',
    options.nComponents ?? [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((k) => k <= maxK),
    (k) => requireInteger('nComponents', k, 1, maxK),
  );
  const family = options.family ?? 'GaussianMixture';
  const entry = familyEntry(family);
  if (!entry.covarianceTypes && !entry.selectable) {
    throw new RangeError(`selectModel needs a family that models X alone; ${family} does not (it needs y)`);
  }
  const allowed = entry.covarianceTypes ?? null;
  if (!allowed && options.covarianceTypes !== undefined) {
    throw new RangeError(`covarianceTypes does not apply to ${family}, which has no covariance types`);
  }
  const types: (CovarianceType | undefined)[] = allowed
    ? checkList('covarianceTypes', options.covarianceTypes ?? allowed, (t) =>
        requireOneOf('covarianceTypes', t, allowed as readonly CovarianceType[]),
      )
    : [undefined];
  const rng = randomFrom(options.randomState);
  const seed = rng.seed();
  const folds = criterion === 'cv' ? makeFolds(data, nFolds, rng) : [];
  const make = (nComponents: number, covarianceType: CovarianceType | undefined): SelectableModel =>
    entry.create({
      ...options.modelOptions,
      nComponents,
      ...(covarianceType ? { covarianceType } : {}),
      nInit,
      randomState: seed,
    }) as unknown as SelectableModel;

  const table: SelectionRow[] = [];
  let best: { row: SelectionRow; model: SelectableModel | null } | null = null;
  const total = ks.length * types.length;
  for (const covarianceType of types) {
    for (const nComponents of ks) {
      const row: SelectionRow = {
        family,
        nComponents,
        ...(covarianceType ? { covarianceType } : {}),
        criterion,
        score: Infinity,
        nParameters: 0,
      };
      let model: SelectableModel | null = null;
      try {
        if (criterion === 'cv') {
          let heldOut = 0;
          for (const fold of folds) {
            const m = make(nComponents, covarianceType);
            await m.fit(fold.train);
            heldOut += sumLogLikelihood(m, fold.test);
          }
          row.score = -heldOut / n;
        } else {
          model = make(nComponents, covarianceType);
          await model.fit(data);
          row.score = information(model, data, criterion);
        }
      } catch (e) {
        if (!(e instanceof DegenerateCovarianceError)) throw e;
        row.error = e.message;
        model = null;
      }
      row.nParameters = make(nComponents, covarianceType).nParametersFor(data.cols);
      table.push(row);
      if (!best || row.score < best.row.score) best = { row, model };
      options.onProgress?.({ done: table.length, total, row });
    }
  }
  const chosen = best as { row: SelectionRow; model: SelectableModel | null };
  if (!(chosen.row.score < Infinity)) {
    throw new Error(
      `selectModel: every combination failed (${chosen.row.error ?? 'no finite score'}); increase modelOptions.regCovar or use fewer components`,
    );
  }
  let bestModel = chosen.model;
  if (!bestModel) {
    bestModel = make(chosen.row.nComponents, chosen.row.covarianceType);
    await bestModel.fit(data);
  }
  return { table, bestRow: chosen.row, best: bestModel };
}

function checkList<T>(name: string, list: unknown, check: (v: unknown) => T): T[] {
  if (!Array.isArray(list)) throw new TypeError(`${name} must be an array, got ${show(list)}`);
  if (list.length === 0) throw new RangeError(`${name} must not be empty, got []`);
  const out = list.map(check);
  const seen = new Set<T>();
  for (const v of out) {
    if (seen.has(v)) throw new RangeError(`${name} must not repeat a value, got ${show(v)} twice`);
    seen.add(v);
  }
  return out;
}

function information(model: SelectableModel, X: Matrix, criterion: 'bic' | 'icl' | 'aic'): number {
  if (criterion === 'aic') return model.aic(X);
  const bic = model.bic(X);
  if (criterion === 'bic') return bic;
  // mclust: BIC + 2·Σ_i Σ_c C_ic ln z_ic with C the hard assignment (a row's largest z).
  const resp = model.predictProba(X);
  const k = model.nComponents;
  let logMax = 0;
  for (let i = 0; i < X.rows; i++) {
    let m = 0;
    for (let c = 0; c < k; c++) m = Math.max(m, resp[i * k + c]);
    logMax += Math.log(m);
  }
  return bic - 2 * logMax;
}

function sumLogLikelihood(model: SelectableModel, X: Matrix): number {
  let s = 0;
  for (const v of model.scoreSamples(X)) s += v;
  return s;
}

/** `nFolds` folds of a seeded shuffle of the rows: fold f tests on its rows and trains on the rest. */
function makeFolds(X: Matrix, nFolds: number, rng: Random): { train: Matrix; test: Matrix }[] {
  const { rows: n, cols: d, data } = X;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const pick = (rows: number[]): Matrix => {
    const out = new Float64Array(rows.length * d);
    rows.forEach((r, i) => out.set(data.subarray(r * d, r * d + d), i * d));
    return { data: out, rows: rows.length, cols: d };
  };
  return Array.from({ length: nFolds }, (_, f) => {
    const lo = Math.floor((f * n) / nFolds);
    const hi = Math.floor(((f + 1) * n) / nFolds);
    return { test: pick(order.slice(lo, hi)), train: pick([...order.slice(0, lo), ...order.slice(hi)]) };
  });
}
