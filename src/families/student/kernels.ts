import type { KernelTable } from '../../kernels/table.js';
import { BLOCK_ROWS, rowOutputs } from '../../util/special.js';

/**
 * The TypeScript twin of `studentEStepFull` / `studentEStepDiag` (assembly/families/student/estep.ts):
 * same arguments with arrays for handles (null for "not wanted"), the same quantities row by row
 * (the kernel's log1p, log-sum-exp and sums over rows differ by rounding only). `full` picks the scale shape: upper-triangular precision factors `(k × d × d)`, or
 * per-feature precision scales `(k × d)`.
 */
function studentEStep(
  full: boolean,
  x: Float64Array,
  n: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
  tParams: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  sumU: Float64Array | null,
  sumUZ: Float64Array | null,
  scatter: Float64Array | null,
  sumLogU: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  sampleWeight: Float64Array | null,
  work: Float64Array,
): number {
  const deltas = k + 2;
  const log1pDelta = deltas + k;
  const z = log1pDelta + k;
  const factorSize = full ? d * d : d;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const zc = z + c * d;
      for (let j = 0; j < d; j++) work[zc + j] = x[i * d + j] - means[c * d + j];
      const u = c * factorSize;
      let delta = 0;
      if (full) {
        for (let j = 0; j < d; j++) {
          let v = 0;
          for (let a = 0; a <= j; a++) v += work[zc + a] * precChol[u + a * d + j];
          delta += v * v;
        }
      } else {
        for (let j = 0; j < d; j++) {
          const v = work[zc + j] * precChol[u + j];
          delta += v * v;
        }
      }
      const nu = tParams[c * 3];
      const l1p = Math.log1p(delta / nu);
      work[deltas + c] = delta;
      work[log1pDelta + c] = l1p;
      work[c] = logWeights[c] + tParams[c * 3 + 1] - 0.5 * (nu + d) * l1p;
    }
    const l = rowOutputs(work, k, i, 0, lse, resp);
    const w = sampleWeight ? sampleWeight[i] : 1;
    if (w !== 0) total += w * l;
    if (nk && sumU && sumUZ && scatter && w !== 0) {
      for (let c = 0; c < k; c++) {
        const r = w * work[c];
        if (r === 0) continue;
        const nu = tParams[c * 3];
        const uc = (nu + d) / (nu + work[deltas + c]);
        const ru = r * uc;
        nk[c] += r;
        sumU[c] += ru;
        if (sumLogU) sumLogU[c] += r * (tParams[c * 3 + 2] - work[log1pDelta + c] - uc);
        const zc = z + c * d;
        for (let j = 0; j < d; j++) sumUZ[c * d + j] += ru * work[zc + j];
        if (full) {
          const s = c * d * d;
          for (let a = 0; a < d; a++) {
            const alpha = ru * work[zc + a];
            for (let b = a; b < d; b++) scatter[s + a * d + b] += alpha * work[zc + b];
          }
        } else {
          for (let j = 0; j < d; j++) scatter[c * d + j] += ru * work[zc + j] * work[zc + j];
        }
      }
    }
  }
  return total;
}

type EStepArgs = Parameters<typeof studentEStep> extends [boolean, ...infer Rest] ? Rest : never;

/** The twin of `studentEStepFull`. */
export const studentEStepFull = (...a: EStepArgs): number => studentEStep(true, ...a);

/** The twin of `studentEStepDiag`. */
export const studentEStepDiag = (...a: EStepArgs): number => studentEStep(false, ...a);

/**
 * The twin of `studentAccumulateFull` / `studentAccumulateDiag`: the statistics of explicit
 * responsibilities `resp (n × k)` (already weighted) with u = 1, shifted by their own weighted means,
 * which it writes to `means (k × d)` first. The kernel's sums over rows differ by rounding only.
 */
function studentAccumulate(
  full: boolean,
  x: Float64Array,
  n: number,
  d: number,
  resp: Float64Array,
  k: number,
  means: Float64Array,
  nk: Float64Array,
  sumU: Float64Array,
  sumUZ: Float64Array,
  scatter: Float64Array,
  work: Float64Array,
): void {
  const sums = work.subarray(0, k).fill(0);
  means.fill(0, 0, k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      sums[c] += r;
      for (let j = 0; j < d; j++) means[c * d + j] += r * x[i * d + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= sums[c] + 10 * Number.EPSILON;
  const z = work.subarray(k, k + d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) z[j] = x[i * d + j] - means[c * d + j];
      nk[c] += r;
      sumU[c] += r;
      for (let j = 0; j < d; j++) sumUZ[c * d + j] += r * z[j];
      if (full) {
        const o = c * d * d;
        for (let a = 0; a < d; a++) for (let b = a; b < d; b++) scatter[o + a * d + b] += r * z[a] * z[b];
      } else {
        for (let j = 0; j < d; j++) scatter[c * d + j] += r * z[j] * z[j];
      }
    }
  }
}

type AccumulateArgs = Parameters<typeof studentAccumulate> extends [boolean, ...infer Rest] ? Rest : never;

/** The twin of `studentAccumulateFull`. */
export const studentAccumulateFull = (...a: AccumulateArgs): void => studentAccumulate(true, ...a);

/** The twin of `studentAccumulateDiag`. */
export const studentAccumulateDiag = (...a: AccumulateArgs): void => studentAccumulate(false, ...a);

/** Argument kinds of the accumulate kernels, both scale shapes. */
const ACCUMULATE_ARGS = [
  'F64',
  'i32',
  'i32',
  'F64',
  'i32',
  'F64',
  'F64',
  'F64',
  'F64',
  'F64',
  'F64',
] as const;

/** Argument kinds shared by both scale shapes. */
const ESTEP_ARGS = [
  'F64',
  'i32',
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
  'F64?',
  'F64',
] as const;

/** The t mixture's kernels: one table for the Wasm exports and their twins. */
export const STUDENT_KERNELS = {
  studentEStepFull: { args: ESTEP_ARGS, twin: studentEStepFull },
  studentEStepDiag: { args: ESTEP_ARGS, twin: studentEStepDiag },
  studentAccumulateFull: { args: ACCUMULATE_ARGS, twin: studentAccumulateFull },
  studentAccumulateDiag: { args: ACCUMULATE_ARGS, twin: studentAccumulateDiag },
} as const satisfies KernelTable;

/**
 * Length of the kernels' `work` array for `k` components and `d` features: the Wasm kernel's one
 * block of log-joints, distances, log1p, log-sum-exps, weights and rows plus the lanes of one
 * component's statistics (`full`: d × d for the scatter), or the twin's 3k + 2 + k·d if longer
 * (the accumulate kernels and their twins need no more).
 */
export function studentWorkLength(k: number, d: number, full: boolean): number {
  return Math.max((3 * k + d + 2) * BLOCK_ROWS + 4 * d + 2 * (full ? d * d : d), 3 * k + 2 + k * d);
}
