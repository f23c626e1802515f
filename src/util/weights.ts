import { show } from './errors.js';

/**
 * Checks `sampleWeight` against `n` rows: finite and non-negative, not all zero. Returns a copy
 * as `Float64Array (n)`, or null when no weights were given.
 */
export function checkSampleWeight(sampleWeight: unknown, n: number): Float64Array | null {
  if (sampleWeight === undefined || sampleWeight === null) return null;
  if (!Array.isArray(sampleWeight) && !ArrayBuffer.isView(sampleWeight)) {
    throw new TypeError(`sampleWeight must be an array of ${n} numbers, got ${show(sampleWeight)}`);
  }
  const w = Float64Array.from(sampleWeight as ArrayLike<number>);
  if (w.length !== n) {
    throw new RangeError(`sampleWeight must have one weight per row of X (${n}), got ${w.length}`);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = (sampleWeight as ArrayLike<unknown>)[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`sampleWeight[${i}] must be a finite number >= 0, got ${show(v)}`);
    }
    total += v;
  }
  if (!(total > 0)) throw new RangeError('sampleWeight must not be all zero');
  return w;
}

/** Rows with a positive weight (all rows when unweighted). */
export function positiveRows(weights: Float64Array | null, n: number): number {
  if (!weights) return n;
  let count = 0;
  for (const w of weights) if (w > 0) count++;
  return count;
}
