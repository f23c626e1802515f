import type { Handle, KernelJob, Kernels } from '../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../em/mixture.js';
import type { StatsBlock } from '../em/stats.js';
import type { ConstrainedMStep } from './constrained-mstep.js';
import type { CovarianceKind } from './covariance.js';
import { DegenerateCovarianceError } from './degenerate.js';
import { EPS } from './params.js';

/** The Gaussian components of a fitted mixture, flat row-major in scikit-learn's shapes. */
export interface GaussianComponents {
  /** `(nComponents × nFeatures)` */
  means: Float64Array;
  /** By covariance type: full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`, spherical `(K)`. */
  covariances: Float64Array;
  /** Same shape as `covariances`; upper triangular for full and tied (`precision = U Uᵀ`). */
  precisionsCholesky: Float64Array;
}

/** User-given starting values, already checked and flat. */
export interface GaussianStart {
  means?: Float64Array;
  precisionsCholesky?: Float64Array;
  covariances?: Float64Array;
}

const layout = (kind: CovarianceKind, k: number, d: number) => ({
  nk: k,
  sumX: k * d,
  scatter: kind.scatterLength(k, d),
});
type Layout = ReturnType<typeof layout>;

/** What the Gaussian components of one fit are made from. */
export interface GaussianPartsOptions {
  kind: CovarianceKind;
  regCovar: number;
  start: GaussianStart;
  /** Fixed parameters or a prior (its M-step and log-prior), built in the same workspace; null for neither. */
  constrained: ((ctx: ComponentContext) => ConstrainedMStep) | null;
}

/**
 * Gaussian components in one workspace: means, covariances and precision Cholesky factors, the
 * fused E+M kernel of the covariance type (log-densities, responsibilities and the statistics
 * shifted by the current means in one pass over X), scikit-learn's M-step, or with fixed
 * parameters or a prior the constrained (MAP) M-step, whose log-prior joins the bound.
 */
export class GaussianParts implements Components<GaussianComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  readonly zeroDensityAdvice: string;
  private readonly kern: Kernels;
  private readonly kind: CovarianceKind;
  private readonly covLength: number;
  private readonly h: { means: Handle; cov: Handle; precChol: Handle };
  private readonly constrained: ConstrainedMStep | null;
  private v!: { means: Float64Array; cov: Float64Array; precChol: Float64Array };

  constructor(
    private readonly ctx: ComponentContext,
    private readonly o: GaussianPartsOptions,
  ) {
    const { ws, k, d } = ctx;
    this.kern = ws.kernels;
    this.kind = o.kind;
    this.layout = layout(o.kind, k, d);
    this.scratch = { work: this.kern.emStepWorkLength(k, d) };
    this.covLength = o.kind.shape(k, d).reduce((a, b) => a * b, 1);
    this.h = {
      means: ws.allocF64(k * d),
      cov: ws.allocF64(this.covLength),
      precChol: ws.allocF64(this.covLength),
    };
    this.constrained = o.constrained ? o.constrained(ctx) : null;
    this.startComplete = Boolean(o.start.means && o.start.precisionsCholesky);
    this.zeroDensityAdvice = `Increase regCovar (now ${o.regCovar}) or rescale the data.`;
  }

  bind(): void {
    const { ws, k, d } = this.ctx;
    this.v = {
      means: ws.f64(this.h.means, k * d),
      cov: ws.f64(this.h.cov, this.covLength),
      precChol: ws.f64(this.h.precChol, this.covLength),
    };
  }

  eStep(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    const s = a.stats as Readonly<Record<string, Handle>>;
    return {
      kernel: this.kind.emStep,
      args: [
        a.x,
        a.rows,
        d,
        this.h.means,
        this.h.precChol,
        a.logWeights,
        k,
        s.nk,
        s.sumX,
        s.scatter,
        a.scratch.work,
        a.sampleWeight,
      ],
    };
  }

  posterior(a: PassArgs): void {
    const { d, k } = this.ctx;
    this.kind.logProb(this.kern, a.x, a.rows, d, this.h.means, this.h.precChol, k, a.resp);
    this.kern.responsibilities(a.resp, a.rows, k, a.logWeights, a.lse);
  }

  /**
   * scikit-learn's `_estimate_gaussian_parameters` from explicit responsibilities: counts, means
   * `Σr·x / (Σr + 10·eps)`, and the scatter about those means. Σr·x is then shifted by the means (as
   * the fused E-step leaves it) for the constrained M-step; the initial M-step finishes in `mStep`.
   */
  accumulate(_resp: Float64Array, stats: StatsBlock<Layout>, handles?: { resp: Handle; x: Handle }): void {
    const { n, d, k } = this.ctx;
    const { resp, x } = handles as { resp: Handle; x: Handle };
    const st = stats.handles;
    const v = stats.views;
    const means = this.v.means;
    this.kern.accumulateMoments(x, n, d, resp, k, st.nk, st.sumX);
    for (let c = 0; c < k; c++) {
      const nk = v.nk[c] + 10 * EPS;
      for (let j = 0; j < d; j++) means[c * d + j] = v.sumX[c * d + j] / nk;
    }
    this.kind.accumulateScatter(this.kern, x, n, d, resp, k, this.h.means, st.scatter);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) v.sumX[c * d + j] -= v.nk[c] * means[c * d + j];
    }
  }

  mStep(stats: StatsBlock<Layout>, initial = false): Float64Array | void {
    const { d, k } = this.ctx;
    const st = stats.handles;
    const v = stats.views;
    let status: number;
    let weights: Float64Array | void = undefined;
    if (initial) {
      // The means were set by `accumulate`; with a prior the covariances are its MAP estimate.
      if (this.constrained?.prior) {
        status = this.constrained.initial(v.nk, v.sumX, v.scatter, this.v.means, this.h.cov, this.h.precChol);
      } else {
        const floored = v.nk.map((x) => x + 10 * EPS);
        v.nk.set(floored);
        status = this.kind.finalize(
          this.kern,
          st.scatter,
          st.nk,
          v.nk,
          k,
          d,
          this.o.regCovar,
          this.h.cov,
          this.h.precChol,
        );
        weights = normalised(v.nk);
      }
    } else if (this.constrained) {
      weights = Float64Array.from((this.ctx.weights as () => Float64Array)());
      status = this.constrained.run(
        v.nk,
        v.sumX,
        v.scatter,
        this.v.means,
        this.h.cov,
        this.h.precChol,
        weights,
      );
    } else {
      status = this.kern[this.kind.mStep](
        st.nk,
        st.sumX,
        st.scatter,
        this.h.means,
        k,
        d,
        this.o.regCovar,
        this.h.cov,
        this.h.precChol,
      );
      // The kernel left nk + 10·eps in nk: the weights are their shares.
      weights = normalised(v.nk);
    }
    if (status !== 0) throw new DegenerateCovarianceError(status - 1, this.kind, this.o.regCovar);
    return weights;
  }

  logPrior(): number {
    return this.constrained ? this.constrained.logPrior(this.v.means, this.v.precChol) : 0;
  }

  applyStart(): void {
    const s = this.o.start;
    if (s.means) this.v.means.set(s.means);
    if (s.precisionsCholesky && s.covariances) {
      this.v.precChol.set(s.precisionsCholesky);
      this.v.cov.set(s.covariances);
    }
  }

  snapshot(): GaussianComponents {
    return {
      means: Float64Array.from(this.v.means),
      covariances: Float64Array.from(this.v.cov),
      precisionsCholesky: Float64Array.from(this.v.precChol),
    };
  }

  restore(p: GaussianComponents): void {
    this.v.means.set(p.means);
    this.v.cov.set(p.covariances);
    this.v.precChol.set(p.precisionsCholesky);
  }
}

function normalised(counts: Float64Array): Float64Array {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}
