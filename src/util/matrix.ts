import { show } from './errors.js';

/** A dense row-major matrix: `data[i * cols + j]` is row i, column j. */
export interface Matrix {
  /** The values, row-major: `data[i * cols + j]`. */
  data: Float64Array;
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (features). */
  cols: number;
}

/** Any typed array of numbers (not BigInt64Array or BigUint64Array); read as float64 values. */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/** A row-major matrix given flat: `data[i * cols + j]` is row i, column j. */
export interface FlatMatrixInput {
  /** The values, row-major: `data[i * cols + j]`. */
  data: NumericArray | readonly number[];
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (features). */
  cols: number;
}

/**
 * What the API accepts for a data matrix `(nSamples × nFeatures)`: rows (arrays of numbers or
 * typed arrays) of equal length, or `{ data, rows, cols }` with `data` row-major.
 */
export type MatrixInput = readonly (readonly number[] | NumericArray)[] | FlatMatrixInput;

const NUMERIC_ARRAY_TAGS = new Set([
  '[object Float64Array]',
  '[object Float32Array]',
  '[object Int8Array]',
  '[object Uint8Array]',
  '[object Uint8ClampedArray]',
  '[object Int16Array]',
  '[object Uint16Array]',
  '[object Int32Array]',
  '[object Uint32Array]',
]);

/** A typed array of numbers, also one made in another realm (a worker, an iframe). */
export function isNumericArray(value: unknown): value is NumericArray {
  return ArrayBuffer.isView(value) && NUMERIC_ARRAY_TAGS.has(Object.prototype.toString.call(value));
}

/** An array level of a nested input: a plain array or a typed array of numbers. */
function isArrayLevel(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || isNumericArray(value);
}

/**
 * The shape a value has, followed through first entries (`[[1], [2]]` → `(2 × 1)`), for messages
 * that say what was given; a value that is not an array is described instead.
 */
export function describeShape(value: unknown): string {
  if (!isArrayLevel(value)) return show(value);
  const dims: number[] = [];
  let v: unknown = value;
  while (isArrayLevel(v)) {
    dims.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  const leaf = isArrayLevel(v) || typeof v === 'number' ? '' : ` (of ${show(v)})`;
  return `shape (${dims.join(' × ')})${leaf}`;
}

/**
 * Checks and normalises a data matrix: nested rows of equal length, or `{ data, rows, cols }`.
 * Rows and `data` may be plain arrays or any typed array of numbers. Every entry must be finite
 * (or NaN, a missing value, when `allowNaN`); the error names the first bad entry. With
 * `scanTyped` false, a typed array `data` is taken without that scan (for a caller whose own
 * check of every value rejects non-finite ones).
 */
export function toMatrix(input: unknown, name = 'X', allowNaN = false, scanTyped = true): Matrix {
  const ok = (v: unknown): v is number =>
    typeof v === 'number' && (Number.isFinite(v) || (allowNaN && Number.isNaN(v)));
  const wanted = allowNaN ? 'a finite number or NaN (missing)' : 'a finite number';
  const expected = `${name} must be (nSamples × nFeatures)`;
  if (Array.isArray(input)) {
    const rows = input.length;
    if (rows === 0) throw new RangeError(`${name} must have at least one row, got an empty array`);
    const first: unknown = input[0];
    if (!isArrayLevel(first)) {
      throw new TypeError(`${expected}, an array of rows, but ${name}[0] is ${show(first)}`);
    }
    const cols = first.length;
    if (cols === 0) throw new RangeError(`${name} must have at least one column, got rows of length 0`);
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row: unknown = input[i];
      if (!isArrayLevel(row) || row.length !== cols) {
        throw new RangeError(
          `${name} must have rows of equal length: ${name}[0] has ${cols} values but ${name}[${i}] ` +
            `${isArrayLevel(row) ? `has ${row.length}` : `is ${show(row)}`}`,
        );
      }
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (!ok(v)) {
          const deeper = isArrayLevel(v) ? ` (${expected}, got ${describeShape(input)})` : '';
          throw new RangeError(`${name}[${i}][${j}] must be ${wanted}, got ${show(v)}${deeper}`);
        }
        data[i * cols + j] = v;
      }
    }
    return { data, rows, cols };
  }
  if (input && typeof input === 'object' && 'data' in input && 'rows' in input && 'cols' in input) {
    const { data, rows, cols } = input as { data: unknown; rows: unknown; cols: unknown };
    if (!Number.isInteger(rows) || (rows as number) < 1) {
      throw new RangeError(`${name}.rows must be an integer >= 1, got ${show(rows)}`);
    }
    if (!Number.isInteger(cols) || (cols as number) < 1) {
      throw new RangeError(`${name}.cols must be an integer >= 1, got ${show(cols)}`);
    }
    const r = rows as number;
    const c = cols as number;
    if (!isArrayLevel(data)) {
      throw new TypeError(
        `${name}.data must be a typed array of numbers (e.g. Float64Array, Float32Array) or number[], got ${show(data)}`,
      );
    }
    if (data.length !== r * c) {
      throw new RangeError(
        `${name}.data must hold rows × cols = ${r} × ${c} = ${r * c} values, got ${data.length}`,
      );
    }
    const scan = scanTyped || !isNumericArray(data);
    for (let i = 0; scan && i < data.length; i++) {
      if (!ok(data[i])) {
        const row = Math.floor(i / c);
        throw new RangeError(`${name}[${row}][${i - row * c}] must be ${wanted}, got ${show(data[i])}`);
      }
    }
    // A Float64Array is used as given (no copy); other element types are converted once.
    const values = data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
    return { data: values, rows: r, cols: c };
  }
  throw new TypeError(`${name} must be number[][] or { data: Float64Array, rows, cols }, got ${show(input)}`);
}

/**
 * True when every value of `a` is finite: Σ (v − v) is 0 unless some v is ±∞ or NaN. One tight
 * loop over a Float64Array only, so that V8 keeps it monomorphic (a large `respInit` is checked in
 * about 0.3 ms instead of several).
 */
export function allFinite(a: Float64Array): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] - a[i];
  return acc === 0;
}

/**
 * A parameter array of exactly `shape` (the scikit-learn shape, e.g. `[3, 2, 2]`), returned flat
 * (a copy). Accepted: arrays nested exactly `shape.length` deep (the innermost level may be a
 * typed array), or the values flat in row-major order (a typed array or number[] of the full size).
 * Every value must be a finite number; a value nested deeper or shallower than `shape`, a string or
 * a missing entry is an error naming the parameter, the expected shape and the shape given.
 */
export function toArray(input: unknown, name: string, shape: readonly number[]): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const expected = `${name} must have shape (${shape.join(' × ')})`;
  if (!isArrayLevel(input)) throw new TypeError(`${expected}, got ${show(input)}`);
  // Flat when the top level holds values rather than arrays (or when it is a typed array).
  const flatGiven = isNumericArray(input) || (input.length > 0 && !isArrayLevel(input[0]));
  const out = new Float64Array(size);
  if (flatGiven || shape.length === 1) {
    if (input.length !== size) {
      throw new RangeError(`${expected} (${size} values), got ${input.length} values`);
    }
    if (isNumericArray(input)) {
      // Numbers already: only finiteness to check (a non-finite value takes `leaf`'s message).
      out.set(input);
      if (!allFinite(out)) for (let i = 0; i < size; i++) if (out[i] - out[i] !== 0) leaf(input[i], i, input);
      return out;
    }
    for (let i = 0; i < size; i++) out[i] = leaf(input[i], i, input);
    return out;
  }
  let at = 0;
  // The indices down to the current entry; its path string is built only for an error message.
  const index: number[] = [];
  const path = (depth: number) =>
    index
      .slice(0, depth)
      .map((i) => `[${i}]`)
      .join('');
  const visit = (value: unknown, depth: number): void => {
    if (depth === shape.length) {
      out[at] = leaf(value, at, input, depth);
      at++;
      return;
    }
    if (!isArrayLevel(value) || value.length !== shape[depth]) {
      const what = isArrayLevel(value)
        ? `has ${value.length} ${value.length === 1 ? 'entry' : 'entries'}`
        : `is ${show(value)}`;
      throw new RangeError(
        `${expected}, got ${describeShape(input)}: ${name}${path(depth)} ${what}, expected ${shape[depth]}`,
      );
    }
    for (let i = 0; i < value.length; i++) {
      index[depth] = i;
      visit(value[i], depth + 1);
    }
  };
  visit(input, 0);
  return out;

  /** A finite number, or an error naming the entry: by its nesting `depth` in `index`, else by `flatIndex`. */
  function leaf(v: unknown, flatIndex: number, whole: unknown, depth?: number): number {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (isArrayLevel(v)) throw new RangeError(`${expected}, got ${describeShape(whole)}`);
    const where = depth === undefined ? `[${flatIndex}]` : path(depth);
    throw new RangeError(`${name}${where} must be a finite number, got ${show(v)}`);
  }
}
