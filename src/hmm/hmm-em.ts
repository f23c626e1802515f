import type { Handle } from '../backend/types.js';
import type { EMHooks } from '../em/loop.js';
import type { Random } from '../util/random.js';
import type { Chain } from './chain.js';
import { dirichletLogPrior } from './log-prior.js';

/**
 * What an emission family supplies to an HMM fit (hmmlearn's `_init`, `_compute_log_likelihood`,
 * `_accumulate_sufficient_statistics` and the emission half of `_do_mstep`). One instance lives in
 * the fit's workspace with the data already copied in.
 */
export interface Emission<E> {
  /** Starting parameters for one restart: the user's where given, the family's initialisation elsewhere. */
  initialize(rng: Random): void;
  /** Uses these parameters (a fitted model being scored or warm-started). */
  restore(params: E): void;
  /** Writes `log p(x_t | z_t = c)` into `logB (n × K)`. */
  logLikelihood(logB: Handle): void;
  /** Sufficient statistics of the whole data from the state posteriors `post (n × K)`. */
  accumulate(post: Handle): void;
  /**
   * Updates the parameters that are not frozen from the last statistics: the maximiser of the
   * expected complete log-likelihood plus `logPrior` (over the parameters the family allows).
   */
  mStep(): void;
  /** The log-prior density of the current parameters, up to an additive constant (0 without priors). */
  logPrior(): number;
  snapshot(): E;
  /** Advice for a log-likelihood that became −∞ or NaN under this family's parameters. */
  readonly degenerateAdvice: string;
}

/** Fitted HMM parameters: the chain's and the emission family's. */
export interface HmmParams<E> {
  /** `(K)` */
  startProb: Float64Array;
  /** `(K × K)`, row i = transitions from state i */
  transMat: Float64Array;
  emission: E;
}

export interface ChainSettings {
  startProbInit?: Float64Array;
  transMatInit?: Float64Array;
  /** Dirichlet concentration of each start probability, `(K)`. */
  startProbPrior: Float64Array;
  /** Dirichlet concentration of each transition probability, `(K × K)`. */
  transMatPrior: Float64Array;
  update: { startProb: boolean; transMat: boolean };
}

/**
 * The MAP update of rows of Dirichlet-distributed probabilities, as hmmlearn does it:
 * `max(prior − 1 + counts, 0)` normalised; with `keepZeros` (start and transition probabilities)
 * entries that are exactly 0 stay 0. Unlike hmmlearn, a row whose result is all zeros (no counts,
 * priors ≤ 1) keeps its previous value instead of turning into NaN.
 */
export function dirichletUpdate(
  probabilities: Float64Array,
  counts: Float64Array,
  prior: Float64Array,
  rows: number,
  cols: number,
  keepZeros: boolean,
): void {
  const next = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      next[c] = keepZeros && probabilities[i] === 0 ? 0 : Math.max(prior[i] - 1 + counts[i], 0);
      sum += next[c];
    }
    if (!(sum > 0)) continue;
    for (let c = 0; c < cols; c++) probabilities[r * cols + c] = next[c] / sum;
  }
}

/** One HMM fit: the chain's parameters and statistics plus an emission family, as EM hooks. */
export class HmmEM<E> implements EMHooks<HmmParams<E>> {
  private readonly startProb: Float64Array;
  private readonly transMat: Float64Array;

  constructor(
    private readonly chain: Chain,
    private readonly emission: Emission<E>,
    private readonly settings: ChainSettings,
  ) {
    const k = chain.k;
    this.startProb = new Float64Array(k);
    this.transMat = new Float64Array(k * k);
  }

  /** hmmlearn's start: uniform start and transition probabilities unless given, then the emissions. */
  initialize(rng: Random): void {
    const k = this.chain.k;
    const s = this.settings;
    if (s.startProbInit) this.startProb.set(s.startProbInit);
    else this.startProb.fill(1 / k);
    if (s.transMatInit) this.transMat.set(s.transMatInit);
    else this.transMat.fill(1 / k);
    this.emission.initialize(rng);
  }

  /** Continues from fitted parameters (warm start) instead of `initialize`. */
  restore(params: HmmParams<E>): void {
    this.startProb.set(params.startProb);
    this.transMat.set(params.transMat);
    this.emission.restore(params.emission);
  }

  /**
   * E-step over every sequence; returns the bound of the current parameters: the total
   * log-likelihood plus the log-prior of the start and transition Dirichlets and of the
   * emissions' priors, the objective the M-step maximises, so it never decreases.
   */
  eStep(): number {
    const { chain, emission } = this;
    chain.setParameters(this.startProb, this.transMat);
    emission.logLikelihood(chain.logB);
    const logLikelihood = chain.forward();
    if (!Number.isFinite(logLikelihood)) {
      throw new Error(
        `The log-likelihood became ${logLikelihood}: some sequence is impossible under the current ` +
          `parameters. ${emission.degenerateAdvice}`,
      );
    }
    const update = this.settings.update;
    chain.smooth({ transitions: update.transMat, starts: update.startProb });
    emission.accumulate(chain.post);
    const s = this.settings;
    return (
      logLikelihood +
      dirichletLogPrior(this.startProb, s.startProbPrior) +
      dirichletLogPrior(this.transMat, s.transMatPrior) +
      emission.logPrior()
    );
  }

  mStep(): void {
    const k = this.chain.k;
    const s = this.settings;
    const counts = this.chain.transitionCounts();
    if (s.update.startProb) dirichletUpdate(this.startProb, counts.start, s.startProbPrior, 1, k, true);
    if (s.update.transMat) dirichletUpdate(this.transMat, counts.trans, s.transMatPrior, k, k, true);
    this.emission.mStep();
  }

  snapshot(): HmmParams<E> {
    return {
      startProb: Float64Array.from(this.startProb),
      transMat: Float64Array.from(this.transMat),
      emission: this.emission.snapshot(),
    };
  }
}
