// RegressionMixture: its kernel (Wasm == twin on odd shapes, a hand-checked row), known answers
// (K = 1 is least squares, ridge's closed form), recovery of crossing lines, the variance floor,
// the options that change the estimator, and bad input. The EM contract (bound, warm start, JSON,
// threads, worker, weights) is test/em/contract.test.ts; parity with R is regression-parity.test.ts.
import { describe, expect, it } from 'vitest';
import { REGRESSION_KERNELS, regressionWork } from '../../src/families/regression/kernels';
import { RegressionMixture } from '../../src/families/regression/regression-mixture';
import { Random } from '../../src/util/random';
import { maxScaledDiff, runKernel, type KernelArg } from '../helpers/kernel-table';

const BACKENDS = ['wasm', 'js'] as const;

/** Rows x ~ U(−2, 2)^d and y from component `i % truth.length` of `truth` ({coef: P, sd}). */
function makeData(
  seed: number,
  n: number,
  d: number,
  truth: { coef: number[]; sd: number }[],
  intercept = true,
): { X: number[][]; y: number[]; labels: number[] } {
  const rng = new Random(seed);
  const X: number[][] = [];
  const y: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % truth.length;
    const x = Array.from({ length: d }, () => 4 * rng.uniform() - 2);
    const t = truth[c];
    let mu = intercept ? t.coef[0] : 0;
    for (let j = 0; j < d; j++) mu += t.coef[j + (intercept ? 1 : 0)] * x[j];
    X.push(x);
    y.push(mu + t.sd * rng.normal());
    labels.push(c);
  }
  return { X, y, labels };
}

/** Solves the small dense system `A b = r` by Gaussian elimination with partial pivoting (the test's own solver). */
function solveDense(A: number[][], r: number[]): number[] {
  const p = r.length;
  const M = A.map((row, i) => [...row, r[i]]);
  for (let col = 0; col < p; col++) {
    let piv = col;
    for (let i = col + 1; i < p; i++) if (Math.abs(M[i][col]) > Math.abs(M[piv][col])) piv = i;
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let i = col + 1; i < p; i++) {
      const f = M[i][col] / M[col][col];
      for (let j = col; j <= p; j++) M[i][j] -= f * M[col][j];
    }
  }
  const b = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = M[i][p];
    for (let j = i + 1; j < p; j++) s -= M[i][j] * b[j];
    b[i] = s / M[i][i];
  }
  return b;
}

/** Weighted ridge regression's closed form: β = (ZᵀWZ + λI′)⁻¹ZᵀWy, and Σ w·(y − zβ)². */
function ridge(
  X: number[][],
  y: number[],
  w: number[] | null,
  lambda: number,
  intercept: boolean,
): { coef: number[]; rss: number; total: number } {
  const Z = X.map((x) => (intercept ? [1, ...x] : [...x]));
  const p = Z[0].length;
  const A = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const r = new Array<number>(p).fill(0);
  let total = 0;
  Z.forEach((z, i) => {
    const wi = w ? w[i] : 1;
    total += wi;
    for (let a = 0; a < p; a++) {
      r[a] += wi * z[a] * y[i];
      for (let b = 0; b < p; b++) A[a][b] += wi * z[a] * z[b];
    }
  });
  for (let a = intercept ? 1 : 0; a < p; a++) A[a][a] += lambda;
  const coef = solveDense(A, r);
  let rss = 0;
  Z.forEach((z, i) => {
    const e = y[i] - z.reduce((s, v, j) => s + v * coef[j], 0);
    rss += (w ? w[i] : 1) * e * e;
  });
  return { coef, rss, total };
}

describe('regressionEStep: Wasm equals its TypeScript twin', () => {
  const shapes = [
    { n: 1, d: 1, k: 1, intercept: 1, weighted: false },
    { n: 7, d: 3, k: 2, intercept: 1, weighted: true },
    { n: 13, d: 4, k: 3, intercept: 0, weighted: false },
    { n: 33, d: 5, k: 5, intercept: 1, weighted: true },
    { n: 9, d: 2, k: 4, intercept: 0, weighted: true },
    { n: 20, d: 8, k: 1, intercept: 1, weighted: false },
    // Across the kernels' blocks of 64 rows: a partial block, exactly one, one and one row, two and an even tail.
    { n: 63, d: 3, k: 3, intercept: 1, weighted: true },
    { n: 64, d: 2, k: 5, intercept: 0, weighted: false },
    { n: 65, d: 3, k: 3, intercept: 1, weighted: false },
    { n: 130, d: 1, k: 7, intercept: 1, weighted: true },
    { n: 201, d: 6, k: 2, intercept: 0, weighted: true },
  ];
  it.each(shapes)('n=$n d=$d k=$k intercept=$intercept weighted=$weighted', async (s) => {
    const rng = new Random(s.n * 31 + s.d * 7 + s.k);
    const p = s.d + s.intercept;
    const arr = (len: number, f: () => number) => Float64Array.from({ length: len }, f);
    const x = arr(s.n * s.d, () => 3 * rng.normal());
    const y = arr(s.n, () => 5 * rng.normal());
    const coef = arr(s.k * p, () => rng.normal());
    const variances = arr(s.k, () => 0.5 + 4 * rng.uniform());
    const logNorm = variances.map((v) => -0.5 * Math.log(2 * Math.PI * v));
    const halfPrec = variances.map((v) => 0.5 / v);
    const logWeights = arr(s.k, () => Math.log(1 / s.k));
    const sw = s.weighted ? arr(s.n, () => Math.floor(3 * rng.uniform())) : null;
    // A fit's pass wants statistics without resp and lse; scoring wants resp and lse only.
    const args = (stats: boolean, outputs: boolean): KernelArg[] => [
      x,
      s.n,
      s.d,
      y,
      s.intercept,
      coef,
      logNorm,
      halfPrec,
      logWeights,
      s.k,
      stats ? new Float64Array(s.k) : null,
      stats ? new Float64Array((s.k * p * (p + 1)) / 2) : null,
      stats ? new Float64Array(s.k * p) : null,
      stats ? new Float64Array(s.k) : null,
      outputs ? new Float64Array(s.n * s.k) : null,
      outputs ? new Float64Array(s.n) : null,
      sw,
      new Float64Array(regressionWork(s.k, p)),
    ];
    for (const [stats, outputs] of [
      [true, true],
      [false, true],
      [true, false],
    ]) {
      const wasm = await runKernel(REGRESSION_KERNELS, 'regressionEStep', 'wasm', args(stats, outputs));
      const twin = await runKernel(REGRESSION_KERNELS, 'regressionEStep', 'js', args(stats, outputs));
      expect(Math.abs(wasm.result - twin.result)).toBeLessThan(1e-12 * Math.max(1, Math.abs(twin.result)));
      for (const i of [10, 11, 12, 13, 14, 15]) {
        const [a, b] = [wasm.arrays[i], twin.arrays[i]];
        if (b === null) expect(a).toBeNull();
        else expect(maxScaledDiff(a as Float64Array, b)).toBeLessThan(1e-12);
      }
      if (stats) expect((twin.arrays[10] as Float64Array).some((v) => v > 0)).toBe(true);
    }
  });

  it.each(shapes)('regressionAccumulate: n=$n d=$d k=$k intercept=$intercept', async (s) => {
    const rng = new Random(s.n * 13 + s.d * 5 + s.k);
    const p = s.d + s.intercept;
    const arr = (len: number, f: () => number) => Float64Array.from({ length: len }, f);
    const resp = arr(s.n * s.k, () => (rng.uniform() < 0.2 ? 0 : rng.uniform()));
    const args: KernelArg[] = [
      arr(s.n * s.d, () => 3 * rng.normal()),
      s.n,
      s.d,
      arr(s.n, () => 5 * rng.normal()),
      s.intercept,
      arr(s.k * p, () => rng.normal()),
      s.k,
      resp,
      new Float64Array(s.k),
      new Float64Array((s.k * p * (p + 1)) / 2),
      new Float64Array(s.k * p),
      new Float64Array(s.k),
      new Float64Array(regressionWork(s.k, p)),
    ];
    const wasm = await runKernel(REGRESSION_KERNELS, 'regressionAccumulate', 'wasm', args);
    const twin = await runKernel(REGRESSION_KERNELS, 'regressionAccumulate', 'js', args);
    for (const i of [8, 9, 10, 11]) {
      expect(maxScaledDiff(wasm.arrays[i] as Float64Array, twin.arrays[i] as Float64Array)).toBeLessThan(
        1e-12,
      );
    }
    let total = 0;
    for (const r of resp) total += r;
    expect((twin.arrays[8] as Float64Array).reduce((a, b) => a + b, 0)).toBeCloseTo(total, 10);
    // Without nk and xtx (a second pass about a new shift): the same Σ r·e·z and Σ r·e².
    const partial = args.map((a, i) => (i === 8 || i === 9 ? null : a));
    for (const backend of BACKENDS) {
      const out = await runKernel(REGRESSION_KERNELS, 'regressionAccumulate', backend, partial);
      for (const i of [10, 11]) {
        expect(maxScaledDiff(out.arrays[i] as Float64Array, twin.arrays[i] as Float64Array)).toBeLessThan(
          1e-12,
        );
      }
    }
  });

  it('a row impossible under every component gets lse −∞, zero responsibilities and adds no statistics', async () => {
    // 70 rows (a block and a tail); row 66's y is so far off that (y − z·β)² overflows for every c.
    const n = 70;
    const rng = new Random(5);
    const x = Float64Array.from({ length: n * 2 }, () => rng.normal());
    const y = Float64Array.from({ length: n }, () => rng.normal());
    y[66] = 1e200;
    const args = (sw: Float64Array | null): KernelArg[] => [
      x,
      n,
      2,
      y,
      1,
      Float64Array.of(0, 1, -1, 0.5, 0.5, 0),
      Float64Array.of(-1, -1.5),
      Float64Array.of(0.5, 1),
      Float64Array.of(Math.log(0.3), Math.log(0.7)),
      2,
      new Float64Array(2),
      new Float64Array(12),
      new Float64Array(6),
      new Float64Array(2),
      new Float64Array(n * 2),
      new Float64Array(n),
      sw,
      new Float64Array(regressionWork(2, 3)),
    ];
    const sw = Float64Array.from({ length: n }, (_, i) => (i === 66 ? 0 : 1));
    for (const backend of BACKENDS) {
      const all = await runKernel(REGRESSION_KERNELS, 'regressionEStep', backend, args(null));
      expect(all.result).toBe(-Infinity);
      const skipped = await runKernel(REGRESSION_KERNELS, 'regressionEStep', backend, args(sw));
      expect(Number.isFinite(skipped.result)).toBe(true);
      for (const out of [all, skipped]) {
        expect((out.arrays[15] as Float64Array)[66]).toBe(-Infinity);
        expect([...(out.arrays[14] as Float64Array).subarray(132, 134)]).toEqual([0, 0]);
        for (const i of [10, 11, 12, 13])
          expect((out.arrays[i] as Float64Array).every(Number.isFinite)).toBe(true);
        expect(
          maxScaledDiff(out.arrays[12] as Float64Array, skipped.arrays[12] as Float64Array),
        ).toBeLessThan(1e-12);
      }
      expect((skipped.arrays[10] as Float64Array).reduce((a, b) => a + b, 0)).toBeCloseTo(n - 1, 10);
    }
  });

  it.each(BACKENDS)('one hand-checked row (%s)', async (backend) => {
    // y = 3, x = 2, β = (1, 0.5), σ² = 4: e = 1, log p = −½·log(8π) − 1/8.
    const { result, arrays } = await runKernel(REGRESSION_KERNELS, 'regressionEStep', backend, [
      Float64Array.of(2),
      1,
      1,
      Float64Array.of(3),
      1,
      Float64Array.of(1, 0.5),
      Float64Array.of(-0.5 * Math.log(8 * Math.PI)),
      Float64Array.of(1 / 8),
      Float64Array.of(0),
      1,
      new Float64Array(1),
      new Float64Array(3),
      new Float64Array(2),
      new Float64Array(1),
      new Float64Array(1),
      new Float64Array(1),
      null,
      new Float64Array(regressionWork(1, 2)),
    ]);
    expect(result).toBeCloseTo(-0.5 * Math.log(8 * Math.PI) - 1 / 8, 14);
    expect([...(arrays[10] as Float64Array)]).toEqual([1]);
    expect([...(arrays[11] as Float64Array)]).toEqual([1, 2, 4]); // zzᵀ's upper triangle, packed
    expect([...(arrays[12] as Float64Array)]).toEqual([1, 2]);
    expect([...(arrays[13] as Float64Array)]).toEqual([1]);
    expect([...(arrays[14] as Float64Array)]).toEqual([1]);
  });
});

describe.each(BACKENDS)('known answers (%s)', (backend) => {
  const { X, y } = makeData(3, 57, 2, [{ coef: [1, -2, 0.5], sd: 0.7 }]);
  const w = X.map((_, i) => [0.5, 1, 2.5, 0][i % 4]);

  it('K = 1 is ordinary least squares with σ² = RSS / n, and the bound its log-likelihood', async () => {
    const m = await new RegressionMixture({ backend, maxIter: 3 }).fit(X, y);
    const ols = ridge(X, y, null, 0, true);
    const variance = ols.rss / ols.total;
    expect(maxScaledDiff(m.coef, ols.coef)).toBeLessThan(1e-12);
    expect(m.variances[0]).toBeCloseTo(variance, 12);
    expect(m.weights[0]).toBe(1);
    expect(m.lowerBound).toBeCloseTo(-0.5 * (Math.log(2 * Math.PI * variance) + 1), 12);
    expect(m.logLikelihood(X, y)).toBeCloseTo(m.lowerBound * y.length, 10);
  });

  it('K = 1 with sampleWeight is weighted least squares (zero weights ignored); no intercept too', async () => {
    const m = await new RegressionMixture({ backend, maxIter: 2 }).fit(X, y, { sampleWeight: w });
    const wls = ridge(X, y, w, 0, true);
    expect(maxScaledDiff(m.coef, wls.coef)).toBeLessThan(1e-12);
    expect(m.variances[0]).toBeCloseTo(wls.rss / wls.total, 12);
    const n = await new RegressionMixture({ backend, maxIter: 2, fitIntercept: false }).fit(X, y);
    const through0 = ridge(X, y, null, 0, false);
    expect(n.coef.length).toBe(2);
    expect(maxScaledDiff(n.coef, through0.coef)).toBeLessThan(1e-12);
    expect(n.variances[0]).toBeCloseTo(through0.rss / through0.total, 12);
  });

  it('K = 1 ridge is the closed form, intercept unpenalised; σ² = (RSS + λ‖β′‖²) / Σw', async () => {
    const lambda = 7.5;
    const m = await new RegressionMixture({ backend, maxIter: 2, regCoef: lambda }).fit(X, y, {
      sampleWeight: w,
    });
    const r = ridge(X, y, w, lambda, true);
    expect(maxScaledDiff(m.coef, r.coef)).toBeLessThan(1e-12);
    const penalty = lambda * (r.coef[1] ** 2 + r.coef[2] ** 2);
    expect(m.variances[0]).toBeCloseTo((r.rss + penalty) / r.total, 12);
    // The bound is the penalised log-likelihood per unit weight.
    const ll = m.logLikelihood(X, y, { sampleWeight: w });
    expect(m.lowerBound).toBeCloseTo((ll - penalty / (2 * m.variances[0])) / r.total, 12);
  });

  it('dfCorrection scales the variance by N / (N − P) (flexmix); sharedVariance counts one variance', async () => {
    const m = await new RegressionMixture({ backend, maxIter: 2, dfCorrection: true }).fit(X, y);
    const ols = ridge(X, y, null, 0, true);
    expect(m.variances[0]).toBeCloseTo(ols.rss / (y.length - 3), 12);
    const two = makeData(4, 80, 2, [
      { coef: [0, 1, 1], sd: 0.3 },
      { coef: [2, -1, 0], sd: 1 },
    ]);
    const s = await new RegressionMixture({
      backend,
      nComponents: 2,
      sharedVariance: true,
      randomState: 1,
    }).fit(two.X, two.y);
    expect(s.variances[0]).toBe(s.variances[1]);
    expect(s.nParameters()).toBe(2 * 3 + 1 + 1);
    const v = await new RegressionMixture({ backend, nComponents: 2, randomState: 1 }).fit(two.X, two.y);
    expect(v.nParameters()).toBe(2 * 3 + 2 + 1);
    const n = await new RegressionMixture({
      backend,
      nComponents: 2,
      fitIntercept: false,
      randomState: 1,
    }).fit(two.X, two.y);
    expect(n.nParameters()).toBe(2 * 2 + 2 + 1);
    expect(v.bic(two.X, two.y)).toBeCloseTo(-2 * v.logLikelihood(two.X, two.y) + 9 * Math.log(80), 9);
    expect(v.aic(two.X, two.y)).toBeCloseTo(-2 * v.logLikelihood(two.X, two.y) + 18, 9);
    expect(v.score(two.X, two.y)).toBeCloseTo(v.logLikelihood(two.X, two.y) / 80, 12);
  });

  it('a complete start with maxIter 0 scores and predicts by hand', () => {
    const m = new RegressionMixture({
      backend,
      nComponents: 2,
      maxIter: 0,
      coefInit: [
        [1, 2],
        [-1, 0.5],
      ],
      variancesInit: [0.25, 4],
      weightsInit: [0.25, 0.75],
    });
    const x = [[2], [-1]];
    const yy = [4.5, 0];
    const dens = (yv: number, mu: number, v: number) =>
      Math.exp(-((yv - mu) ** 2) / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    const expected = x.map((r, i) =>
      Math.log(0.25 * dens(yy[i], 1 + 2 * r[0], 0.25) + 0.75 * dens(yy[i], -1 + 0.5 * r[0], 4)),
    );
    expect(maxScaledDiff(m.scoreSamples(x, yy), expected)).toBeLessThan(1e-14);
    expect(maxScaledDiff(m.predict(x), [0.25 * 5 + 0.75 * 0, 0.25 * -1 + 0.75 * -1.5])).toBeLessThan(1e-15);
    const p = m.predictProba(x, yy);
    const first = (0.25 * dens(4.5, 5, 0.25)) / (0.25 * dens(4.5, 5, 0.25) + 0.75 * dens(4.5, 0, 4));
    expect(p[0]).toBeCloseTo(first, 14);
    expect(p[0] + p[1]).toBeCloseTo(1, 15);
  });
});

describe.each(BACKENDS)('fits (%s)', (backend) => {
  const truth = [
    { coef: [1, 2], sd: 0.4 },
    { coef: [-0.5, -1.2], sd: 0.8 },
  ];
  const lines = makeData(5, 400, 1, truth);

  it('recovers two crossing lines from the default (random) start', async () => {
    const m = await new RegressionMixture({ backend, nComponents: 2, nInit: 3, randomState: 0 }).fit(
      lines.X,
      lines.y,
    );
    const coef = m.coef;
    const first = coef[1] > 0 ? 0 : 1; // the component with the rising line
    const order = [first, 1 - first];
    for (let c = 0; c < 2; c++) {
      const got = order[c];
      expect(Math.abs(coef[got * 2] - truth[c].coef[0])).toBeLessThan(0.15);
      expect(Math.abs(coef[got * 2 + 1] - truth[c].coef[1])).toBeLessThan(0.1);
      expect(Math.sqrt(m.variances[got])).toBeCloseTo(truth[c].sd, 0);
      expect(Math.abs(m.weights[got] - 0.5)).toBeLessThan(0.08);
    }
    const proba = m.predictProba(lines.X, lines.y);
    let agree = 0;
    lines.labels.forEach((c, i) => {
      if (proba[i * 2 + order[c]] > 0.5) agree++;
    });
    expect(agree / 400).toBeGreaterThan(0.85);
    // predict is the mixture's mean response.
    const pred = m.predict([[1]]);
    expect(pred[0]).toBeCloseTo(m.weights[0] * (coef[0] + coef[1]) + m.weights[1] * (coef[2] + coef[3]), 12);
  });

  it('the bound never decreases with ridge and a shared variance (step by step)', async () => {
    const m = new RegressionMixture({
      backend,
      nComponents: 2,
      regCoef: 3,
      sharedVariance: true,
      warmStart: true,
      maxIter: 1,
      randomState: 2,
    });
    const bounds: number[] = [];
    for (let s = 0; s < 30; s++) bounds.push((await m.fit(lines.X, lines.y)).lowerBound);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-12);
    expect(bounds[29]).toBeGreaterThan(bounds[0]);
  });

  it('is equivariant to the scale of y (the variance floor is relative)', async () => {
    const options = { backend, nComponents: 2, randomState: 3, tol: 0, maxIter: 20 };
    const a = await new RegressionMixture(options).fit(lines.X, lines.y);
    const b = await new RegressionMixture(options).fit(
      lines.X,
      lines.y.map((v) => v * 1000),
    );
    expect(
      maxScaledDiff(
        b.coef.map((v) => v / 1000),
        a.coef,
      ),
    ).toBeLessThan(1e-9);
    expect(
      maxScaledDiff(
        b.variances.map((v) => v / 1e6),
        a.variances,
      ),
    ).toBeLessThan(1e-9);
    expect(maxScaledDiff(b.weights, a.weights)).toBeLessThan(1e-9);
  });

  it('a component that fits its rows exactly stops at the variance floor; with no floor, a clear error', async () => {
    // 12 rows exactly on y = 2x + 1 among 60 noisy ones; start one component on that line.
    const { X, y } = makeData(6, 60, 1, [{ coef: [0, -1], sd: 1 }]);
    for (let i = 0; i < 12; i++) {
      X.push([i / 3 - 2]);
      y.push(2 * (i / 3 - 2) + 1);
    }
    const start = {
      coefInit: [
        [1, 2],
        [0, -1],
      ],
      variancesInit: [0.5, 1],
      weightsInit: [0.2, 0.8],
    };
    const m = await new RegressionMixture({ backend, nComponents: 2, ...start, maxIter: 200 }).fit(X, y);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const floor = (1e-6 * y.reduce((s, v) => s + (v - mean) ** 2, 0)) / y.length;
    expect(m.variances[0]).toBeCloseTo(floor, 15);
    expect(Number.isFinite(m.lowerBound)).toBe(true);
    const bounds = m.lowerBounds;
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-12);
    await expect(
      new RegressionMixture({ backend, nComponents: 2, ...start, regVariance: 0, maxIter: 200 }).fit(X, y),
    ).rejects.toThrow(/component 0 fits its rows exactly.*regVariance/);
  });

  it('sample draws y given X: reproducible, from the fitted lines', async () => {
    const m = await new RegressionMixture({ backend, nComponents: 2, randomState: 0, nInit: 2 }).fit(
      lines.X,
      lines.y,
    );
    const X = Array.from({ length: 4000 }, (_, i) => [(i % 40) / 10 - 2]);
    const a = m.sample(X, 9);
    expect(m.sample(X, 9).y).toEqual(a.y);
    expect(a.y.length).toBe(4000);
    const coef = m.coef;
    for (let c = 0; c < 2; c++) {
      let count = 0;
      let ss = 0;
      a.labels.forEach((l, i) => {
        if (l !== c) return;
        count++;
        ss += (a.y[i] - coef[c * 2] - coef[c * 2 + 1] * X[i][0]) ** 2;
      });
      expect(count / 4000).toBeCloseTo(m.weights[c], 1);
      expect(ss / count / m.variances[c]).toBeGreaterThan(0.9);
      expect(ss / count / m.variances[c]).toBeLessThan(1.1);
    }
  });

  it("initParams 'kmeans' clusters the rows of X (regimes that separate in x)", async () => {
    // Two regimes side by side in x: k-means on x alone finds them.
    const X = lines.X.map((r, i) => [r[0] + (lines.labels[i] === 0 ? 10 : -10)]);
    const m = await new RegressionMixture({
      backend,
      nComponents: 2,
      initParams: 'kmeans',
      randomState: 0,
    }).fit(X, lines.y);
    const slopes = [m.coef[1], m.coef[3]].sort((a, b) => a - b);
    expect(Math.abs(slopes[0] - -1.2)).toBeLessThan(0.1);
    expect(Math.abs(slopes[1] - 2)).toBeLessThan(0.1);
  });

  it('respInit as labels starts from that partition', async () => {
    const byLabel = await new RegressionMixture({
      backend,
      nComponents: 2,
      respInit: lines.labels,
      maxIter: 0,
    }).fit(lines.X, lines.y);
    const first = lines.labels.map((c, i) => [lines.X[i], lines.y[i], c] as const).filter((r) => r[2] === 0);
    const ols = ridge(
      first.map((r) => r[0]),
      first.map((r) => r[1]),
      null,
      0,
      true,
    );
    expect(maxScaledDiff(byLabel.coef.subarray(0, 2), ols.coef)).toBeLessThan(1e-12);
  });
});

describe('bad input', () => {
  const { X, y } = makeData(7, 30, 2, [{ coef: [0, 1, 1], sd: 1 }]);

  it('y must match X and be finite; X must be finite', async () => {
    const m = new RegressionMixture();
    await expect(m.fit(X, y.slice(1))).rejects.toThrow(/y must have one value per row of X \(30\), got 29/);
    await expect(
      m.fit(
        X,
        y.map((v, i) => (i === 4 ? NaN : v)),
      ),
    ).rejects.toThrow(/y\[4\] must be a finite number, got NaN/);
    await expect(m.fit(X, 'abc' as never)).rejects.toThrow(/y must be an array of 30 numbers/);
    await expect(
      m.fit(
        X.map((r, i) => (i === 2 ? [r[0], Infinity] : r)),
        y,
      ),
    ).rejects.toThrow(/X\[2\]\[1\] must be a finite number, got Infinity/);
    await expect(
      m.fit(
        X,
        y.map(() => 3),
      ),
    ).rejects.toThrow(/y must vary: every value is 3/);
    // Rows of weight 0 do not count: y varies only there.
    const yw = y.map((v, i) => (i % 2 ? v : 5));
    await expect(m.fit(X, yw, { sampleWeight: y.map((_, i) => (i % 2 ? 0 : 1)) })).rejects.toThrow(
      /y must vary: every value with weight is 5/,
    );
    await expect(m.fit(X, y, { sampleWeight: y.map(() => -1) })).rejects.toThrow(/sampleWeight\[0\]/);
  });

  it('more coefficients than rows needs regCoef > 0', async () => {
    const wide = X.slice(0, 4).map((r) => [...r, r[0] * 2 + 1, r[1] - r[0]]);
    await expect(new RegressionMixture().fit(wide, y.slice(0, 4))).rejects.toThrow(
      /needs at least P = 5 rows to determine P coefficients \(4 features \+ the intercept\), got 4; set regCoef > 0/,
    );
    const m = await new RegressionMixture({ regCoef: 0.1, maxIter: 3 }).fit(wide, y.slice(0, 4));
    expect(m.coef.every(Number.isFinite)).toBe(true);
  });

  it('collinear features: the singular component is named, with the fix', async () => {
    const twice = X.map((r) => [r[0], 2 * r[0]]);
    await expect(new RegressionMixture().fit(twice, y)).rejects.toThrow(
      /component 0's weighted least-squares system is singular at feature 1.*regCoef > 0/,
    );
    const m = await new RegressionMixture({ regCoef: 1e-3, maxIter: 3 }).fit(twice, y);
    expect(m.coef.every(Number.isFinite)).toBe(true);
  });

  it('starting values of the wrong shape or range name the parameter and the shape', async () => {
    await expect(
      new RegressionMixture({
        nComponents: 2,
        coefInit: [
          [1, 2],
          [3, 4],
        ],
      }).fit(X, y),
    ).rejects.toThrow(/coefInit must have shape \(2 × 3\).*P = 2 features \+ 1 for the intercept/);
    expect(() => new RegressionMixture({ nComponents: 2, coefInit: [1, 2] })).toThrow(
      /coefInit must have shape \(nComponents × P\) with P = nFeatures \+ 1 \(the intercept first\) >= 2, got 2 values/,
    );
    expect(() => new RegressionMixture({ nComponents: 2, variancesInit: [1, 0] })).toThrow(
      /variancesInit\[1\] must be a variance > 0, got 0/,
    );
    expect(() => new RegressionMixture({ nComponents: 2, variancesInit: [1] })).toThrow(
      /variancesInit must have shape \(2\)/,
    );
    expect(
      () => new RegressionMixture({ nComponents: 2, sharedVariance: true, variancesInit: [1, 2] }),
    ).toThrow(/one value for every component with sharedVariance, got 1 and 2/);
    await expect(new RegressionMixture({ nComponents: 2, respInit: [[1, 0]] }).fit(X, y)).rejects.toThrow(
      /respInit must have shape \(30 × 2\)/,
    );
    await expect(
      new RegressionMixture({ nComponents: 2, weightsInit: [0.5, 0.6] }).fit(X, y),
    ).rejects.toThrow(/weightsInit must sum to 1/);
  });

  it('options are checked; random_from_data is not offered (one row per component is singular)', () => {
    expect(() => new RegressionMixture({ regCoef: -1 })).toThrow(
      /regCoef must be a finite number >= 0, got -1/,
    );
    expect(() => new RegressionMixture({ regVariance: NaN })).toThrow(/regVariance must be a finite number/);
    expect(() => new RegressionMixture({ initParams: 'random_from_data' as never })).toThrow(
      /initParams must be one of 'random', 'kmeans', 'k-means\+\+'/,
    );
    expect(() => new RegressionMixture({ fitIntercpt: true } as never)).toThrow(
      /did you mean 'fitIntercept'/,
    );
  });

  it('scoring checks the model state and the shapes', async () => {
    const m = new RegressionMixture();
    expect(() => m.coef).toThrow(/not fitted yet/);
    expect(() => m.predict(X)).toThrow(/not fitted yet/);
    await m.fit(X, y);
    expect(() => m.predict([[1]])).toThrow(/X has 1 features, but this RegressionMixture was fitted with 2/);
    expect(() => m.scoreSamples(X, y.slice(2))).toThrow(/y must have one value per row of X \(30\), got 28/);
    expect(() => m.sample([[1, 2, 3]])).toThrow(/fitted with 2/);
    const json = m.toJSON();
    const bad = { ...json, params: { ...json.params, coef: [1, 2] } };
    expect(() => RegressionMixture.fromJSON(bad)).toThrow(/coef must have shape \(1 × 3\)/);
    const negative = { ...json, params: { ...json.params, variances: [-1] } };
    expect(() => RegressionMixture.fromJSON(negative)).toThrow(/variances\[0\] must be a variance > 0/);
  });
});
