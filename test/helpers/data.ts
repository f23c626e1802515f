import { readFileSync } from 'node:fs';
import { Random } from '../../src/util/random';
import type { Matrix } from '../../src/util/matrix';

/** A bundled example data set (header row, numeric columns) as nested rows. */
export function loadExample(name: 'faithful' | 'iris'): number[][] {
  const text = readFileSync(new URL(`../../examples/${name}.csv`, import.meta.url), 'utf8');
  return text
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number));
}

export function toFlat(rows: number[][]): Matrix {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0].length };
}

export function uniformArray(rng: Random, length: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return a;
}

/**
 * `n` points from `k` well separated spherical Gaussians in `d` dimensions; returns the points
 * and the generating labels.
 */
export function blobs(
  seed: number,
  n: number,
  d: number,
  k: number,
  spread = 10,
): { X: Matrix; labels: Int32Array; centers: Float64Array } {
  const rng = new Random(seed);
  const centers = uniformArray(rng, k * d, -spread, spread);
  const data = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = centers[c * d + j] + rng.normal();
  }
  return { X: { data, rows: n, cols: d }, labels, centers };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const r = Math.abs(a[i] - b[i]);
    m = Number.isNaN(r) ? Infinity : Math.max(m, r);
  }
  return m;
}

export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // also equal infinities, whose difference is NaN
    const r = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    m = Number.isNaN(r) ? Infinity : Math.max(m, r);
  }
  return m;
}
