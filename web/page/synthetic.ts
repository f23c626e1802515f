import { Random } from '../../src/util/random';
import type { Dataset } from './dataset';

export interface BlobSettings {
  /** Points, at most `MAX_SYNTHETIC_ROWS`. */
  n: number;
  /** Blobs (true components). */
  k: number;
  seed: number;
}

export const MAX_SYNTHETIC_ROWS = 1_000_000;

/**
 * `n` 2-D points from `k` Gaussian blobs with random centres, orientations, elongations and weights,
 * all drawn from `seed`, so the same settings give the same points in every browser.
 */
export function blobs({ n, k, seed }: BlobSettings): Dataset {
  const rng = new Random(seed);
  const centres = new Float64Array(2 * k);
  const factors = new Float64Array(4 * k); // per blob, a 2×2 row-major L with covariance L Lᵀ
  const cumulative = new Float64Array(k);
  let total = 0;
  for (let c = 0; c < k; c++) {
    centres[2 * c] = 20 * rng.uniform() - 10;
    centres[2 * c + 1] = 20 * rng.uniform() - 10;
    const angle = Math.PI * rng.uniform();
    const major = 0.6 + 1.6 * rng.uniform();
    const minor = major * (0.2 + 0.8 * rng.uniform());
    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
    factors.set([major * cos, -minor * sin, major * sin, minor * cos], 4 * c);
    total += 0.5 + rng.uniform();
    cumulative[c] = total;
  }
  const X = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * total;
    let c = 0;
    while (c < k - 1 && u >= cumulative[c]) c++;
    const z0 = rng.normal();
    const z1 = rng.normal();
    const f = 4 * c;
    X[2 * i] = centres[2 * c] + factors[f] * z0 + factors[f + 1] * z1;
    X[2 * i + 1] = centres[2 * c + 1] + factors[f + 2] * z0 + factors[f + 3] * z1;
  }
  return {
    name: `${k} synthetic blobs (seed ${seed})`,
    columns: ['x', 'y'],
    X,
    rows: n,
    skipped: [],
  };
}
