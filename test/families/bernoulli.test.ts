import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BernoulliMixture } from '../../src/families/bernoulli/bernoulli-mixture';
import { BERNOULLI_KERNELS, bernoulliWorkLength } from '../../src/families/bernoulli/kernels';
import { LOG_TINY } from '../../src/families/discrete';
import { selectModel } from '../../src/select/index';
import { Random } from '../../src/util/random';
import { maxScaledDiff, runKernel, type KernelArg } from '../helpers/kernel-table';
import { expectRowOrderFree } from '../helpers/row-order';

const BACKENDS = ['wasm', 'js'] as const;

function binaryRows(n: number, d: number, seed: number, q = 0.4): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => (rng.uniform() < q ? 1 : 0)));
}

describe('bernoulliRowStarts and bernoulliCompress: Wasm == twin == the rows read off X', () => {
  // Rows of more than one 64-value chunk, odd widths (a row's tail value), rows with no ones.
  for (const [n, d] of [
    [1, 1],
    [9, 7],
    [65, 64],
    [21, 129],
    [33, 2],
  ] as const) {
    it(`n=${n} d=${d}`, async () => {
      const X = binaryRows(n, d, n * 7 + d).map((r, i) => (i % 4 === 1 ? r.map(() => 0) : r));
      const flat = Float64Array.from(X.flat());
      const total = flat.reduce((a, b) => a + b, 0);
      const positions = new Float64Array(n + 1);
      X.forEach((r, i) => (positions[i + 1] = positions[i] + r.reduce((a, b) => a + b, 0)));
      const expected = X.flatMap((r) => r.flatMap((v, j) => (v === 1 ? [j] : [])));
      for (const backend of BACKENDS) {
        const starts = (x: Float64Array) =>
          runKernel(BERNOULLI_KERNELS, 'bernoulliRowStarts', backend, [x, n, d, new Float64Array(n + 1)]);
        const counted = await starts(flat);
        expect(counted.result).toBe(total);
        expect(counted.arrays[3]).toEqual(positions);
        // A value other than 0 or 1, in the vector body or a row's odd tail: −1.
        for (const bad of [2, 0.5, -1, NaN, Infinity]) {
          for (const at of new Set([0, Math.floor((n * d) / 2), n * d - 1, d - 1])) {
            const x = Float64Array.from(flat);
            x[at] = bad;
            expect((await starts(x)).result).toBe(-1);
          }
        }
        expect((await starts(Float64Array.from(flat, (v) => (v === 0 ? -0 : v)))).result).toBe(total);

        const compressed = await runKernel(BERNOULLI_KERNELS, 'bernoulliCompress', backend, [
          flat,
          n,
          d,
          null,
          positions,
          new Int32Array(Math.max(1, total)),
        ]);
        expect(compressed.result).toBe(0);
        expect([...(compressed.arrays[5] as Int32Array).subarray(0, total)]).toEqual(expected);
        // Positions one short or one too many for a row: −1, nothing written past them.
        const full = X.findIndex((r) => r.includes(1));
        for (const shift of [-1, 1]) {
          const wrong = Float64Array.from(positions);
          for (let i = full + 1; i <= n; i++) wrong[i] += shift;
          const r = await runKernel(BERNOULLI_KERNELS, 'bernoulliCompress', backend, [
            flat,
            n,
            d,
            null,
            wrong,
            new Int32Array(total + 1).fill(-7),
          ]);
          expect(r.result).toBe(-1);
          expect([...(r.arrays[5] as Int32Array).subarray(wrong[full + 1])].every((v) => v === -7)).toBe(
            true,
          );
        }
        // A slice of rows compresses into its own positions, as the whole does.
        const half = Math.floor(n / 2);
        const slice = await runKernel(BERNOULLI_KERNELS, 'bernoulliCompress', backend, [
          Float64Array.from(X.slice(half).flat()),
          n - half,
          d,
          null,
          positions.subarray(half),
          new Int32Array(Math.max(1, total)),
        ]);
        expect(slice.result).toBe(0);
        expect([...(slice.arrays[5] as Int32Array).subarray(positions[half], total)]).toEqual(
          expected.slice(positions[half]),
        );
        // Rows stored in another order (`rank`: row i at place rank[i], here reversed, over
        // positions counted in that order): the ones the reversed rows give in order.
        const places = new Float64Array(n + 1);
        X.slice()
          .reverse()
          .forEach((r, p) => (places[p + 1] = places[p] + r.reduce((a, b) => a + b, 0)));
        const ranked = await runKernel(BERNOULLI_KERNELS, 'bernoulliCompress', backend, [
          flat,
          n,
          d,
          Int32Array.from({ length: n }, (_, i) => n - 1 - i),
          places,
          new Int32Array(Math.max(1, total)),
        ]);
        expect(ranked.result).toBe(0);
        expect([...(ranked.arrays[5] as Int32Array).subarray(0, total)]).toEqual(
          X.slice()
            .reverse()
            .flatMap((r) => r.flatMap((v, j) => (v === 1 ? [j] : []))),
        );
      }
    });
  }
});

describe('bernoulliEStep: Wasm == twin on odd shapes', () => {
  // Shapes on both sides of the kernel's 64-row blocks, odd K (4 components go in registers).
  for (const [n, d, k] of [
    [37, 7, 5],
    [1, 1, 1],
    [20, 64, 3],
    [63, 9, 4],
    [64, 5, 7],
    [65, 3, 1],
    [130, 11, 9],
  ] as const) {
    for (const weighted of [false, true]) {
      it(`n=${n} d=${d} k=${k}${weighted ? ', sample weights' : ''}`, async () => {
        const rng = new Random(n * 1000 + d * 10 + k);
        const X = binaryRows(n, d, n + d);
        const rowStart = new Float64Array(n + 1);
        const ones: number[] = [];
        X.forEach((r, i) => {
          rowStart[i] = ones.length;
          r.forEach((v, j) => v === 1 && ones.push(j));
        });
        rowStart[n] = ones.length;
        const p = Float64Array.from({ length: k * d }, () => 0.02 + 0.96 * rng.uniform());
        const logOddsT = new Float64Array(d * k);
        const logNeg = new Float64Array(k);
        for (let c = 0; c < k; c++) {
          for (let j = 0; j < d; j++) {
            const q = p[c * d + j];
            logOddsT[j * k + c] = Math.log(q) - Math.log(1 - q);
            logNeg[c] += Math.log(1 - q);
          }
        }
        const logWeights = Float64Array.from({ length: k }, () => Math.log((1 + rng.uniform()) / (2 * k)));
        const sw = weighted
          ? Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : rng.uniform() * 3))
          : null;
        const args = (stats: boolean, outputs = true): KernelArg[] => [
          rowStart,
          Int32Array.from(ones.length ? ones : [0]),
          n,
          logOddsT,
          logNeg,
          logWeights,
          k,
          stats ? new Float64Array(k) : null,
          stats ? new Float64Array(d * k) : null,
          outputs ? new Float64Array(n * k) : null,
          outputs ? new Float64Array(n) : null,
          sw,
          new Float64Array(bernoulliWorkLength(k)),
        ];
        // With and without statistics; a fit's pass (statistics only: the bound from the block sums).
        for (const [stats, outputs] of [
          [true, true],
          [false, true],
          [true, false],
        ]) {
          const w = await runKernel(BERNOULLI_KERNELS, 'bernoulliEStep', 'wasm', args(stats, outputs));
          const t = await runKernel(BERNOULLI_KERNELS, 'bernoulliEStep', 'js', args(stats, outputs));
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
          rowStart,
          Int32Array.from(ones.length ? ones : [0]),
          n,
          resp,
          null,
          k,
          new Float64Array(k),
          new Float64Array(d * k),
        ];
        const wa = await runKernel(BERNOULLI_KERNELS, 'bernoulliAccumulate', 'wasm', accArgs());
        const ta = await runKernel(BERNOULLI_KERNELS, 'bernoulliAccumulate', 'js', accArgs());
        for (const a of [6, 7])
          expect(maxScaledDiff(wa.arrays[a] as Float64Array, ta.arrays[a] as Float64Array)).toBe(0);
        // Row i's responsibilities at row order[i] of resp (here reversed): the same statistics as
        // the rows' own, reordered, responsibilities, to the bit.
        const order = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
        const reordered = accArgs();
        reordered[3] = Float64Array.from(
          { length: n * k },
          (_, at) => resp[order[Math.floor(at / k)] * k + (at % k)],
        );
        const expectedAcc = await runKernel(BERNOULLI_KERNELS, 'bernoulliAccumulate', 'js', reordered);
        for (const backend of BACKENDS) {
          const ordered = accArgs();
          ordered[4] = order;
          const r = await runKernel(BERNOULLI_KERNELS, 'bernoulliAccumulate', backend, ordered);
          for (const a of [6, 7]) expect(r.arrays[a]).toEqual(expectedAcc.arrays[a]);
        }
      });
    }
  }

  it.each(BACKENDS)('%s: impossible rows of weight 0 add nothing (lse −∞, posteriors 0)', async (backend) => {
    const n = 67;
    const d = 3;
    const k = 5;
    const rowStart = Float64Array.from({ length: n + 1 }, (_, i) => i);
    const ones = Int32Array.from({ length: n }, (_, i) => i % d);
    const res = await runKernel(BERNOULLI_KERNELS, 'bernoulliEStep', backend, [
      rowStart,
      ones,
      n,
      new Float64Array(d * k),
      new Float64Array(k),
      new Float64Array(k).fill(-Infinity),
      k,
      new Float64Array(k),
      new Float64Array(d * k),
      new Float64Array(n * k).fill(NaN),
      new Float64Array(n),
      new Float64Array(n),
      new Float64Array(bernoulliWorkLength(k)),
    ]);
    expect(res.result).toBe(0);
    expect(res.arrays[7]).toEqual(new Float64Array(k));
    expect(res.arrays[8]).toEqual(new Float64Array(d * k));
    expect(res.arrays[9]).toEqual(new Float64Array(n * k));
    expect(res.arrays[10]).toEqual(new Float64Array(n).fill(-Infinity));
  });
});

describe.each(BACKENDS)('BernoulliMixture known answers (%s)', (backend) => {
  it('K = 1: smoothed column means, and the bound is the mean log-likelihood plus the log-prior', async () => {
    const X = binaryRows(41, 5, 3);
    for (const alpha of [0, 1, 2.5]) {
      const m = await new BernoulliMixture({ alpha, backend, maxIter: 3, tol: 0 }).fit(X);
      const n = X.length;
      const p = Array.from(
        { length: 5 },
        (_, j) => (X.reduce((s, r) => s + r[j], 0) + alpha) / (n + 2 * alpha),
      );
      expect(maxScaledDiff(m.probabilities, p)).toBeLessThan(1e-14);
      let ll = 0;
      for (const r of X) for (let j = 0; j < 5; j++) ll += Math.log(r[j] ? p[j] : 1 - p[j]);
      let prior = 0;
      for (const q of p) prior += alpha * (Math.log(q) + Math.log(1 - q));
      expect(m.lowerBound).toBeCloseTo((ll + prior) / n, 12);
      expect(m.score(X)).toBeCloseTo(ll / n, 12);
      expect(m.bic(X)).toBeCloseTo(-2 * ll + 5 * Math.log(n), 9);
      expect(m.aic(X)).toBeCloseTo(-2 * ll + 2 * 5, 9);
    }
  });

  it('two rows, two components: one EM step by hand', async () => {
    // Start p = [[.9, .9], [.1, .1]], equal weights. Row (1,1): p(x|1) = .81, p(x|2) = .01, so
    // r = (81/82, 1/82) and log p(x) = log(.5·.82); row (0,0) mirrors it. The M-step gives
    // p_1 = 81/82, p_2 = 1/82 and weights 1/2.
    const m = new BernoulliMixture({
      nComponents: 2,
      alpha: 0,
      backend,
      probabilitiesInit: [
        [0.9, 0.9],
        [0.1, 0.1],
      ],
      weightsInit: [0.5, 0.5],
      maxIter: 1,
      tol: 0,
    });
    const X = [
      [1, 1],
      [0, 0],
    ];
    await m.fit(X);
    expect(m.lowerBounds[0]).toBeCloseTo(Math.log(0.41), 14);
    expect(maxScaledDiff(m.probabilities, [81 / 82, 81 / 82, 1 / 82, 1 / 82])).toBeLessThan(1e-14);
    expect(maxScaledDiff(m.weights, [0.5, 0.5])).toBeLessThan(1e-14);
    const q = 81 / 82;
    const expected = [
      (q * q) / (q * q + (1 - q) * (1 - q)),
      ((1 - q) * (1 - q)) / (q * q + (1 - q) * (1 - q)),
    ];
    expect(maxScaledDiff(m.predictProba(X), [...expected, ...expected.reverse()])).toBeLessThan(1e-14);
  });

  it('alpha 0: probabilities of exactly 0 and 1 give the documented finite log(5e-324) per impossible value', async () => {
    const X = [
      [1, 1],
      [1, 0],
      [0, 0],
    ];
    const m = await new BernoulliMixture({
      nComponents: 2,
      alpha: 0,
      respInit: [0, 0, 1],
      backend,
      maxIter: 4,
    }).fit(X);
    expect(maxScaledDiff(m.probabilities, [1, 0.5, 0, 0])).toBeLessThan(1e-300);
    expect(m.scoreSamples(X).every(Number.isFinite)).toBe(true);
    // Posteriors of an impossible component: exactly 0 in Wasm (its exp flushes), 5e-324 in the twin.
    expect(maxScaledDiff(m.predictProba(X), [1, 0, 1, 0, 0, 1])).toBeLessThan(1e-300);
    const fixed = new BernoulliMixture({
      alpha: 0,
      probabilitiesInit: [[1, 0]],
      weightsInit: [1],
      maxIter: 0,
      backend,
    });
    expect(fixed.scoreSamples([[0, 0]])[0]).toBe(LOG_TINY);
    expect(fixed.scoreSamples([[1, 1]])[0]).toBe(LOG_TINY);
    expect(fixed.scoreSamples([[1, 0]])[0]).toBe(0);
  });

  it('a fit does not depend on the rows’ order (it stores them by their number of ones): weighted, threaded, from respInit', async () => {
    // 1,000 rows (several sorting windows) of 1–30 ones, shuffled: parameters and bound trace
    // agree to 1e-10 with the fit of the rows in their first order.
    const rng = new Random(23);
    const d = 30;
    const X = Array.from({ length: 1000 }, (_, i) =>
      Array.from({ length: d }, (_, j) => (j <= i % d && rng.uniform() < 0.8 ? 1 : 0)),
    );
    await expectRowOrderFree(
      (o) => new BernoulliMixture(o),
      X,
      3,
      backend,
      (i, c) => 1 + ((i * 5 + c * 2) % 7),
      (i) => 0.5 + (i % 4),
    );
  });

  it('sample draws 0/1 rows whose frequencies follow the probabilities', () => {
    const m = new BernoulliMixture({
      nComponents: 2,
      probabilitiesInit: [
        [0.9, 0.2],
        [0.1, 0.7],
      ],
      weightsInit: [0.25, 0.75],
      maxIter: 0,
      randomState: 5,
      backend,
    });
    const { X, labels } = m.sample(4000);
    expect(X.every((v) => v === 0 || v === 1)).toBe(true);
    const ones = [
      [0, 0],
      [0, 0],
    ];
    const counts = [0, 0];
    labels.forEach((c, i) => {
      counts[c]++;
      ones[c][0] += X[i * 2];
      ones[c][1] += X[i * 2 + 1];
    });
    expect(counts[0] / 4000).toBeCloseTo(0.25, 1);
    expect(ones[0][0] / counts[0]).toBeCloseTo(0.9, 1);
    expect(ones[1][1] / counts[1]).toBeCloseTo(0.7, 1);
  });
});

describe('BernoulliMixture in selectModel', () => {
  it('BIC over K finds the three latent classes', async () => {
    const rng = new Random(31);
    const p = [
      [0.9, 0.9, 0.1, 0.1, 0.8, 0.2, 0.9, 0.1],
      [0.1, 0.2, 0.9, 0.9, 0.8, 0.1, 0.1, 0.9],
      [0.5, 0.9, 0.9, 0.1, 0.1, 0.9, 0.1, 0.1],
    ];
    const rows = Array.from({ length: 600 }, (_, i) => p[i % 3].map((q) => (rng.uniform() < q ? 1 : 0)));
    const X = { data: Float64Array.from(rows.flat()), rows: 600, cols: 8 };
    const { table, bestRow, best } = await selectModel(X, {
      family: 'BernoulliMixture',
      nComponents: [1, 2, 3, 4, 5],
      randomState: 0,
      nInit: 2,
    });
    expect(table.every((r) => r.family === 'BernoulliMixture')).toBe(true);
    expect(bestRow.nComponents).toBe(3);
    expect(table[2].nParameters).toBe(3 * 8 + 2);
    expect(best.bic(X)).toBeCloseTo(bestRow.score, 8);
  });
});

describe('BernoulliMixture bad input', () => {
  it('names the parameter, what is expected and the value given', async () => {
    await expect(new BernoulliMixture().fit([[0, 2]])).rejects.toThrow(
      /X\[0\]\[1\] must be 0 or 1 for a BernoulliMixture, got 2/,
    );
    await expect(new BernoulliMixture().fit([[0.5, 1]])).rejects.toThrow(
      /X\[0\]\[0\] must be 0 or 1.*got 0\.5/,
    );
    // The fit and the scoring calls check X in Wasm (and the JavaScript check names the entry), in
    // both backends; a non-finite value is still the one named first.
    for (const backend of BACKENDS) {
      const fitted = await new BernoulliMixture({ nComponents: 2, backend, randomState: 0 }).fit([
        [0, 1],
        [1, 1],
        [1, 0],
      ]);
      expect(() =>
        fitted.predictProba({ data: Float64Array.from([0, 1, 1, NaN]), rows: 2, cols: 2 }),
      ).toThrow(/X\[1\]\[1\] must be a finite number, got NaN/);
      expect(() => fitted.bic([[0, 3]])).toThrow(/X\[0\]\[1\] must be 0 or 1 for a BernoulliMixture, got 3/);
      for (const [bad, message] of [
        [0.5, /X\[4\]\[6\] must be 0 or 1 for a BernoulliMixture, got 0\.5/],
        [-Infinity, /X\[4\]\[6\] must be a finite number, got -Infinity/],
        [NaN, /X\[4\]\[6\] must be a finite number, got NaN/],
      ] as const) {
        const data = Float64Array.from({ length: 9 * 11 }, (_, i) => i % 2);
        data[4 * 11 + 6] = bad;
        data[5 * 11 + 1] = 3;
        await expect(
          new BernoulliMixture({ nComponents: 2, backend }).fit({ data, rows: 9, cols: 11 }),
        ).rejects.toThrow(message);
      }
    }
    expect(() => new BernoulliMixture({ alpha: -1 })).toThrow(/alpha must be a finite number >= 0, got -1/);
    expect(() => new BernoulliMixture({ alpha: Number.NaN })).toThrow(
      /alpha must be a finite number >= 0, got NaN/,
    );
    expect(
      () =>
        new BernoulliMixture({
          nComponents: 2,
          probabilitiesInit: [
            [0.5, 1.5, 0],
            [0, 0, 0],
          ],
        }),
    ).toThrow(/probabilitiesInit\[0\]\[1\] must be a probability in \[0, 1\], got 1.5/);
    await expect(
      new BernoulliMixture({
        nComponents: 2,
        probabilitiesInit: [
          [0.5, 0.5, 0.5],
          [0.5, 0.5, 0.5],
        ],
      }).fit([
        [0, 1],
        [1, 1],
      ]),
    ).rejects.toThrow(/probabilitiesInit must have shape \(2 × 2\)/);
    const m = await new BernoulliMixture({ maxIter: 2 }).fit([
      [0, 1],
      [1, 1],
    ]);
    expect(() => m.predict([[0, 1, 1]])).toThrow(
      /X has 3 features, but this BernoulliMixture was fitted with 2/,
    );
    expect(() => m.predict([[0, -1]])).toThrow(/X\[0\]\[1\] must be 0 or 1/);
    const saved = m.toJSON();
    const bad = { ...saved, params: { ...saved.params, probabilities: [0.5, 2] } };
    expect(() => BernoulliMixture.fromJSON(bad)).toThrow(
      /probabilities\[0\]\[1\] must be a probability in \[0, 1\], got 2/,
    );
  });
});

describe('BernoulliMixture on binarized 8x8 digits (real use)', () => {
  const rows = readFileSync('test/fixtures/discrete/digits-binary.csv', 'utf8')
    .trim()
    .split('\n')
    .map((r) => r.split(',').map(Number));
  const X = rows.map((r) => r.slice(0, 64));
  const labels = rows.map((r) => r[64]);

  it('ten components recover most digit classes (purity > 0.7), and BIC prefers 10 components to 2', async () => {
    const m = await new BernoulliMixture({ nComponents: 10, nInit: 3, randomState: 0 }).fit(X);
    const found = m.predict(X);
    let agree = 0;
    for (let c = 0; c < 10; c++) {
      const tally = new Array(10).fill(0);
      found.forEach((f, i) => f === c && tally[labels[i]]++);
      agree += Math.max(...tally);
    }
    expect(agree / X.length).toBeGreaterThan(0.7);
    expect(m.probabilities.every((p) => p > 0 && p < 1)).toBe(true);
    const two = await new BernoulliMixture({ nComponents: 2, randomState: 0 }).fit(X);
    expect(m.bic(X)).toBeLessThan(two.bic(X));
  });
});
