import { show } from '../../util/errors.js';

/**
 * A system matrix in compressed sparse row form, for any geometry (SPECT, PET, list mode): row r
 * (one detector bin or event) has the entries `data[e]` in columns `indices[e]` (image pixels or
 * voxels) for e in [indptr[r], indptr[r + 1]). Entries are the probabilities (or any non-negative
 * weights) that an emission in the pixel is counted in the bin.
 */
export interface SystemMatrix {
  /** `(rows + 1)` offsets into `indices` and `data`: starts at 0, never decreases. */
  indptr: Int32Array;
  /** `(nnz)` column of each entry, strictly increasing within a row, in [0, cols). */
  indices: Int32Array;
  /** `(nnz)` entry values, finite and ≥ 0. */
  data: Float64Array;
  /** Number of rows (measurements). */
  rows: number;
  /** Number of columns (pixels). */
  cols: number;
  /**
   * Consecutive rows that form one view (one projection angle): OSEM's subsets take whole views,
   * interleaved. Default 1 (subsets interleave single rows). `ParallelBeamProjector.toCSR` sets it
   * to the number of detectors.
   */
  rowsPerView?: number;
}

/** What `validateSystemMatrix` accepts: typed arrays or plain number arrays. */
export interface SystemMatrixInput {
  /** `(rows + 1)` offsets into `indices` and `data`. */
  indptr: ArrayLike<number>;
  /** `(nnz)` column of each entry. */
  indices: ArrayLike<number>;
  /** `(nnz)` entry values, finite and ≥ 0. */
  data: ArrayLike<number>;
  /** Number of rows (measurements). */
  rows: number;
  /** Number of columns (pixels). */
  cols: number;
  /** Consecutive rows that form one view (see `SystemMatrix.rowsPerView`). Default 1. */
  rowsPerView?: number;
}

const KEYS = new Set(['indptr', 'indices', 'data', 'rows', 'cols', 'rowsPerView']);

function dimension(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new RangeError(`${name} must be an integer >= 1, got ${show(value)}`);
  }
  return value;
}

function arrayLike(name: string, value: unknown): ArrayLike<number> {
  const ok =
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) &&
      !(value instanceof DataView) &&
      typeof (value as Float64Array)[0] !== 'bigint');
  if (!ok) throw new TypeError(`${name} must be an array or typed array of numbers, got ${show(value)}`);
  return value as ArrayLike<number>;
}

/**
 * Checks a CSR system matrix and returns it with Int32Array / Float64Array members (the input's
 * arrays when they already are). Errors name the member, the index and the value: indptr must start
 * at 0, never decrease and end at nnz; indices must lie in [0, cols) and increase strictly within
 * each row; data must be finite and ≥ 0; `rowsPerView` must divide `rows`.
 *
 * @param name - what the matrix is called in error messages.
 */
export function validateSystemMatrix(A: SystemMatrixInput, name = 'A'): SystemMatrix {
  if (typeof A !== 'object' || A === null) {
    throw new TypeError(`${name} must be a CSR matrix { indptr, indices, data, rows, cols }, got ${show(A)}`);
  }
  for (const key of Object.keys(A)) {
    if (!KEYS.has(key)) {
      throw new TypeError(
        `${name} has an unknown member ${show(key)}; a CSR matrix has ${[...KEYS].join(', ')}`,
      );
    }
  }
  const rows = dimension(`${name}.rows`, A.rows);
  const cols = dimension(`${name}.cols`, A.cols);
  const rowsPerView = A.rowsPerView === undefined ? 1 : dimension(`${name}.rowsPerView`, A.rowsPerView);
  if (rows % rowsPerView !== 0) {
    throw new RangeError(`${name}.rowsPerView must divide ${name}.rows=${rows}, got ${rowsPerView}`);
  }
  const indptrIn = arrayLike(`${name}.indptr`, A.indptr);
  const indicesIn = arrayLike(`${name}.indices`, A.indices);
  const dataIn = arrayLike(`${name}.data`, A.data);
  if (indptrIn.length !== rows + 1) {
    throw new RangeError(`${name}.indptr must have rows + 1 = ${rows + 1} entries, got ${indptrIn.length}`);
  }
  const nnz = indicesIn.length;
  if (dataIn.length !== nnz) {
    throw new RangeError(
      `${name}.data must have as many entries as ${name}.indices (${nnz}), got ${dataIn.length}`,
    );
  }
  if (indptrIn[0] !== 0) throw new RangeError(`${name}.indptr[0] must be 0, got ${show(indptrIn[0])}`);
  if (indptrIn[rows] !== nnz) {
    throw new RangeError(
      `${name}.indptr[${rows}] must equal the number of entries ${nnz}, got ${show(indptrIn[rows])}`,
    );
  }
  const indptr = indptrIn instanceof Int32Array ? indptrIn : Int32Array.from(indptrIn);
  const indices = indicesIn instanceof Int32Array ? indicesIn : Int32Array.from(indicesIn);
  const data = dataIn instanceof Float64Array ? dataIn : Float64Array.from(dataIn);
  for (let r = 0; r < rows; r++) {
    if (!(indptr[r + 1] >= indptr[r]) || indptrIn[r + 1] !== indptr[r + 1]) {
      throw new RangeError(
        `${name}.indptr must be non-decreasing integers, got indptr[${r}] = ${show(indptrIn[r])}, indptr[${r + 1}] = ${show(indptrIn[r + 1])}`,
      );
    }
  }
  for (let r = 0; r < rows; r++) {
    let previous = -1;
    for (let e = indptr[r]; e < indptr[r + 1]; e++) {
      const col = indices[e];
      if (indicesIn[e] !== col || col < 0 || col >= cols) {
        throw new RangeError(
          `${name}.indices[${e}] must be an integer in [0, cols=${cols}), got ${show(indicesIn[e])}`,
        );
      }
      if (col <= previous) {
        throw new RangeError(
          `${name}.indices must increase strictly within each row, got ${previous} then ${col} in row ${r} (indices[${e - 1}], indices[${e}])`,
        );
      }
      previous = col;
    }
  }
  for (let e = 0; e < nnz; e++) {
    const v = data[e];
    if (!(v >= 0) || v === Infinity) {
      throw new RangeError(`${name}.data[${e}] must be a finite number >= 0, got ${show(dataIn[e])}`);
    }
  }
  return { indptr, indices, data, rows, cols, rowsPerView };
}
