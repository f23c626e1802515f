import { ld, st, sti } from './util/memory';

/**
 * One Lloyd pass: nearest center (squared Euclidean, ties to the lower index) into `labels (n, i32)`
 * and `minDist (n)`; the assigned rows are accumulated into `sums (k × d)` and `counts (k)`.
 * Returns the inertia.
 */
export function kmeansStep(
  x: usize,
  n: i32,
  d: i32,
  centers: usize,
  k: i32,
  labels: usize,
  sums: usize,
  counts: usize,
  minDist: usize,
): f64 {
  let inertia = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    let best = Infinity;
    let label = 0;
    for (let c = 0; c < k; c++) {
      const m = centers + ((<usize>(c * d)) << 3);
      let s = 0.0;
      for (let j = 0; j < d; j++) {
        const y = ld(xi, j) - ld(m, j);
        s += y * y;
      }
      if (s < best) {
        best = s;
        label = c;
      }
    }
    sti(labels, i, label);
    st(minDist, i, best);
    inertia += best;
    st(counts, label, ld(counts, label) + 1.0);
    const sc = sums + ((<usize>(label * d)) << 3);
    for (let j = 0; j < d; j++) st(sc, j, ld(sc, j) + ld(xi, j));
  }
  return inertia;
}

/** `out[i] = min(dist[i], ‖x_i − point‖²)`; returns `Σ out`. `out` may equal `dist`. */
export function minSqDist(x: usize, n: i32, d: i32, point: usize, dist: usize, out: usize): f64 {
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = x + ((<usize>(i * d)) << 3);
    let s = 0.0;
    for (let j = 0; j < d; j++) {
      const y = ld(xi, j) - ld(point, j);
      s += y * y;
    }
    const prev = ld(dist, i);
    const v = s < prev ? s : prev;
    st(out, i, v);
    total += v;
  }
  return total;
}
