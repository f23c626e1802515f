import type { Handle, KernelJob } from '../backend/types.js';
import { requireWasmMemory } from '../backend/wasm.js';
import { allocKMeans, kmeans, kmeansPlusPlus, type KMeansBuffers } from '../init/kmeans.js';
import {
  acquireTableWorkspace,
  acquireTableWorkspaceSync,
  type KernelTable,
  type TableWorkspace,
} from '../kernels/table.js';
import { availableThreads, sharedMemorySupported } from '../threads/pool.js';
import { show } from '../util/errors.js';
import { allFinite, toArray, type Matrix } from '../util/matrix.js';
import { randomFrom, randomStochasticRows, type Random } from '../util/random.js';
import { positiveRows } from '../util/weights.js';
import { COMMON_OPTIONS, Estimator, type CommonSettings, type FitData, type Fitted } from './estimator.js';
import { runEM, type EMHooks, type IterationInfo } from './loop.js';
import type { OptionSpec } from './options.js';
import { rowOffset, runSlices, slicedPass, type SliceRunner } from './parallel.js';
import { StatsBlock, type StatsLayout } from './stats.js';

/** scikit-learn's guard against empty components: `nk = Σr + 10·eps`. */
const EPS = 2.220446049250313e-16;

export const MIXTURE_INIT_PARAMS = ['kmeans', 'k-means++', 'random', 'random_from_data'] as const;
/** How the starting responsibilities are made (scikit-learn's `init_params`). */
export type MixtureInitParams = (typeof MIXTURE_INIT_PARAMS)[number];

/** The option rules every mixture shares; a family adds its own and may change `initParams`' default. */
export const MIXTURE_OPTIONS: OptionSpec = {
  nComponents: { type: 'integer', min: 1, default: 1 },
  ...COMMON_OPTIONS,
  initParams: { type: 'enum', values: MIXTURE_INIT_PARAMS, default: 'kmeans' },
  weightsInit: { type: 'array' },
  respInit: { type: 'array' },
};

/** Options every mixture family takes (scikit-learn's names in camelCase). */
export interface MixtureOptions {
  /** Number of mixture components K, an integer >= 1 (at most the rows with positive weight). Default 1. */
  nComponents?: number;
  /** Stop when the change of the lower bound is below `tol`; 0 runs `maxIter` iterations. Default 1e-3. */
  tol?: number;
  /** EM iterations per restart, an integer >= 0. With 0 and every `*Init` given, the model is usable unfitted. Default 100. */
  maxIter?: number;
  /** Restarts; the one with the highest lower bound wins. Default 1. */
  nInit?: number;
  /** How starting responsibilities are made when no `respInit` is given. Default `'kmeans'`. */
  initParams?: MixtureInitParams;
  /** Starting weights `(K)`, non-negative, summing to 1. */
  weightsInit?: ArrayLike<number> | readonly number[];
  /**
   * Starting responsibilities `(nSamples × K)`: rows of non-negative numbers summing to 1 (soft),
   * one-hot rows, or `(nSamples)` integer labels in [0, K) (a hard partition, as R's flexmix
   * `cluster` and mclust's `z`). The fit then begins with an M-step from them. A `Float64Array`
   * is read by each fit as it is (not copied): do not change it while a fit runs.
   */
  respInit?: ArrayLike<number> | readonly (readonly number[])[];
  /** Integer seed in [0, 2³²): the same seed gives the same fit. Unset: a fresh seed each fit. */
  randomState?: number;
  /** Continue from the last fit's parameters (one run, no initialisation). Default false. */
  warmStart?: boolean;
  /** Called after every EM iteration with the bound and (copies of) the parameters it produced. */
  onIteration?: (info: IterationInfo & Record<string, unknown>) => void;
  /** `'wasm'` (default) runs the WebAssembly kernels; `'js'` their plain TypeScript twins. */
  backend?: 'wasm' | 'js';
  /** Threads for the E/M passes (Wasm): `'auto'` (default) or a count. Results agree to ~1e-12. */
  threads?: 'auto' | number;
  /** Run each fit in a worker of its own (off the calling thread). Default false. */
  worker?: boolean;
  /** Aborts fits: an aborted fit rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface MixtureSettings extends CommonSettings {
  nComponents: number;
  initParams: MixtureInitParams;
  weightsInit?: ArrayLike<number>;
  respInit?: unknown;
}

/** The parameters of a fitted mixture: the weights and the family's component parameters `C`. */
export type MixtureParams<C> = C & { weights: Float64Array };

/** What the engine hands a family's components for one fit or one scoring call. */
export interface ComponentContext {
  readonly ws: TableWorkspace<KernelTable>;
  /** Rows, features, components. */
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** The data on the host (the same values as `x` in the workspace). */
  readonly X: Matrix;
  /** X's `(n × d)` copy in the workspace (set by the engine, the values already in place). */
  readonly x?: Handle;
  /** `(n)` responses, for families that model one (regression). */
  readonly y?: Float64Array;
  /** The current mixture weights `(K)` (set by the engine; for M-steps that keep or constrain them). */
  readonly weights?: () => Float64Array;
  /** `(n)` the fit's row weights (null or absent: weight 1 everywhere). */
  readonly sampleWeight?: Float64Array | null;
  /** True when the components only score (no start, no statistics, no prior needed). */
  readonly scoring?: boolean;
}

/** The arrays of one kernel call over rows [first, first + rows); 0 means "not wanted". */
export interface PassArgs {
  first: number;
  rows: number;
  /** X's rows (offset to `first`). */
  x: Handle;
  /** `(K)` log mixture weights. */
  logWeights: Handle;
  /** The statistics block to accumulate into; null when only posteriors are wanted (scoring). */
  stats: Readonly<Record<string, Handle>> | null;
  /** The block's scratch arrays. */
  scratch: Readonly<Record<string, Handle>>;
  /** `(rows × K)` responsibilities out, or 0. */
  resp: Handle;
  /** `(rows)` log p(x) out, or 0. */
  lse: Handle;
  /** `(rows)` sample weights, or 0 for weight 1. */
  sampleWeight: Handle;
}

/**
 * A family's component parameters inside one workspace (the hooks a mixture family implements).
 * Constructed once per fit: allocate every array in the constructor, take views in `bind`.
 */
export interface Components<C, L extends StatsLayout = StatsLayout> {
  /** The sufficient statistics one E-step pass accumulates; must include `nk` `(K)`, Σ of w·r. */
  readonly layout: L;
  /** Per-block work arrays the kernel needs (lengths in f64s). */
  readonly scratch?: Readonly<Record<string, number>>;
  /** Takes the views, once every array of the workspace is allocated. */
  bind(): void;
  /** The fused E-step kernel call for one slice of rows; it returns Σ w·log p(x) over the slice. */
  eStep(args: PassArgs): KernelJob;
  /**
   * M-step from the merged statistics; throws a clear error on a degenerate case. The weights are
   * the engine's (`(nk + 10·eps) / Σ`) unless this returns them (a family whose M-step fixes or
   * constrains the weights). `initial` is true for the M-step from the starting responsibilities.
   */
  mStep(stats: StatsBlock<L>, initial?: boolean): Float64Array | void;
  /**
   * Adds the statistics of explicit `(n × K)` responsibilities (already multiplied by the row
   * weights); init only. `handles` names the same responsibilities and X in the workspace, for
   * families that accumulate with kernels. A family implements this or `accumulatePass`.
   */
  accumulate?(resp: Float64Array, stats: StatsBlock<L>, handles?: { resp: Handle; x: Handle }): void;
  /**
   * The same statistics as one kernel call per slice of rows, so that the engine runs the first
   * M-step over the threads like an E-step pass: `args.resp` holds the slice's responsibilities
   * (already multiplied by the row weights), `args.stats` its block. Preferred over `accumulate`.
   */
  accumulatePass?(args: PassArgs): KernelJob;
  /**
   * Work on the data that can be cut into row slices (e.g. compressing X), run once after `bind`
   * and before any start or scoring: `rows(job)` runs `job(first, rows)` over the fit's slices, on
   * the threads when it has several (it then returns a promise), and gives each call's result.
   */
  prepare?(rows: SliceRunner): void | Promise<void>;
  /**
   * Responsibilities and log p(x) for scoring, when the E-step kernel cannot write them (its
   * `stats` null): runs the calls itself. Without it, the engine runs `eStep` with `stats` null.
   */
  posterior?(args: PassArgs): void;
  /** What to tell the user when a row has zero probability under every component. */
  readonly zeroDensityAdvice?: string;
  /** The log-prior of the current parameters, added to the bound (0 without a prior). */
  logPrior(): number;
  /** Sets the starting values the user gave (`*Init`), after the initial M-step. */
  applyStart(): void;
  /** Whether the user's starting values set every component parameter (no initial M-step needed). */
  readonly startComplete: boolean;
  snapshot(): C;
  restore(p: C): void;
}

/**
 * Multiply-adds per iteration each thread must get before `threads: 'auto'` adds it (the Gaussian
 * mixture's measured break-even on 2 cores, 1–3 units of 2¹⁸; a family states its work per row).
 */
const WORK_PER_THREAD = 1 << 19;

/** What one `MixtureFit` is built from. */
export interface MixtureFitOptions<C, L extends StatsLayout> {
  ws: TableWorkspace<KernelTable>;
  ctx: ComponentContext;
  components: (ctx: ComponentContext) => Components<C, L>;
  initParams: MixtureInitParams;
  /** Statistics blocks, one per thread. */
  blocks: number;
  /** `(n)` row weights, or null for weight 1 everywhere. */
  rowWeights: Float64Array | null;
  /** `(n × K)` starting responsibilities, or null. */
  respInit: Float64Array | null;
  /** `(K)` starting weights, or null. */
  weightsInit: Float64Array | null;
  /** Allocate the k-means buffers (the start may need them). */
  kmeans: boolean;
}

/**
 * The mixture EM engine for any family: data and every array of the iterations live in one
 * workspace, allocated once and reused by every iteration and restart; the E-step is sliced over
 * threads into statistics blocks that are then merged; the engine owns the weights, the starting
 * responsibilities (k-means, k-means++, random, random rows, or the user's `respInit`) and the bound.
 */
export class MixtureFit<C, L extends StatsLayout> implements EMHooks<MixtureParams<C>> {
  readonly comps: Components<C, L>;
  private readonly x: Handle;
  private readonly resp: Handle;
  private readonly logWeights: Handle;
  private readonly sw: Handle;
  private readonly blocks: StatsBlock<L>[];
  private readonly km: KMeansBuffers | null;
  private readonly weights: Float64Array;
  private readonly totalWeight: number;
  private views!: { resp: Float64Array; logWeights: Float64Array };

  private readonly ws: TableWorkspace<KernelTable>;
  private readonly ctx: ComponentContext;
  private readonly initParams: MixtureInitParams;
  private readonly rowWeights: Float64Array | null;
  private readonly respInit: Float64Array | null;
  private readonly weightsInit: Float64Array | null;

  constructor(o: MixtureFitOptions<C, L>) {
    const { ws, ctx } = o;
    const { n, d, k } = ctx;
    this.ws = ws;
    this.ctx = ctx;
    this.initParams = o.initParams;
    this.rowWeights = o.rowWeights;
    this.respInit = o.respInit;
    this.weightsInit = o.weightsInit;
    this.x = ws.allocF64(n * d);
    // X is copied at once (through a view used only here), so components may read it from their
    // constructor on, e.g. to size arrays from it.
    ws.f64(this.x, n * d).set(ctx.X.data);
    this.resp = ws.allocF64(n * k);
    this.logWeights = ws.allocF64(k);
    this.sw = o.rowWeights ? ws.allocF64(n) : 0;
    this.comps = o.components({ ...ctx, x: this.x, weights: () => this.weights });
    this.blocks = Array.from(
      { length: o.blocks },
      () => new StatsBlock(ws, this.comps.layout, this.comps.scratch),
    );
    this.km = o.kmeans ? allocKMeans(ws, n, d, k) : null;
    // Every allocation is done: from here on the views stay valid.
    if (o.rowWeights) ws.f64(this.sw, n).set(o.rowWeights);
    this.views = { resp: ws.f64(this.resp, n * k), logWeights: ws.f64(this.logWeights, k) };
    for (const b of this.blocks) b.bind(ws);
    this.comps.bind();
    this.weights = new Float64Array(k);
    this.totalWeight = o.rowWeights ? o.rowWeights.reduce((a, b) => a + b, 0) : n;
  }

  private setWeights(w: ArrayLike<number>): void {
    for (let c = 0; c < this.ctx.k; c++) {
      this.weights[c] = w[c];
      this.views.logWeights[c] = Math.log(w[c]);
    }
  }

  private weightsFromCounts(nk: Float64Array): void {
    let total = 0;
    for (let c = 0; c < this.ctx.k; c++) total += nk[c] + 10 * EPS;
    for (let c = 0; c < this.ctx.k; c++) {
      this.weights[c] = (nk[c] + 10 * EPS) / total;
      this.views.logWeights[c] = Math.log(this.weights[c]);
    }
  }

  /**
   * The components' slice work (`prepare`), once per fit or scoring call before anything else;
   * synchronous with one statistics block.
   */
  prepare(): void | Promise<void> {
    return this.comps.prepare?.((job) => runSlices(this.ws, this.blocks.length, this.ctx.n, job));
  }

  /** One restart's start; asynchronous only when the first M-step runs over threads. */
  initialize(rng: Random): void | Promise<void> {
    const k = this.ctx.k;
    let first: void | Promise<void> = undefined;
    if (this.respInit) {
      this.views.resp.set(this.respInit);
      first = this.mStepFromResponsibilities();
    } else if (this.comps.startComplete && this.weightsInit) {
      this.setWeights(new Float64Array(k).fill(1 / k));
    } else {
      this.initialResponsibilities(rng);
      first = this.mStepFromResponsibilities();
    }
    const finish = (): void => {
      this.comps.applyStart();
      if (this.weightsInit) this.setWeights(this.weightsInit);
    };
    return first ? first.then(finish) : finish();
  }

  private initialResponsibilities(rng: Random): void {
    const { n, d, k } = this.ctx;
    const resp = this.views.resp;
    const oneHot = (rows: Int32Array): void => {
      resp.fill(0);
      for (let c = 0; c < k; c++) resp[rows[c] * k + c] = 1;
    };
    switch (this.initParams) {
      case 'kmeans': {
        const labels = kmeans(this.ws, this.km as KMeansBuffers, this.x, n, d, k, rng, this.rowWeights);
        resp.fill(0);
        for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
        break;
      }
      case 'k-means++':
        oneHot(kmeansPlusPlus(this.ws, this.km as KMeansBuffers, this.x, n, d, k, rng, this.rowWeights));
        break;
      case 'random_from_data': {
        const w = this.rowWeights;
        if (w) {
          const positive: number[] = [];
          for (let i = 0; i < n; i++) if (w[i] > 0) positive.push(i);
          oneHot(rng.sampleWithoutReplacement(positive.length, k).map((j) => positive[j]));
        } else oneHot(rng.sampleWithoutReplacement(n, k));
        break;
      }
      case 'random':
        randomStochasticRows(rng, resp, n, k);
        break;
    }
  }

  /**
   * The first M-step, from explicit responsibilities (weighted by the rows' weights): over the
   * threads when the family has `accumulatePass`.
   */
  private mStepFromResponsibilities(): void | Promise<void> {
    const { n, k } = this.ctx;
    const resp = this.views.resp;
    const w = this.rowWeights;
    if (w) for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) resp[i * k + c] *= w[i];
    const b = this.blocks[0];
    const finish = (): void => this.setWeightsAfterMStep(this.comps.mStep(b, true), b);
    const comps = this.comps;
    if (comps.accumulatePass) {
      const total = slicedPass(this.ws, this.blocks, n, (first, rows, block) =>
        (comps.accumulatePass as NonNullable<typeof comps.accumulatePass>)(
          this.pass(first, rows, block.handles, block.scratch, this.resp, 0),
        ),
      );
      return total instanceof Promise ? total.then(finish) : finish();
    }
    if (!comps.accumulate) throw new Error('emwasm: a family needs accumulate or accumulatePass');
    b.zero();
    comps.accumulate(resp, b, { resp: this.resp, x: this.x });
    finish();
  }

  private setWeightsAfterMStep(weights: Float64Array | void, b: StatsBlock<L>): void {
    if (weights) this.setWeights(weights);
    else this.weightsFromCounts(b.views.nk);
  }

  eStep(): number | Promise<number> {
    const total = slicedPass(this.ws, this.blocks, this.ctx.n, (first, rows, block) =>
      this.comps.eStep(this.pass(first, rows, block.handles, block.scratch, 0, 0)),
    );
    return typeof total === 'number' ? this.bound(total) : total.then((t) => this.bound(t));
  }

  /** The arrays of one kernel call over rows [first, first + rows). */
  pass(
    first: number,
    rows: number,
    stats: Readonly<Record<string, Handle>> | null,
    scratch: Readonly<Record<string, Handle>>,
    resp: Handle,
    lse: Handle,
  ): PassArgs {
    const { d, k } = this.ctx;
    return {
      first,
      rows,
      x: rowOffset(this.x, first, d),
      logWeights: this.logWeights,
      stats,
      scratch,
      resp: rowOffset(resp, first, k),
      lse: rowOffset(lse, first, 1),
      sampleWeight: rowOffset(this.sw, first, 1),
    };
  }

  private bound(total: number): number {
    if (!Number.isFinite(total)) {
      throw new Error(
        `The log-likelihood became ${total}: some samples have zero probability under every component ` +
          (this.comps.zeroDensityAdvice ?? `(check the data's domain, or use a smoothing prior).`),
      );
    }
    return (total + this.comps.logPrior()) / this.totalWeight;
  }

  mStep(): void {
    const b = this.blocks[0];
    this.setWeightsAfterMStep(this.comps.mStep(b, false), b);
  }

  restore(p: MixtureParams<C>): void {
    this.setWeights(p.weights);
    this.comps.restore(p);
  }

  snapshot(): MixtureParams<C> {
    return { ...this.comps.snapshot(), weights: Float64Array.from(this.weights) };
  }

  /** Responsibilities `(n × K)` and log p(x) `(n)` of every row under the current parameters. */
  posterior(): { resp: Float64Array; lse: Float64Array } {
    const { n, k } = this.ctx;
    const lse = this.ws.allocF64(n);
    const args = this.pass(0, n, null, this.blocks[0].scratch, this.resp, lse);
    if (this.comps.posterior) {
      this.comps.posterior(args);
    } else {
      this.ws.run(this.comps.eStep(args));
    }
    return {
      resp: Float64Array.from(this.ws.f64(this.resp, n * k)),
      lse: Float64Array.from(this.ws.f64(lse, n)),
    };
  }
}

/**
 * The machinery every mixture family shares, on top of the estimator shell: the mixture options,
 * the fit (restarts, threads, starting points, weights), posteriors for scoring, and sampling.
 * Families extend `DensityMixture` (data X only) or this class directly (e.g. regression, with y).
 *
 * @typeParam C - the family's component parameters (flat Float64Arrays in documented shapes)
 */
export abstract class MixtureEstimator<C, S extends MixtureSettings = MixtureSettings> extends Estimator<
  MixtureParams<C>,
  S
> {
  /** The family's kernel table (its Wasm exports and their TypeScript twins). */
  protected abstract readonly kernels: KernelTable;

  constructor(family: string, spec: OptionSpec, options: unknown) {
    super(family, spec, options);
    // A shape known from the options alone is checked at once; the values at fit, as scikit-learn.
    const w = this.settings.weightsInit;
    if (w !== undefined) toArray(w, 'weightsInit', [this.settings.nComponents]);
  }

  /** The family's components for one fit or scoring call (allocates in `ctx.ws`). */
  protected abstract components(ctx: ComponentContext): Components<C>;

  /** Multiply-adds per row of one E-step pass, for `threads: 'auto'`. */
  protected abstract workPerRow(k: number, d: number): number;

  /** Free parameters of the components (the engine adds K − 1 for the weights). */
  protected abstract componentParameters(k: number, d: number): number;

  /** Checks the family's data domain (counts, binary, codes …); throws naming the first bad entry. */
  protected abstract checkData(X: Matrix): void;

  /** The number of mixture components K. */
  get nComponents(): number {
    return this.settings.nComponents;
  }

  /** `(nComponents)` mixture weights. */
  get weights(): Float64Array {
    return Float64Array.from(this.requireFitted('weights').params.weights);
  }

  /** Free parameters of the fitted model: the components' plus K − 1 weights. */
  nParameters(): number {
    return this.nParametersFor(this.requireFitted('nParameters').nFeatures);
  }

  /** Free parameters this model would have on data with `nFeatures` columns (no fit needed). */
  nParametersFor(nFeatures: number): number {
    const k = this.settings.nComponents;
    return this.componentParameters(k, nFeatures) + k - 1;
  }

  protected async runFit(
    data: FitData,
    signal: AbortSignal | undefined,
    warm: Fitted<MixtureParams<C>> | null,
  ): Promise<Fitted<MixtureParams<C>>> {
    const s = this.settings;
    const { X } = data;
    const k = s.nComponents;
    const n = X.rows;
    this.checkRows(n, data.sampleWeight);
    if (s.backend === 'wasm') requireWasmMemory(n, X.cols, X.cols + k + 2);
    const respInit = warm ? null : this.checkedRespInit(n, k);
    const weightsInit = warm ? null : this.checkedWeights(k);
    const threads = await this.threadsFor(n, X.cols);
    const ws = await acquireTableWorkspace(this.kernels, s.backend, threads > 1);
    try {
      const needKMeans =
        !warm && respInit === null && (s.initParams === 'kmeans' || s.initParams === 'k-means++');
      const fit = new MixtureFit<C, StatsLayout>({
        ws,
        ctx: { ws, n, d: X.cols, k, X, y: data.y, sampleWeight: data.sampleWeight },
        components: (ctx) => this.components(ctx),
        initParams: s.initParams,
        blocks: threads,
        rowWeights: data.sampleWeight,
        respInit,
        weightsInit,
        kmeans: needKMeans,
      });
      await fit.prepare();
      if (warm) fit.restore(warm.params);
      const result = await runEM(fit, {
        maxIter: s.maxIter,
        tol: s.tol,
        nInit: s.nInit,
        warmStartBound: warm ? warm.lowerBound : null,
        rng: randomFrom(s.randomState),
        signal,
        onIteration:
          s.onIteration &&
          ((info, current) => (s.onIteration as NonNullable<S['onIteration']>)({ ...info, ...current() })),
      });
      return {
        params: result.params,
        nFeatures: X.cols,
        converged: result.converged,
        nIter: result.nIter,
        lowerBound: result.lowerBound,
        lowerBounds: result.lowerBounds,
      };
    } finally {
      ws.release();
    }
  }

  private async threadsFor(n: number, d: number): Promise<number> {
    const s = this.settings;
    if (s.backend !== 'wasm' || !sharedMemorySupported()) return 1;
    const cores = await availableThreads();
    if (s.threads !== 'auto') return Math.max(1, Math.min(s.threads, n, cores));
    const wanted = Math.floor((n * this.workPerRow(s.nComponents, d)) / WORK_PER_THREAD);
    return Math.max(1, Math.min(cores, wanted));
  }

  /** nComponents against the rows (with a positive weight) of the data. */
  protected checkRows(n: number, sampleWeight: Float64Array | null): void {
    const k = this.settings.nComponents;
    if (k > n) throw new RangeError(`nComponents must be an integer in [1, nSamples=${n}], got ${k}`);
    const positive = positiveRows(sampleWeight, n);
    if (k > positive) {
      throw new RangeError(
        `nComponents (${k}) must not exceed the number of rows with a positive sampleWeight (${positive})`,
      );
    }
  }

  /** X's width against the fitted model's. */
  protected checkWidth(X: Matrix, nFeatures: number): void {
    if (X.cols !== nFeatures) {
      throw new RangeError(`X has ${X.cols} features, but this ${this.family} was fitted with ${nFeatures}`);
    }
  }

  /** `weightsInit (K)` checked (non-negative, summing to 1), or null when not given. */
  protected checkedWeights(k: number): Float64Array | null {
    const given = this.settings.weightsInit;
    if (given === undefined) return null;
    const w = toArray(given, 'weightsInit', [k]);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      if (w[c] < 0 || w[c] > 1)
        throw new RangeError(`weightsInit must be in [0, 1], got ${w[c]} at index ${c}`);
      sum += w[c];
    }
    if (Math.abs(sum - 1) > 1e-8) throw new RangeError(`weightsInit must sum to 1, got a sum of ${sum}`);
    return w;
  }

  /** `respInit` as `(n × K)` rows summing to 1 (labels become one-hot rows). */
  private checkedRespInit(n: number, k: number): Float64Array | null {
    const given = this.settings.respInit;
    if (given === undefined) return null;
    const flat = given as ArrayLike<unknown>;
    const isLabels =
      (Array.isArray(given) && given.length === n && given.every((v) => typeof v === 'number')) ||
      (given instanceof Int32Array && given.length === n) ||
      (ArrayBuffer.isView(given) && (given as unknown as ArrayLike<number>).length === n && k !== 1);
    if (isLabels) {
      const resp = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        const c = flat[i];
        if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
          throw new RangeError(`respInit[${i}] must be a label in [0, nComponents=${k}), got ${show(c)}`);
        }
        resp[i * k + c] = 1;
      }
      return resp;
    }
    // A Float64Array of the right length whose rows are stochastic is used as given: the fit only
    // reads it (a fresh copy of a large one costs page faults, ~0.5 ms per MB here). The row check
    // also proves every value finite (NaN fails r ≥ 0, +∞ the sum), so the full checks below, which
    // name what is wrong, only run for other inputs and for a failing array.
    if (given instanceof Float64Array && given.length === n * k && firstNonStochasticRow(given, n, k) < 0)
      return given;
    const resp =
      given instanceof Float64Array && given.length === n * k && allFinite(given)
        ? given
        : toArray(given, 'respInit', [n, k]);
    const bad = firstNonStochasticRow(resp, n, k);
    if (bad >= 0) {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const r = resp[bad * k + c];
        if (r < 0) throw new RangeError(`respInit[${bad}][${c}] must be >= 0, got ${r}`);
        sum += r;
      }
      throw new RangeError(`respInit[${bad}] must sum to 1, got a sum of ${sum}`);
    }
    return resp;
  }

  /**
   * Runs the E-step on `X` (and `y`) under the fitted parameters: responsibilities `(n × K)` and
   * log p(x) `(n)`. `X` comes already checked for the family's domain by the caller (`matrix`), or
   * is checked by the components (`componentsCheckData`). Synchronous (the Wasm module is compiled by any fit; after `fromJSON` on a
   * browser's main thread, `await init()` first).
   */
  protected posteriorOf(
    X: Matrix,
    method: string,
    y?: Float64Array,
  ): { resp: Float64Array; lse: Float64Array } {
    const f = this.requireFitted(method);
    if (X.cols !== f.nFeatures) {
      throw new RangeError(
        `X has ${X.cols} features, but this ${this.family} was fitted with ${f.nFeatures}`,
      );
    }
    if (this.settings.backend === 'wasm')
      requireWasmMemory(X.rows, X.cols, X.cols + this.settings.nComponents + 1);
    const ws = acquireTableWorkspaceSync(this.kernels, this.settings.backend);
    try {
      const fit = new MixtureFit<C, StatsLayout>({
        ws,
        ctx: { ws, n: X.rows, d: X.cols, k: this.settings.nComponents, X, y, scoring: true },
        components: (ctx) => this.components(ctx),
        initParams: this.settings.initParams,
        blocks: 1,
        rowWeights: null,
        respInit: null,
        weightsInit: null,
        kmeans: false,
      });
      if (fit.prepare() instanceof Promise) throw new Error('emwasm: scoring runs on one thread');
      fit.restore(f.params);
      return fit.posterior();
    } finally {
      ws.release();
    }
  }

  /** Σ w·log p, the weight total, from per-row log-likelihoods. */
  protected static weightedSum(lse: Float64Array, w: Float64Array | null): { sum: number; total: number } {
    let sum = 0;
    let total = 0;
    for (let i = 0; i < lse.length; i++) {
      const wi = w ? w[i] : 1;
      if (wi !== 0) sum += wi * lse[i];
      total += wi;
    }
    return { sum, total };
  }

  /**
   * With `maxIter: 0` and every starting parameter given (`weightsInit` and the family's
   * `*Init`), the model is usable without a fit:
   * parameters set this way can be scored or sampled at once (`nIter` 0, `lowerBound` −∞).
   * Call from the family constructor once its settings are read.
   */
  protected adoptCompleteStart(start: { complete: boolean; params: C; nFeatures: number } | null): void {
    if (this.settings.maxIter !== 0 || !start?.complete) return;
    const weights = this.checkedWeights(this.settings.nComponents);
    if (!weights) return;
    this.fitted = {
      params: { ...start.params, weights },
      nFeatures: start.nFeatures,
      converged: false,
      nIter: 0,
      lowerBound: -Infinity,
      lowerBounds: [],
    };
  }
}

/**
 * The first row of `resp (n × k)` with a value not ≥ 0 (negative or NaN) or a sum not within 1e-6
 * of 1 (so a row that passes holds finite values), or −1.
 * A function of its own, over a Float64Array only, so that the loop is optimised on a fit's first
 * call.
 */
function firstNonStochasticRow(resp: Float64Array, n: number, k: number): number {
  for (let i = 0, at = 0; i < n; i++) {
    let sum = 0;
    let ok = true;
    for (let c = 0; c < k; c++, at++) {
      const r = resp[at];
      ok &&= r >= 0;
      sum += r;
    }
    if (!ok || !(Math.abs(sum - 1) <= 1e-6)) return i;
  }
  return -1;
}

/** Draws a component index from `weights`. */
export function drawComponent(rng: Random, weights: Float64Array): number {
  let u = rng.uniform();
  for (let c = 0; c < weights.length - 1; c++) {
    u -= weights[c];
    if (u < 0) return c;
  }
  return weights.length - 1;
}

/** Saved weights `(K)`: non-negative, summing to 1 (to 1e-8). */
export function checkWeights(value: unknown, k: number): Float64Array {
  const w = toArray(value, 'weights', [k]);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    if (w[c] < 0) throw new RangeError(`weights[${c}] must be >= 0, got ${w[c]}`);
    sum += w[c];
  }
  if (Math.abs(sum - 1) > 1e-8) throw new RangeError(`weights must sum to 1, got a sum of ${sum}`);
  return w;
}
