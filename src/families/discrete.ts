// What the discrete mixture families (Bernoulli, categorical, multinomial; Poisson for its data
// check) share: the floored log of a probability, the smoothing option, the checks of probability
// tables and of count or code data.
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
