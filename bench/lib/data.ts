/**
 * Deterministic synthetic data for the benchmark: a mixture of K Gaussians with random full
 * covariances, and one explicit start (weights, means, precisions) per covariance type, so every
 * implementation runs the same iterations from the same point.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';

export type CovType = 'full' | 'tied' | 'diag' | 'spherical';
export const COV_TYPES: readonly CovType[] = ['full', 'tied', 'diag', 'spherical'];

export interface Shape {
  n: number;
  d: number;
  k: number;
}

export interface Dataset extends Shape {
  /** File-name-safe id, e.g. `n100000-d10-k8`. */
  id: string;
  /** Row-major `(n × d)`. */
  X: Float64Array;
  /** The means the points were drawn around `(k × d)`; the start perturbs them. */
  trueMeans: Float64Array;
}

/** The explicit start handed to every implementation (scikit-learn's weights_init, means_init, precisions_init). */
export interface Start {
  weights: Float64Array;
  means: Float64Array;
  /** full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`, spherical `(K)`, row-major. */
  precisions: Float64Array;
}

export const shapeId = ({ n, d, k }: Shape): string => `n${n}-d${d}-k${k}`;
export const shapeLabel = ({ n, d, k }: Shape): string => `${n}x${d} K=${k}`;

/** A small seeded generator (mulberry32) with Box–Muller normals; seeded from the shape alone. */
class Rng {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform(); // (0, 1]: log(u) is finite
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function seedOf({ n, d, k }: Shape): number {
  return (Math.imul(n, 0x9e3779b1) ^ Math.imul(d, 0x85ebca6b) ^ Math.imul(k, 0xc2b2ae35)) >>> 0;
}

/**
 * Expected distance between two true means, in units of a component's standard deviation (≈ 1),
 * whatever D: the clusters overlap, so EM keeps moving for the iterations timed. (Far-apart
 * clusters give 0/1 responsibilities after one step and a bit-exact fixed point, where mclust
 * stops even with tol = 0.)
 */
const SEPARATION = 4;
const meanScale = (d: number): number => SEPARATION / Math.sqrt(2 * d);

/**
 * N points from K components: means ~ N(0, s²·I) with s = SEPARATION / √(2D), covariances L·Lᵀ
 * with L lower triangular (diagonal in [0.5, 1.5], small off-diagonal terms, so full and diag
 * models differ), weights mildly unequal. Deterministic for a given shape.
 */
export function makeDataset(shape: Shape): Dataset {
  const { n, d, k } = shape;
  const rng = new Rng(seedOf(shape));
  const means = new Float64Array(k * d);
  for (let i = 0; i < k * d; i++) means[i] = meanScale(d) * rng.normal();
  const chol = new Float64Array(k * d * d);
  const off = 0.3 / Math.sqrt(d);
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) chol[c * d * d + a * d + b] = off * rng.normal();
      chol[c * d * d + a * d + a] = 0.5 + rng.uniform();
    }
  }
  const cumulative = new Float64Array(k);
  let total = 0;
  for (let c = 0; c < k; c++) cumulative[c] = total += 1 + rng.uniform();
  const X = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * total;
    let c = 0;
    while (c < k - 1 && u >= cumulative[c]) c++;
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    const L = c * d * d;
    for (let a = 0; a < d; a++) {
      let s = means[c * d + a];
      for (let b = 0; b <= a; b++) s += chol[L + a * d + b] * z[b];
      X[i * d + a] = s;
    }
  }
  return { ...shape, id: shapeId(shape), X, trueMeans: means };
}

/**
 * The start: uniform weights, the true means shifted by N(0, (s/2)²) noise (s as in makeDataset, so
 * the shift is about a third of the distance between means), isotropic precisions
 * 1 / v_c with v_c in {1, 1.25, 1.5, 1.75} (tied: 1 / 1.25). Deterministic for a given shape;
 * the weights and means are the same for every covariance type.
 */
export function makeStart(data: Dataset, cov: CovType): Start {
  const { n, d, k } = data;
  const rng = new Rng(seedOf({ n, d, k }) ^ 0x5bd1e995);
  const means = new Float64Array(k * d);
  for (let i = 0; i < k * d; i++) means[i] = data.trueMeans[i] + 0.5 * meanScale(d) * rng.normal();
  const weights = new Float64Array(k).fill(1 / k);
  const variance = (c: number): number => 1 + 0.25 * (c % 4);
  let precisions: Float64Array;
  switch (cov) {
    case 'full':
      precisions = new Float64Array(k * d * d);
      for (let c = 0; c < k; c++)
        for (let a = 0; a < d; a++) precisions[c * d * d + a * d + a] = 1 / variance(c);
      break;
    case 'tied':
      precisions = new Float64Array(d * d);
      for (let a = 0; a < d; a++) precisions[a * d + a] = 1 / 1.25;
      break;
    case 'diag':
      precisions = new Float64Array(k * d);
      for (let c = 0; c < k; c++) precisions.fill(1 / variance(c), c * d, (c + 1) * d);
      break;
    case 'spherical':
      precisions = Float64Array.from({ length: k }, (_, c) => 1 / variance(c));
      break;
  }
  return { weights, means, precisions };
}

function writeF64(path: string, ...parts: Float64Array[]): void {
  // Float64Array bytes are in the machine's order; the files promise little-endian.
  if (endianness() !== 'LE') throw new Error('bench: writing .bin files needs a little-endian machine');
  writeFileSync(path, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/** Writes `<id>.bin` (X, float64 LE, row-major) and `<id>.json` (its header) into `dir`; returns the .bin path. */
export function writeDataset(dir: string, data: Dataset): string {
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, `${data.id}.bin`);
  writeF64(bin, data.X);
  const header = { n: data.n, d: data.d, k: data.k, dtype: '<f8', order: 'C', shape: [data.n, data.d] };
  writeFileSync(join(dir, `${data.id}.json`), JSON.stringify(header, null, 2) + '\n');
  return bin;
}

/** Writes `<id>-<cov>.start.bin`: weights (K), means (K·D), precisions, float64 LE, one after the other. */
export function writeStart(dir: string, data: Dataset, cov: CovType, start: Start): string {
  const path = join(dir, `${data.id}-${cov}.start.bin`);
  writeF64(path, start.weights, start.means, start.precisions);
  return path;
}
