import type { Handle, Workspace } from '../backend/types.js';
import type { Random } from '../util/random.js';

/** The arrays k-means needs, allocated with the rest of a fit's workspace. */
export interface KMeansBuffers {
  labels: Handle;
  previousLabels: Handle;
  centers: Handle;
  sums: Handle;
  counts: Handle;
  minDist: Handle;
  /** `(n)` each row's squared distance to the nearest center chosen so far (k-means++). */
  closest: Handle;
  /** `(nTrials × n)` the same with one more candidate each, and their sums `(nTrials)`. */
  trials: Handle;
  totals: Handle;
  /** `(nTrials × d)` the candidate rows. */
  candidates: Handle;
  work: Handle;
}

/** scikit-learn's number of local trials per k-means++ center: `2 + ⌊ln k⌋`. */
function trialCount(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

export function allocKMeans(ws: Workspace, n: number, d: number, k: number): KMeansBuffers {
  const trials = trialCount(k);
  return {
    labels: ws.allocI32(n),
    previousLabels: ws.allocI32(n),
    centers: ws.allocF64(k * d),
    sums: ws.allocF64(k * d),
    counts: ws.allocF64(k),
    minDist: ws.allocF64(n),
    closest: ws.allocF64(n),
    trials: ws.allocF64(trials * n),
    totals: ws.allocF64(trials),
    candidates: ws.allocF64(trials * d),
    work: ws.allocF64(Math.max(1, ws.kernels.kmeansWorkLength(Math.max(k, trials), d))),
  };
}

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii, with scikit-learn's `2 + ⌊ln k⌋` local trials
 * per center): each new center is the best of several candidates drawn proportionally to the
 * squared distance to the nearest chosen center (times the row's weight, with `weights`). The
 * candidates of a center are drawn first and scored in one pass over X. Writes `(k × d)` centers
 * and returns the chosen row indices.
 */
export function kmeansPlusPlus(
  ws: Workspace,
  buf: KMeansBuffers,
  x: Handle,
  n: number,
  d: number,
  k: number,
  rng: Random,
  weights: Float64Array | null = null,
): Int32Array {
  const kern = ws.kernels;
  const X = ws.f64(x, n * d);
  const centers = ws.f64(buf.centers, k * d);
  const nTrials = trialCount(k);
  const candidates = ws.f64(buf.candidates, nTrials * d);
  const trials = ws.f64(buf.trials, nTrials * n);
  const totals = ws.f64(buf.totals, nTrials);
  const closest = ws.f64(buf.closest, n);
  // The kernel sums plain distances; with weights the potential is Σ w·dist, summed here.
  const potentialOf = (t: number): number => {
    if (!weights) return totals[t];
    let s = 0;
    for (let i = 0; i < n; i++) s += weights[i] * trials[t * n + i];
    return s;
  };
  const indices = new Int32Array(k);
  const cumulative = new Float64Array(n);

  const first = weights
    ? Math.min(searchLeft(cumulativeOf(weights, null), rng.uniform() * total(weights)), n - 1)
    : rng.int(n);
  indices[0] = first;
  centers.set(X.subarray(first * d, first * d + d), 0);
  candidates.set(X.subarray(first * d, first * d + d));
  closest.fill(Infinity);
  kern.minSqDistMany(x, n, d, buf.candidates, 1, buf.closest, buf.trials, buf.totals, buf.work);
  closest.set(trials.subarray(0, n));
  let potential = potentialOf(0);

  for (let c = 1; c < k; c++) {
    cumulativeOf(closest, weights, cumulative);
    const picked = new Int32Array(nTrials);
    for (let t = 0; t < nTrials; t++) {
      picked[t] = Math.min(searchLeft(cumulative, rng.uniform() * potential), n - 1);
      candidates.set(X.subarray(picked[t] * d, picked[t] * d + d), t * d);
    }
    kern.minSqDistMany(x, n, d, buf.candidates, nTrials, buf.closest, buf.trials, buf.totals, buf.work);
    // The first best candidate wins ties, as in scikit-learn's argmin.
    let best = 0;
    let bestPotential = potentialOf(0);
    for (let t = 1; t < nTrials; t++) {
      const p = potentialOf(t);
      if (p < bestPotential) {
        bestPotential = p;
        best = t;
      }
    }
    closest.set(trials.subarray(best * n, best * n + n));
    potential = bestPotential;
    indices[c] = picked[best];
    centers.set(X.subarray(picked[best] * d, picked[best] * d + d), c * d);
  }
  return indices;
}

/** Running sums of `values` (times `weights` when given), into `out`. */
function cumulativeOf(
  values: Float64Array,
  weights: Float64Array | null,
  out = new Float64Array(values.length),
): Float64Array {
  let acc = 0;
  for (let i = 0; i < values.length; i++) out[i] = acc += weights ? weights[i] * values[i] : values[i];
  return out;
}

function total(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** First index whose cumulative value is >= `value` (numpy's `searchsorted`, side left). */
function searchLeft(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Lloyd's k-means from k-means++ seeds, as scikit-learn's `KMeans(n_init=1)` runs it for mixture
 * initialisation: at most 300 passes, stopping when no label changes or when the squared center
 * shift is at most `1e-4 × mean feature variance`; an empty cluster takes the point farthest from
 * its center. Returns the labels of the final centers, in `buf.labels`.
 */
export function kmeans(
  ws: Workspace,
  buf: KMeansBuffers,
  x: Handle,
  n: number,
  d: number,
  k: number,
  rng: Random,
  weights: Float64Array | null = null,
): Int32Array {
  const kern = ws.kernels;
  kmeansPlusPlus(ws, buf, x, n, d, k, rng, weights);
  const X = ws.f64(x, n * d);
  const centers = ws.f64(buf.centers, k * d);
  const sums = ws.f64(buf.sums, k * d);
  const counts = ws.f64(buf.counts, k);
  const minDist = ws.f64(buf.minDist, n);
  const tol = 1e-4 * meanVariance(X, n, d);
  let labels = buf.labels;
  let previous = buf.previousLabels;
  ws.i32(previous, n).fill(-1);

  let settled = false;
  for (let pass = 0; pass < 300; pass++) {
    sums.fill(0);
    counts.fill(0);
    kern.kmeansStep(x, n, d, buf.centers, k, labels, buf.sums, buf.counts, buf.minDist, buf.work);
    const lab = ws.i32(labels, n);
    if (weights) weightedSums(X, lab, weights, sums, counts, n, d);
    relocateEmptyClusters(X, lab, minDist, sums, counts, n, d, k, weights);
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let j = 0; j < d; j++) {
        const v = sums[c * d + j] / counts[c];
        const delta = v - centers[c * d + j];
        shift += delta * delta;
        centers[c * d + j] = v;
      }
    }
    if (sameLabels(lab, ws.i32(previous, n))) {
      settled = true;
      break;
    }
    [labels, previous] = [previous, labels];
    if (shift <= tol) break;
  }
  if (!settled) {
    // The last pass moved the centers after assigning: assign once more so labels match centers.
    kern.kmeansStep(x, n, d, buf.centers, k, labels, buf.sums, buf.counts, buf.minDist, buf.work);
  }
  return ws.i32(labels, n);
}

function relocateEmptyClusters(
  X: Float64Array,
  labels: Int32Array,
  minDist: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  n: number,
  d: number,
  k: number,
  weights: Float64Array | null,
): void {
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    let far = -1;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      if (w > 0 && counts[labels[i]] > w && (far < 0 || minDist[i] > minDist[far])) far = i;
    }
    if (far < 0) continue;
    const old = labels[far];
    const w = weights ? weights[far] : 1;
    for (let j = 0; j < d; j++) {
      sums[old * d + j] -= w * X[far * d + j];
      sums[c * d + j] = w * X[far * d + j];
    }
    counts[old] -= w;
    counts[c] = w;
    labels[far] = c;
    minDist[far] = 0;
  }
}

/** Replaces the kernel's plain sums and counts by weighted ones (rows of weight 0 drop out). */
function weightedSums(
  X: Float64Array,
  labels: Int32Array,
  weights: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  n: number,
  d: number,
): void {
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (w === 0) continue;
    const c = labels[i];
    counts[c] += w;
    for (let j = 0; j < d; j++) sums[c * d + j] += w * X[i * d + j];
  }
}

function sameLabels(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function meanVariance(X: Float64Array, n: number, d: number): number {
  // Row by row (X is row-major): a column-by-column walk would stride through memory d times.
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const y = X[i * d + j] - mean[j];
      v[j] += y * y;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += v[j] / n;
  return total / d;
}
