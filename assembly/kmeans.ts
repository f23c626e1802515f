// k-means kernels. Both compute squared distances from four rows at a time to every center (or
// candidate point) with the points transposed to `(d × mp)`, one f64x2 lane pair holding two points:
// each lane sums (x_j − p_j)² over j in ascending order, exactly as the scalar twins, so distances,
// labels and ties are bit-identical to them.

/** Points rounded up to even: whole f64x2 lanes. */
function padM(m: i32): i32 {
  return (m + 1) & ~1;
}

/**
 * f64s of `work` the k-means kernels need for `m` centers or candidate points in `d` dimensions:
 * the transposed points `(d × mp)`, the distances of four rows `(4 × mp)` and a zero-padded copy of
 * the last rows `(4 × d)`.
 */
export function kmeansWorkLength(m: i32, d: i32): i32 {
  const mp = padM(m);
  return d * mp + 4 * mp + 4 * d;
}

/** `pointsT (d × mp)[j, c] = points (m × d)[c, j]`, padding lanes 0. */
function transposePoints(points: usize, m: i32, d: i32, pointsT: usize): void {
  const mp = padM(m);
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < mp; c++) {
      const v = c < m ? load<f64>(points + ((<usize>(c * d + j)) << 3)) : 0.0;
      store<f64>(pointsT + ((<usize>(j * mp + c)) << 3), v);
    }
  }
}

/**
 * `dist (4 × mp)`: squared distances of the four rows at `x0` (`xStride` bytes apart) to every
 * point of `pointsT`.
 */
function distances4(x0: usize, xStride: usize, d: i32, pointsT: usize, mp: i32, dist: usize): void {
  const mpBytes = (<usize>mp) << 3;
  const dBytes = (<usize>d) << 3;
  const x1 = x0 + xStride;
  const x2 = x1 + xStride;
  const x3 = x2 + xStride;
  for (let cp: usize = 0; cp < mpBytes; cp += 16) {
    let q0 = f64x2.splat(0.0);
    let q1 = f64x2.splat(0.0);
    let q2 = f64x2.splat(0.0);
    let q3 = f64x2.splat(0.0);
    let pp = pointsT + cp;
    for (let j: usize = 0; j < dBytes; j += 8) {
      const p = v128.load(pp);
      let y = f64x2.sub(v128.load64_splat(x0 + j), p);
      q0 = f64x2.add(q0, f64x2.mul(y, y));
      y = f64x2.sub(v128.load64_splat(x1 + j), p);
      q1 = f64x2.add(q1, f64x2.mul(y, y));
      y = f64x2.sub(v128.load64_splat(x2 + j), p);
      q2 = f64x2.add(q2, f64x2.mul(y, y));
      y = f64x2.sub(v128.load64_splat(x3 + j), p);
      q3 = f64x2.add(q3, f64x2.mul(y, y));
      pp += mpBytes;
    }
    v128.store(dist + cp, q0);
    v128.store(dist + cp + mpBytes, q1);
    v128.store(dist + cp + 2 * mpBytes, q2);
    v128.store(dist + cp + 3 * mpBytes, q3);
  }
}

/**
 * The rows `i … i + 3` for the 4-row tiles: `x` itself, or for a last group of fewer than four rows
 * their copy in `tail` with zero rows after them.
 */
function rowGroup(x: usize, i: i32, n: i32, d: i32, tail: usize): usize {
  const rowBytes = (<usize>d) << 3;
  const xi = x + <usize>i * rowBytes;
  if (n - i >= 4) return xi;
  const rows = <usize>(n - i);
  memory.copy(tail, xi, rows * rowBytes);
  memory.fill(tail + rows * rowBytes, 0, (4 - rows) * rowBytes);
  return tail;
}

/**
 * One Lloyd pass: nearest center (squared Euclidean, ties to the lower index) into `labels (n, i32)`
 * and `minDist (n)`; the assigned rows are accumulated into `sums (k × d)` and `counts (k)`.
 * Returns the inertia. `work` holds `kmeansWorkLength(k, d)` f64s.
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
  work: usize,
): f64 {
  const kp = padM(k);
  const centersT = work;
  const dist = centersT + ((<usize>(d * kp)) << 3);
  const tail = dist + ((<usize>(4 * kp)) << 3);
  const rowBytes = (<usize>d) << 3;
  const kpBytes = (<usize>kp) << 3;
  const pairs = (<usize>(d & ~1)) << 3;
  transposePoints(centers, k, d, centersT);
  let inertia = 0.0;
  for (let i = 0; i < n; i += 4) {
    distances4(rowGroup(x, i, n, d, tail), rowBytes, d, centersT, kp, dist);
    const rows = n - i < 4 ? n - i : 4;
    for (let r = 0; r < rows; r++) {
      const dr = dist + <usize>r * kpBytes;
      let best = Infinity;
      let label = 0;
      for (let c = 0; c < k; c++) {
        const s = load<f64>(dr + ((<usize>c) << 3));
        if (s < best) {
          best = s;
          label = c;
        }
      }
      const row = i + r;
      store<i32>(labels + ((<usize>row) << 2), label);
      store<f64>(minDist + ((<usize>row) << 3), best);
      inertia += best;
      const co = counts + ((<usize>label) << 3);
      store<f64>(co, load<f64>(co) + 1.0);
      const sc = sums + <usize>label * rowBytes;
      const xi = x + <usize>row * rowBytes;
      let j: usize = 0;
      for (; j < pairs; j += 16) v128.store(sc + j, f64x2.add(v128.load(sc + j), v128.load(xi + j)));
      if (j < rowBytes) store<f64>(sc + j, load<f64>(sc + j) + load<f64>(xi + j));
    }
  }
  return inertia;
}

/**
 * The k-means++ update for `m` candidate points at once (one pass over X instead of m):
 * `out (m × n)[t, i] = min(dist[i], ‖x_i − points_t‖²)` and `totals (m)[t] = Σ_i out[t, i]`, for
 * `points (m × d)`. `work` holds `kmeansWorkLength(m, d)` f64s.
 */
export function minSqDistMany(
  x: usize,
  n: i32,
  d: i32,
  points: usize,
  m: i32,
  dist: usize,
  out: usize,
  totals: usize,
  work: usize,
): void {
  const mp = padM(m);
  const pointsT = work;
  const block = pointsT + ((<usize>(d * mp)) << 3);
  const tail = block + ((<usize>(4 * mp)) << 3);
  const rowBytes = (<usize>d) << 3;
  const mpBytes = (<usize>mp) << 3;
  const outStride = (<usize>n) << 3;
  transposePoints(points, m, d, pointsT);
  memory.fill(totals, 0, (<usize>m) << 3);
  for (let i = 0; i < n; i += 4) {
    distances4(rowGroup(x, i, n, d, tail), rowBytes, d, pointsT, mp, block);
    const rows = n - i < 4 ? n - i : 4;
    for (let r = 0; r < rows; r++) {
      const row = i + r;
      const prev = load<f64>(dist + ((<usize>row) << 3));
      const br = block + <usize>r * mpBytes;
      for (let t = 0; t < m; t++) {
        const s = load<f64>(br + ((<usize>t) << 3));
        const v = s < prev ? s : prev;
        store<f64>(out + <usize>t * outStride + ((<usize>row) << 3), v);
        const to = totals + ((<usize>t) << 3);
        store<f64>(to, load<f64>(to) + v);
      }
    }
  }
}
