import type { KernelTable } from '../../kernels/table.js';
import { BLOCK_ROWS, rowOutputs } from '../../util/special.js';

/** K rounded up to even: the width of the transposed tables `logProbsT` and `sumX`. */
export function paddedWidth(k: number): number {
  return (k + 1) & ~1;
}

/**
 * The compact layout's bounds (`multinomialCompress`): column offsets j·kp stored as u16, counts as
 * f32 (exact below 2^24).
 */
const MAX_COMPACT_COLUMN = 65535;
const MAX_COMPACT_COUNT = 2 ** 24;

/** Whether rows of `d` columns, K padded to `kp` and counts up to `largest` fit the compact layout. */
export function compactLayout(d: number, kp: number, largest: number): boolean {
  return (d - 1) * kp <= MAX_COMPACT_COLUMN && largest < MAX_COMPACT_COUNT;
}

/**
 * The compressed rows' column offsets and counts as stored: with `compact` 1, u16 offsets and f32
 * counts over the bytes of the `columns` (i32) and `counts` (f64) arrays, two to an element.
 */
function layout(
  columns: Int32Array,
  counts: Float64Array,
  compact: number,
): { at: Int32Array | Uint16Array; x: Float64Array | Float32Array } {
  if (!compact) return { at: columns, x: counts };
  return {
    at: new Uint16Array(columns.buffer, columns.byteOffset, columns.length * 2),
    x: new Float32Array(counts.buffer, counts.byteOffset, counts.length * 2),
  };
}

/** The f64s of `multinomialEStep`'s `work`: the block's log-joints, posteriors and sums. */
export function workLength(k: number): number {
  return paddedWidth(k) * (2 * BLOCK_ROWS + 2) + BLOCK_ROWS;
}

/**
 * The TypeScript twin of `multinomialEStep` (assembly/families/multinomial/estep.ts): same
 * arguments with arrays for handles (null for "not wanted"), the same quantities row by row (the
 * Wasm kernel goes by blocks of rows; a row's statistics add x·(s·r) as there). Row i's nonzero counts are `counts[rowStart[i] …
 * rowStart[i + 1])`; `logProbsT` and `sumX` are `(d × kp)`, kp = K rounded up to even (the pad
 * column unused), and `columns[…]` holds each count's row offset in them, j·kp for column j, in the
 * layout `compact` names (see `multinomialCompress`). Without `rowConst` (a pass with neither `lse`
 * nor `sampleWeight`), `constant` stands for the rows' coefficients.
 */
export function multinomialEStep(
  rowStart: Int32Array,
  columnsIn: Int32Array,
  countsIn: Float64Array,
  n: number,
  logProbsT: Float64Array,
  logWeights: Float64Array,
  k: number,
  nk: Float64Array | null,
  sumX: Float64Array | null,
  resp: Float64Array | null,
  lse: Float64Array | null,
  sampleWeight: Float64Array | null,
  rowConst: Float64Array | null,
  constant: number,
  work: Float64Array,
  compact: number,
): number {
  const { at: columns, x: counts } = layout(columnsIn, countsIn, compact);
  let total = rowConst ? 0 : constant;
  for (let i = 0; i < n; i++) {
    const first = rowStart[i];
    const end = rowStart[i + 1];
    for (let c = 0; c < k; c++) work[c] = logWeights[c];
    // Two counts at a time, their products summed first (as the kernel).
    let e = first;
    for (; e + 1 < end; e += 2) {
      const p = columns[e];
      const q = columns[e + 1];
      for (let c = 0; c < k; c++) work[c] += counts[e] * logProbsT[p + c] + counts[e + 1] * logProbsT[q + c];
    }
    if (e < end) for (let c = 0; c < k; c++) work[c] += counts[e] * logProbsT[columns[e] + c];
    const l = rowOutputs(work, k, i, rowConst ? rowConst[i] : 0, lse, resp);
    const s = sampleWeight ? sampleWeight[i] : 1;
    if (s !== 0) total += s * l;
    if (nk && sumX && s !== 0) {
      for (let c = 0; c < k; c++) {
        work[c] *= s;
        nk[c] += work[c];
      }
      for (let e = first; e < end; e++) {
        const at = columns[e];
        for (let c = 0; c < k; c++) sumX[at + c] += counts[e] * work[c];
      }
    }
  }
  return total;
}

/**
 * The twin of `multinomialAccumulate`: `nk (k) += r_i`, `sumX[j] (kp) += x_j·r_i` for each nonzero
 * count of row i (rows in the layout `compact` names), r_i row `order[i]` of `resp` when `order` is
 * given, else row i.
 */
export function multinomialAccumulate(
  rowStart: Int32Array,
  columnsIn: Int32Array,
  countsIn: Float64Array,
  n: number,
  resp: Float64Array,
  order: Int32Array | null,
  k: number,
  nk: Float64Array,
  sumX: Float64Array,
  compact: number,
): void {
  const { at: columns, x: counts } = layout(columnsIn, countsIn, compact);
  for (let i = 0; i < n; i++) {
    const r = (order ? order[i] : i) * k;
    for (let c = 0; c < k; c++) nk[c] += resp[r + c];
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      for (let c = 0; c < k; c++) sumX[columns[e] + c] += counts[e] * resp[r + c];
    }
  }
}

/**
 * The twin of `multinomialCompress`: dense count rows `x (n × d)` into the positions `rowStart`
 * holds (row i at place `rank[i]`, or i without `rank`), nonzero counts and their offsets
 * `j·width`, and `rowConst[place] = log n_i! − Σ_j log x_ij!` from `logFactorials (size)`, NaN for a
 * row with a count or total of `size` or more. Returns the sum of every count, or −1 when a row's nonzeros do not
 * match its positions; with `compact` 1 the offsets are stored as u16 and the counts as f32, or −2
 * is returned when an offset is past 65535 or a count at least 2^24.
 */
export function multinomialCompress(
  x: Float64Array,
  n: number,
  d: number,
  width: number,
  rank: Int32Array | null,
  rowStart: Int32Array,
  columnsIn: Int32Array,
  countsIn: Float64Array,
  rowConst: Float64Array,
  logFactorials: Float64Array,
  size: number,
  compact: number,
): number {
  if (compact && (d - 1) * width > MAX_COMPACT_COLUMN) return -2;
  const { at: columns, x: counts } = layout(columnsIn, countsIn, compact);
  let grand = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    const place = rank ? rank[i] : i;
    let e = rowStart[place];
    const end = rowStart[place + 1];
    let total = 0;
    let sum = 0;
    let big = false;
    for (let j = 0; j < d; j++) {
      const v = x[row + j];
      if (v === 0) continue;
      if (e === end) return -1;
      if (compact && v >= MAX_COMPACT_COUNT) return -2;
      columns[e] = j * width;
      counts[e++] = v;
      total += v;
      if (v < size) sum += logFactorials[v];
      else big = true;
    }
    if (e !== end) return -1;
    rowConst[place] = big || total >= size ? NaN : logFactorials[total] - sum;
    grand += total;
  }
  return grand;
}

/**
 * The twin of `multinomialRowStarts`: `rowStart[i]` = the nonzero values of `x (n × d)` before row
 * i, `rowStart[n]` their total, which is returned; `largest[0]` the largest value; −1 when a value is
 * not a finite non-negative integer.
 */
export function multinomialRowStarts(
  x: Float64Array,
  n: number,
  d: number,
  rowStart: Int32Array,
  largest: Float64Array,
): number {
  let e = 0;
  let ok = true;
  let top = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = e;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (!(v >= 0 && v < Infinity && Math.floor(v) === v)) ok = false;
      if (v !== 0) e++;
      if (v > top) top = v;
    }
  }
  rowStart[n] = e;
  largest[0] = top;
  return ok ? e : -1;
}

/** The multinomial mixture's kernels: one table for the Wasm exports and their twins. */
export const MULTINOMIAL_KERNELS = {
  multinomialEStep: {
    args: [
      'I32',
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
      'F64?',
      'f64',
      'F64',
      'i32',
    ],
    twin: multinomialEStep,
  },
  multinomialAccumulate: {
    args: ['I32', 'I32', 'F64', 'i32', 'F64', 'I32?', 'i32', 'F64', 'F64', 'i32'],
    twin: multinomialAccumulate,
  },
  multinomialCompress: {
    args: ['F64', 'i32', 'i32', 'i32', 'I32?', 'I32', 'I32', 'F64', 'F64', 'F64', 'i32', 'i32'],
    twin: multinomialCompress,
  },
  multinomialRowStarts: {
    args: ['F64', 'i32', 'i32', 'I32', 'F64'],
    twin: multinomialRowStarts,
  },
} as const satisfies KernelTable;
