import { show } from '../util/errors.js';
import { toArray } from '../util/matrix.js';

/** How far a probability vector's sum may be from 1 before it is rejected. */
const SUM_TOLERANCE = 1e-6;

/**
 * Sequence lengths `(nSeq)`, each an integer ≥ 1, that must add up to `nSamples`; none given means
 * one sequence of all the rows.
 */
export function toLengths(lengths: unknown, nSamples: number): Int32Array {
  if (lengths === undefined || lengths === null) return Int32Array.of(nSamples);
  if (!Array.isArray(lengths) && !ArrayBuffer.isView(lengths)) {
    throw new TypeError(`lengths must be an array of sequence lengths, got ${show(lengths)}`);
  }
  const values = lengths as ArrayLike<unknown>;
  if (values.length === 0)
    throw new RangeError('lengths must hold at least one sequence length, got an empty array');
  const out = new Int32Array(values.length);
  let sum = 0;
  for (let s = 0; s < values.length; s++) {
    const v = values[s];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`lengths[${s}] must be an integer >= 1, got ${show(v)}`);
    }
    out[s] = v;
    sum += v;
  }
  if (sum !== nSamples) {
    throw new RangeError(
      `lengths must sum to nSamples=${nSamples} (the rows of X), got a sum of ${sum} over ${values.length} sequences`,
    );
  }
  return out;
}

/**
 * Rows of probabilities: `shape = [rows, cols]` (or `[cols]` for one vector), every entry in
 * [0, 1] and every row summing to 1 within 1e-6. The values are kept as given, so a frozen
 * parameter stays exactly what the user passed.
 */
export function toStochastic(input: unknown, name: string, shape: readonly number[]): Float64Array {
  const p = toArray(input, name, shape);
  const cols = shape[shape.length - 1];
  const rows = p.length / cols;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const v = p[r * cols + c];
      if (v < 0 || v > 1) {
        const where = shape.length === 1 ? `[${c}]` : `[${r}][${c}]`;
        throw new RangeError(`${name}${where} must be a probability in [0, 1], got ${v}`);
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      const what = shape.length === 1 ? name : `${name}[${r}]`;
      throw new RangeError(`${what} must sum to 1, got a sum of ${sum}`);
    }
  }
  return p;
}

/**
 * A Dirichlet (or other) prior given as one number for every entry or as an array of `shape`;
 * entries must be finite and ≥ 0.
 */
export function toPrior(input: unknown, name: string, shape: readonly number[]): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = typeof input === 'number' ? new Float64Array(size).fill(input) : toArray(input, name, shape);
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(values[i]) || values[i] < 0) {
      throw new RangeError(
        `${name} must be a finite number >= 0 (or an array of them), got ${typeof input === 'number' ? show(input) : `${values[i]} at flat index ${i}`}`,
      );
    }
  }
  return values;
}

/**
 * Which parameters the M-step updates: `{ name: boolean }` over `names`, each defaulting to true.
 * Unknown names are rejected so that a typo does not silently freeze nothing.
 */
export function toParamFlags<N extends string>(input: unknown, names: readonly N[]): Record<N, boolean> {
  const flags = Object.fromEntries(names.map((n) => [n, true])) as Record<N, boolean>;
  if (input === undefined) return flags;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(
      `params must be an object such as { ${names.map((n) => `${n}: true`).join(', ')} }, got ${show(input)}`,
    );
  }
  for (const [key, value] of Object.entries(input)) {
    if (!(names as readonly string[]).includes(key)) {
      throw new RangeError(
        `params has no parameter ${show(key)}; the parameters are ${names.map((n) => `'${n}'`).join(', ')}`,
      );
    }
    if (typeof value !== 'boolean')
      throw new TypeError(`params.${key} must be a boolean, got ${show(value)}`);
    flags[key as N] = value;
  }
  return flags;
}
