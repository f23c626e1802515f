import type { BackendName, Handle, Kernels } from '../../src/backend/types';
import { acquireHmmWorkspace, type HmmCalls, type HmmWorkspace } from '../../src/hmm/kernels';
import { Random } from '../../src/util/random';

export const BACKENDS: BackendName[] = ['wasm', 'js'];

type Arrays = Record<string, Float64Array | Int32Array>;

/**
 * Copies `inputs` into a fresh workspace of `backend`, runs `call` on their handles (with the HMM
 * kernels and the shared Gaussian ones) and returns its
 * result and a copy of every array afterwards (the kernels' outputs among them). `call` may
 * allocate scratch of its own in `ws`.
 */
export function runKernel(
  backend: BackendName,
  inputs: Arrays,
  call: (kern: HmmCalls & Kernels, h: Record<string, Handle>, ws: HmmWorkspace) => number | void,
): { result: number | void; out: Arrays } {
  const ws = acquireHmmWorkspace(backend);
  try {
    const h: Record<string, Handle> = {};
    for (const [name, a] of Object.entries(inputs)) {
      h[name] = a instanceof Int32Array ? ws.allocI32(a.length) : ws.allocF64(a.length);
    }
    for (const [name, a] of Object.entries(inputs)) {
      if (a instanceof Int32Array) ws.i32(h[name], a.length).set(a);
      else ws.f64(h[name], a.length).set(a);
    }
    const result = call({ ...ws.kernels, ...ws.calls }, h, ws);
    const out: Arrays = {};
    for (const [name, a] of Object.entries(inputs)) {
      out[name] =
        a instanceof Int32Array
          ? Int32Array.from(ws.i32(h[name], a.length))
          : Float64Array.from(ws.f64(h[name], a.length));
    }
    return { result, out };
  } finally {
    ws.release();
  }
}

/** Rows of positive random probabilities `(rows × cols)`, each summing to 1. */
export function stochastic(rng: Random, rows: number, cols: number): Float64Array {
  const p = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += p[r * cols + c] = 0.05 + rng.uniform();
    for (let c = 0; c < cols; c++) p[r * cols + c] /= s;
  }
  return p;
}

export interface Exact {
  logLikelihood: number;
  /** `(T × k)` */
  posteriors: Float64Array;
  /** `(k × k)` summed two-slice posteriors */
  xiSum: Float64Array;
  bestLogProb: number;
  bestPath: Int32Array;
}

/**
 * Everything forward-backward and Viterbi compute, for one short sequence, by enumerating all k^T
 * state paths: an oracle that shares no code or algorithm with the kernels.
 */
export function enumeratePaths(
  logB: Float64Array,
  T: number,
  k: number,
  startProb: Float64Array,
  transMat: Float64Array,
): Exact {
  const paths = k ** T;
  const logP = new Float64Array(paths);
  const path = new Int32Array(T);
  let bestLogProb = -Infinity;
  let bestPath = new Int32Array(T);
  for (let p = 0; p < paths; p++) {
    let rest = p;
    // The most significant digit is t = 0, so paths are visited in lexicographic order.
    for (let t = T - 1; t >= 0; t--) {
      path[t] = rest % k;
      rest = Math.floor(rest / k);
    }
    let lp = Math.log(startProb[path[0]]) + logB[path[0]];
    for (let t = 1; t < T; t++) lp += Math.log(transMat[path[t - 1] * k + path[t]]) + logB[t * k + path[t]];
    logP[p] = lp;
    if (lp > bestLogProb) {
      bestLogProb = lp;
      bestPath = Int32Array.from(path);
    }
  }
  const m = Math.max(...logP);
  let z = 0;
  for (let p = 0; p < paths; p++) z += Math.exp(logP[p] - m);
  const logLikelihood = m + Math.log(z);
  const posteriors = new Float64Array(T * k);
  const xiSum = new Float64Array(k * k);
  for (let p = 0; p < paths; p++) {
    const w = Math.exp(logP[p] - logLikelihood);
    let rest = p;
    for (let t = T - 1; t >= 0; t--) {
      path[t] = rest % k;
      rest = Math.floor(rest / k);
    }
    for (let t = 0; t < T; t++) posteriors[t * k + path[t]] += w;
    for (let t = 1; t < T; t++) xiSum[path[t - 1] * k + path[t]] += w;
  }
  return { logLikelihood, posteriors, xiSum, bestLogProb, bestPath };
}

/** The state relabelling that best matches `estimate` rows to `truth` rows (k ≤ 4: all permutations). */
export function matchStates(truth: Float64Array, estimate: Float64Array, k: number): number[] {
  const width = truth.length / k;
  let best: number[] = [];
  let bestCost = Infinity;
  const permute = (prefix: number[]): void => {
    if (prefix.length === k) {
      let cost = 0;
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < width; j++) cost += (truth[c * width + j] - estimate[prefix[c] * width + j]) ** 2;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = [...prefix];
      }
      return;
    }
    for (let c = 0; c < k; c++) if (!prefix.includes(c)) permute([...prefix, c]);
  };
  permute([]);
  return best;
}

/** `a` with rows (and, for a square matrix, columns) put in the order `perm`: row c of the result is row perm[c]. */
export function permuteRows(a: Float64Array, perm: number[], square = false): Float64Array {
  const k = perm.length;
  const width = a.length / k;
  const out = new Float64Array(a.length);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < width; j++) out[c * width + j] = a[perm[c] * width + (square ? perm[j] : j)];
  }
  return out;
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The exact E-step over several sequences (`logB (n × k)` stacked), by enumerating paths. */
export function exactEStep(
  logB: Float64Array,
  lengths: number[],
  k: number,
  startProb: ArrayLike<number>,
  transMat: ArrayLike<number>,
): { post: Float64Array; start: Float64Array; trans: Float64Array; logLikelihood: number } {
  const n = logB.length / k;
  const post = new Float64Array(n * k);
  const start = new Float64Array(k);
  const trans = new Float64Array(k * k);
  let logLikelihood = 0;
  let offset = 0;
  for (const T of lengths) {
    const e = enumeratePaths(
      logB.subarray(offset * k, (offset + T) * k),
      T,
      k,
      Float64Array.from(startProb),
      Float64Array.from(transMat),
    );
    post.set(e.posteriors, offset * k);
    for (let c = 0; c < k; c++) start[c] += e.posteriors[c];
    for (let c = 0; c < k * k; c++) trans[c] += e.xiSum[c];
    logLikelihood += e.logLikelihood;
    offset += T;
  }
  return { post, start, trans, logLikelihood };
}

/** hmmlearn's Dirichlet MAP rows: `max(prior − 1 + counts, 0)`, normalised. */
export function dirichletRows(counts: ArrayLike<number>, prior: number, rows: number): number[] {
  const cols = counts.length / rows;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => Math.max(prior - 1 + counts[r * cols + c], 0));
    const sum = row.reduce((a, b) => a + b, 0);
    out.push(...row.map((v) => v / sum));
  }
  return out;
}
