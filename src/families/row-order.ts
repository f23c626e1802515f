// The order a fit stores compressed rows in (Bernoulli, multinomial): by their length, so that a
// kernel's per-row loops end after the same number of turns row after row.
import type { Handle } from '../backend/types.js';
import type { ComponentContext, PassArgs } from '../em/mixture.js';
import { rowOffset } from '../em/parallel.js';

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

/**
 * The stored order of a family's compressed rows, with the arrays it takes in the workspace: a
 * fit's rows sorted by length (`sortRowsByLength`), a scoring call's in X's order (its outputs
 * are per row). Allocates in the family's constructor and sorts the row positions there.
 */
export class RowOrder {
  /** `(n)` each row's place and the row of X at each place (0: X's order). */
  readonly rank: Handle;
  readonly order: Handle;
  /** `(n)` the sample weights in the stored order (0: X's order or no weights). */
  private readonly weights: Handle;

  /**
   * `starts (n + 1)` the rows' positions, i32 or f64 (`startsAreF64`), rewritten for the stored
   * order; `longest` bounds a row's length.
   */
  constructor(
    ctx: ComponentContext,
    starts: Handle,
    startsAreF64: boolean,
    longest: number,
    private readonly rows: string,
  ) {
    const { ws, n, sampleWeight } = ctx;
    const sort = !ctx.scoring;
    this.rank = sort ? ws.allocI32(n) : 0;
    this.order = sort ? ws.allocI32(n) : 0;
    this.weights = sort && sampleWeight ? ws.allocF64(n) : 0;
    if (!sort) return;
    const order = ws.i32(this.order, n);
    const positions = startsAreF64 ? ws.f64(starts, n + 1) : ws.i32(starts, n + 1);
    sortRowsByLength(positions, n, longest, ws.i32(this.rank, n), order);
    if (this.weights && sampleWeight) {
      const w = ws.f64(this.weights, n);
      for (let place = 0; place < n; place++) w[place] = sampleWeight[order[place]];
    }
  }

  get sorted(): boolean {
    return this.rank !== 0;
  }

  /** The compression's `rank` for a slice of X's rows from `first` (0 in X's order). */
  rankFrom(first: number): Handle {
    return this.rank ? this.rank + first * 4 : 0;
  }

  /**
   * An E-step pass's sample weights in the stored order. Sorted rows give no per-row outputs (a
   * guard: only scoring asks for them, and it keeps X's order).
   */
  passWeights(a: PassArgs): Handle {
    if (this.rank && (a.resp || a.lse))
      throw new Error(`emwasm: a fit's sorted ${this.rows} give no per-row outputs`);
    return this.weights && a.sampleWeight ? rowOffset(this.weights, a.first, 1) : a.sampleWeight;
  }

  /**
   * The first M-step's responsibilities and `order` for a slice of places from `a.first`: sorted,
   * the places read the rows of X there from the start of `resp` (`a.resp` points at the slice's
   * first row in X's order).
   */
  startArgs(a: PassArgs, k: number): [resp: Handle, order: Handle] {
    return this.order ? [rowOffset(a.resp, -a.first, k), this.order + a.first * 4] : [a.resp, 0];
  }
}
