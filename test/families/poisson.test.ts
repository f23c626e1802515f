import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PoissonMixture } from '../../src/families/poisson/poisson-mixture';
import { POISSON_KERNELS, poissonWorkLength } from '../../src/families/poisson/kernels';
import { Random } from '../../src/util/random';
import { logFactorial, poisson } from '../../src/util/special';
import { maxScaledDiff, runKernel } from '../helpers/kernel-table';

const BACKENDS = ['wasm', 'js'] as const;

interface FlexmixCase {
  X: number[][];
  resp: number[][];
  k: number;
  iters: number[];
  llh: number[];
  rates: number[][];
  n: number;
}
const flexmix = JSON.parse(
  readFileSync(new URL('../fixtures/flexmix/poisson.json', import.meta.url), 'utf8'),
) as { flexmix: string; cases: Record<string, FlexmixCase> };

describe('poissonEStep: Wasm equals its TypeScript twin', () => {
  // Shapes on both sides of the kernel's 64-row blocks, odd K and D.
  it.each([
    [1, 1, 1],
    [7, 3, 2],
    [33, 5, 3],
    [63, 2, 5],
    [64, 5, 3],
    [65, 4, 1],
    [101, 8, 7],
    [130, 3, 3],
  ])('n=%i d=%i k=%i, with and without weights and outputs', async (n, d, k) => {
    const rng = new Random(n * 31 + d);
    const x = Float64Array.from({ length: n * d }, () => poisson(rng, 0.5 + 6 * rng.uniform()));
    const rates = Float64Array.from({ length: k * d }, () => 0.2 + 8 * rng.uniform());
    rates[0] = 0; // a zero rate enters as log(5e-324)
    const logRates = rates.map((r) => (r > 0 ? Math.log(r) : Math.log(Number.MIN_VALUE)));
    const rateSums = Float64Array.from({ length: k }, (_, c) =>
      rates.slice(c * d, c * d + d).reduce((a, b) => a + b, 0),
    );
    const w = Float64Array.from({ length: k }, () => 0.1 + rng.uniform());
    const logW = w.map((v) => Math.log(v / w.reduce((a, b) => a + b, 0)));
    if (k > 2) logW[1] = -Infinity; // a component of weight 0
    const rowConst = Float64Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += logFactorial(x[i * d + j]);
      return s;
    });
    // A fit's pass (no weights, no per-row output: the bound from the block sums), with weights,
    // and with every output.
    for (const [weighted, outputs] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const sw = weighted
        ? Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 3 * rng.uniform()))
        : null;
      const args = () => [
        x,
        n,
        d,
        logRates,
        rateSums,
        logW,
        k,
        new Float64Array(k),
        new Float64Array(k * d),
        outputs ? new Float64Array(n * k) : null,
        outputs ? new Float64Array(n) : null,
        sw,
        rowConst,
        new Float64Array(poissonWorkLength(k, d)),
      ];
      const a = await runKernel(POISSON_KERNELS, 'poissonEStep', 'wasm', args());
      const b = await runKernel(POISSON_KERNELS, 'poissonEStep', 'js', args());
      expect(Math.abs(a.result - b.result)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b.result)));
      for (const i of outputs ? [7, 8, 9, 10] : [7, 8]) {
        expect(maxScaledDiff(a.arrays[i] as Float64Array, b.arrays[i] as Float64Array)).toBeLessThan(1e-12);
      }
    }
    const resp = Float64Array.from({ length: n * k }, () => (rng.uniform() < 0.1 ? 0 : 2 * rng.uniform()));
    // Statistics that already hold something: the kernel adds to them.
    const nk0 = Float64Array.from({ length: k }, () => rng.uniform());
    const sumX0 = Float64Array.from({ length: k * d }, () => rng.uniform());
    const accArgs = () => [
      x,
      n,
      d,
      resp,
      k,
      nk0.slice(),
      sumX0.slice(),
      new Float64Array(poissonWorkLength(k, d)),
    ];
    const wa = await runKernel(POISSON_KERNELS, 'poissonAccumulate', 'wasm', accArgs());
    const ta = await runKernel(POISSON_KERNELS, 'poissonAccumulate', 'js', accArgs());
    for (const i of [5, 6]) {
      expect(maxScaledDiff(wa.arrays[i] as Float64Array, ta.arrays[i] as Float64Array)).toBeLessThan(1e-12);
    }
  });

  it.each(BACKENDS)('%s: impossible rows of weight 0 add nothing (lse −∞, posteriors 0)', async (backend) => {
    const n = 67;
    const d = 2;
    const k = 3;
    const x = Float64Array.from({ length: n * d }, (_, i) => i % 4);
    const res = await runKernel(POISSON_KERNELS, 'poissonEStep', backend, [
      x,
      n,
      d,
      new Float64Array(k * d),
      new Float64Array(k),
      new Float64Array(k).fill(-Infinity),
      k,
      new Float64Array(k),
      new Float64Array(k * d),
      new Float64Array(n * k).fill(NaN),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(poissonWorkLength(k, d)),
    ]);
    expect(res.result).toBe(0);
    expect(res.arrays[7]).toEqual(new Float64Array(k));
    expect(res.arrays[8]).toEqual(new Float64Array(k * d));
    expect(res.arrays[9]).toEqual(new Float64Array(n * k));
    expect(res.arrays[10]).toEqual(new Float64Array(n).fill(-Infinity));
  });
});

describe.each(BACKENDS)('PoissonMixture (%s)', (backend) => {
  it('K = 1 is the closed form: rates are the column means, the bound the mean log-likelihood', async () => {
    const X = [
      [0, 3],
      [2, 1],
      [4, 0],
      [1, 5],
    ];
    const pm = await new PoissonMixture({ backend }).fit(X);
    expect(pm.rates[0]).toBeCloseTo(7 / 4, 14);
    expect(pm.rates[1]).toBeCloseTo(9 / 4, 14);
    expect(pm.weights[0]).toBe(1);
    let ll = 0;
    for (const row of X) {
      for (let j = 0; j < 2; j++) {
        const lambda = j === 0 ? 7 / 4 : 9 / 4;
        ll += row[j] * Math.log(lambda) - lambda - logFactorial(row[j]);
      }
    }
    expect(pm.score(X)).toBeCloseTo(ll / 4, 13);
    // The bound of the last E-step is the log-likelihood of the fitted parameters (EM has converged).
    expect(pm.lowerBound).toBeCloseTo(ll / 4, 13);
    expect(pm.nParameters()).toBe(2);
    expect(pm.bic(X)).toBeCloseTo(-2 * ll + 2 * Math.log(4), 11);
  });

  it('a two-point known answer: the first M-step from a partition, then its log-likelihoods', async () => {
    const X = [
      [0, 0],
      [6, 2],
    ];
    const pm = await new PoissonMixture({ nComponents: 2, backend, respInit: [0, 1], maxIter: 0 }).fit(X);
    [0, 0, 6, 2].forEach((v, i) => expect(pm.rates[i]).toBeCloseTo(v, 13));
    expect(pm.weights[0]).toBeCloseTo(0.5, 15);
    expect(pm.predict(X)).toEqual(Int32Array.from([0, 1]));
    // Row 0 is certain under rates 0 and has probability e^−8 under (6, 2); row 1 has probability
    // ~0 under rates 0 (a positive count under a zero rate).
    const p1 = 6 * Math.log(6) - 6 - logFactorial(6) + 2 * Math.log(2) - 2 - logFactorial(2);
    const ll = pm.scoreSamples(X);
    expect(ll[0]).toBeCloseTo(Math.log(0.5 * (1 + Math.exp(-8))), 14);
    expect(ll[1]).toBeCloseTo(Math.log(0.5) + p1, 12);
  });

  for (const [name, c] of Object.entries(flexmix.cases)) {
    it(`equals flexmix ${flexmix.flexmix} FLXMCmvpois from the same partition: ${name}`, async () => {
      const last = c.iters[c.iters.length - 1];
      const trace = await new PoissonMixture({
        nComponents: c.k,
        backend,
        respInit: c.resp,
        tol: 0,
        maxIter: last,
      }).fit(c.X);
      c.iters.forEach((it, i) => {
        expect(Math.abs(trace.lowerBounds[it - 1] * c.n - c.llh[i])).toBeLessThan(1e-6);
      });
      // flexmix's parameters after t iterations are the M-step of iteration t; emwasm's fit ends
      // with one M-step more per iteration counted, so t − 1 iterations give the same parameters.
      const same = await new PoissonMixture({
        nComponents: c.k,
        backend,
        respInit: c.resp,
        tol: 0,
        maxIter: last - 1,
      }).fit(c.X);
      expect(maxScaledDiff(same.rates, Float64Array.from(c.rates.flat()))).toBeLessThan(1e-6);
    });
  }

  it('recovers well-separated components from the k-means start', async () => {
    const rng = new Random(5);
    const truth = [
      [2, 20, 1],
      [25, 3, 8],
    ];
    const X = Array.from({ length: 600 }, (_, i) => truth[i % 2].map((r) => poisson(rng, r)));
    const pm = await new PoissonMixture({ nComponents: 2, backend, randomState: 1 }).fit(X);
    const order = pm.rates[0] < pm.rates[3] ? [0, 1] : [1, 0];
    for (let c = 0; c < 2; c++) {
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(pm.rates[order[c] * 3 + j] - truth[c][j])).toBeLessThan(0.1 * truth[c][j] + 0.3);
      }
    }
    const { X: S, labels } = pm.sample(400, 3);
    expect(S.length).toBe(1200);
    expect(S.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(labels.length).toBe(400);
  });

  it('rejects data that are not non-negative integer counts, naming the entry', async () => {
    const pm = new PoissonMixture({ backend });
    await expect(
      pm.fit([
        [1, 2],
        [3, -1],
      ]),
    ).rejects.toThrow('X[1][1] must be a non-negative integer count for a PoissonMixture, got -1');
    await expect(pm.fit([[1, 2.5]])).rejects.toThrow('X[0][1] must be a non-negative integer count');
    await expect(pm.fit([[1, NaN]])).rejects.toThrow(/X\[0\]\[1\] must be a finite number/);
  });

  it('rejects bad starting values and too many components', async () => {
    expect(() => new PoissonMixture({ nComponents: 2, ratesInit: [[1, 2]], backend })).toThrow(
      'ratesInit must have shape (2 × 2), got shape (1 × 2): ratesInit has 1 entry, expected 2',
    );
    await expect(
      new PoissonMixture({ nComponents: 2, ratesInit: [1, 2, 3, 4], backend }).fit([[1], [2]]),
    ).rejects.toThrow('ratesInit must have shape (2 × 1) (2 values), got 4 values');
    expect(() => new PoissonMixture({ nComponents: 1, ratesInit: [[1, -2]], maxIter: 0 })).toThrow(
      'ratesInit must hold rates >= 0, got -2 at flat index 1',
    );
    await expect(new PoissonMixture({ nComponents: 3, backend }).fit([[1], [2]])).rejects.toThrow(
      'nComponents must be an integer in [1, nSamples=2], got 3',
    );
    await expect(
      new PoissonMixture({ nComponents: 2, backend, respInit: [0, 2] }).fit([[1], [2]]),
    ).rejects.toThrow('respInit[1] must be a label in [0, nComponents=2), got 2');
    await expect(
      new PoissonMixture({ nComponents: 2, backend, weightsInit: [0.5, 0.6] }).fit([[1], [2]]),
    ).rejects.toThrow('weightsInit must sum to 1, got a sum of 1.1');
    // A flat Float64Array start is checked in place: the same messages as for nested arrays.
    for (const [flat, message] of [
      [[1, 0, 0.5, NaN], 'respInit[3] must be a finite number, got NaN'],
      [[1, 0, 0.5, Infinity], 'respInit[3] must be a finite number, got Infinity'],
      [[1, 0, 1.5, -0.5], 'respInit[1][1] must be >= 0, got -0.5'],
      [[1, 0, 0.5, 0.25], 'respInit[1] must sum to 1, got a sum of 0.75'],
    ] as const) {
      await expect(
        new PoissonMixture({ nComponents: 2, backend, respInit: Float64Array.from(flat) }).fit([[1], [2]]),
      ).rejects.toThrow(message);
    }
  });

  it('a Float64Array respInit starts as the same values nested, and a weighted fit leaves it as it was', async () => {
    const X = Array.from({ length: 40 }, (_, i) => [i % 7, (i * 3) % 5]);
    const nested = X.map((_, i) => (i % 3 === 0 ? [0.8, 0.2] : [0.3, 0.7]));
    const flat = Float64Array.from(nested.flat());
    const sampleWeight = X.map((_, i) => 1 + (i % 4));
    const fit = (respInit: Float64Array | number[][]) =>
      new PoissonMixture({ nComponents: 2, backend, respInit, maxIter: 5, tol: 0 }).fit(X, { sampleWeight });
    const a = await fit(flat);
    const b = await fit(nested);
    expect(a.rates).toEqual(b.rates);
    expect(a.lowerBound).toBe(b.lowerBound);
    expect(flat).toEqual(Float64Array.from(nested.flat()));
  });

  it('fromJSON rejects invalid saved parameters', async () => {
    const pm = await new PoissonMixture({ nComponents: 2, backend, randomState: 0 }).fit([
      [1],
      [2],
      [9],
      [8],
    ]);
    const good = pm.toJSON();
    const bad = (edit: (o: any) => void) => {
      const o = JSON.parse(JSON.stringify(good));
      edit(o);
      return () => PoissonMixture.fromJSON(o);
    };
    expect(bad((o) => (o.params.weights = [0.7, 0.7]))).toThrow('weights must sum to 1');
    expect(bad((o) => (o.params.weights = [-0.5, 1.5]))).toThrow('weights[0] must be >= 0');
    expect(bad((o) => (o.params.rates = [1, -1]))).toThrow('rates must hold rates >= 0');
    expect(bad((o) => (o.fit.nIter = 'abc'))).toThrow('fit.nIter must be an integer >= 0, got "abc"');
    expect(bad((o) => (o.options.nComponents = 3))).toThrow(/shape \(3\)/);
    expect(bad((o) => (o.family = 'GaussianMixture'))).toThrow(
      /holds a "GaussianMixture", not a PoissonMixture/,
    );
  });
});
