import type { KernelTable } from '../../kernels/table.js';
import { BLOCK_ROWS, rowOutputs } from '../../util/special.js';

/** Length of `bernoulliEStep`'s `work` for `k` components: one block's posteriors and log-sum-exps. */
export function bernoulliWorkLength(k: number): number {
  return (k + 1) * BLOCK_ROWS;
}

/**
 * The TypeScript twin of `bernoulliEStep` (assembly/families/bernoulli/estep.ts): same arguments
 * with arrays for handles (null for "not wanted"), the same sums in the same order (the kernel's
 * log-sum-exp differs by rounding only); uses `work[0 … k)`. Row i's ones
 * are in columns `ones[rowStart[i] … rowStart[i + 1])`; `logOddsT` and `sumX` are `(d × k)`.
 */
export function bernoulliEStep(
  rowStart: Float64Array,
  ones: Int32Array,
  n: number,
  logOddsT: Float64Array,
  logNeg: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  sumX: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  sampleWeight: Float64Array | null,
  work: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const first = rowStart[i];
    const end = rowStart[i + 1];
    for (let c = 0; c < k; c++) work[c] = logWeights[c] + logNeg[c];
    for (let e = first; e < end; e++) {
      const at = ones[e] * k;
      for (let c = 0; c < k; c++) work[c] += logOddsT[at + c];
    }
    const l = rowOutputs(work, k, i, 0, lse, resp);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * l;
    if (nk && sumX && w !== 0) {
      for (let c = 0; c < k; c++) work[c] = w * work[c];
      for (let c = 0; c < k; c++) nk[c] += work[c];
      for (let e = first; e < end; e++) {
        const at = ones[e] * k;
        for (let c = 0; c < k; c++) sumX[at + c] += work[c];
      }
    }
  }
  return total;
}

/**
 * The twin of `bernoulliAccumulate`: `nk += r_i`, `sumX[j] += r_i` for each one of row i, r_i row
 * `order[i]` of `resp` when `order` is given, else row i.
 */
export function bernoulliAccumulate(
  rowStart: Float64Array,
  ones: Int32Array,
  n: number,
  resp: Float64Array,
  order: Int32Array | null,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const r = (order ? order[i] : i) * k;
    for (let c = 0; c < k; c++) nk[c] += resp[r + c];
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      for (let c = 0; c < k; c++) sumX[ones[e] * k + c] += resp[r + c];
    }
  }
}

/**
 * The twin of `bernoulliRowStarts`: `rowStart[i]` = the ones of `x (n × d)` before row i,
 * `rowStart[n]` their total, which is returned; −1 when a value is neither 0 nor 1.
 */
export function bernoulliRowStarts(x: Float64Array, n: number, d: number, rowStart: Float64Array): number {
  let e = 0;
  let ok = true;
  for (let i = 0; i < n; i++) {
    rowStart[i] = e;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (v !== 0 && v !== 1) ok = false;
      if (v === 1) e++;
    }
  }
  rowStart[n] = e;
  return ok ? e : -1;
}

/**
 * The twin of `bernoulliCompress`: the columns of each row's ones into the positions `rowStart`
 * holds (row i at place `rank[i]`, or i without `rank`); 0, or −1 when a row's ones do not match
 * its positions.
 */
export function bernoulliCompress(
  x: Float64Array,
  n: number,
  d: number,
  rank: Int32Array | null,
  rowStart: Float64Array,
  ones: Int32Array,
): number {
  for (let i = 0; i < n; i++) {
    const place = rank ? rank[i] : i;
    let e = rowStart[place];
    const end = rowStart[place + 1];
    for (let j = 0; j < d; j++) {
      if (x[i * d + j] !== 1) continue;
      if (e === end) return -1;
      ones[e++] = j;
    }
    if (e !== end) return -1;
  }
  return 0;
}

/** The Bernoulli mixture's kernels: one table for the Wasm exports and their twins. */
export const BERNOULLI_KERNELS = {
  bernoulliEStep: {
    args: ['F64', 'I32', 'i32', 'F64', 'F64', 'F64', 'i32', 'F64?', 'F64?', 'F64?', 'F64?', 'F64?', 'F64'],
    twin: bernoulliEStep,
  },
  bernoulliAccumulate: {
    args: ['F64', 'I32', 'i32', 'F64', 'I32?', 'i32', 'F64', 'F64'],
    twin: bernoulliAccumulate,
  },
  bernoulliRowStarts: {
    args: ['F64', 'i32', 'i32', 'F64'],
    twin: bernoulliRowStarts,
  },
  bernoulliCompress: {
    args: ['F64', 'i32', 'i32', 'I32?', 'F64', 'I32'],
    twin: bernoulliCompress,
  },
} as const satisfies KernelTable;
