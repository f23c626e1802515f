import { describe, expect, it } from 'vitest';
import { BernoulliMixture } from '../../src/families/bernoulli/bernoulli-mixture';
import { CategoricalMixture } from '../../src/families/categorical/categorical-mixture';
import { CATEGORICAL_KERNELS, categoricalWorkLength } from '../../src/families/categorical/kernels';
import { MultinomialMixture } from '../../src/families/multinomial/multinomial-mixture';
import { Random } from '../../src/util/random';
import { maxScaledDiff, runKernel, type KernelArg } from '../helpers/kernel-table';

const BACKENDS = ['wasm', 'js'] as const;

function codeRows(n: number, categories: readonly number[], seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => categories.map((m) => rng.int(m)));
}

describe('categoricalEStep: Wasm == twin on odd shapes', () => {
  // Shapes on both sides of the kernel's 64-row blocks, odd K (4 components go in registers).
  for (const [n, categories, k] of [
    [37, [3, 1, 4, 2, 5], 5],
    [1, [2], 1],
    [23, [7, 3, 3], 3],
    [63, [2, 5], 4],
    [64, [3, 3, 3], 7],
    [65, [4], 1],
    [130, [2, 6, 3, 1], 9],
  ] as const) {
    for (const weighted of [false, true]) {
      it(`n=${n} m=[${categories.join(',')}] k=${k}${weighted ? ', sample weights' : ''}`, async () => {
        const d = categories.length;
        const rng = new Random(n * 100 + k);
        const x = Float64Array.from(codeRows(n, categories, n + k).flat());
        const offsets = new Int32Array(d);
        let total = 0;
        categories.forEach((m, j) => {
          offsets[j] = total;
          total += m;
        });
        const logProbsT = Float64Array.from({ length: total * k }, () => Math.log(0.05 + rng.uniform()));
        const logWeights = Float64Array.from({ length: k }, () => Math.log((1 + rng.uniform()) / (2 * k)));
        const sw = weighted
          ? Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : rng.uniform() * 3))
          : null;
        const args = (stats: boolean, outputs = true): KernelArg[] => [
          x,
          n,
          d,
          offsets,
          logProbsT,
          logWeights,
          k,
          stats ? new Float64Array(k) : null,
          stats ? new Float64Array(total * k) : null,
          outputs ? new Float64Array(n * k) : null,
          outputs ? new Float64Array(n) : null,
          sw,
          new Float64Array(categoricalWorkLength(k)),
        ];
        // With and without statistics; a fit's pass (statistics only: the bound from the block sums).
        for (const [stats, outputs] of [
          [true, true],
          [false, true],
          [true, false],
        ]) {
          const w = await runKernel(CATEGORICAL_KERNELS, 'categoricalEStep', 'wasm', args(stats, outputs));
          const t = await runKernel(CATEGORICAL_KERNELS, 'categoricalEStep', 'js', args(stats, outputs));
          expect(Math.abs(w.result - t.result)).toBeLessThan(1e-12 * Math.max(1, Math.abs(t.result)));
          for (const a of [7, 8, 9, 10]) {
            if (t.arrays[a])
              expect(maxScaledDiff(w.arrays[a] as Float64Array, t.arrays[a] as Float64Array)).toBeLessThan(
                1e-12,
              );
          }
        }
        const resp = Float64Array.from({ length: n * k }, () => rng.uniform());
        const accArgs = (): KernelArg[] => [
          x,
          n,
          d,
          offsets,
          resp,
          k,
          new Float64Array(k),
          new Float64Array(total * k),
        ];
        const wa = await runKernel(CATEGORICAL_KERNELS, 'categoricalAccumulate', 'wasm', accArgs());
        const ta = await runKernel(CATEGORICAL_KERNELS, 'categoricalAccumulate', 'js', accArgs());
        for (const a of [6, 7])
          expect(maxScaledDiff(wa.arrays[a] as Float64Array, ta.arrays[a] as Float64Array)).toBe(0);
      });
    }
  }

  it.each(BACKENDS)('%s: impossible rows of weight 0 add nothing (lse −∞, posteriors 0)', async (backend) => {
    const n = 67;
    const d = 2;
    const k = 5;
    const res = await runKernel(CATEGORICAL_KERNELS, 'categoricalEStep', backend, [
      Float64Array.from({ length: n * d }, (_, i) => i % 2),
      n,
      d,
      Int32Array.from([0, 2]),
      new Float64Array(4 * k),
      new Float64Array(k).fill(-Infinity),
      k,
      new Float64Array(k),
      new Float64Array(4 * k),
      new Float64Array(n * k).fill(NaN),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(categoricalWorkLength(k)),
    ]);
    expect(res.result).toBe(0);
    expect(res.arrays[7]).toEqual(new Float64Array(k));
    expect(res.arrays[8]).toEqual(new Float64Array(4 * k));
    expect(res.arrays[9]).toEqual(new Float64Array(n * k));
    expect(res.arrays[10]).toEqual(new Float64Array(n).fill(-Infinity));
  });
});

describe.each(BACKENDS)('CategoricalMixture known answers (%s)', (backend) => {
  it('two categories per feature: the same fit as BernoulliMixture', async () => {
    const X = codeRows(83, [2, 2, 2, 2], 9);
    const labels = X.map((_, i) => i % 3);
    for (const alpha of [0, 1]) {
      const common = { nComponents: 3, alpha, respInit: labels, maxIter: 15, tol: 0, backend };
      const cat = await new CategoricalMixture(common).fit(X);
      const ber = await new BernoulliMixture(common).fit(X);
      expect(Array.from(cat.nCategories)).toEqual([2, 2, 2, 2]);
      const p = cat.probabilities;
      const ones = Array.from({ length: 12 }, (_, i) => p[Math.floor(i / 4) * 8 + (i % 4) * 2 + 1]);
      expect(maxScaledDiff(ones, ber.probabilities)).toBeLessThan(1e-12);
      expect(maxScaledDiff(cat.lowerBounds, ber.lowerBounds)).toBeLessThan(1e-12);
      expect(maxScaledDiff(cat.scoreSamples(X), ber.scoreSamples(X))).toBeLessThan(1e-12);
      expect(cat.nParameters()).toBe(ber.nParameters());
    }
  });

  it('one feature: the same fit as MultinomialMixture on one-hot rows', async () => {
    const X = codeRows(61, [5], 10);
    const oneHot = X.map(([v]) => Array.from({ length: 5 }, (_, j) => (j === v ? 1 : 0)));
    const labels = X.map((_, i) => i % 2);
    const common = { nComponents: 2, alpha: 0.5, respInit: labels, maxIter: 10, tol: 0, backend };
    const cat = await new CategoricalMixture(common).fit(X);
    const mult = await new MultinomialMixture(common).fit(oneHot);
    expect(maxScaledDiff(cat.probabilities, mult.probabilities)).toBeLessThan(1e-12);
    expect(maxScaledDiff(cat.lowerBounds, mult.lowerBounds)).toBeLessThan(1e-12);
  });

  it('K = 1: smoothed frequencies per feature; the bound is the mean log-likelihood plus the log-prior', async () => {
    const categories = [3, 2, 4];
    const X = codeRows(40, categories, 11);
    const n = X.length;
    for (const alpha of [0, 1, 2]) {
      const m = await new CategoricalMixture({
        alpha,
        nCategories: [3, 2, 5],
        backend,
        maxIter: 3,
        tol: 0,
      }).fit(X);
      const m5 = [3, 2, 5];
      const tables = m5.map((mj, j) =>
        Array.from({ length: mj }, (_, v) => (X.filter((r) => r[j] === v).length + alpha) / (n + mj * alpha)),
      );
      expect(maxScaledDiff(m.probabilities, tables.flat())).toBeLessThan(1e-14);
      expect(maxScaledDiff(m.featureProbabilities(2), tables[2])).toBe(0);
      let ll = 0;
      for (const r of X) r.forEach((v, j) => (ll += Math.log(tables[j][v])));
      let prior = 0;
      for (const t of tables) for (const q of t) prior += q > 0 ? alpha * Math.log(q) : 0;
      expect(m.lowerBound).toBeCloseTo((ll + prior) / n, 12);
      expect(m.score(X)).toBeCloseTo(ll / n, 12);
      expect(m.nParameters()).toBe(2 + 1 + 4);
    }
  });

  it('two rows, two components: one EM step by hand', async () => {
    // Start θ_1 = (.6, .2, .2), θ_2 = (.2, .2, .6), equal weights. Row 0: r = (.75, .25), log p = log .4;
    // row 2 mirrors it. The M-step gives θ_1 = (.75, 0, .25), θ_2 = (.25, 0, .75).
    const m = new CategoricalMixture({
      nComponents: 2,
      alpha: 0,
      nCategories: 3,
      probabilitiesInit: [
        [0.6, 0.2, 0.2],
        [0.2, 0.2, 0.6],
      ],
      weightsInit: [0.5, 0.5],
      maxIter: 1,
      tol: 0,
      backend,
    });
    await m.fit([[0], [2]]);
    expect(m.lowerBounds[0]).toBeCloseTo(Math.log(0.4), 14);
    expect(maxScaledDiff(m.probabilities, [0.75, 0, 0.25, 0.25, 0, 0.75])).toBeLessThan(1e-15);
    expect(m.scoreSamples([[1]])[0]).toBeLessThan(-744);
  });

  it('sample draws codes in range with the tables’ frequencies', () => {
    const m = new CategoricalMixture({
      nComponents: 1,
      nCategories: [3, 2],
      probabilitiesInit: [[0.2, 0.5, 0.3, 0.9, 0.1]],
      weightsInit: [1],
      maxIter: 0,
      randomState: 1,
      backend,
    });
    const { X } = m.sample(3000);
    const freq = [0, 0, 0];
    for (let i = 0; i < 3000; i++) freq[X[i * 2]]++;
    expect(freq[1] / 3000).toBeCloseTo(0.5, 1);
    expect(X.every((v, i) => Number.isInteger(v) && v >= 0 && v < (i % 2 === 0 ? 3 : 2))).toBe(true);
  });
});

describe('CategoricalMixture latent classes', () => {
  it('the default start (rows from the data) recovers well-separated classes', async () => {
    const rng = new Random(21);
    const X: number[][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 300; i++) {
      const c = i % 3;
      truth.push(c);
      X.push(Array.from({ length: 6 }, (_, j) => (rng.uniform() < 0.8 ? (c + j) % 4 : rng.int(4))));
    }
    const m = await new CategoricalMixture({ nComponents: 3, nInit: 3, randomState: 0 }).fit(X);
    expect((m.toJSON().options as { initParams: string }).initParams).toBe('random_from_data');
    const found = m.predict(X);
    let agree = 0;
    for (let c = 0; c < 3; c++) {
      const tally = [0, 0, 0];
      found.forEach((f, i) => f === c && tally[truth[i]]++);
      agree += Math.max(...tally);
    }
    expect(agree / X.length).toBeGreaterThan(0.95);
  });
});

describe('CategoricalMixture categories and bad input', () => {
  it('infers nCategories from the data; JSON keeps them; codes are checked against the fitted model', async () => {
    const X = [
      [0, 3],
      [2, 0],
      [1, 1],
    ];
    const m = await new CategoricalMixture({ maxIter: 2 }).fit(X);
    expect(Array.from(m.nCategories)).toEqual([3, 4]);
    expect(Array.from(CategoricalMixture.fromJSON(JSON.stringify(m)).nCategories)).toEqual([3, 4]);
    expect(() => m.predict([[3, 0]])).toThrow(
      /X\[0\]\[0\] = 3 is not a category of feature 0, which has 3 \(codes 0 … 2\) in this fitted model/,
    );
    const warm = new CategoricalMixture({ maxIter: 2, warmStart: true });
    await warm.fit(X);
    await expect(warm.fit([[0, 4]])).rejects.toThrow(
      /X\[0\]\[1\] = 4 is not a category of feature 1.*warmStart/,
    );
  });

  it('names the parameter, what is expected and the value given', async () => {
    await expect(new CategoricalMixture().fit([[0, 1.5]])).rejects.toThrow(
      /X\[0\]\[1\] must be a category code \(an integer >= 0\) for a CategoricalMixture, got 1.5/,
    );
    await expect(new CategoricalMixture().fit([[-1, 0]])).rejects.toThrow(
      /X\[0\]\[0\] must be a category code.*got -1/,
    );
    // A typed X is scanned once by the code check; a non-finite value is still the one named first.
    const typed = (...v: number[]) => ({ data: Float64Array.from(v), rows: 1, cols: v.length });
    await expect(new CategoricalMixture().fit(typed(-1, NaN))).rejects.toThrow(
      /X\[0\]\[1\] must be a finite number, got NaN/,
    );
    await expect(new CategoricalMixture().fit(typed(0.5, Infinity))).rejects.toThrow(
      /X\[0\]\[1\] must be a finite number, got Infinity/,
    );
    await expect(new CategoricalMixture().fit([[0, 5000]])).rejects.toThrow(
      /X\[0\]\[1\] = 5000 is not taken as a category code: inferred categories stop at 1024.*pass nCategories/,
    );
    expect(
      (await new CategoricalMixture({ nCategories: 6000, maxIter: 1 }).fit([[0, 5000]])).nCategories[1],
    ).toBe(6000);
    await expect(new CategoricalMixture({ nCategories: [2, 3] }).fit([[0, 3]])).rejects.toThrow(
      /X\[0\]\[1\] = 3 is not a category of feature 1, which has 3 \(codes 0 … 2\) in nCategories/,
    );
    await expect(new CategoricalMixture({ nCategories: [2, 3, 4] }).fit([[0, 1]])).rejects.toThrow(
      /nCategories has 3 entries, but X has 2 features/,
    );
    expect(() => new CategoricalMixture({ nCategories: 0 })).toThrow(
      /nCategories must be an integer in \[1, 1048576\]/,
    );
    expect(() => new CategoricalMixture({ nCategories: [2, 0] })).toThrow(
      /nCategories\[1\] must be an integer in \[1, 1048576\], got 0/,
    );
    expect(() => new CategoricalMixture({ alpha: -1 })).toThrow(/alpha must be a finite number >= 0, got -1/);
    expect(() => new CategoricalMixture({ probabilitiesInit: [[0.5, 0.5]] })).toThrow(
      /probabilitiesInit needs nCategories/,
    );
    expect(
      () => new CategoricalMixture({ nCategories: [2, 3], probabilitiesInit: [[0.5, 0.5, 0.2, 0.2, 0.2]] }),
    ).toThrow(/probabilitiesInit\[0\] for feature 1 \(entries 2…4\) must sum to 1, got a sum of 0.6/);
    expect(() => new CategoricalMixture({ nCategories: 2, probabilitiesInit: [[0.5, 0.5, 1]] })).toThrow(
      /probabilitiesInit rows hold 3 values, not a multiple of nCategories=2/,
    );
    const m = await new CategoricalMixture({ maxIter: 1 }).fit([[0], [1]]);
    expect(() => m.featureProbabilities(1)).toThrow(/j must be a feature index in \[0, 1\), got 1/);
  });
});
