// What the discrete mixture families (Bernoulli, categorical, multinomial; Poisson for its data
// check) share: the floored log of a probability, the smoothing option, the checks of probability
// tables and of count or code data, and the order their compressed rows are stored in.
import type { OptionRule } from '../em/options.js';
import { show } from '../util/errors.js';
import { toArray, type Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';

/** log of the smallest positive double: the log a probability of exactly 0 enters the kernels with. */
export const LOG_TINY = Math.log(Number.MIN_VALUE);

/**
 * `log p`, with `log 0` taken as log(5e-324) ≈ −744.4: a value of probability 0 then costs about
 * −744.4 per occurrence instead of −∞ (which would make 0·log 0 a NaN in a dot product).
 */
export function floorLog(p: number): number {
  return p > 0 ? Math.log(p) : LOG_TINY;
}

/**
 * The smoothing option: α ≥ 0 pseudo-counts added to every cell of a probability table (the MAP
 * under a symmetric Beta/Dirichlet(α + 1) prior; scikit-learn's naive Bayes `alpha`). 0 is maximum
 * likelihood.
 */
export const ALPHA_OPTION: OptionRule = { type: 'number', min: 0, default: 1 };

/**
 * The row width W of a `(K × W)` table given nested or flat, for a start given before the data are
 * seen (`toArray` then checks the whole shape).
 */
export function tableWidth(value: unknown, k: number): number {
  if (Array.isArray(value) && Array.isArray(value[0])) return Math.max(1, value[0].length);
  const length = ArrayBuffer.isView(value) || Array.isArray(value) ? (value as ArrayLike<number>).length : 0;
  return Math.max(1, Math.floor(length / k));
}

/**
 * A `(K × W)` table of probabilities, nested or flat, checked: every entry in [0, 1] and, when
 * `blocks` is given, each row's consecutive blocks of `blocks[j]` entries summing to 1 (to 1e-8).
 */
export function probabilityTable(
  value: unknown,
  name: string,
  k: number,
  w: number,
  blocks: ArrayLike<number> | null,
): Float64Array {
  const p = toArray(value, name, [k, w]);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      const c = Math.floor(i / w);
      throw new RangeError(`${name}[${c}][${i - c * w}] must be a probability in [0, 1], got ${p[i]}`);
    }
  }
  if (blocks) {
    for (let c = 0; c < k; c++) {
      let at = 0;
      for (let j = 0; j < blocks.length; j++) {
        let sum = 0;
        for (let v = 0; v < blocks[j]; v++) sum += p[c * w + at + v];
        if (Math.abs(sum - 1) > 1e-8) {
          const what =
            blocks.length === 1
              ? `${name}[${c}]`
              : `${name}[${c}] for feature ${j} (entries ${at}…${at + blocks[j] - 1})`;
          throw new RangeError(`${what} must sum to 1, got a sum of ${sum}`);
        }
        at += blocks[j];
      }
    }
  }
  return p;
}

/** Draws an index in [0, m) with probabilities `p[offset … offset + m)`. */
export function drawCategory(rng: Random, p: ArrayLike<number>, offset: number, m: number): number {
  let u = rng.uniform();
  for (let v = 0; v < m - 1; v++) {
    u -= p[offset + v];
    if (u < 0) return v;
  }
  return m - 1;
}

/**
 * Checks that every value of X is a non-negative integer (NaN and ±∞ are not), naming the first one
 * that is not: `X[r][j] must be <what>, got <value>`. The data check of the count and code families.
 */
export function requireNonNegativeIntegers(X: Matrix, what: string): void {
  const { data, cols } = X;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0) || !Number.isInteger(v)) {
      const r = Math.floor(i / cols);
      throw new RangeError(`X[${r}][${i - r * cols}] must be ${what}, got ${show(v)}`);
    }
  }
}

/** The rows `sortRowsByLength` orders among themselves (at 50 columns, ~25 KB of compressed rows). */
export const ROW_SORT_WINDOW = 256;

/**
 * Orders compressed rows by their length (entries between `starts[i]` and `starts[i + 1]`, at most
 * `longest`) within each window of `ROW_SORT_WINDOW` rows, a stable counting sort: `rank[i]` gets
 * row i's place, `order[place]` the row there, and `starts (n + 1)` is rewritten for that order
 * (each window keeps its range of entries).
 *
 * Why: a kernel's loop over a row's entries then ends after the same number of turns row after
 * row, which the branch predictor follows. In X's order it mispredicts about two loop exits a row:
 * the one-thread E-step at 100000×50 (multinomial, 6–29 nonzeros a row) went 6.8 → 5.5 ms, and at
 * 100000×16 (Bernoulli, ~8 ones a row) 4.95 → 4.05 ms. The window keeps the scattered accesses
 * that the order costs (writing rows at their places, reading each place's responsibilities)
 * within a few cached KB: sorting all rows at once made the first M-step slower than the E-step
 * gained. Each window costs its rows plus its longest row.
 */
export function sortRowsByLength(
  starts: Int32Array | Float64Array,
  n: number,
  longest: number,
  rank: Int32Array,
  order: Int32Array,
): void {
  // first[m]: the window's rows shorter than m, so that its rows of length m take the window's
  // places first[m] … first[m + 1] − 1.
  const first = new Int32Array(longest + 2);
  const next = new Int32Array(longest + 1);
  for (let a = 0; a < n; a += ROW_SORT_WINDOW) {
    const b = Math.min(n, a + ROW_SORT_WINDOW);
    let most = 0;
    for (let i = a; i < b; i++) most = Math.max(most, starts[i + 1] - starts[i]);
    first.fill(0, 0, most + 2);
    for (let i = a; i < b; i++) first[starts[i + 1] - starts[i] + 1]++;
    for (let m = 1; m <= most + 1; m++) first[m] += first[m - 1];
    next.set(first.subarray(0, most + 1));
    for (let i = a; i < b; i++) {
      const place = a + next[starts[i + 1] - starts[i]]++;
      rank[i] = place;
      order[place] = i;
    }
    let e = starts[a];
    for (let m = 0; m <= most; m++) {
      for (let place = a + first[m]; place < a + first[m + 1]; place++, e += m) starts[place] = e;
    }
  }
}

/** `out[place] = values[order[place]]`: per-row values (sample weights) in the rows' stored order. */
export function inStoredOrder(values: Float64Array, order: Int32Array, out: Float64Array): void {
  for (let place = 0; place < out.length; place++) out[place] = values[order[place]];
}
