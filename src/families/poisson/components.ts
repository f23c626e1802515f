import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import { rowOffset } from '../../em/parallel.js';
import type { StatsBlock } from '../../em/stats.js';
import { logFactorial } from '../../util/special.js';
import { poissonWorkLength } from './kernels.js';

/** The parameters of a Poisson mixture's components. */
export interface PoissonComponents {
  /** `(K × D)` rates λ_cj ≥ 0. */
  rates: Float64Array;
}

const EPS = 2.220446049250313e-16;
/** log of the smallest positive double: a rate of 0 enters the kernel as this log-rate (see estep.ts). */
const LOG_TINY = Math.log(Number.MIN_VALUE);

const layout = (k: number, d: number) => ({ nk: k, sumX: k * d });
type Layout = ReturnType<typeof layout>;

/**
 * Independent Poisson components: per component, one rate per feature. The M-step is the
 * weighted mean count, `λ_cj = Σ_i r_ic·x_ij / (Σ_i r_ic + 10·eps)` (flexmix's `FLXMCmvpois`).
 */
export class PoissonParts implements Components<PoissonComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  private readonly rates: Float64Array;
  private readonly logRatesH: Handle;
  private readonly rateSumsH: Handle;
  private readonly rowConstH: Handle;
  private logRates!: Float64Array;
  private rateSums!: Float64Array;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly ratesInit: Float64Array | null,
  ) {
    const { ws, n, d, k } = ctx;
    this.layout = layout(k, d);
    this.scratch = { work: poissonWorkLength(k, d) };
    this.rates = new Float64Array(k * d);
    this.logRatesH = ws.allocF64(k * d);
    this.rateSumsH = ws.allocF64(k);
    this.rowConstH = ws.allocF64(n);
    this.startComplete = ratesInit !== null;
  }

  bind(): void {
    const { ws, n, d, k, X } = this.ctx;
    this.logRates = ws.f64(this.logRatesH, k * d);
    this.rateSums = ws.f64(this.rateSumsH, k);
    const rowConst = ws.f64(this.rowConstH, n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += logFactorial(X.data[i * d + j]);
      rowConst[i] = s;
    }
  }

  private setRates(rates: ArrayLike<number>): void {
    const { d, k } = this.ctx;
    for (let c = 0; c < k; c++) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const v = rates[c * d + j];
        this.rates[c * d + j] = v;
        this.logRates[c * d + j] = v > 0 ? Math.log(v) : LOG_TINY;
        sum += v;
      }
      this.rateSums[c] = sum;
    }
  }

  eStep(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    return {
      kernel: 'poissonEStep',
      args: [
        a.x,
        a.rows,
        d,
        this.logRatesH,
        this.rateSumsH,
        a.logWeights,
        k,
        a.stats ? a.stats.nk : 0,
        a.stats ? a.stats.sumX : 0,
        a.resp,
        a.lse,
        a.sampleWeight,
        rowOffset(this.rowConstH, a.first, 1),
        a.scratch.work,
      ],
    };
  }

  mStep(stats: StatsBlock<Layout>): void {
    const { d, k } = this.ctx;
    const { nk, sumX } = stats.views;
    const rates = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      const total = nk[c] + 10 * EPS;
      for (let j = 0; j < d; j++) rates[c * d + j] = sumX[c * d + j] / total;
    }
    this.setRates(rates);
  }

  /** The statistics of a slice's starting responsibilities, by the `poissonAccumulate` kernel. */
  accumulatePass(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    const stats = a.stats as Readonly<Record<string, Handle>>;
    return {
      kernel: 'poissonAccumulate',
      args: [a.x, a.rows, d, a.resp, k, stats.nk, stats.sumX, a.scratch.work],
    };
  }

  logPrior(): number {
    return 0;
  }

  applyStart(): void {
    if (this.ratesInit) this.setRates(this.ratesInit);
  }

  snapshot(): PoissonComponents {
    return { rates: Float64Array.from(this.rates) };
  }

  restore(p: PoissonComponents): void {
    this.setRates(p.rates);
  }
}
