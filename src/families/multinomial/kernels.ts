import type { KernelTable } from '../../kernels/table.js';
import { rowPosterior } from '../../util/special.js';

/**
 * The TypeScript twin of `multinomialEStep` (assembly/families/multinomial/estep.ts): same
 * arguments with arrays for handles (null for "not wanted"), the same sums in the same order.
 * Row i's nonzero counts are `counts[rowStart[i] … rowStart[i + 1])` in columns `columns[…]`;
 * `logProbsT` and `sumX` are `(d × k)`.
 */
export function multinomialEStep(
  rowStart: Float64Array,
  columns: Int32Array,
  counts: Float64Array,
  n: number,
  logProbsT: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  sumX: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  sampleWeight: Float64Array | null,
  rowConst: Float64Array,
  work: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const first = rowStart[i];
    const end = rowStart[i + 1];
    for (let c = 0; c < k; c++) work[c] = logWeights[c];
    for (let e = first; e < end; e++) {
      const at = columns[e] * k;
      for (let c = 0; c < k; c++) work[c] += counts[e] * logProbsT[at + c];
    }
    const [m, inv] = rowPosterior(work, k);
    const l = m + rowConst[i];
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * l;
    if (lse) lse[i] = l;
    if (resp) for (let c = 0; c < k; c++) resp[i * k + c] = work[c] * inv;
    if (nk && sumX && w !== 0) {
      const r = w * inv;
      for (let c = 0; c < k; c++) work[c] = r * work[c];
      for (let c = 0; c < k; c++) nk[c] += work[c];
      for (let e = first; e < end; e++) {
        const at = columns[e] * k;
        for (let c = 0; c < k; c++) sumX[at + c] += counts[e] * work[c];
      }
    }
  }
  return total;
}

/** The twin of `multinomialAccumulate`: `nk += r_i`, `sumX[j] += x_j·r_i` for each nonzero count of row i. */
export function multinomialAccumulate(
  rowStart: Float64Array,
  columns: Int32Array,
  counts: Float64Array,
  n: number,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) nk[c] += resp[i * k + c];
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      for (let c = 0; c < k; c++) sumX[columns[e] * k + c] += counts[e] * resp[i * k + c];
    }
  }
}

/** The multinomial mixture's kernels: one table for the Wasm exports and their twins. */
export const MULTINOMIAL_KERNELS = {
  multinomialEStep: {
    args: [
      'F64',
      'I32',
      'F64',
      'i32',
      'F64',
      'F64',
      'i32',
      'F64?',
      'F64?',
      'F64?',
      'F64?',
      'F64?',
      'F64',
      'F64',
    ],
    twin: multinomialEStep,
  },
  multinomialAccumulate: {
    args: ['F64', 'I32', 'F64', 'i32', 'F64', 'i32', 'F64', 'F64'],
    twin: multinomialAccumulate,
  },
} as const satisfies KernelTable;
