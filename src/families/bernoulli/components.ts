import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import type { StatsBlock } from '../../em/stats.js';
import { floorLog } from '../discrete.js';

/** The parameters of a Bernoulli mixture's components. */
export interface BernoulliComponents {
  /** `(K × D)` probabilities p_cj = P(x_j = 1 | c), each in [0, 1]. */
  probabilities: Float64Array;
}

const layout = (k: number, d: number) => ({ nk: k, sumX: k * d });
type Layout = ReturnType<typeof layout>;

/**
 * Independent Bernoulli components: per component, one probability per feature. The M-step is the
 * MAP under a Beta(α + 1, α + 1) prior on each probability, `p_cj = (Σ_i r_ic·x_ij + α) / (Σ_i r_ic
 * + 2α)` (scikit-learn's `BernoulliNB` smoothing; α = 0 is flexmix's `FLXMCmvbinary`), and the
 * bound adds the matching log-prior `α·Σ_cj (log p_cj + log(1 − p_cj))` (up to a constant).
 */
export class BernoulliParts implements Components<BernoulliComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  private readonly probabilities: Float64Array;
  private readonly logOddsH: Handle;
  private readonly logNegH: Handle;
  private logOdds!: Float64Array;
  private logNeg!: Float64Array;
  private logPriorValue = 0;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly alpha: number,
    private readonly probabilitiesInit: Float64Array | null,
  ) {
    const { ws, d, k } = ctx;
    this.layout = layout(k, d);
    this.scratch = { work: k + 2 };
    this.probabilities = new Float64Array(k * d);
    this.logOddsH = ws.allocF64(k * d);
    this.logNegH = ws.allocF64(k);
    this.startComplete = probabilitiesInit !== null;
  }

  bind(): void {
    const { ws, d, k } = this.ctx;
    this.logOdds = ws.f64(this.logOddsH, k * d);
    this.logNeg = ws.f64(this.logNegH, k);
  }

  private setProbabilities(p: ArrayLike<number>): void {
    const { d, k } = this.ctx;
    let logPrior = 0;
    for (let c = 0; c < k; c++) {
      let neg = 0;
      for (let j = 0; j < d; j++) {
        const v = p[c * d + j];
        const lp = floorLog(v);
        const lq = floorLog(1 - v);
        this.probabilities[c * d + j] = v;
        this.logOdds[c * d + j] = lp - lq;
        neg += lq;
        logPrior += lp + lq;
      }
      this.logNeg[c] = neg;
    }
    this.logPriorValue = this.alpha * logPrior;
  }

  eStep(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    return {
      kernel: 'bernoulliEStep',
      args: [
        a.x,
        a.rows,
        d,
        this.logOddsH,
        this.logNegH,
        a.logWeights,
        k,
        a.stats ? a.stats.nk : 0,
        a.stats ? a.stats.sumX : 0,
        a.resp,
        a.lse,
        a.sampleWeight,
        a.scratch.work,
      ],
    };
  }

  /**
   * `(Σ r·x + α) / (Σ r + 2α)`, clamped to [0, 1] (the two sums are rounded apart); a component
   * with no weight and α = 0 gets 1/2 everywhere.
   */
  mStep(stats: StatsBlock<Layout>): void {
    const { d, k } = this.ctx;
    const { nk, sumX } = stats.views;
    const a = this.alpha;
    const p = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      const total = nk[c] + 2 * a;
      for (let j = 0; j < d; j++) {
        p[c * d + j] = total > 0 ? Math.min(1, Math.max(0, (sumX[c * d + j] + a) / total)) : 0.5;
      }
    }
    this.setProbabilities(p);
  }

  accumulate(resp: Float64Array, stats: StatsBlock<Layout>): void {
    const { n, d, k, X } = this.ctx;
    const { nk, sumX } = stats.views;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        nk[c] += r;
        for (let j = 0; j < d; j++) sumX[c * d + j] += r * X.data[i * d + j];
      }
    }
  }

  logPrior(): number {
    return this.logPriorValue;
  }

  applyStart(): void {
    if (this.probabilitiesInit) this.setProbabilities(this.probabilitiesInit);
  }

  snapshot(): BernoulliComponents {
    return { probabilities: Float64Array.from(this.probabilities) };
  }

  restore(p: BernoulliComponents): void {
    this.setProbabilities(p.probabilities);
  }
}
