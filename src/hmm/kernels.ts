import {
  acquireTableWorkspaceSync,
  type BoundKernels,
  type KernelTable,
  type TableWorkspace,
} from '../kernels/table.js';
import type { BackendName } from '../backend/types.js';
import * as twin from './twins.js';

/**
 * The hidden-Markov-model kernels: one table → the Wasm exports of assembly/hmm and their
 * TypeScript twins in twins.ts (same names, same semantics, arrays in place of handles). All
 * matrices are row-major f64; `lengths`, `symbols` and `states` are i32.
 *
 * Many sequences go through one call: `lengths (nSeq)` holds their lengths (each ≥ 1) and the rows
 * of every `(n × k)` array are the sequences one after another, `n = Σ lengths`. The results are
 * those of forward-backward in log space (no underflow however long the sequence or unlikely a
 * state): the twins keep `log α` with a log-sum-exp per step; the Wasm kernels keep scaled rows
 * where every transition probability is at least 1e-100 and fall back to log space otherwise (see
 * assembly/hmm/lattice.ts). Kernels allocate nothing: scratch comes in `lattice` and `work`.
 *
 * - `hmmLatticeStride(k)`: f64s per row of the `lattice` that `hmmForward` fills and `hmmBackward` reads.
 * - `hmmWorkLength(k)`: f64s of `work` that `hmmForward` and `hmmBackward` need.
 * - `hmmForward(logB (n × k), lengths, nSeq, k, startProb (k), transMat (k × k), lattice, work)`:
 *   fills the lattice; returns Σ over sequences of `log p(sequence)`, −∞ if one is impossible.
 * - `hmmBackward(logB, lengths, nSeq, k, transMat, lattice, post (n × k), xiSum (k × k)?,
 *   startCounts (k)?, work)`: the state posteriors (rows sum to 1; 1/k in a row of an impossible
 *   sequence); adds the summed two-slice posteriors and each sequence's first posteriors, each
 *   unless its handle is 0.
 * - `hmmViterbi(logB, lengths, nSeq, k, logStart (k), logTransMat (k × k), lattice (n × k), states (n))`:
 *   the best path of every sequence (ties to the lower state); returns Σ of their log-probabilities.
 * - `categoricalLogProb(symbols (n), n, logEmission (k × m), k, m, out (n × k))`.
 * - `accumulateCategorical(symbols, n, post (n × k), k, m, counts (k × m))`: `counts[c, x_t] += post[t, c]`.
 * - `poissonLogProb(x (n × d), n, d, lambdas (k × d), k, logFactorials (n), out (n × k), work (k × d))`.
 * - `multinomialLogProb(x (n × d), n, d, logProb (k × d), k, rowConst (n), out (n × k))`.
 * - `mixtureStateLogProb(logProb (n × k·m), n, k, m, logWeights (k × m), out (n × k))`: per-state
 *   log-sum-exp of Gaussian-mixture emissions, leaving the within-state responsibilities in place.
 * - `weightMixturePosteriors(resp (n × k·m), n, k, m, post (n × k))`: joint posteriors of state and component.
 */
export const HMM_KERNELS = {
  hmmLatticeStride: { args: ['i32'], twin: twin.hmmLatticeStride },
  hmmWorkLength: { args: ['i32'], twin: twin.hmmWorkLength },
  hmmForward: { args: ['F64', 'I32', 'i32', 'i32', 'F64', 'F64', 'F64', 'F64'], twin: twin.hmmForward },
  hmmBackward: {
    args: ['F64', 'I32', 'i32', 'i32', 'F64', 'F64', 'F64', 'F64?', 'F64?', 'F64'],
    twin: twin.hmmBackward,
  },
  hmmViterbi: { args: ['F64', 'I32', 'i32', 'i32', 'F64', 'F64', 'F64', 'I32'], twin: twin.hmmViterbi },
  categoricalLogProb: { args: ['I32', 'i32', 'F64', 'i32', 'i32', 'F64'], twin: twin.categoricalLogProb },
  accumulateCategorical: {
    args: ['I32', 'i32', 'F64', 'i32', 'i32', 'F64'],
    twin: twin.accumulateCategorical,
  },
  poissonLogProb: {
    args: ['F64', 'i32', 'i32', 'F64', 'i32', 'F64', 'F64', 'F64'],
    twin: twin.poissonLogProb,
  },
  multinomialLogProb: {
    args: ['F64', 'i32', 'i32', 'F64', 'i32', 'F64', 'F64'],
    twin: twin.multinomialLogProb,
  },
  mixtureStateLogProb: {
    args: ['F64', 'i32', 'i32', 'i32', 'F64', 'F64'],
    twin: twin.mixtureStateLogProb,
  },
  weightMixturePosteriors: { args: ['F64', 'i32', 'i32', 'i32', 'F64'], twin: twin.weightMixturePosteriors },
} as const satisfies KernelTable;

/** The HMM kernels bound for one backend. */
export type HmmCalls = BoundKernels<typeof HMM_KERNELS>;

/** A workspace whose `calls` are the HMM kernels (and whose `kernels` the shared Gaussian and k-means ones). */
export type HmmWorkspace = TableWorkspace<typeof HMM_KERNELS>;

/** A workspace of `backend` with the HMM kernels (single-threaded); release it when done. */
export function acquireHmmWorkspace(backend: BackendName): HmmWorkspace {
  return acquireTableWorkspaceSync(HMM_KERNELS, backend);
}
