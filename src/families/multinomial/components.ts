import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import { rowOffset, type SliceRunner } from '../../em/parallel.js';
import type { StatsBlock } from '../../em/stats.js';
import { logFactorial } from '../../util/special.js';
import { floorLog } from '../discrete.js';
import { RowOrder } from '../row-order.js';
import { compactLayout, paddedWidth, workLength } from './kernels.js';

/** The parameters of a multinomial mixture's components. */
export interface MultinomialComponents {
  /** `(K × D)` category probabilities θ_cj, each row summing to 1. */
  probabilities: Float64Array;
  /** `(K)` mean total count of a row in each component (used only by `sample`). */
  rowTotals: Float64Array;
}

/** `sumX` is `(d × kp)`, Σ r·x transposed with K padded to even (as the kernel keeps it). */
const layout = (k: number, d: number) => ({ nk: k, sumX: d * paddedWidth(k) });
type Layout = ReturnType<typeof layout>;

/** The workspace's kernels, called directly (setup and the first M-step run on this thread). */
function calls(ws: ComponentContext['ws']): Record<string, (...a: number[]) => number> {
  return ws.calls as Record<string, (...a: number[]) => number>;
}

/** log k! for k < LOG_FACTORIAL_SIZE, the values of `logFactorial`: the compression kernel's table. */
const LOG_FACTORIAL_SIZE = 4096;
const LOG_FACTORIALS = Float64Array.from({ length: LOG_FACTORIAL_SIZE }, (_, i) => logFactorial(i));

/**
 * Multinomial components: per component, one probability per category (feature). The M-step is the
 * MAP under a symmetric Dirichlet(α + 1) prior, `θ_cj = (Σ_i r_ic·x_ij + α) / (Σ_i r_ic·n_i + D·α)`
 * (n_i the row's total; scikit-learn's `MultinomialNB` smoothing), and the bound adds the matching
 * log-prior `α·Σ_cj log θ_cj` (up to a constant). The row totals are not modelled by the density;
 * their per-component mean is kept for `sample`. The kernel reads the rows compressed (nonzero
 * counts and their columns, built once per fit) and the tables transposed.
 */
export class MultinomialParts implements Components<MultinomialComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  private readonly probabilities: Float64Array;
  private readonly rowTotals: Float64Array;
  private readonly logProbsTH: Handle;
  private readonly rowConstH: Handle;
  private readonly rowStartH: Handle;
  /** A fit's rows stored by their number of nonzero counts, a scoring call's in X's order. */
  private readonly rowOrder: RowOrder;
  private readonly columnsH: Handle;
  private readonly countsH: Handle;
  private readonly nonzeros: number;
  private readonly logFactorialsH: Handle;
  private readonly kp: number;
  /**
   * 1 when the compressed rows are in the compact layout (u16 offsets, f32 counts: half the bytes
   * the E-step streams each iteration, and half the memory), 0 in the wide one (i32, f64): for
   * more columns than u16 offsets reach, or a count of 2^24 or more.
   */
  private readonly compact: number;
  /** X's largest count. */
  private readonly largest: number;
  /** The length of the `columns` (i32) and `counts` (f64) arrays the layout needs. */
  private readonly stored: number;
  private logProbsT!: Float64Array;
  private logPriorValue = 0;
  /** Σ rowConst over each slice a fit's pass has cut (key `first,rows`): fixed for the fit. */
  private readonly sliceConstants = new Map<string, number>();

  /**
   * Sizes the compressed rows by X's nonzero values, counted row by row in X's copy in the
   * workspace (each row's position goes to `rowStart`) by a pass that also checks every value is a
   * finite non-negative integer; when one is not, `check` (the model's full check of X) throws the
   * error naming it.
   */
  constructor(
    private readonly ctx: ComponentContext,
    private readonly alpha: number,
    private readonly start: { probabilities: Float64Array | null; rowTotals: Float64Array | null },
    check: () => void,
  ) {
    const { ws, n, d, k } = ctx;
    this.rowStartH = ws.allocI32(n + 1);
    const largestH = ws.allocF64(1);
    const nonzeros = calls(ws).multinomialRowStarts(ctx.x as Handle, n, d, this.rowStartH, largestH);
    if (nonzeros < 0) {
      check();
      throw new Error('emwasm: the multinomial count check disagrees with the Wasm one');
    }
    this.kp = paddedWidth(k);
    this.largest = ws.f64(largestH, 1)[0];
    this.compact = compactLayout(d, this.kp, this.largest) ? 1 : 0;
    // Two u16 offsets to an i32, two f32 counts to an f64 in the compact layout.
    this.stored = Math.max(1, this.compact ? Math.ceil(nonzeros / 2) : nonzeros);
    this.layout = layout(k, d);
    this.scratch = { work: workLength(k) };
    this.probabilities = new Float64Array(k * d);
    this.rowTotals = new Float64Array(k);
    this.logProbsTH = ws.allocF64(d * this.kp);
    this.rowConstH = ws.allocF64(n);
    this.nonzeros = nonzeros;
    this.columnsH = ws.allocI32(this.stored);
    this.countsH = ws.allocF64(this.stored);
    this.logFactorialsH = ws.allocF64(LOG_FACTORIAL_SIZE);
    this.startComplete = start.probabilities !== null;
    this.rowOrder = new RowOrder(ctx, this.rowStartH, false, d, 'multinomial rows');
  }

  bind(): void {
    this.logProbsT = this.ctx.ws.f64(this.logProbsTH, this.ctx.d * this.kp);
    this.ctx.ws.f64(this.logFactorialsH, LOG_FACTORIAL_SIZE).set(LOG_FACTORIALS);
  }

  /**
   * Compresses the rows (nonzero counts and their columns) and computes each row's log multinomial
   * coefficient `log n! − Σ_j log x_j!`, by the `multinomialCompress` kernel over the fit's row
   * slices (from X's copy in the workspace; the rare rows with a count or total past its table
   * here).
   */
  prepare(rows: SliceRunner): void | Promise<void> {
    const results = this.compress(rows);
    return results instanceof Promise ? results.then((t) => this.compressed(t)) : this.compressed(results);
  }

  /** One `multinomialCompress` call per slice, in the current layout; the slices' results. */
  private compress(rows: SliceRunner): number[] | Promise<number[]> {
    const { d } = this.ctx;
    const x = this.ctx.x as Handle;
    // Sorted, a slice of X's rows writes at its rows' places (in its windows).
    const sorted = this.rowOrder.sorted;
    return rows((first, count) => ({
      kernel: 'multinomialCompress',
      args: [
        rowOffset(x, first, d),
        count,
        d,
        this.kp,
        this.rowOrder.rankFrom(first),
        sorted ? this.rowStartH : this.rowStartH + first * 4,
        this.columnsH,
        this.countsH,
        sorted ? this.rowConstH : rowOffset(this.rowConstH, first, 1),
        this.logFactorialsH,
        LOG_FACTORIAL_SIZE,
        this.compact,
      ],
    }));
  }

  /** Finishes `prepare` from the slices' count totals. */
  private compressed(totals: number[]): void {
    const { ws, n, d } = this.ctx;
    if (totals.some((t) => t < 0))
      throw new Error('emwasm: the multinomial rows disagree with their counted positions');
    const grand = totals.reduce((a, b) => a + b, 0);
    // Until an M-step estimates them, every component's row total is the data's mean.
    this.rowTotals.fill(grand / n);
    const rowConst = ws.f64(this.rowConstH, n);
    // Rows left NaN have a total of LOG_FACTORIAL_SIZE or more, which d·largest bounds.
    if (d * this.largest < LOG_FACTORIAL_SIZE) return;
    const rowStart = ws.i32(this.rowStartH, n + 1);
    const wide = ws.f64(this.countsH, this.stored);
    const counts = this.compact ? new Float32Array(wide.buffer, wide.byteOffset, this.nonzeros) : wide;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(rowConst[i])) continue;
      let total = 0;
      let s = 0;
      for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
        total += counts[e];
        s -= logFactorial(counts[e]);
      }
      rowConst[i] = s + logFactorial(total);
    }
  }

  private setProbabilities(p: ArrayLike<number>): void {
    const { d, k } = this.ctx;
    let logPrior = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        this.probabilities[c * d + j] = p[c * d + j];
        logPrior += this.logProbsT[j * this.kp + c] = floorLog(p[c * d + j]);
      }
    }
    this.logPriorValue = this.alpha * logPrior;
  }

  /**
   * A pass that writes no log p(x) and weighs no rows needs only the sum of its rows' coefficients:
   * the kernel gets it as a number (computed once per slice) instead of reading `rowConst`.
   */
  eStep(a: PassArgs): KernelJob {
    const { k } = this.ctx;
    const sampleWeight = this.rowOrder.passWeights(a);
    const summed = a.lse === 0 && a.sampleWeight === 0;
    return {
      kernel: 'multinomialEStep',
      args: [
        this.rowStartH + a.first * 4,
        this.columnsH,
        this.countsH,
        a.rows,
        this.logProbsTH,
        a.logWeights,
        k,
        a.stats ? a.stats.nk : 0,
        a.stats ? a.stats.sumX : 0,
        a.resp,
        a.lse,
        sampleWeight,
        summed ? 0 : rowOffset(this.rowConstH, a.first, 1),
        summed ? this.sliceConstant(a.first, a.rows) : 0,
        a.scratch.work,
        this.compact,
      ],
    };
  }

  /** Σ rowConst over rows [first, first + rows), computed (after `prepare`) on a slice's first pass. */
  private sliceConstant(first: number, rows: number): number {
    const key = `${first},${rows}`;
    let sum = this.sliceConstants.get(key);
    if (sum === undefined) {
      const rowConst = this.ctx.ws.f64(this.rowConstH, first + rows);
      sum = 0;
      for (let i = first; i < first + rows; i++) sum += rowConst[i];
      this.sliceConstants.set(key, sum);
    }
    return sum;
  }

  /**
   * `(Σ r·x_j + α) / (Σ r·n + D·α)`; a component whose rows hold no counts, with α = 0, gets 1/D
   * everywhere. Row totals `Σ r·n / Σ r` (0 for a component with no weight).
   */
  mStep(stats: StatsBlock<Layout>): void {
    const { d, k } = this.ctx;
    const { nk, sumX } = stats.views;
    const kp = this.kp;
    const a = this.alpha;
    const p = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      let total = 0;
      for (let j = 0; j < d; j++) total += sumX[j * kp + c];
      const denominator = total + d * a;
      for (let j = 0; j < d; j++)
        p[c * d + j] = denominator > 0 ? (sumX[j * kp + c] + a) / denominator : 1 / d;
      this.rowTotals[c] = nk[c] > 0 ? total / nk[c] : 0;
    }
    this.setProbabilities(p);
  }

  /**
   * The statistics of a slice's starting responsibilities, by the `multinomialAccumulate` kernel
   * (through the rows' stored order: `RowOrder.startArgs`).
   */
  accumulatePass(a: PassArgs): KernelJob {
    const stats = a.stats as Readonly<Record<string, Handle>>;
    return {
      kernel: 'multinomialAccumulate',
      args: [
        this.rowStartH + a.first * 4,
        this.columnsH,
        this.countsH,
        a.rows,
        ...this.rowOrder.startArgs(a, this.ctx.k),
        this.ctx.k,
        stats.nk,
        stats.sumX,
        this.compact,
      ],
    };
  }

  logPrior(): number {
    return this.logPriorValue;
  }

  applyStart(): void {
    if (this.start.probabilities) this.setProbabilities(this.start.probabilities);
    if (this.start.rowTotals) this.rowTotals.set(this.start.rowTotals);
  }

  snapshot(): MultinomialComponents {
    return {
      probabilities: Float64Array.from(this.probabilities),
      rowTotals: Float64Array.from(this.rowTotals),
    };
  }

  restore(p: MultinomialComponents): void {
    this.setProbabilities(p.probabilities);
    this.rowTotals.set(p.rowTotals);
  }
}
