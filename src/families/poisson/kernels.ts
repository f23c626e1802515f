import type { KernelTable } from '../../kernels/table.js';
import { BLOCK_ROWS, rowOutputs } from '../../util/special.js';

/** Length of `poissonEStep`'s `work` for `k` components and `d` features: one block's posteriors, counts and weights. */
export function poissonWorkLength(k: number, d: number): number {
  return (k + d + 2) * BLOCK_ROWS;
}

/**
 * The TypeScript twin of `poissonEStep` (assembly/families/poisson/estep.ts): same arguments with
 * arrays for handles (null for "not wanted"), the same log-joints, row by row (the kernel's
 * log-sum-exp and statistics sums differ by rounding only). Uses `work[0 … k)`.
 */
export function poissonEStep(
  x: Float64Array,
  n: number,
  d: number,
  logRates: Float64Array,
  rateSums: Float64Array,
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
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * logRates[c * d + j];
      work[c] = logWeights[c] - rateSums[c] + s;
    }
    const l = rowOutputs(work, k, i, -rowConst[i], lse, resp);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * l;
    if (nk && sumX && w !== 0) {
      for (let c = 0; c < k; c++) {
        const r = w * work[c];
        if (r === 0) continue;
        nk[c] += r;
        for (let j = 0; j < d; j++) sumX[c * d + j] += r * x[i * d + j];
      }
    }
  }
  return total;
}

/**
 * The twin of `poissonAccumulate`: `nk (k) += Σ_i r_i`, `sumX (k × d) += Σ_i r_ic·x_i` for explicit
 * responsibilities `resp (n × k)`, already weighted (the kernel's sums over rows differ by rounding
 * only).
 */
export function poissonAccumulate(
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  _work: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      nk[c] += r;
      for (let j = 0; j < d; j++) sumX[c * d + j] += r * x[i * d + j];
    }
  }
}

/** The Poisson mixture's kernels: one table for the Wasm exports and their twins. */
export const POISSON_KERNELS = {
  poissonEStep: {
    args: [
      'F64',
      'i32',
      'i32',
      'F64',
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
    twin: poissonEStep,
  },
  poissonAccumulate: {
    args: ['F64', 'i32', 'i32', 'F64', 'i32', 'F64', 'F64', 'F64'],
    twin: poissonAccumulate,
  },
} as const satisfies KernelTable;
