import { expect } from 'vitest';
import { maxScaledDiff } from './kernel-table';

/** What `expectRowOrderFree` reads of a fitted mixture. */
interface OrderedFit {
  readonly probabilities: Float64Array;
  readonly weights: Float64Array;
  readonly lowerBounds: number[];
}

/**
 * Families that store their rows in another order than X's (`sortRowsByLength`): a fit of `X`'s
 * rows shuffled equals the fit in their first order (from the same `respInit`, 6 iterations),
 * weighted by `weight(i)` and not, on 1 thread and (Wasm) 2. `make(options)` builds the model with
 * the family's own options; `resp(i, c)` gives row i's unnormalised start for component c.
 */
export async function expectRowOrderFree(
  make: (options: Record<string, unknown>) => { fit(X: number[][], o: object): Promise<OrderedFit> },
  X: number[][],
  k: number,
  backend: 'wasm' | 'js',
  resp: (i: number, c: number) => number,
  weight: (i: number) => number,
): Promise<void> {
  const n = X.length;
  const start = Array.from({ length: n }, (_, i) => {
    const r = Array.from({ length: k }, (_, c) => resp(i, c));
    const t = r.reduce((a, b) => a + b, 0);
    return r.map((v) => v / t);
  });
  const shuffle = Array.from({ length: n }, (_, i) => (i * 389) % n);
  const fit = async (order: number[], threads: number, weighted: boolean) =>
    await make({
      nComponents: k,
      alpha: 0.5,
      respInit: Float64Array.from(order.flatMap((i) => start[i])),
      maxIter: 6,
      tol: 0,
      threads,
      backend,
    }).fit(
      order.map((i) => X[i]),
      weighted ? { sampleWeight: order.map((i) => weight(i)) } : {},
    );
  const identity = Array.from({ length: n }, (_, i) => i);
  for (const weighted of [false, true]) {
    const a = await fit(identity, 1, weighted);
    for (const threads of backend === 'wasm' ? [1, 2] : [1]) {
      const b = await fit(shuffle, threads, weighted);
      // Summed in another order and other slices, the fits differ by rounding (≤ 3e-12 seen),
      // which EM carries through its iterations; a lost order or weight differs by 1e-3 or more.
      expect(maxScaledDiff(b.probabilities, a.probabilities)).toBeLessThan(1e-10);
      expect(maxScaledDiff(b.weights, a.weights)).toBeLessThan(1e-10);
      b.lowerBounds.forEach((v, t) =>
        expect(Math.abs(v - a.lowerBounds[t])).toBeLessThan(1e-12 * Math.abs(v)),
      );
    }
  }
}
