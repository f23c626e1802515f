import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import { rowOffset } from '../../em/parallel.js';
import type { StatsBlock } from '../../em/stats.js';
import { cholesky } from '../../linalg/dense.js';
import { regressionWork } from './kernels.js';

/** The parameters of a regression mixture's components. */
export interface RegressionComponents {
  /** `(K × P)` coefficients, the intercept first when the model has one (P = nFeatures + 1). */
  coef: Float64Array;
  /** `(K)` noise variances σ²_c > 0 (all equal with `sharedVariance`). */
  variances: Float64Array;
}

/** How the components are estimated (the estimator's options, resolved for one fit). */
export interface RegressionRules {
  intercept: boolean;
  /** Ridge penalty on every coefficient but the intercept. */
  regCoef: number;
  sharedVariance: boolean;
  /** Scale the variances by N / (N − P), flexmix's estimate. */
  dfCorrection: boolean;
  /** The smallest variance allowed (absolute: the estimator turns `regVariance` into this). */
  varianceFloor: number;
  coefInit: Float64Array | null;
  variancesInit: Float64Array | null;
}

/**
 * A pivot of the weighted normal equations below this fraction of its diagonal entry is taken as
 * singular: the squared default tolerance (1e-7) of R's `lm.fit`, whose QR declares such a column
 * collinear.
 */
const SINGULAR = 1e-14;

/** `xtx` holds each component's Σ r·z·zᵀ as its upper triangle packed row by row, p(p + 1)/2 values. */
const layout = (k: number, p: number) => ({ nk: k, xtx: (k * p * (p + 1)) / 2, xte: k * p, ete: k });
type Layout = ReturnType<typeof layout>;

/**
 * Linear-regression components with Gaussian noise. The M-step is weighted least squares per
 * component, `(Zᵀ R Z + regCoef·I′) β_c = Zᵀ R y`, by Cholesky (I′ the identity without the
 * intercept's entry), and `σ²_c = (Σ r·(y − z·β_c)² + regCoef·‖β′_c‖²) / Σ r` (summed over the
 * components with `sharedVariance`), kept at least `varianceFloor`. With regCoef > 0 this is the
 * exact maximiser of the log-likelihood minus Σ_c regCoef·‖β′_c‖² / (2σ²_c), the term `logPrior`
 * adds to the bound, so the bound still never decreases.
 */
export class RegressionParts implements Components<RegressionComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  /** Coefficients per component: nFeatures + intercept. */
  private readonly p: number;
  private readonly coef: Float64Array;
  private readonly variances: Float64Array;
  private readonly yH: Handle;
  private readonly coefH: Handle;
  private readonly logNormH: Handle;
  private readonly halfPrecH: Handle;
  private coefView!: Float64Array;
  private logNorm!: Float64Array;
  private halfPrec!: Float64Array;
  // M-step work, reused: the normal equations, their factor, right-hand side and solution.
  private readonly a: Float64Array;
  private readonly l: Float64Array;
  private readonly rhs: Float64Array;
  private readonly delta: Float64Array;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly rules: RegressionRules,
  ) {
    const { ws, n, d, k } = ctx;
    const p = d + (rules.intercept ? 1 : 0);
    this.p = p;
    this.layout = layout(k, p);
    this.scratch = { work: regressionWork(k, p) };
    this.coef = new Float64Array(k * p);
    this.variances = new Float64Array(k);
    this.yH = ws.allocF64(n);
    this.coefH = ws.allocF64(k * p);
    this.logNormH = ws.allocF64(k);
    this.halfPrecH = ws.allocF64(k);
    this.a = new Float64Array(p * p);
    this.l = new Float64Array(p * p);
    this.rhs = new Float64Array(p);
    this.delta = new Float64Array(p);
    this.startComplete = rules.coefInit !== null && rules.variancesInit !== null;
  }

  bind(): void {
    const { ws, n, k, y } = this.ctx;
    if (!y) throw new Error('emwasm: a RegressionMixture pass needs y');
    ws.f64(this.yH, n).set(y);
    this.coefView = ws.f64(this.coefH, k * this.p);
    this.logNorm = ws.f64(this.logNormH, k);
    this.halfPrec = ws.f64(this.halfPrecH, k);
  }

  private setParams(coef: ArrayLike<number>, variances: ArrayLike<number>): void {
    const k = this.ctx.k;
    for (let i = 0; i < k * this.p; i++) this.coefView[i] = this.coef[i] = coef[i];
    for (let c = 0; c < k; c++) {
      const v = variances[c];
      this.variances[c] = v;
      this.logNorm[c] = -0.5 * Math.log(2 * Math.PI * v);
      this.halfPrec[c] = 0.5 / v;
    }
  }

  eStep(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    return {
      kernel: 'regressionEStep',
      args: [
        a.x,
        a.rows,
        d,
        rowOffset(this.yH, a.first, 1),
        this.rules.intercept ? 1 : 0,
        this.coefH,
        this.logNormH,
        this.halfPrecH,
        a.logWeights,
        k,
        a.stats ? a.stats.nk : 0,
        a.stats ? a.stats.xtx : 0,
        a.stats ? a.stats.xte : 0,
        a.stats ? a.stats.ete : 0,
        a.resp,
        a.lse,
        a.sampleWeight,
        a.scratch.work,
      ],
    };
  }

  /**
   * Solves `(A + regCoef·I′) δ = rhs − regCoef·I′·shift` for component c, A the symmetric matrix
   * whose packed upper triangle is `xtx`'s block c; leaves A in `this.a` and δ in `this.delta`. Returns 0,
   * or j + 1 for the first coefficient j the system does not determine.
   */
  private solve(xtx: Float64Array, c: number, rhs: Float64Array, shift: Float64Array): number {
    const p = this.p;
    const { a, l, delta } = this;
    const first = this.rules.intercept ? 1 : 0;
    const lambda = this.rules.regCoef;
    let o = (c * p * (p + 1)) / 2;
    for (let i = 0; i < p; i++) {
      for (let j = i; j < p; j++) a[i * p + j] = a[j * p + i] = xtx[o++];
    }
    for (let j = first; j < p; j++) {
      a[j * p + j] += lambda;
      rhs[j] -= lambda * shift[c * p + j];
    }
    const info = cholesky(a, p, l);
    for (let j = first; j < p; j++) a[j * p + j] -= lambda;
    if (info !== 0) return info;
    for (let j = 0; j < p; j++) {
      if (l[j * p + j] * l[j * p + j] < SINGULAR * (a[j * p + j] + (j >= first ? lambda : 0))) return j + 1;
    }
    for (let i = 0; i < p; i++) {
      let s = rhs[i];
      for (let j = 0; j < i; j++) s -= l[i * p + j] * delta[j];
      delta[i] = s / l[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = delta[i];
      for (let j = i + 1; j < p; j++) s -= l[j * p + i] * delta[j];
      delta[i] = s / l[i * p + i];
    }
    return 0;
  }

  private singular(c: number, info: number): Error {
    const j = info - 1;
    const which = this.rules.intercept ? (j === 0 ? 'the intercept' : `feature ${j - 1}`) : `feature ${j}`;
    return new Error(
      `RegressionMixture: component ${c}'s weighted least-squares system is singular at ${which}: ` +
        `the rows it holds do not determine its ${this.p} coefficients (collinear or constant ` +
        `features, or too few rows in the component). Set regCoef > 0, drop the redundant feature, ` +
        `or use fewer components.`,
    );
  }

  mStep(stats: StatsBlock<Layout>): void {
    const { k } = this.ctx;
    const p = this.p;
    const { nk, xtx, xte, ete } = stats.views;
    const first = this.rules.intercept ? 1 : 0;
    const lambda = this.rules.regCoef;
    const coef = new Float64Array(k * p);
    const sums = new Float64Array(k);
    let total = 0;
    for (let c = 0; c < k; c++) {
      if (!(nk[c] > 0)) {
        throw new Error(
          `RegressionMixture: component ${c} holds no weight (Σ r = ${nk[c]}), so its coefficients are ` +
            `undetermined; use fewer components or another start.`,
        );
      }
      total += nk[c];
      for (let j = 0; j < p; j++) this.rhs[j] = xte[c * p + j];
      const info = this.solve(xtx, c, this.rhs, this.coef);
      if (info !== 0) throw this.singular(c, info);
      // The residual sum of squares at β_c + δ, exactly, from the sums about β_c (estep.ts).
      let cross = 0;
      let quad = 0;
      let penalty = 0;
      for (let i = 0; i < p; i++) {
        const di = this.delta[i];
        cross += di * xte[c * p + i];
        let row = 0;
        for (let j = 0; j < p; j++) row += this.a[i * p + j] * this.delta[j];
        quad += di * row;
        const b = (coef[c * p + i] = this.coef[c * p + i] + di);
        if (i >= first) penalty += b * b;
      }
      sums[c] = Math.max(0, ete[c] - 2 * cross + quad) + lambda * penalty;
    }
    const correction = this.rules.dfCorrection ? total / (total - p) : 1;
    if (!(correction > 0)) {
      throw new Error(
        `RegressionMixture: dfCorrection needs more weight than coefficients: N = ${total}, P = ${p}`,
      );
    }
    const variances = new Float64Array(k);
    let shared = 0;
    if (this.rules.sharedVariance) {
      for (let c = 0; c < k; c++) shared += sums[c];
      shared /= total;
    }
    for (let c = 0; c < k; c++) {
      const v = (this.rules.sharedVariance ? shared : sums[c] / nk[c]) * correction;
      variances[c] = Math.max(v, this.rules.varianceFloor);
      if (!(variances[c] > 0) || !Number.isFinite(variances[c])) {
        throw new Error(
          `RegressionMixture: component ${c} fits its rows exactly (variance ${variances[c]}); ` +
            `set regVariance > 0 to keep variances away from 0.`,
        );
      }
    }
    this.setParams(coef, variances);
  }

  /**
   * The statistics of explicit responsibilities (init only), by the `regressionAccumulate` kernel.
   * They are taken about a shift, as the E-step's are about the current coefficients; the shift is
   * each component's own weighted least-squares solution (from a first pass about 0), so the
   * M-step's correction is ~0 and no Σ r·y² enters the variances.
   */
  accumulate(resp: Float64Array, stats: StatsBlock<Layout>, handles?: { resp: Handle; x: Handle }): void {
    if (!handles) throw new Error('emwasm: RegressionParts.accumulate needs the workspace handles');
    const { ws, n, d, k } = this.ctx;
    const p = this.p;
    const { nk, xtx, xte, ete } = stats.handles;
    // Σ r and Σ r·z·zᵀ do not depend on the shift: the second pass sums only Σ r·e·z and Σ r·e².
    const pass = (full: boolean): void => {
      (ws.calls as Record<string, (...a: number[]) => number>).regressionAccumulate(
        handles.x,
        n,
        d,
        this.yH,
        this.rules.intercept ? 1 : 0,
        this.coefH,
        k,
        handles.resp,
        full ? nk : 0,
        full ? xtx : 0,
        xte,
        ete,
        stats.scratch.work,
      );
    };
    this.coefView.fill(0);
    stats.zero();
    pass(true);
    const zero = new Float64Array(k * p);
    for (let c = 0; c < k; c++) {
      // A singular system is left to the M-step, which reports it; the shift is then 0.
      const info = this.solve(stats.views.xtx, c, stats.views.xte.slice(c * p, c * p + p), zero);
      this.coef.set(info === 0 ? this.delta : zero.subarray(0, p), c * p);
    }
    this.coefView.set(this.coef);
    stats.views.xte.fill(0);
    stats.views.ete.fill(0);
    pass(false);
  }

  logPrior(): number {
    const lambda = this.rules.regCoef;
    if (lambda === 0) return 0;
    const { k } = this.ctx;
    const p = this.p;
    const first = this.rules.intercept ? 1 : 0;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = first; j < p; j++) s += this.coef[c * p + j] ** 2;
      sum -= lambda * s * this.halfPrec[c];
    }
    return sum;
  }

  applyStart(): void {
    const { coefInit, variancesInit } = this.rules;
    if (coefInit || variancesInit) this.setParams(coefInit ?? this.coef, variancesInit ?? this.variances);
  }

  snapshot(): RegressionComponents {
    return { coef: Float64Array.from(this.coef), variances: Float64Array.from(this.variances) };
  }

  restore(p: RegressionComponents): void {
    this.setParams(p.coef, p.variances);
  }
}
