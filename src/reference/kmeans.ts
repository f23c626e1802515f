/**
 * Plain-TypeScript twins of the k-means kernels (see docs/kernels.md). Matrices are row-major
 * Float64Arrays starting at index 0.
 */

/**
 * One Lloyd assignment pass: each row goes to its nearest center by squared Euclidean distance, and
 * the assigned rows are accumulated per center so the caller can form the new centers.
 *
 * Ties go to the lower center index (strict `<` while scanning upwards).
 *
 * @param x - `(n × d)` samples.
 * @param centers - `(k × d)` current centers.
 * @param labels - `(n)` receives the nearest center of each row.
 * @param sums - `(k × d)` accumulated sum of the rows assigned to each center.
 * @param counts - `(k)` accumulated number of rows assigned to each center.
 * @param minDist - `(n)` receives each row's squared distance to its center.
 * @returns The inertia `Σ_i minDist[i]`.
 */
export function kmeansStep(
  x: Float64Array,
  n: number,
  d: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Float64Array,
  minDist: Float64Array,
): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j] - centers[c * d + j];
        s += diff * diff;
      }
      if (c === 0 || s < bestDist) {
        best = c;
        bestDist = s;
      }
    }
    labels[i] = best;
    minDist[i] = bestDist;
    counts[best] += 1;
    for (let j = 0; j < d; j++) sums[best * d + j] += x[i * d + j];
    inertia += bestDist;
  }
  return inertia;
}

/**
 * Folds candidate points into running nearest-distances (the k-means++ update), `m` candidates at
 * once: `out[t·n + i] = min(dist[i], ‖x_i − points_t‖²)`. With `dist` all +∞ this is the plain
 * squared distance.
 *
 * @param x - `(n × d)` samples.
 * @param points - `(m × d)` the candidate centers.
 * @param dist - `(n)` current nearest squared distances; may be one of the rows of `out`.
 * @param out - `(m × n)` receives the updated distances for each candidate.
 * @param totals - `(m)` receives `Σ_i out[t·n + i]` for each candidate.
 */
export function minSqDistMany(
  x: Float64Array,
  n: number,
  d: number,
  points: Float64Array,
  m: number,
  dist: Float64Array,
  out: Float64Array,
  totals: Float64Array,
): void {
  totals.fill(0, 0, m);
  for (let i = 0; i < n; i++) {
    const prev = dist[i];
    for (let t = 0; t < m; t++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j] - points[t * d + j];
        s += diff * diff;
      }
      const v = s < prev ? s : prev;
      out[t * n + i] = v;
      totals[t] += v;
    }
  }
}

/** Length of the `work` array of the k-means kernels: the twins need none. */
export function kmeansWorkLength(_m: number, _d: number): number {
  return 0;
}
