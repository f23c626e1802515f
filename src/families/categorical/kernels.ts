import type { KernelTable } from '../../kernels/table.js';
import { BLOCK_ROWS, rowOutputs } from '../../util/special.js';

/** Length of `categoricalEStep`'s `work` for `k` components: one block's posteriors and log-sum-exps. */
export function categoricalWorkLength(k: number): number {
  return (k + 1) * BLOCK_ROWS;
}

/**
 * The TypeScript twin of `categoricalEStep` (assembly/families/categorical/estep.ts): same
 * arguments with arrays for handles (null for "not wanted"), the same sums in the same order (the
 * kernel's log-sum-exp differs by rounding only); uses `work[0 … k)`.
 * `logProbsT` and `counts` are `(M × k)`: the cell of feature j, code v is row `offsets[j] + v`.
 */
export function categoricalEStep(
  x: Float64Array,
  n: number,
  d: number,
  offsets: Int32Array,
  logProbsT: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  counts: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  sampleWeight: Float64Array | null,
  work: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) work[c] = logWeights[c];
    for (let j = 0; j < d; j++) {
      const cell = (offsets[j] + x[i * d + j]) * k;
      for (let c = 0; c < k; c++) work[c] += logProbsT[cell + c];
    }
    const l = rowOutputs(work, k, i, 0, lse, resp);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * l;
    if (nk && counts && w !== 0) {
      for (let c = 0; c < k; c++) work[c] = w * work[c];
      for (let c = 0; c < k; c++) nk[c] += work[c];
      for (let j = 0; j < d; j++) {
        const cell = (offsets[j] + x[i * d + j]) * k;
        for (let c = 0; c < k; c++) counts[cell + c] += work[c];
      }
    }
  }
  return total;
}

/** The twin of `categoricalAccumulate`: `nk += r_i`, `counts[offsets[j] + x_ij] += r_i` for each feature. */
export function categoricalAccumulate(
  x: Float64Array,
  n: number,
  d: number,
  offsets: Int32Array,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  counts: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) nk[c] += resp[i * k + c];
    for (let j = 0; j < d; j++) {
      const cell = (offsets[j] + x[i * d + j]) * k;
      for (let c = 0; c < k; c++) counts[cell + c] += resp[i * k + c];
    }
  }
}

/** The categorical mixture's kernels: one table for the Wasm exports and their twins. */
export const CATEGORICAL_KERNELS = {
  categoricalEStep: {
    args: ['F64', 'i32', 'i32', 'I32', 'F64', 'F64', 'i32', 'F64?', 'F64?', 'F64?', 'F64?', 'F64?', 'F64'],
    twin: categoricalEStep,
  },
  categoricalAccumulate: {
    args: ['F64', 'i32', 'i32', 'I32', 'F64', 'i32', 'F64', 'F64'],
    twin: categoricalAccumulate,
  },
} as const satisfies KernelTable;
