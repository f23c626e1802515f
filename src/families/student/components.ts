import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import type { StatsBlock } from '../../em/stats.js';
import type { CovarianceKind } from '../../mixture/covariance.js';
import { DegenerateCovarianceError } from '../../mixture/degenerate.js';
import { tLogNormalizer, updateDof } from './dof.js';
import { studentWorkLength } from './kernels.js';

/** The parameters of a t mixture's components (flat, row-major). */
export interface StudentComponents {
  /** `(K × D)` locations μ_c. */
  means: Float64Array;
  /**
   * Cholesky factors U_c of the scale matrices' inverses (Σ_c⁻¹ = U_c U_cᵀ): full `(K × D × D)`
   * upper triangular; diag `(K × D)` = 1/σ_cj.
   */
  precisionsCholesky: Float64Array;
  /** `(K)` degrees of freedom ν_c. */
  dof: Float64Array;
}

/** How the degrees of freedom are treated: estimated within [min, max], or held at their start. */
export interface DofSettings {
  estimate: boolean;
  min: number;
  max: number;
  /** `(K)` starting (or fixed) degrees of freedom. */
  start: Float64Array;
}

/** What the user fixed at the start, checked and flat (shapes as in `StudentComponents`). */
export interface StudentStart {
  means: Float64Array | null;
  precisionsCholesky: Float64Array | null;
}

const EPS = 2.220446049250313e-16;

const layout = (k: number, d: number, factor: number) => ({
  nk: k,
  sumU: k,
  sumUZ: k * d,
  scatter: k * factor,
  sumLogU: k,
});
type Layout = ReturnType<typeof layout>;

/**
 * Multivariate t components fitted by ECM (Peel & McLachlan 2000). The E-step gives, per row and
 * component, the posterior r and the latent weight u = (ν + d)/(ν + δ); the M-step is
 *   μ_c = Σ r·u·x / Σ r·u,   Σ_c = Σ r·u·(x − μ_c)(x − μ_c)ᵀ / Σ r + regCovar·I,
 * then ν_c by a one-dimensional root find (`updateDof`). The statistics arrive shifted by the
 * current means (z = x − μ_old), so with S0 = Σ r·u, S1 = Σ r·u·z, S2 = Σ r·u·z zᵀ and Δ = S1/S0:
 *   μ_new = μ_old + Δ,   Σ r·u·(x − μ_new)(x − μ_new)ᵀ = S2 − Δ S1ᵀ − S1 Δᵀ + S0 Δ Δᵀ.
 */
export class StudentParts implements Components<StudentComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  private readonly factor: number;
  private readonly meansH: Handle;
  private readonly precCholH: Handle;
  private readonly tParamsH: Handle;
  private readonly dof: Float64Array;
  private means!: Float64Array;
  private precChol!: Float64Array;
  private tParams!: Float64Array;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly kind: CovarianceKind,
    private readonly regCovar: number,
    private readonly dofSettings: DofSettings,
    private readonly start: StudentStart,
  ) {
    const { ws, d, k } = ctx;
    this.factor = kind.type === 'full' ? d * d : d;
    this.layout = layout(k, d, this.factor);
    this.scratch = { work: studentWorkLength(k, d, kind.type === 'full') };
    this.meansH = ws.allocF64(k * d);
    this.precCholH = ws.allocF64(k * this.factor);
    this.tParamsH = ws.allocF64(k * 3);
    this.dof = Float64Array.from(dofSettings.start);
    this.startComplete = start.means !== null && start.precisionsCholesky !== null;
  }

  bind(): void {
    const { ws, d, k } = this.ctx;
    this.means = ws.f64(this.meansH, k * d);
    this.precChol = ws.f64(this.precCholH, k * this.factor);
    this.tParams = ws.f64(this.tParamsH, k * 3);
  }

  /** [ν, log-normaliser + log|U|, log1p(d/ν)] per component, from `dof` and `precChol`. */
  private refreshTParams(): void {
    const { d, k } = this.ctx;
    const full = this.kind.type === 'full';
    for (let c = 0; c < k; c++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        logDet += Math.log(full ? this.precChol[c * d * d + j * d + j] : this.precChol[c * d + j]);
      }
      const nu = this.dof[c];
      this.tParams[c * 3] = nu;
      this.tParams[c * 3 + 1] = tLogNormalizer(nu, d) + logDet;
      this.tParams[c * 3 + 2] = Math.log1p(d / nu);
    }
  }

  eStep(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    const s = a.stats;
    return {
      kernel: this.kind.type === 'full' ? 'studentEStepFull' : 'studentEStepDiag',
      args: [
        a.x,
        a.rows,
        d,
        this.meansH,
        this.precCholH,
        this.tParamsH,
        a.logWeights,
        k,
        s ? s.nk : 0,
        s ? s.sumU : 0,
        s ? s.sumUZ : 0,
        s ? s.scatter : 0,
        s && this.dofSettings.estimate ? s.sumLogU : 0,
        a.resp,
        a.lse,
        a.sampleWeight,
        a.scratch.work,
      ],
    };
  }

  /** The M-step; the initial one (from starting responsibilities) leaves ν at its start. */
  mStep(stats: StatsBlock<Layout>, initial = false): void {
    const { d, k } = this.ctx;
    const { nk, sumU, sumUZ, scatter, sumLogU } = stats.views;
    const full = this.kind.type === 'full';
    const cov = new Float64Array(this.factor);
    const shift = new Float64Array(d);
    for (let c = 0; c < k; c++) {
      const nc = nk[c] + 10 * EPS;
      const s0 = sumU[c];
      const s1 = sumUZ.subarray(c * d, (c + 1) * d);
      const s2 = scatter.subarray(c * this.factor, (c + 1) * this.factor);
      for (let j = 0; j < d; j++) {
        shift[j] = s1[j] / (s0 + 10 * EPS);
        this.means[c * d + j] += shift[j];
      }
      if (full) {
        for (let a = 0; a < d; a++) {
          for (let b = a; b < d; b++) {
            const v = (s2[a * d + b] - shift[a] * s1[b] - s1[a] * shift[b] + s0 * shift[a] * shift[b]) / nc;
            cov[a * d + b] = v;
            cov[b * d + a] = v;
          }
          cov[a * d + a] += this.regCovar;
        }
      } else {
        for (let j = 0; j < d; j++) {
          cov[j] = (s2[j] - 2 * shift[j] * s1[j] + s0 * shift[j] * shift[j]) / nc + this.regCovar;
        }
      }
      const factor = this.kind.precisionCholeskyFromCovariances(cov, 1, d);
      if (!factor) throw new DegenerateCovarianceError(c, this.kind, this.regCovar);
      this.precChol.set(factor, c * this.factor);
      // A component without weight has no information about ν: it keeps its value.
      if (this.dofSettings.estimate && !initial && nk[c] > 0) {
        const { min, max } = this.dofSettings;
        this.dof[c] = updateDof(this.dof[c], d, sumLogU[c] / nk[c], min, max);
      }
    }
    this.refreshTParams();
  }

  /**
   * The statistics of explicit responsibilities with u = 1 (a Gaussian start, as R's teigen), shifted
   * by the responsibilities' own weighted means, which become the current means first.
   */
  accumulate(_resp: Float64Array, stats: StatsBlock<Layout>, handles?: { resp: Handle; x: Handle }): void {
    if (!handles) throw new Error('emwasm: StudentParts.accumulate needs the workspace handles');
    const { ws, n, d, k } = this.ctx;
    const h = stats.handles;
    (ws.calls as Record<string, (...a: number[]) => number>)[
      this.kind.type === 'full' ? 'studentAccumulateFull' : 'studentAccumulateDiag'
    ](handles.x, n, d, handles.resp, k, this.meansH, h.nk, h.sumU, h.sumUZ, h.scatter, stats.scratch.work);
  }

  logPrior(): number {
    return 0;
  }

  /** The start of every restart: ν from `dofInit` (or the fixed ν), then any given means and scales. */
  applyStart(): void {
    this.dof.set(this.dofSettings.start);
    if (this.start.means) this.means.set(this.start.means);
    if (this.start.precisionsCholesky) this.precChol.set(this.start.precisionsCholesky);
    this.refreshTParams();
  }

  snapshot(): StudentComponents {
    return {
      means: Float64Array.from(this.means),
      precisionsCholesky: Float64Array.from(this.precChol),
      dof: Float64Array.from(this.dof),
    };
  }

  restore(p: StudentComponents): void {
    this.means.set(p.means);
    this.precChol.set(p.precisionsCholesky);
    this.dof.set(p.dof);
    this.refreshTParams();
  }
}
