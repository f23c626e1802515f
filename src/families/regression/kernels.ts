import type { KernelTable } from '../../kernels/table.js';
import { BLOCK_ROWS, rowOutputs } from '../../util/special.js';

/**
 * The f64s of `work` both regression kernels need for K components and P coefficients: 2K + P + 4
 * rows of a block for the Wasm kernels, 2K + 2 + P + P(P + 1)/2 for the twins.
 */
export function regressionWork(k: number, p: number): number {
  return Math.max((2 * k + p + 4) * BLOCK_ROWS, 2 * k + 2 + p + (p * (p + 1)) / 2);
}

/**
 * The TypeScript twin of `regressionEStep` (assembly/families/regression/estep.ts): same arguments
 * with arrays for handles (null for "not wanted"), the same quantities row by row (the kernel sums
 * over blocks of rows, so the statistics agree to rounding; the bound is summed in the same order).
 * Statistics are taken about the current coefficients (see the kernel's header for why).
 */
export function regressionEStep(
  x: Float64Array,
  n: number,
  d: number,
  y: Float64Array,
  intercept: number,
  coef: Float64Array,
  logNorm: Float64Array,
  halfPrec: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  xtx: Float64Array | null,
  xte: Float64Array | null,
  ete: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  sampleWeight: Float64Array | null,
  work: Float64Array,
): number {
  const p = d + intercept;
  const t = (p * (p + 1)) / 2;
  const resid = k + 2;
  const z = resid + k;
  const zz = z + p;
  if (intercept) work[z] = 1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) work[z + intercept + j] = x[i * d + j];
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += work[z + j] * coef[c * p + j];
      const e = y[i] - s;
      work[resid + c] = e;
      work[c] = logWeights[c] + logNorm[c] - halfPrec[c] * e * e;
    }
    const m = rowOutputs(work, k, i, 0, lse, resp);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * m;
    if (nk && xtx && xte && ete && w !== 0) {
      let o = zz;
      for (let j = 0; j < p; j++) for (let m2 = j; m2 < p; m2++) work[o++] = work[z + j] * work[z + m2];
      for (let c = 0; c < k; c++) {
        const r = w * work[c];
        if (r === 0) continue;
        const e = work[resid + c];
        const re = r * e;
        nk[c] += r;
        ete[c] += re * e;
        for (let j = 0; j < p; j++) xte[c * p + j] += re * work[z + j];
        for (let j = 0; j < t; j++) xtx[c * t + j] += r * work[zz + j];
      }
    }
  }
  return total;
}

/**
 * The twin of `regressionAccumulate`: the statistics of given responsibilities, about `shift`
 * (`nk` and `xtx` only when `xtx` is given).
 */
export function regressionAccumulate(
  x: Float64Array,
  n: number,
  d: number,
  y: Float64Array,
  intercept: number,
  shift: Float64Array,
  k: number,
  resp: Float64Array,
  nk: Float64Array | null,
  xtx: Float64Array | null,
  xte: Float64Array,
  ete: Float64Array,
  work: Float64Array,
): void {
  const p = d + intercept;
  const t = (p * (p + 1)) / 2;
  const zz = p;
  if (intercept) work[0] = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) work[intercept + j] = x[i * d + j];
    let o = zz;
    for (let j = 0; j < p; j++) for (let m = j; m < p; m++) work[o++] = work[j] * work[m];
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      let s = 0;
      for (let j = 0; j < p; j++) s += work[j] * shift[c * p + j];
      const e = y[i] - s;
      const re = r * e;
      ete[c] += re * e;
      for (let j = 0; j < p; j++) xte[c * p + j] += re * work[j];
      if (!nk || !xtx) continue;
      nk[c] += r;
      for (let j = 0; j < t; j++) xtx[c * t + j] += r * work[zz + j];
    }
  }
}

/** The regression mixture's kernels: one table for the Wasm export and its twin. */
export const REGRESSION_KERNELS = {
  regressionEStep: {
    args: [
      'F64',
      'i32',
      'i32',
      'F64',
      'i32',
      'F64',
      'F64',
      'F64',
      'F64',
      'i32',
      'F64?',
      'F64?',
      'F64?',
      'F64?',
      'F64?',
      'F64?',
      'F64?',
      'F64',
    ],
    twin: regressionEStep,
  },
  regressionAccumulate: {
    args: ['F64', 'i32', 'i32', 'F64', 'i32', 'F64', 'i32', 'F64', 'F64?', 'F64?', 'F64', 'F64', 'F64'],
    twin: regressionAccumulate,
  },
} as const satisfies KernelTable;
