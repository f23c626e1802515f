import { show } from './errors.js';

/** A dense row-major matrix: `data[i * cols + j]` is row i, column j. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** What the API accepts for a data matrix `(nSamples × nFeatures)`. */
export type MatrixInput = readonly (readonly number[])[] | Matrix;

/**
 * Checks and normalises a data matrix: nested rows of equal length, or `{ data, rows, cols }`.
 * Every entry must be finite (or NaN, a missing value, when `allowNaN`); the error names the first
 * bad entry.
 */
export function toMatrix(input: unknown, name = 'X', allowNaN = false): Matrix {
  const ok = (v: number): boolean => Number.isFinite(v) || (allowNaN && Number.isNaN(v));
  const wanted = allowNaN ? 'a finite number or NaN (missing)' : 'a finite number';
  if (Array.isArray(input)) {
    const rows = input.length;
    if (rows === 0) throw new RangeError(`${name} must have at least one row, got an empty array`);
    const first = input[0];
    if (!Array.isArray(first) && !ArrayBuffer.isView(first)) {
      throw new TypeError(`${name} must be an array of rows (number[][]), but ${name}[0] is ${show(first)}`);
    }
    const cols = (first as ArrayLike<number>).length;
    if (cols === 0) throw new RangeError(`${name} must have at least one column, got rows of length 0`);
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = input[i] as ArrayLike<number>;
      if (!row || typeof row !== 'object' || row.length !== cols) {
        throw new RangeError(
          `${name} must have rows of equal length: ${name}[0] has ${cols} values but ${name}[${i}] ` +
            `${row && typeof row === 'object' ? `has ${row.length}` : `is ${show(row)}`}`,
        );
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'number' || !ok(v)) {
          throw new RangeError(`${name}[${i}][${j}] must be ${wanted}, got ${show(v)}`);
        }
        data[i * cols + j] = v;
      }
    }
    return { data, rows, cols };
  }
  if (input && typeof input === 'object' && 'data' in input && 'rows' in input && 'cols' in input) {
    const { data, rows, cols } = input as Matrix;
    if (!Number.isInteger(rows) || rows < 1) {
      throw new RangeError(`${name}.rows must be an integer >= 1, got ${show(rows)}`);
    }
    if (!Number.isInteger(cols) || cols < 1) {
      throw new RangeError(`${name}.cols must be an integer >= 1, got ${show(cols)}`);
    }
    if (!(data instanceof Float64Array)) {
      throw new TypeError(`${name}.data must be a Float64Array, got ${show(data)}`);
    }
    if (data.length !== rows * cols) {
      throw new RangeError(
        `${name}.data must hold rows × cols = ${rows} × ${cols} = ${rows * cols} values, got ${data.length}`,
      );
    }
    for (let i = 0; i < data.length; i++) {
      if (!ok(data[i])) {
        const r = Math.floor(i / cols);
        throw new RangeError(`${name}[${r}][${i - r * cols}] must be ${wanted}, got ${show(data[i])}`);
      }
    }
    return { data, rows, cols };
  }
  throw new TypeError(`${name} must be number[][] or { data: Float64Array, rows, cols }, got ${show(input)}`);
}

/**
 * A parameter array given as nested arrays or flat (a typed array or a plain array of numbers): checked against the expected shape and
 * returned flat (a copy). `shape` is the scikit-learn shape, e.g. `[3, 2, 2]`.
 */
export function toArray(input: unknown, name: string, shape: readonly number[]): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const shapeText = `(${shape.join(' × ')})`;
  let flat: Float64Array;
  if (ArrayBuffer.isView(input) || Array.isArray(input)) {
    const isFlat = ArrayBuffer.isView(input) || (input as unknown[]).every((v) => typeof v === 'number');
    if (isFlat) {
      flat = Float64Array.from(input as unknown as ArrayLike<number>);
    } else {
      const values: unknown[] = [];
      checkNested(input, shape, 0, name, shapeText, values);
      flat = Float64Array.from(values as number[]);
    }
  } else {
    throw new TypeError(`${name} must be an array of shape ${shapeText}, got ${show(input)}`);
  }
  if (flat.length !== size) {
    throw new RangeError(`${name} must have shape ${shapeText} (${size} values), got ${flat.length} values`);
  }
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(flat[i])) {
      throw new RangeError(`${name} must hold finite numbers, got ${show(flat[i])} at flat index ${i}`);
    }
  }
  return flat;
}

function checkNested(
  value: unknown,
  shape: readonly number[],
  depth: number,
  name: string,
  shapeText: string,
  out: unknown[],
): void {
  if (depth === shape.length) {
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    throw new RangeError(
      `${name} must have shape ${shapeText}; at depth ${depth} expected ${shape[depth]} entries, got ${show(value)}`,
    );
  }
  for (const v of value) checkNested(v, shape, depth + 1, name, shapeText, out);
}
