import type { KernelTable } from '../../kernels/table.js';
import { rowPosterior } from '../../util/special.js';

/**
 * The TypeScript twin of `bernoulliEStep` (assembly/families/bernoulli/estep.ts): same arguments
 * with arrays for handles (null for "not wanted"), same sums in the same order up to the SIMD lanes.
 */
export function bernoulliEStep(
  x: Float64Array,
  n: number,
  d: number,
  logOdds: Float64Array,
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
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * logOdds[c * d + j];
      work[c] = logWeights[c] + logNeg[c] + s;
    }
    const [l, inv] = rowPosterior(work, k);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * l;
    if (lse) lse[i] = l;
    if (resp) for (let c = 0; c < k; c++) resp[i * k + c] = work[c] * inv;
    if (nk && sumX && w !== 0) {
      for (let c = 0; c < k; c++) {
        const r = w * work[c] * inv;
        if (r === 0) continue;
        nk[c] += r;
        for (let j = 0; j < d; j++) sumX[c * d + j] += r * x[i * d + j];
      }
    }
  }
  return total;
}

/** The Bernoulli mixture's kernels: one table for the Wasm export and its twin. */
export const BERNOULLI_KERNELS = {
  bernoulliEStep: {
    args: ['F64', 'i32', 'i32', 'F64', 'F64', 'F64', 'i32', 'F64?', 'F64?', 'F64?', 'F64?', 'F64?', 'F64'],
    twin: bernoulliEStep,
  },
} as const satisfies KernelTable;
