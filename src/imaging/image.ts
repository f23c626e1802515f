import { show } from '../util/errors.js';

/** A 2D `[rows, cols]` or 3D `[planes, rows, cols]` image: row-major f64 values and their shape. */
export interface Image {
  /** The values, row-major: `data[(i0·rows + i1)·cols + i2]` (2D: `data[i1·cols + i2]`). */
  data: Float64Array;
  /** `[rows, cols]` or `[planes, rows, cols]`. */
  shape: number[];
}

/**
 * An image as `{ data, shape }` (data of length Π shape, row-major, any array of numbers) or, for
 * 2D, as nested rows (`number[][]`, each of the same length).
 */
export type ImageInput =
  | {
      /** Π shape values, row-major. */
      data: ArrayLike<number>;
      /** `[rows, cols]` or `[planes, rows, cols]`. */
      shape: readonly number[];
    }
  | readonly (readonly number[])[];

/** The image as a fresh `{ data: Float64Array, shape }` of 2 or 3 dimensions, or a RangeError naming `name`. */
export function readImage(name: string, input: unknown): Image {
  if (Array.isArray(input)) return readNested(name, input);
  if (input === null || typeof input !== 'object' || !('data' in input) || !('shape' in input)) {
    throw new TypeError(`${name} must be { data, shape } or nested rows (number[][]), got ${show(input)}`);
  }
  const { data, shape } = input as { data: unknown; shape: unknown };
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) {
    throw new RangeError(
      `${name}.shape must be [rows, cols] or [planes, rows, cols], got ${describe(shape)}`,
    );
  }
  for (const n of shape) {
    if (!Number.isInteger(n) || (n as number) < 1) {
      throw new RangeError(`${name}.shape must hold integers >= 1, got [${shape.join(', ')}]`);
    }
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  const length = (data as { length?: unknown } | null)?.length;
  if (typeof length !== 'number' || (typeof data !== 'object' && typeof data !== 'function')) {
    throw new TypeError(`${name}.data must be an array of numbers, got ${show(data)}`);
  }
  if (length !== size) {
    throw new RangeError(
      `${name}.data must have ${size} values for shape [${shape.join(', ')}], got ${show(data)}`,
    );
  }
  const values = Float64Array.from(data as ArrayLike<number>);
  requireFinite(name, values, data as ArrayLike<unknown>);
  return { data: values, shape: [...(shape as number[])] };
}

function readNested(name: string, rows: unknown[]): Image {
  if (rows.length === 0 || !Array.isArray(rows[0])) {
    throw new RangeError(`${name} as nested rows must be a non-empty number[][], got ${show(rows)}`);
  }
  const cols = (rows[0] as unknown[]).length;
  if (cols === 0) throw new RangeError(`${name}[0] must not be empty`);
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new RangeError(
        `${name}[${i}] must be an array of ${cols} numbers like ${name}[0], got ${show(row)}`,
      );
    }
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`${name}[${i}][${j}] must be a finite number, got ${show(v)}`);
      }
      data[i * cols + j] = v;
    });
  });
  return { data, shape: [rows.length, cols] };
}

function requireFinite(name: string, values: Float64Array, raw: ArrayLike<unknown>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(`${name}.data[${i}] must be a finite number, got ${show(raw[i])}`);
    }
  }
}

function describe(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.map((v) => show(v)).join(', ')}]` : show(shape);
}

/** The shape as three axes (n0, n1, n2), a 2D shape with n0 = 1. */
export function axes3(shape: readonly number[]): [number, number, number] {
  return shape.length === 2 ? [1, shape[0], shape[1]] : [shape[0], shape[1], shape[2]];
}
