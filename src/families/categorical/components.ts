import type { Handle, KernelJob } from '../../backend/types.js';
import type { ComponentContext, Components, PassArgs } from '../../em/mixture.js';
import type { StatsBlock } from '../../em/stats.js';
import { floorLog } from '../discrete.js';
import { categoricalWorkLength } from './kernels.js';

/** The parameters of a categorical mixture's components. */
export interface CategoricalComponents {
  /**
   * `(K × M)` probability tables, M = Σ_j m_j: row c holds feature 0's m_0 probabilities, then
   * feature 1's m_1, …; entry `[c][offset_j + v]` = P(x_j = v | c), offset_j = m_0 + … + m_(j−1).
   * Each feature's block sums to 1.
   */
  probabilities: Float64Array;
  /** `(D)` number of categories m_j of each feature (codes 0 … m_j − 1). */
  nCategories: Int32Array;
}

/** `(D)` start of each feature's block in a row of M = Σ m_j entries, and M. */
export function categoryOffsets(nCategories: ArrayLike<number>): { offsets: Int32Array; total: number } {
  const offsets = new Int32Array(nCategories.length);
  let total = 0;
  for (let j = 0; j < nCategories.length; j++) {
    offsets[j] = total;
    total += nCategories[j];
  }
  return { offsets, total };
}

const layout = (k: number, m: number) => ({ nk: k, counts: m * k });
type Layout = ReturnType<typeof layout>;

/**
 * Categorical components (latent class analysis): per component and feature, one probability per
 * category. The M-step is the MAP under a symmetric Dirichlet(α + 1) prior on each feature's table,
 * `θ_cjv = (Σ_i r_ic·[x_ij = v] + α) / (Σ_i r_ic + m_j·α)` (scikit-learn's `CategoricalNB`
 * smoothing; α = 0 is poLCA's maximum likelihood), and the bound adds the matching log-prior
 * `α·Σ log θ` (up to a constant). The kernel works on the tables transposed, `(M × K)`.
 */
export class CategoricalParts implements Components<CategoricalComponents, Layout> {
  readonly layout: Layout;
  readonly scratch: Record<string, number>;
  readonly startComplete: boolean;
  private readonly probabilities: Float64Array;
  private readonly offsets: Int32Array;
  private readonly total: number;
  private readonly offsetsH: Handle;
  private readonly logProbsTH: Handle;
  private logProbsT!: Float64Array;
  private logPriorValue = 0;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly alpha: number,
    private readonly nCategories: Int32Array,
    private readonly probabilitiesInit: Float64Array | null,
  ) {
    const { ws, k } = ctx;
    const { offsets, total } = categoryOffsets(nCategories);
    this.offsets = offsets;
    this.total = total;
    this.layout = layout(k, total);
    this.scratch = { work: categoricalWorkLength(k) };
    this.probabilities = new Float64Array(k * total);
    this.offsetsH = ws.allocI32(nCategories.length);
    this.logProbsTH = ws.allocF64(total * k);
    this.startComplete = probabilitiesInit !== null;
  }

  bind(): void {
    const { ws, d, k } = this.ctx;
    ws.i32(this.offsetsH, d).set(this.offsets);
    this.logProbsT = ws.f64(this.logProbsTH, this.total * k);
  }

  private setProbabilities(p: ArrayLike<number>): void {
    const { k } = this.ctx;
    const m = this.total;
    let logPrior = 0;
    for (let c = 0; c < k; c++) {
      for (let v = 0; v < m; v++) {
        const value = p[c * m + v];
        this.probabilities[c * m + v] = value;
        logPrior += this.logProbsT[v * k + c] = floorLog(value);
      }
    }
    this.logPriorValue = this.alpha * logPrior;
  }

  eStep(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    return {
      kernel: 'categoricalEStep',
      args: [
        a.x,
        a.rows,
        d,
        this.offsetsH,
        this.logProbsTH,
        a.logWeights,
        k,
        a.stats ? a.stats.nk : 0,
        a.stats ? a.stats.counts : 0,
        a.resp,
        a.lse,
        a.sampleWeight,
        a.scratch.work,
      ],
    };
  }

  /**
   * Per feature, `(count + α) / (Σ counts + m_j·α)`; a component with no weight, with α = 0, gets
   * 1/m_j everywhere.
   */
  mStep(stats: StatsBlock<Layout>): void {
    const { d, k } = this.ctx;
    const { counts } = stats.views;
    const a = this.alpha;
    const m = this.total;
    const p = new Float64Array(k * m);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const first = this.offsets[j];
        const mj = this.nCategories[j];
        let sum = 0;
        for (let v = first; v < first + mj; v++) sum += counts[v * k + c];
        const denominator = sum + mj * a;
        for (let v = first; v < first + mj; v++) {
          p[c * m + v] = denominator > 0 ? (counts[v * k + c] + a) / denominator : 1 / mj;
        }
      }
    }
    this.setProbabilities(p);
  }

  /** The statistics of a slice's starting responsibilities, by the `categoricalAccumulate` kernel. */
  accumulatePass(a: PassArgs): KernelJob {
    const { d, k } = this.ctx;
    const stats = a.stats as Readonly<Record<string, Handle>>;
    return {
      kernel: 'categoricalAccumulate',
      args: [a.x, a.rows, d, this.offsetsH, a.resp, k, stats.nk, stats.counts],
    };
  }

  logPrior(): number {
    return this.logPriorValue;
  }

  applyStart(): void {
    if (this.probabilitiesInit) this.setProbabilities(this.probabilitiesInit);
  }

  snapshot(): CategoricalComponents {
    return {
      probabilities: Float64Array.from(this.probabilities),
      nCategories: Int32Array.from(this.nCategories),
    };
  }

  restore(p: CategoricalComponents): void {
    this.setProbabilities(p.probabilities);
  }
}
