import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import { rowOffset, type SliceRunner } from '../../em/parallel.js';
import type { StatsBlock } from '../../em/stats.js';
import { floorLog } from '../discrete.js';
import { RowOrder } from '../row-order.js';
import { bernoulliWorkLength } from './kernels.js';

/** The parameters of a Bernoulli mixture's components. */
export interface BernoulliComponents {
  /** `(K × D)` probabilities p_cj = P(x_j = 1 | c), each in [0, 1]. */
  probabilities: Float64Array;
}

/** The workspace's kernels, called directly (the count runs on this thread). */
function calls(ws: ComponentContext['ws']): Record<string, (...a: number[]) => number> {
  return ws.calls as Record<string, (...a: number[]) => number>;
}

/** `sumX` is `(d × K)`, Σ r·x transposed (as the kernel keeps it). */
const layout = (k: number, d: number) => ({ nk: k, sumX: d * k });
type Layout = ReturnType<typeof layout>;

/**
 * Independent Bernoulli components: per component, one probability per feature. The M-step is the
 * MAP under a Beta(α + 1, α + 1) prior on each probability, `p_cj = (Σ_i r_ic·x_ij + α) / (Σ_i r_ic
 * + 2α)` (scikit-learn's `BernoulliNB` smoothing; α = 0 is flexmix's `FLXMCmvbinary`), and the
 * bound adds the matching log-prior `α·Σ_cj (log p_cj + log(1 − p_cj))` (up to a constant).
 * The kernel reads the rows compressed (the columns of their ones, built once per fit) and the
 * log-odds transposed.
 */
export class BernoulliParts implements Components<BernoulliComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  private readonly probabilities: Float64Array;
  private readonly logOddsTH: Handle;
  private readonly logNegH: Handle;
  private readonly rowStartH: Handle;
  /** A fit's rows stored by their number of ones, a scoring call's in X's order. */
  private readonly rowOrder: RowOrder;
  private readonly onesH: Handle;
  private logOddsT!: Float64Array;
  private logNeg!: Float64Array;
  private logPriorValue = 0;

  /**
   * Sizes the compressed rows by X's ones, counted row by row in X's copy in the workspace (each
   * row's position goes to `rowStart`) by a pass that also checks every value is 0 or 1; when one
   * is not, `check` (the model's full check of X) throws the error naming it.
   */
  constructor(
    private readonly ctx: ComponentContext,
    private readonly alpha: number,
    private readonly probabilitiesInit: Float64Array | null,
    check: () => void,
  ) {
    const { ws, n, d, k } = ctx;
    this.layout = layout(k, d);
    this.scratch = { work: bernoulliWorkLength(k) };
    this.probabilities = new Float64Array(k * d);
    this.logOddsTH = ws.allocF64(d * k);
    this.logNegH = ws.allocF64(k);
    this.rowStartH = ws.allocF64(n + 1);
    const nOnes = calls(ws).bernoulliRowStarts(ctx.x as Handle, n, d, this.rowStartH);
    if (nOnes < 0) {
      check();
      throw new Error('emwasm: the Bernoulli value check disagrees with the Wasm one');
    }
    this.onesH = ws.allocI32(Math.max(1, nOnes));
    this.startComplete = probabilitiesInit !== null;
    this.rowOrder = new RowOrder(ctx, this.rowStartH, true, d, 'Bernoulli rows');
  }

  /** Takes the views. */
  bind(): void {
    const { ws, d, k } = this.ctx;
    this.logOddsT = ws.f64(this.logOddsTH, d * k);
    this.logNeg = ws.f64(this.logNegH, k);
  }

  /**
   * Compresses the rows (the columns of their ones) from X's copy in the workspace, by the
   * `bernoulliCompress` kernel over the fit's row slices.
   */
  prepare(rows: SliceRunner): void | Promise<void> {
    const { d } = this.ctx;
    const x = this.ctx.x as Handle;
    // Sorted, a slice of X's rows writes at its rows' places (in its windows).
    const sorted = this.rowOrder.sorted;
    const results = rows((first, count) => ({
      kernel: 'bernoulliCompress',
      args: [
        rowOffset(x, first, d),
        count,
        d,
        this.rowOrder.rankFrom(first),
        sorted ? this.rowStartH : rowOffset(this.rowStartH, first, 1),
        this.onesH,
      ],
    }));
    const done = (r: number[]): void => {
      if (r.some((v) => v < 0))
        throw new Error('emwasm: the Bernoulli rows disagree with their counted positions');
    };
    return results instanceof Promise ? results.then(done) : done(results);
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
        this.logOddsT[j * k + c] = lp - lq;
        neg += lq;
        logPrior += lp + lq;
      }
      this.logNeg[c] = neg;
    }
    this.logPriorValue = this.alpha * logPrior;
  }

  eStep(a: PassArgs): KernelJob {
    const { k } = this.ctx;
    return {
      kernel: 'bernoulliEStep',
      args: [
        rowOffset(this.rowStartH, a.first, 1),
        this.onesH,
        a.rows,
        this.logOddsTH,
        this.logNegH,
        a.logWeights,
        k,
        a.stats ? a.stats.nk : 0,
        a.stats ? a.stats.sumX : 0,
        a.resp,
        a.lse,
        this.rowOrder.passWeights(a),
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
        p[c * d + j] = total > 0 ? Math.min(1, Math.max(0, (sumX[j * k + c] + a) / total)) : 0.5;
      }
    }
    this.setProbabilities(p);
  }

  /**
   * The statistics of a slice's starting responsibilities, by the `bernoulliAccumulate` kernel
   * (through the rows' stored order: `RowOrder.startArgs`).
   */
  accumulatePass(a: PassArgs): KernelJob {
    const stats = a.stats as Readonly<Record<string, Handle>>;
    return {
      kernel: 'bernoulliAccumulate',
      args: [
        rowOffset(this.rowStartH, a.first, 1),
        this.onesH,
        a.rows,
        ...this.rowOrder.startArgs(a, this.ctx.k),
        this.ctx.k,
        stats.nk,
        stats.sumX,
      ],
    };
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
