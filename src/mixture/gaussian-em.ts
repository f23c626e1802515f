import type { Handle, Workspace } from '../backend/types.js';
import type { EMHooks } from '../em/loop.js';
import { allocKMeans, kmeans, kmeansPlusPlus, type KMeansBuffers } from '../init/kmeans.js';
import type { Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import type { ConstrainedMStep } from './constrained-mstep.js';
import type { CovarianceKind } from './covariance.js';
import { MixtureParams } from './mixture-params.js';
import { EPS, type GaussianParams } from './params.js';

export const INIT_PARAMS = ['kmeans', 'k-means++', 'random', 'random_from_data'] as const;
export type InitParams = (typeof INIT_PARAMS)[number];

/** User-given starting values, already checked and flat. */
export interface GaussianStart {
  weights?: Float64Array;
  means?: Float64Array;
  precisionsCholesky?: Float64Array;
  covariances?: Float64Array;
}

export class DegenerateCovarianceError extends Error {
  constructor(component: number, kind: CovarianceKind, regCovar: number) {
    super(
      `Fitting the mixture failed: the ${kind.type} covariance ` +
        (kind.type === 'tied' ? '' : `of component ${component} `) +
        `is not positive definite (a component collapsed onto too few or identical points), or its ` +
        `precision is too large to represent (the data's scale is tiny). ` +
        `Increase regCovar (now ${regCovar}), decrease nComponents, or rescale the data.`,
    );
    this.name = 'DegenerateCovarianceError';
  }
}

/**
 * One Gaussian-mixture fit: the data and every array of the EM iterations live in one workspace
 * (Wasm memory for the Wasm backend), allocated once here and reused by every iteration and
 * restart.
 */
/** One thread's accumulators for the fused E-step: its own arrays, summed after the pass. */
interface StatsBlock {
  nk: Handle;
  sumX: Handle;
  scatter: Handle;
  work: Handle;
  views: { nk: Float64Array; sumX: Float64Array; scatter: Float64Array };
}

/**
 * One Gaussian-mixture fit: the data and every array of the EM iterations live in one workspace
 * (Wasm memory for the Wasm backend), allocated once here and reused by every iteration and
 * restart. Each iteration reads X once: the fused E-step kernel computes the responsibilities row
 * by row and accumulates the M-step statistics (shifted by the current means) on the fly; with
 * several threads each takes a slice of the rows into its own statistics block.
 */
export class GaussianEM implements EMHooks<GaussianParams> {
  readonly n: number;
  readonly d: number;
  private readonly kern;
  private readonly x: Handle;
  private readonly resp: Handle;
  private readonly means: Handle;
  private readonly precChol: Handle;
  private readonly cov: Handle;
  private readonly logWeights: Handle;
  private readonly blocks: StatsBlock[];
  private readonly km: KMeansBuffers | null;
  private readonly views: {
    resp: Float64Array;
    means: Float64Array;
    precChol: Float64Array;
    cov: Float64Array;
    logWeights: Float64Array;
  };
  private readonly params: MixtureParams;
  /** Sample weights (handle 0 and null when unweighted) and their sum (n when unweighted). */
  private readonly sw: Handle;
  private readonly rowWeights: Float64Array | null;
  private readonly totalWeight: number;

  constructor(
    private readonly ws: Workspace,
    X: Matrix,
    private readonly k: number,
    private readonly kind: CovarianceKind,
    private readonly regCovar: number,
    private readonly initParams: InitParams,
    private readonly start: GaussianStart,
    threads = 1,
    /** Fixed parameters or a prior: the M-step runs in TypeScript and the bound adds the log-prior. */
    private readonly constrained: ConstrainedMStep | null = null,
    /** `(n)` non-negative row weights (checked by the caller); null for weight 1 everywhere. */
    sampleWeight: Float64Array | null = null,
  ) {
    const { rows: n, cols: d } = X;
    this.n = n;
    this.totalWeight = sampleWeight ? sampleWeight.reduce((a, b) => a + b, 0) : n;
    this.d = d;
    this.kern = ws.kernels;
    const covLength = kind.shape(k, d).reduce((a, b) => a * b, 1);
    const scatterLength = kind.scatterLength(k, d);
    const workLength = this.kern.emStepWorkLength(k, d);
    this.x = ws.allocF64(n * d);
    this.resp = ws.allocF64(n * k);
    this.means = ws.allocF64(k * d);
    this.precChol = ws.allocF64(covLength);
    this.cov = ws.allocF64(covLength);
    this.logWeights = ws.allocF64(k);
    this.sw = sampleWeight ? ws.allocF64(n) : 0;
    const nBlocks = ws.parallel ? Math.max(1, Math.min(threads, n)) : 1;
    const handles = Array.from({ length: nBlocks }, () => ({
      nk: ws.allocF64(k),
      sumX: ws.allocF64(k * d),
      scatter: ws.allocF64(scatterLength),
      work: ws.allocF64(workLength),
    }));
    this.km = this.needsKMeans() ? allocKMeans(ws, n, d, k) : null;
    // Every allocation is done: from here on the views stay valid.
    ws.f64(this.x, n * d).set(X.data);
    if (sampleWeight) ws.f64(this.sw, n).set(sampleWeight);
    this.rowWeights = sampleWeight ? ws.f64(this.sw, n) : null;
    this.views = {
      resp: ws.f64(this.resp, n * k),
      means: ws.f64(this.means, k * d),
      precChol: ws.f64(this.precChol, covLength),
      cov: ws.f64(this.cov, covLength),
      logWeights: ws.f64(this.logWeights, k),
    };
    this.blocks = handles.map((h) => ({
      ...h,
      views: { nk: ws.f64(h.nk, k), sumX: ws.f64(h.sumX, k * d), scatter: ws.f64(h.scatter, scatterLength) },
    }));
    this.params = new MixtureParams(this.views);
  }

  private needsKMeans(): boolean {
    const s = this.start;
    const complete = s.weights && s.means && s.precisionsCholesky;
    return !complete && (this.initParams === 'kmeans' || this.initParams === 'k-means++');
  }

  /** scikit-learn's `_initialize_parameters`: responsibilities from `initParams`, one M-step, then any user values. */
  initialize(rng: Random): void {
    const s = this.start;
    if (!(s.weights && s.means && s.precisionsCholesky)) {
      this.initialResponsibilities(rng);
      this.parametersFromResponsibilities();
    }
    if (s.weights) this.params.setWeights(s.weights);
    if (s.means) this.views.means.set(s.means);
    if (s.precisionsCholesky && s.covariances) {
      this.views.precChol.set(s.precisionsCholesky);
      this.views.cov.set(s.covariances);
    }
  }

  private initialResponsibilities(rng: Random): void {
    const { n, d, k } = this;
    const resp = this.views.resp;
    switch (this.initParams) {
      case 'kmeans': {
        const labels = kmeans(this.ws, this.km as KMeansBuffers, this.x, n, d, k, rng, this.rowWeights);
        resp.fill(0);
        for (let i = 0; i < n; i++) resp[i * k + labels[i]] = 1;
        break;
      }
      case 'k-means++': {
        const indices = kmeansPlusPlus(
          this.ws,
          this.km as KMeansBuffers,
          this.x,
          n,
          d,
          k,
          rng,
          this.rowWeights,
        );
        this.oneHotRows(indices);
        break;
      }
      case 'random_from_data':
        this.oneHotRows(
          this.rowWeights ? weightedRowSample(rng, this.rowWeights, k) : rng.sampleWithoutReplacement(n, k),
        );
        break;
      case 'random': {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += resp[i * k + c] = rng.uniform();
          for (let c = 0; c < k; c++) resp[i * k + c] /= s;
        }
        break;
      }
    }
  }

  /** Responsibility 1 of component c for row `indices[c]`, 0 elsewhere. */
  private oneHotRows(indices: Int32Array): void {
    const resp = this.views.resp;
    resp.fill(0);
    for (let c = 0; c < this.k; c++) resp[indices[c] * this.k + c] = 1;
  }

  /**
   * scikit-learn's `_estimate_gaussian_parameters` from explicit responsibilities (initialisation
   * only): `nk = Σr + 10·eps`, means, covariances with `regCovar` on the diagonal, the precision
   * Cholesky factors, and weights `nk / n` (`nk / Σw` with sample weights, which scale the
   * responsibilities first). With a prior, the means and covariances are its MAP estimate (the
   * constrained M-step with nothing fixed), so a component starting on too few points is regularised.
   */
  private parametersFromResponsibilities(): void {
    const { n, d, k, kern, kind } = this;
    const b = this.blocks[0];
    const v = b.views;
    const means = this.views.means;
    v.nk.fill(0);
    v.sumX.fill(0);
    v.scatter.fill(0);
    const w = this.rowWeights;
    if (w) for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) this.views.resp[i * k + c] *= w[i];
    kern.accumulateMoments(this.x, n, d, this.resp, k, b.nk, b.sumX);
    for (let c = 0; c < k; c++) {
      const nk = v.nk[c] + 10 * EPS;
      for (let j = 0; j < d; j++) means[c * d + j] = v.sumX[c * d + j] / nk;
    }
    kind.accumulateScatter(kern, this.x, n, d, this.resp, k, this.means, b.scatter);
    let status: number;
    if (this.constrained?.prior) {
      // The constrained M-step takes Σr·x shifted by the current means, as the fused E-step leaves it.
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) v.sumX[c * d + j] -= v.nk[c] * means[c * d + j];
      }
      status = this.constrained.initial(v.nk, v.sumX, v.scatter, means, this.cov, this.precChol);
      for (let c = 0; c < k; c++) v.nk[c] += 10 * EPS;
    } else {
      for (let c = 0; c < k; c++) v.nk[c] += 10 * EPS;
      status = kind.finalize(kern, b.scatter, b.nk, v.nk, k, d, this.regCovar, this.cov, this.precChol);
    }
    if (status !== 0) throw new DegenerateCovarianceError(status - 1, kind, this.regCovar);
    this.params.setWeightsFromCounts(v.nk, this.totalWeight);
  }

  eStep(): number | Promise<number> {
    for (const b of this.blocks) {
      b.views.nk.fill(0);
      b.views.sumX.fill(0);
      b.views.scatter.fill(0);
    }
    if (this.blocks.length === 1) {
      const b = this.blocks[0];
      const call = this.kern[this.kind.emStep];
      return this.bound(
        call(
          this.x,
          this.n,
          this.d,
          this.means,
          this.precChol,
          this.logWeights,
          this.k,
          b.nk,
          b.sumX,
          b.scatter,
          b.work,
          this.sw,
        ),
      );
    }
    return this.parallelEStep();
  }

  /** The rows in one slice per thread, each into its own block; the blocks are then summed into the first. */
  private async parallelEStep(): Promise<number> {
    const { n, d, k } = this;
    const per = Math.ceil(n / this.blocks.length);
    const jobs = this.blocks.map((b, t) => {
      const first = Math.min(n, t * per);
      const rows = Math.min(per, n - first);
      // Handles are byte offsets into the shared memory: a slice of X starts `first` rows in.
      const x = this.x + first * d * 8;
      const sw = this.sw === 0 ? 0 : this.sw + first * 8;
      return {
        kernel: this.kind.emStep,
        args: [
          x,
          rows,
          d,
          this.means,
          this.precChol,
          this.logWeights,
          k,
          b.nk,
          b.sumX,
          b.scatter,
          b.work,
          sw,
        ],
      };
    });
    const totals = await (this.ws.parallel as NonNullable<Workspace['parallel']>)(jobs);
    const into = this.blocks[0].views;
    for (let t = 1; t < this.blocks.length; t++) {
      const from = this.blocks[t].views;
      addInto(into.nk, from.nk);
      addInto(into.sumX, from.sumX);
      addInto(into.scatter, from.scatter);
    }
    let total = 0;
    for (const v of totals) total += v;
    return this.bound(total);
  }

  private bound(total: number): number {
    if (!Number.isFinite(total)) {
      throw new Error(
        `The log-likelihood became ${total}: some samples have zero density under every component. ` +
          `Increase regCovar (now ${this.regCovar}) or rescale the data.`,
      );
    }
    const prior = this.constrained ? this.constrained.logPrior(this.views.means, this.views.precChol) : 0;
    return (total + prior) / this.totalWeight;
  }

  /**
   * scikit-learn's M-step from the last E-step's statistics: new means, covariances (+ regCovar),
   * precision Cholesky factors; weights `nk / Σnk` with `nk = Σr + 10·eps`.
   */
  mStep(): void {
    const { d, k } = this;
    const b = this.blocks[0];
    if (this.constrained) {
      const v = b.views;
      const status = this.constrained.run(
        v.nk,
        v.sumX,
        v.scatter,
        this.views.means,
        this.cov,
        this.precChol,
        this.params.weights,
      );
      if (status !== 0) throw new DegenerateCovarianceError(status - 1, this.kind, this.regCovar);
      this.params.setWeights(this.params.weights);
      return;
    }
    const status = this.kern[this.kind.mStep](
      b.nk,
      b.sumX,
      b.scatter,
      this.means,
      k,
      d,
      this.regCovar,
      this.cov,
      this.precChol,
    );
    if (status !== 0) throw new DegenerateCovarianceError(status - 1, this.kind, this.regCovar);
    this.params.setWeightsFromCounts(b.views.nk);
  }

  /** Continue from fitted parameters (warm start). */
  restore(p: GaussianParams): void {
    this.params.restore(p);
  }

  snapshot(): GaussianParams {
    return this.params.snapshot();
  }
}

function addInto(into: Float64Array, from: Float64Array): void {
  for (let i = 0; i < into.length; i++) into[i] += from[i];
}

/** `k` distinct rows of positive weight, drawn uniformly among them (rows of weight 0 are dropped). */
function weightedRowSample(rng: Random, weights: Float64Array, k: number): Int32Array {
  const positive: number[] = [];
  for (let i = 0; i < weights.length; i++) if (weights[i] > 0) positive.push(i);
  return rng.sampleWithoutReplacement(positive.length, k).map((j) => positive[j]);
}
