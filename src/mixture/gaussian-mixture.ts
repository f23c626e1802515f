import { DensityMixture } from '../em/density-mixture.js';
import {
  readEnvelope,
  type EstimatorFitOptions,
  type EstimatorJSON,
  type FitData,
  type Fitted,
} from '../em/estimator.js';
import { runEM, type IterationInfo } from '../em/loop.js';
import {
  MIXTURE_OPTIONS,
  MixtureFit,
  type ComponentContext,
  type MixtureInitParams,
  type MixtureOptions,
  type MixtureParams,
  type MixtureSettings,
  checkWeights,
} from '../em/mixture.js';
import type { OptionSpec } from '../em/options.js';
import { acquireTableWorkspace, acquireTableWorkspaceSync } from '../kernels/table.js';
import { show } from '../util/errors.js';
import { toArray, toMatrix, type Matrix, type MatrixInput, type NumericArray } from '../util/matrix.js';
import { randomFrom, type Random } from '../util/random.js';
import { checkFixed, ConstrainedMStep, type FixedParameters } from './constrained-mstep.js';
import {
  COVARIANCE_KINDS,
  COVARIANCE_TYPES,
  type CovarianceKind,
  type CovarianceType,
  gaussianSampler,
} from './covariance.js';
import { GaussianParts, type GaussianComponents, type GaussianStart } from './gaussian-parts.js';
import { hasMissing, MissingEM, missingPosterior } from './missing-em.js';
import {
  checkPriorOptions,
  priorToJSON,
  resolvePrior,
  type Prior,
  type PriorInput,
  type PriorJSON,
} from './prior.js';

/** A parameter array: nested arrays in scikit-learn's shape, or the same values flat. */
export type ArrayInput =
  | NumericArray
  | readonly number[]
  | readonly (readonly number[] | NumericArray)[]
  | readonly (readonly (readonly number[])[])[];

/** How starting responsibilities are made (scikit-learn's `init_params`). */
export type InitParams = MixtureInitParams;

/** Options of `new GaussianMixture(options)`; every one is optional. K is `nComponents`, D the number of features. */
export interface GaussianMixtureOptions extends Omit<MixtureOptions, 'onIteration'> {
  /** Shape of each component's covariance. Default `'full'`. */
  covarianceType?: CovarianceType;
  /** Added to the covariance diagonal at initialisation and in every M-step. Default 1e-6. */
  regCovar?: number;
  /** Starting means `(K × D)`. */
  meansInit?: ArrayInput;
  /**
   * Starting precisions (inverse covariances): full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`,
   * spherical `(K)`; symmetric positive definite (positive for diag and spherical).
   */
  precisionsInit?: ArrayInput;
  /** Called after every EM iteration, with the parameters its M-step produced. */
  onIteration?: (info: GaussianIterationInfo) => void;
  /**
   * NaN entries of X: `'error'` (default) rejects them; `'marginalize'` treats them as missing at
   * random and fits by exact EM over the observed entries (Ghahramani & Jordan 1994), and scoring
   * methods accept NaN too (see `impute`). The starting point comes from the rows with no NaN when
   * there are at least nComponents of them, else from mean-imputed data. Runs on one thread.
   */
  missing?: 'error' | 'marginalize';
  /**
   * Parameters kept at their starting values (the `*Init` given, else the initialisation's) through
   * the fit; the others are re-estimated given them (a generalised EM: the bound still never decreases).
   */
  fixed?: FixedParameters;
  /**
   * mclust's conjugate prior: a MAP M-step, and `lowerBound` adds the log-prior divided by nSamples.
   * `'default'` is mclust's `priorControl()`; see `PriorOptions` for the fields and their defaults.
   */
  prior?: PriorInput;
}

/** Per-call options of `fit` and `fitPredict`. */
export type FitOptions = EstimatorFitOptions;

/** Progress of a Gaussian-mixture fit: the iteration and the parameters after its M-step (copies). */
export interface GaussianIterationInfo extends IterationInfo {
  /** `(K)` */
  weights: Float64Array;
  /** `(K × D)` */
  means: Float64Array;
  /** shaped as `GaussianMixture.covariances` */
  covariances: Float64Array;
}

interface GaussianSettings extends MixtureSettings {
  covarianceType: CovarianceType;
  regCovar: number;
  meansInit?: ArrayInput;
  precisionsInit?: ArrayInput;
  missing: 'error' | 'marginalize';
  fixed: Required<FixedParameters>;
  prior?: PriorInput | null;
}

const SPEC: OptionSpec = {
  ...MIXTURE_OPTIONS,
  covarianceType: { type: 'enum', values: COVARIANCE_TYPES, default: 'full' },
  regCovar: { type: 'number', min: 0, default: 1e-6 },
  meansInit: { type: 'array' },
  precisionsInit: { type: 'array' },
  missing: { type: 'enum', values: ['error', 'marginalize'], default: 'error' },
  fixed: {
    type: 'custom',
    check: (v) => checkFixed(v),
    default: { weights: false, means: false, covariances: false },
  },
  prior: { type: 'custom', check: (v) => checkPriorOptions(v) },
};

/** The JSON form of a fitted model (`toJSON` / `fromJSON`): the engine's envelope. */
export type GaussianMixtureJSON = EstimatorJSON;

/** The layout emwasm wrote before the engine's envelope (still read by `fromJSON`). */
interface LegacyGaussianMixtureJSON {
  format: 'emwasm.GaussianMixture';
  version: 1;
  nComponents: number;
  covarianceType: CovarianceType;
  nFeatures: number;
  tol: number;
  regCovar: number;
  maxIter: number;
  nInit: number;
  initParams: InitParams;
  randomState: number | null;
  prior?: PriorJSON | null;
  fixed?: Required<FixedParameters>;
  weights: number[];
  means: number[];
  covariances: number[];
  precisionsCholesky: number[];
  converged: boolean;
  nIter: number;
  lowerBound: number | null;
  lowerBounds: (number | null)[];
}

type RuntimeOptions = Pick<
  GaussianMixtureOptions,
  'backend' | 'threads' | 'worker' | 'warmStart' | 'onIteration' | 'signal' | 'missing'
>;

/**
 * A Gaussian mixture fitted by EM, following scikit-learn's `GaussianMixture` (same options in
 * camelCase, same conventions, same results from the same start).
 *
 * ```ts
 * const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(X);
 * gm.predict(X); gm.bic(X);
 * ```
 */
export class GaussianMixture extends DensityMixture<GaussianComponents, GaussianSettings> {
  protected readonly kernels = {};
  private readonly kind: CovarianceKind;
  /** The sampler of the parameters last sampled from (its factors are computed once per model). */
  private sampling: {
    params: MixtureParams<GaussianComponents>;
    draw: ReturnType<typeof gaussianSampler>;
  } | null = null;

  constructor(options: GaussianMixtureOptions = {}) {
    super('GaussianMixture', SPEC, options);
    this.kind = COVARIANCE_KINDS[this.settings.covarianceType];
    const { meansInit, precisionsInit, nComponents: k, maxIter } = this.settings;
    if (maxIter === 0 && meansInit !== undefined && precisionsInit !== undefined) {
      const d =
        Array.isArray(meansInit) && Array.isArray(meansInit[0])
          ? (meansInit[0] as unknown[]).length
          : Math.max(1, Math.floor((meansInit as ArrayLike<number>).length / k));
      const start = this.checkedStart(d);
      const { means, covariances, precisionsCholesky } = start as Required<GaussianStart>;
      this.adoptCompleteStart({
        complete: true,
        params: { means, covariances, precisionsCholesky },
        nFeatures: d,
      });
    }
  }

  protected override get exampleName(): string {
    return 'gm';
  }

  /** Shape of each component's covariance. */
  get covarianceType(): CovarianceType {
    return this.settings.covarianceType;
  }
  /** EM stops when the lower bound improves by less than this. */
  get tol(): number {
    return this.settings.tol;
  }
  /** Added to the diagonal of every covariance. */
  get regCovar(): number {
    return this.settings.regCovar;
  }
  /** EM iterations per restart. */
  get maxIter(): number {
    return this.settings.maxIter;
  }
  /** Restarts; the one with the highest lower bound is kept. */
  get nInit(): number {
    return this.settings.nInit;
  }
  /** How starting responsibilities are made. */
  get initParams(): InitParams {
    return this.settings.initParams;
  }
  /** The seed (undefined: a fresh seed each fit). */
  get randomState(): number | undefined {
    return this.settings.randomState;
  }
  /** Whether `fit` continues from the last fit instead of starting anew. */
  get warmStart(): boolean {
    return this.settings.warmStart;
  }
  /** Where the kernels run: `'wasm'` or `'js'`. */
  get backend(): 'wasm' | 'js' {
    return this.settings.backend;
  }

  /** The data matrix, with NaN allowed (as missing) when `missing` is `'marginalize'`. */
  protected override matrix(X: MatrixInput): Matrix {
    return toMatrix(X, 'X', this.settings.missing === 'marginalize');
  }

  protected checkData(): void {
    // Any finite value (or NaN with missing: 'marginalize', checked by `matrix`) is Gaussian data.
  }

  protected workPerRow(k: number, d: number): number {
    return this.kind.workPerRow(k, d);
  }

  protected componentParameters(k: number, d: number): number {
    return this.kind.covarianceParameters(k, d) + k * d;
  }

  /** The user's starting values, checked against the data's width (scikit-learn's `_check_*`). */
  private checkedStart(d: number): GaussianStart {
    const s = this.settings;
    const k = s.nComponents;
    const start: GaussianStart = {};
    if (s.meansInit !== undefined) start.means = toArray(s.meansInit, 'meansInit', [k, d]);
    if (s.precisionsInit !== undefined) {
      const p = toArray(s.precisionsInit, 'precisionsInit', this.kind.shape(k, d));
      const problem = this.kind.checkPrecisions(p, k, d);
      if (problem) {
        const what =
          this.kind.type === 'full' || this.kind.type === 'tied' ? 'symmetric positive definite' : 'positive';
        throw new RangeError(`precisionsInit must be ${what}: ${problem}`);
      }
      const pc = this.kind.precisionCholeskyFromPrecisions(p, k, d) as Float64Array;
      start.precisionsCholesky = pc;
      start.covariances = this.kind.covariancesFromPrecisionCholesky(pc, k, d);
    }
    return start;
  }

  private constrainedFor(prior: Prior | null): ((ctx: ComponentContext) => ConstrainedMStep) | null {
    const { fixed, regCovar } = this.settings;
    if (!prior && !fixed.weights && !fixed.means && !fixed.covariances) return null;
    return (ctx) =>
      new ConstrainedMStep({ ws: ctx.ws, k: ctx.k, d: ctx.d, kind: this.kind, regCovar, fixed, prior });
  }

  /** The resolved prior for this data (mclust's defaults from the data's moments), or null. */
  private priorFor(X: Matrix, sampleWeight: Float64Array | null): Prior | null {
    const p = this.settings.prior;
    return p ? resolvePrior(p, X, this.settings.nComponents, this.kind.type, sampleWeight) : null;
  }

  /**
   * The components of one fit (the user's start checked against the data's width, the prior
   * resolved on the data) or of one scoring call (neither needed).
   */
  protected components(ctx: ComponentContext): GaussianParts {
    if (ctx.scoring) return this.parts(ctx, {}, null);
    return this.parts(ctx, this.checkedStart(ctx.d), this.priorFor(ctx.X, ctx.sampleWeight ?? null));
  }

  private parts(ctx: ComponentContext, start: GaussianStart, prior: Prior | null): GaussianParts {
    return new GaussianParts(ctx, {
      kind: this.kind,
      regCovar: this.settings.regCovar,
      start,
      constrained: this.constrainedFor(prior),
    });
  }

  protected override async runFit(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<MixtureParams<GaussianComponents>> | null,
  ): Promise<Fitted<MixtureParams<GaussianComponents>>> {
    if (this.settings.missing === 'marginalize' && hasMissing(data.X))
      return this.runMissing(data, signal, warm);
    return super.runFit(data, signal, warm);
  }

  /** The missing-data fit (one thread): exact EM over the observed entries, started by the complete-data start. */
  private async runMissing(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<MixtureParams<GaussianComponents>> | null,
  ): Promise<Fitted<MixtureParams<GaussianComponents>>> {
    const s = this.settings;
    const { X, sampleWeight } = data;
    const k = s.nComponents;
    this.checkRows(X.rows, sampleWeight);
    // The start begins on complete (or mean-imputed) rows, but the prior is the whole data's.
    const prior = this.priorFor(X, sampleWeight);
    const start = this.checkedStart(X.cols);
    const ws = await acquireTableWorkspace({}, s.backend);
    try {
      const constrained = this.constrainedFor(prior);
      const em = new MissingEM({
        ws,
        X,
        k,
        kind: this.kind,
        regCovar: s.regCovar,
        constrained: constrained && constrained({ ws, n: X.rows, d: X.cols, k, X }),
        sampleWeight,
        initializer: (first) =>
          new MixtureFit({
            ws,
            ctx: { ws, n: first.rows, d: first.cols, k, X: first },
            components: (ctx) => this.parts(ctx, start, prior),
            initParams: s.initParams,
            blocks: 1,
            rowWeights: first.sampleWeight,
            respInit: null,
            weightsInit: this.checkedWeights(k),
            kmeans: s.initParams === 'kmeans' || s.initParams === 'k-means++',
          }),
      });
      if (warm) em.restore(warm.params);
      const result = await runEM(em, {
        maxIter: s.maxIter,
        tol: s.tol,
        nInit: s.nInit,
        warmStartBound: warm ? warm.lowerBound : null,
        rng: randomFrom(s.randomState),
        signal,
        onIteration: s.onIteration && ((info, current) => s.onIteration?.({ ...info, ...current() })),
      });
      return { ...result, nFeatures: X.cols };
    } finally {
      ws.release();
    }
  }

  protected override posteriorOf(X: Matrix, method: string): { resp: Float64Array; lse: Float64Array } {
    if (!hasMissing(X)) return super.posteriorOf(X, method);
    const f = this.requireFitted(method);
    this.checkWidth(X, f.nFeatures);
    const ws = acquireTableWorkspaceSync({}, this.settings.backend);
    try {
      const r = missingPosterior(ws, X, this.settings.nComponents, this.kind, f.params);
      return { resp: r.resp, lse: r.lse };
    } finally {
      ws.release();
    }
  }

  /**
   * `X (nSamples × nFeatures)` with each NaN (missing) entry replaced by its conditional expectation
   * under the fitted model, `Σ_k p(k | x_o) E[x_m | x_o, k]`; observed entries are copied unchanged.
   * Needs `missing: 'marginalize'`. Returns `Float64Array (nSamples × nFeatures)`.
   */
  impute(X: MatrixInput): Float64Array {
    const f = this.requireFitted('impute');
    if (this.settings.missing !== 'marginalize') {
      throw new Error("impute needs a GaussianMixture created with missing: 'marginalize'");
    }
    const m = this.matrix(X);
    this.checkWidth(m, f.nFeatures);
    if (!hasMissing(m)) return Float64Array.from(m.data);
    const ws = acquireTableWorkspaceSync({}, this.settings.backend);
    try {
      return missingPosterior(ws, m, this.settings.nComponents, this.kind, f.params).xhat;
    } finally {
      ws.release();
    }
  }

  protected sampleComponent(
    p: MixtureParams<GaussianComponents>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void {
    if (this.sampling?.params !== p) {
      this.sampling = {
        params: p,
        draw: gaussianSampler(this.kind, p.means, p.precisionsCholesky, this.settings.nComponents, d),
      };
    }
    this.sampling.draw(c, rng, out, offset);
  }

  /** `(nComponents × nFeatures)` component means. */
  get means(): Float64Array {
    return Float64Array.from(this.requireFitted('means').params.means);
  }

  /** Covariances: full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`, spherical `(K)`. */
  get covariances(): Float64Array {
    return Float64Array.from(this.requireFitted('covariances').params.covariances);
  }

  /** Precisions (inverse covariances), shaped as `covariances`. */
  get precisions(): Float64Array {
    const f = this.requireFitted('precisions');
    return this.kind.precisions(f.params.precisionsCholesky, this.settings.nComponents, f.nFeatures);
  }

  /** Cholesky factors of the precisions, shaped as `covariances`; upper triangular (`P = U Uᵀ`) for full and tied. */
  get precisionsCholesky(): Float64Array {
    return Float64Array.from(this.requireFitted('precisionsCholesky').params.precisionsCholesky);
  }

  protected override savedOptions(): Record<string, unknown> {
    return {
      ...super.savedOptions(),
      prior: priorToJSON(this.settings.prior ?? null),
      fixed: { ...this.settings.fixed },
    };
  }

  protected paramsToJSON(p: MixtureParams<GaussianComponents>): Record<string, unknown> {
    return {
      weights: [...p.weights],
      means: [...p.means],
      covariances: [...p.covariances],
      precisionsCholesky: [...p.precisionsCholesky],
    };
  }

  /**
   * Saved parameters, checked as strictly as options: weights non-negative and summing to 1, finite
   * means, precision Cholesky factors upper triangular with a positive diagonal, and covariances
   * equal to the inverse of the precisions they factor (to 1e-6 of each matrix's largest entry).
   */
  protected paramsFromJSON(o: Record<string, unknown>, d: number): MixtureParams<GaussianComponents> {
    const k = this.settings.nComponents;
    const shape = this.kind.shape(k, d);
    const weights = checkWeights(o.weights, k);
    const means = toArray(o.means, 'means', [k, d]);
    const covariances = toArray(o.covariances, 'covariances', shape);
    const precisionsCholesky = toArray(o.precisionsCholesky, 'precisionsCholesky', shape);
    const problem = this.kind.checkPrecisionCholesky(precisionsCholesky, k, d);
    if (problem) throw new RangeError(`precisionsCholesky is not a valid factor: ${problem}`);
    const implied = this.kind.covariancesFromPrecisionCholesky(precisionsCholesky, k, d);
    const block = this.kind.blockLength(d);
    for (let i = 0; i < implied.length; i++) {
      const first = i - (i % block);
      let scale = 0;
      for (let j = first; j < first + block; j++) scale = Math.max(scale, Math.abs(implied[j]));
      if (!(Math.abs(covariances[i] - implied[i]) <= 1e-6 * scale)) {
        throw new RangeError(
          `covariances disagree with precisionsCholesky at flat index ${i}: saved ${covariances[i]}, ` +
            `the factor gives ${implied[i]}`,
        );
      }
    }
    return { weights, means, covariances, precisionsCholesky };
  }

  /** Restores a model saved with `toJSON` (a parsed object or its JSON text; older emwasm files too). */
  static fromJSON(json: GaussianMixtureJSON | string, options: RuntimeOptions = {}): GaussianMixture {
    const o = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown> | null;
    if (o && o.format === 'emwasm.GaussianMixture')
      return fromLegacyJSON(o as unknown as LegacyGaussianMixtureJSON, options);
    if (!o || o.format !== 'emwasm') {
      throw new TypeError(
        `fromJSON expects a saved GaussianMixture (format 'emwasm', or the older format 'emwasm.GaussianMixture'), got ${show(o?.format)}`,
      );
    }
    const e = readEnvelope(o, 'GaussianMixture');
    return new GaussianMixture({ ...(e.options as GaussianMixtureOptions), ...options }).restoreJSON(e);
  }
}

/** A model saved before the engine's envelope: the same fields, laid out flat. */
function fromLegacyJSON(o: LegacyGaussianMixtureJSON, options: RuntimeOptions): GaussianMixture {
  if (o.version !== 1) throw new RangeError(`fromJSON supports version 1, got ${show(o.version)}`);
  const gm = new GaussianMixture({
    nComponents: o.nComponents,
    covarianceType: o.covarianceType,
    tol: o.tol,
    regCovar: o.regCovar,
    maxIter: o.maxIter,
    nInit: o.nInit,
    initParams: o.initParams,
    randomState: o.randomState ?? undefined,
    prior: o.prior ?? undefined,
    fixed: o.fixed,
    ...options,
  });
  const { weights, means, covariances, precisionsCholesky, converged, nIter, lowerBound, lowerBounds } = o;
  return gm.restoreJSON({
    format: 'emwasm',
    version: 1,
    family: 'GaussianMixture',
    options: {},
    params: { weights, means, covariances, precisionsCholesky },
    fit: { nFeatures: o.nFeatures, converged, nIter, lowerBound, lowerBounds },
  });
}
