import type { Handle } from '../backend/types.js';

/**
 * The hidden-Markov-model kernels: Wasm exports of assembly/hmm, with plain-TypeScript twins in
 * src/reference/hmm.ts (same names, same semantics, arrays in place of handles). All matrices are
 * row-major f64; `lengths`, `symbols` and `states` are i32.
 *
 * Many sequences go through one call: `lengths (nSeq)` holds their lengths (each ≥ 1) and the rows
 * of every `(n × k)` array are the sequences one after another, `n = Σ lengths`. The results are
 * those of forward-backward in log space (no underflow however long the sequence or unlikely a
 * state): the TypeScript twins keep `log α` with a log-sum-exp per step; the Wasm kernels keep
 * scaled rows where every transition probability is at least 1e-100 and fall back to log space
 * otherwise (see assembly/hmm/lattice.ts). Kernels allocate nothing: scratch comes in `lattice` and
 * `work`.
 */
export interface HmmKernels {
  /** f64s per row of the `lattice` that `hmmForward` fills and `hmmBackward` reads (its layout is the implementation's). */
  hmmLatticeStride(k: number): number;
  /** f64s of `work` that `hmmForward` and `hmmBackward` need for k states. */
  hmmWorkLength(k: number): number;
  /**
   * Forward pass from `logB (n × k)` emission log-likelihoods, `startProb (k)` and `transMat (k × k)`
   * probabilities; fills `lattice (n × hmmLatticeStride(k))` for `hmmBackward` and returns Σ over
   * sequences of `log p(sequence)`, −∞ if one is impossible.
   */
  hmmForward(
    logB: Handle,
    lengths: Handle,
    nSeq: number,
    k: number,
    startProb: Handle,
    transMat: Handle,
    lattice: Handle,
    work: Handle,
  ): number;
  /**
   * Backward pass after `hmmForward` (same `lattice`): the state posteriors into `post (n × k)`
   * (rows sum to 1; `1/k` in a row of an impossible sequence); adds `Σ_t p(z_t = i, z_{t+1} = j | x)`
   * to `xiSum (k × k)` and each sequence's first posteriors to `startCounts (k)`, each unless its
   * handle is 0. Every time step is normalised on its own; steps of an impossible sequence add no
   * transitions.
   */
  hmmBackward(
    logB: Handle,
    lengths: Handle,
    nSeq: number,
    k: number,
    transMat: Handle,
    lattice: Handle,
    post: Handle,
    xiSum: Handle,
    startCounts: Handle,
    work: Handle,
  ): void;
  /**
   * Viterbi path of every sequence into `states (n)`, from `logStart (k)` and `logTransMat (k × k)`
   * (−∞ allowed), with `lattice (n × k)` as scratch. Ties go to the lower state index. Returns Σ of
   * the best paths' log-probabilities.
   */
  hmmViterbi(
    logB: Handle,
    lengths: Handle,
    nSeq: number,
    k: number,
    logStart: Handle,
    logTransMat: Handle,
    lattice: Handle,
    states: Handle,
  ): number;
  /** `out (n × k)[t, c] = logEmission (k × m)[c, symbols[t]]`. */
  categoricalLogProb(
    symbols: Handle,
    n: number,
    logEmission: Handle,
    k: number,
    m: number,
    out: Handle,
  ): void;
  /** `counts (k × m)[c, symbols[t]] += post (n × k)[t, c]`. */
  accumulateCategorical(symbols: Handle, n: number, post: Handle, k: number, m: number, counts: Handle): void;
  /**
   * `out (n × k)[t, c] = Σ_j (x_tj·log λ_cj − λ_cj) − logFactorials[t]` for counts `x (n × d)` and
   * rates `lambdas (k × d)`; a zero count adds `−λ` even when `λ = 0`. `work (k × d)` is scratch.
   */
  poissonLogProb(
    x: Handle,
    n: number,
    d: number,
    lambdas: Handle,
    k: number,
    logFactorials: Handle,
    out: Handle,
    work: Handle,
  ): void;
  /**
   * In place on `logProb (n × k·m)`, the log-densities of mixture component q of state c in column
   * `c·m + q`: adds `logWeights (k × m)`, writes each state's log-sum-exp to `out (n × k)` and leaves
   * the within-state responsibilities (1/m, with `out = −∞`, for a state that is −∞ everywhere).
   */
  mixtureStateLogProb(
    logProb: Handle,
    n: number,
    k: number,
    m: number,
    logWeights: Handle,
    out: Handle,
  ): void;
  /** `resp (n × k·m)[t, c·m + q] *= post (n × k)[t, c]`: joint posteriors of state and component. */
  weightMixturePosteriors(resp: Handle, n: number, k: number, m: number, post: Handle): void;
}
