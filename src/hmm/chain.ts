import type { Handle } from '../backend/types.js';
import type { HmmWorkspace } from './kernels.js';

/**
 * The Markov-chain side of an HMM inside one workspace: the sequence lengths, the emission
 * log-likelihoods `logB (n × K)` that an emission model fills, the lattices, the posteriors and the
 * transition statistics. Allocated once per fit (or scoring call); views are taken at each use, so
 * allocations made later by the emission model cannot leave one stale.
 */
export class Chain {
  readonly logB: Handle;
  /** `(n × K)` state posteriors after `smooth`. */
  readonly post: Handle;
  private readonly lengths: Handle;
  private readonly lattice: Handle;
  private readonly startProb: Handle;
  private readonly transMat: Handle;
  private readonly xiSum: Handle;
  private readonly startCounts: Handle;
  private readonly work: Handle;
  private readonly nSeq: number;

  constructor(
    private readonly ws: HmmWorkspace,
    lengths: Int32Array,
    readonly n: number,
    readonly k: number,
  ) {
    this.nSeq = lengths.length;
    this.lengths = ws.allocI32(this.nSeq);
    this.logB = ws.allocF64(n * k);
    this.lattice = ws.allocF64(n * ws.calls.hmmLatticeStride(k));
    this.post = ws.allocF64(n * k);
    this.startProb = ws.allocF64(k);
    this.transMat = ws.allocF64(k * k);
    this.xiSum = ws.allocF64(k * k);
    this.startCounts = ws.allocF64(k);
    this.work = ws.allocF64(ws.calls.hmmWorkLength(k));
    ws.i32(this.lengths, this.nSeq).set(lengths);
  }

  setParameters(startProb: Float64Array, transMat: Float64Array): void {
    this.ws.f64(this.startProb, this.k).set(startProb);
    this.ws.f64(this.transMat, this.k * this.k).set(transMat);
  }

  /** Forward pass over `logB`; returns the total log-likelihood Σ over sequences. */
  forward(): number {
    const { ws, k } = this;
    return ws.calls.hmmForward(
      this.logB,
      this.lengths,
      this.nSeq,
      k,
      this.startProb,
      this.transMat,
      this.lattice,
      this.work,
    );
  }

  /**
   * Backward pass after `forward`: state posteriors into `post`; with `statistics`, also the summed
   * two-slice posteriors and the first-row posteriors (read them with `transitionCounts`).
   */
  smooth(statistics: { transitions: boolean; starts: boolean }): void {
    const { ws, k } = this;
    ws.f64(this.xiSum, k * k).fill(0);
    ws.f64(this.startCounts, k).fill(0);
    ws.calls.hmmBackward(
      this.logB,
      this.lengths,
      this.nSeq,
      k,
      this.transMat,
      this.lattice,
      this.post,
      statistics.transitions ? this.xiSum : 0,
      statistics.starts ? this.startCounts : 0,
      this.work,
    );
  }

  /** The statistics of the last `smooth`: `start (K)` and `trans (K × K)` expected counts. */
  transitionCounts(): { start: Float64Array; trans: Float64Array } {
    return {
      start: this.ws.f64(this.startCounts, this.k),
      trans: this.ws.f64(this.xiSum, this.k * this.k),
    };
  }

  posteriors(): Float64Array {
    return this.ws.f64(this.post, this.n * this.k);
  }

  /**
   * Viterbi decoding over `logB`, with the forward lattice's array as scratch (it holds at least
   * `n × K` f64s). Allocates its own small arrays, so call it only once no other views are held.
   */
  viterbi(startProb: Float64Array, transMat: Float64Array): { logProb: number; states: Int32Array } {
    const { ws, k, n } = this;
    const states = ws.allocI32(n);
    const logStart = ws.allocF64(k);
    const logTrans = ws.allocF64(k * k);
    ws.f64(logStart, k).set(startProb.map(Math.log));
    ws.f64(logTrans, k * k).set(transMat.map(Math.log));
    const logProb = ws.calls.hmmViterbi(
      this.logB,
      this.lengths,
      this.nSeq,
      k,
      logStart,
      logTrans,
      this.lattice,
      states,
    );
    return { logProb, states: Int32Array.from(ws.i32(states, n)) };
  }
}
