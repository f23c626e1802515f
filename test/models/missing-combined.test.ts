import { beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js';
import type { Backend } from '../../src/backend/types';
import { wasmBackend } from '../../src/backend/wasm';
import { runEM, type EMResult } from '../../src/em/loop';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import { ConstrainedMStep, type FixedParameters } from '../../src/mixture/constrained-mstep';
import { COVARIANCE_KINDS } from '../../src/mixture/covariance';
import { MixtureFit, type ComponentContext } from '../../src/em/mixture';
import { acquireTableWorkspaceSync } from '../../src/kernels/table';
import type { GaussianMixtureOptions } from '../../src/mixture/gaussian-mixture';
import { GaussianParts, type GaussianStart } from '../../src/mixture/gaussian-parts';
import { MissingEM } from '../../src/mixture/missing-em';
import type { GaussianParams } from '../../src/mixture/params';
import { logPrior, resolvePrior, type Prior, type PriorOptions } from '../../src/mixture/prior';
import type { Matrix } from '../../src/util/matrix';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { blobs, maxAbsDiff, maxRelDiff } from '../helpers/data';

beforeAll(async () => {
  await loadModule();
});

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const PARTS = ['weights', 'means', 'covariances'] as const;
const K = 3;
const D = 4;

/** A copy of X with each entry NaN with probability `rate`; every row keeps at least one entry. */
function removeAtRandom(X: Matrix, rate: number, seed: number): Matrix {
  const rng = new Random(seed);
  const { rows: n, cols: d } = X;
  const data = Float64Array.from(X.data);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (rng.uniform() < rate) data[i * d + j] = NaN;
    const keep = Math.floor(rng.uniform() * d);
    let observed = 0;
    for (let j = 0; j < d; j++) if (!Number.isNaN(data[i * d + j])) observed++;
    if (observed === 0) data[i * d + keep] = X.data[i * d + keep];
  }
  return { data, rows: n, cols: d };
}

/** The rows of X, row i repeated `weights[i]` times. */
function repeatRows(X: Matrix, weights: ArrayLike<number>): Matrix {
  const d = X.cols;
  const rows: number[] = [];
  for (let i = 0; i < X.rows; i++) for (let c = 0; c < weights[i]; c++) rows.push(i);
  const data = new Float64Array(rows.length * d);
  rows.forEach((i, r) => data.set(X.data.subarray(i * d, i * d + d), r * d));
  return { data, rows: rows.length, cols: d };
}

const complete = blobs(7, 300, D, K, 6).X;
const holey = removeAtRandom(complete, 0.2, 11);
const rng = new Random(5);
const integerWeights = Float64Array.from({ length: complete.rows }, () => Math.floor(rng.uniform() * 4));
const realWeights = Float64Array.from({ length: complete.rows }, () => 0.2 + 2 * rng.uniform());

/** The initialisation of a seeded k-means start on `X`, as user starting values. */
async function startOf(X: Matrix, covarianceType: CovarianceType) {
  const gm = await new GaussianMixture({
    nComponents: K,
    covarianceType,
    missing: 'marginalize',
    maxIter: 0,
    randomState: 3,
  }).fit(X);
  return { weightsInit: gm.weights, meansInit: gm.means, precisionsInit: gm.precisions };
}

/** The same start in the hooks' form (flat, with covariances). */
async function hookStart(
  X: Matrix,
  covarianceType: CovarianceType,
): Promise<GaussianStart & { weights: Float64Array }> {
  const gm = await new GaussianMixture({ nComponents: K, covarianceType, maxIter: 0, randomState: 3 }).fit(X);
  return {
    weights: gm.weights,
    means: gm.means,
    precisionsCholesky: gm.precisionsCholesky,
    covariances: gm.covariances,
  };
}

const prior: PriorOptions = {
  shrinkage: 0.5,
  mean: [0, 1, -1, 0.5],
  dof: 9,
  scale: [
    [3, 0.5, 0, 0],
    [0.5, 2, 0, 0],
    [0, 0, 2.5, 0.2],
    [0, 0, 0.2, 1],
  ],
};

/** `prior` in the form the covariance type takes (a number for spherical, `(D)` for diag). */
function priorFor(type: CovarianceType): PriorOptions {
  if (type === 'spherical') return { ...prior, scale: 2 };
  if (type === 'diag') return { ...prior, scale: [3, 2, 2.5, 1] };
  return prior;
}

/** One run of the missing-data hooks (`MissingEM`) or of the complete-data hooks (`GaussianParts` on the mixture engine). */
async function runHooks(
  path: 'missing' | 'plain',
  backend: Backend,
  X: Matrix,
  type: CovarianceType,
  start: GaussianStart & { weights?: Float64Array },
  options: { fixed?: FixedParameters; prior?: Prior | null; sampleWeight?: Float64Array | null },
): Promise<EMResult<GaussianParams>> {
  const ws = acquireTableWorkspaceSync({}, backend.name);
  try {
    const kind = COVARIANCE_KINDS[type];
    const fixed = { weights: false, means: false, covariances: false, ...options.fixed };
    const p = options.prior ?? null;
    const constrained =
      p || fixed.weights || fixed.means || fixed.covariances
        ? (ctx: ComponentContext) => new ConstrainedMStep(ctx.ws, K, X.cols, kind, 1e-6, fixed, p)
        : null;
    const w = options.sampleWeight ?? null;
    const fitOn = (data: Matrix, rowWeights: Float64Array | null) =>
      new MixtureFit({
        ws,
        ctx: { ws, n: data.rows, d: data.cols, k: K, X: data },
        components: (ctx) => new GaussianParts(ctx, { kind, regCovar: 1e-6, start, constrained }),
        initParams: 'kmeans',
        blocks: 1,
        rowWeights,
        respInit: null,
        weightsInit: start.weights ?? null,
        kmeans: true,
      });
    const em =
      path === 'missing'
        ? new MissingEM({
            ws,
            X,
            k: K,
            kind,
            regCovar: 1e-6,
            constrained: constrained && constrained({ ws, n: X.rows, d: X.cols, k: K, X }),
            sampleWeight: w,
            initializer: (first) => fitOn(first, first.sampleWeight),
          })
        : fitOn(X, w);
    return await runEM<GaussianParams>(em, {
      maxIter: 20,
      tol: 0,
      nInit: 1,
      warmStartBound: null,
      rng: new Random(1),
    });
  } finally {
    ws.release();
  }
}

function expectSameFit(a: EMResult<GaussianParams>, b: EMResult<GaussianParams>, tol: number): void {
  expect(maxRelDiff(a.lowerBounds, b.lowerBounds)).toBeLessThan(tol);
  expect(maxRelDiff(a.params.weights, b.params.weights)).toBeLessThan(tol);
  expect(maxRelDiff(a.params.means, b.params.means)).toBeLessThan(tol);
  expect(maxRelDiff(a.params.covariances, b.params.covariances)).toBeLessThan(tol);
}

function expectNonDecreasing(lb: number[]): void {
  for (let i = 1; i < lb.length; i++)
    expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-12 * Math.abs(lb[i]));
}

describe.each(TYPES)('missing values with sampleWeight, fixed and prior, %s covariance', (covarianceType) => {
  const combos: [string, GaussianMixtureOptions, boolean][] = [
    ['sampleWeight', {}, true],
    ['fixed weights and means', { fixed: { weights: true, means: true } }, false],
    ['fixed covariances', { fixed: { covariances: true } }, false],
    ["prior 'default'", { prior: 'default' }, false],
    [
      'a prior object, fixed weights and sampleWeight',
      { prior: priorFor(covarianceType), fixed: { weights: true } },
      true,
    ],
  ];

  it.each(combos)(
    'with no NaN, %s gives the same fit as without marginalize',
    async (_name, extra, weighted) => {
      const options = { nComponents: K, covarianceType, randomState: 2, tol: 0, maxIter: 15, ...extra };
      const fit = { sampleWeight: weighted ? realWeights : undefined };
      const plain = await new GaussianMixture(options).fit(complete, fit);
      const marg = await new GaussianMixture({ ...options, missing: 'marginalize' }).fit(complete, fit);
      expect(maxRelDiff(marg.lowerBounds, plain.lowerBounds)).toBeLessThan(1e-10);
      expect(maxRelDiff(marg.means, plain.means)).toBeLessThan(1e-10);
      expect(maxRelDiff(marg.covariances, plain.covariances)).toBeLessThan(1e-10);
    },
  );

  it.each([
    ['wasm', wasmBackend],
    ['js', jsBackend],
  ] as const)(
    'on data without NaN, the missing-data EM itself equals the complete-data EM with weights, fixed parameters and a prior (%s)',
    async (_name, backend) => {
      const start = await hookStart(complete, covarianceType);
      const resolved = resolvePrior(priorFor(covarianceType), complete, K, covarianceType);
      const cases = [
        { sampleWeight: realWeights },
        { sampleWeight: integerWeights, fixed: { means: true } },
        { fixed: { weights: true, covariances: true } },
        { prior: resolved },
        { prior: resolved, fixed: { weights: true }, sampleWeight: realWeights },
      ];
      for (const options of cases) {
        const a = await runHooks('missing', backend, complete, covarianceType, start, options);
        const b = await runHooks('plain', backend, complete, covarianceType, start, options);
        expectSameFit(a, b, 1e-10);
      }
      // A random start (k-means on the weighted rows) is the same too.
      const kmeansStart = {};
      const a = await runHooks('missing', backend, complete, covarianceType, kmeansStart, {
        sampleWeight: realWeights,
      });
      const b = await runHooks('plain', backend, complete, covarianceType, kmeansStart, {
        sampleWeight: realWeights,
      });
      expectSameFit(a, b, 1e-10);
    },
  );

  it('with NaN, integer weights equal repeated rows (also with a default prior and fixed weights)', async () => {
    const start = await startOf(holey, covarianceType);
    const repeated = repeatRows(holey, integerWeights);
    for (const extra of [{}, { prior: 'default' as const, fixed: { weights: true } }]) {
      const options = {
        nComponents: K,
        covarianceType,
        missing: 'marginalize' as const,
        tol: 0,
        maxIter: 25,
        ...start,
        ...extra,
      };
      const weighted = await new GaussianMixture(options).fit(holey, { sampleWeight: integerWeights });
      const plain = await new GaussianMixture(options).fit(repeated);
      expect(maxRelDiff(weighted.lowerBounds, plain.lowerBounds)).toBeLessThan(1e-12);
      expect(maxRelDiff(weighted.weights, plain.weights)).toBeLessThan(1e-12);
      expect(maxRelDiff(weighted.means, plain.means)).toBeLessThan(1e-12);
      expect(maxRelDiff(weighted.covariances, plain.covariances)).toBeLessThan(1e-11);
      expect(weighted.score(holey, { sampleWeight: integerWeights })).toBeCloseTo(plain.score(repeated), 12);
      expect(maxRelDiff(weighted.impute(holey), plain.impute(holey))).toBeLessThan(1e-11);
    }
  });

  it('with NaN, the bound never decreases with weights, fixed parameters or a prior', async () => {
    const cases: [GaussianMixtureOptions, Float64Array | undefined][] = [
      [{}, realWeights],
      [{ fixed: { means: true } }, realWeights],
      [{ fixed: { covariances: true } }, undefined],
      [{ fixed: { weights: true }, prior: 'default' }, undefined],
      [{ prior: priorFor(covarianceType) }, integerWeights],
    ];
    for (const [extra, sampleWeight] of cases) {
      const gm = await new GaussianMixture({
        nComponents: K,
        covarianceType,
        missing: 'marginalize',
        initParams: 'random_from_data',
        tol: 0,
        maxIter: 40,
        randomState: 2,
        ...extra,
      }).fit(holey, { sampleWeight });
      const lb = gm.lowerBounds;
      expect(lb.length).toBe(40);
      expectNonDecreasing(lb);
      expect(lb[lb.length - 1] - lb[0]).toBeGreaterThan(0.01);
    }
  });

  it.each(PARTS)(
    'with NaN, fixed %s keep their starting values bit for bit while the others move',
    async (part) => {
      const base = {
        nComponents: K,
        covarianceType,
        missing: 'marginalize' as const,
        randomState: 4,
        tol: 0,
      };
      const start = await new GaussianMixture({ ...base, maxIter: 0 }).fit(holey, {
        sampleWeight: realWeights,
      });
      const gm = await new GaussianMixture({ ...base, maxIter: 30, fixed: { [part]: true } }).fit(holey, {
        sampleWeight: realWeights,
      });
      expect(gm[part]).toEqual(start[part]);
      if (part === 'covariances') expect(gm.precisionsCholesky).toEqual(start.precisionsCholesky);
      for (const other of PARTS)
        if (other !== part) expect(maxAbsDiff(gm[other], start[other])).toBeGreaterThan(1e-6);
      expectNonDecreasing(gm.lowerBounds);
    },
  );

  it('with NaN, the MAP fit differs from the plain one and its bound is (log-likelihood + log-prior)/n, as without NaN', async () => {
    const start = await startOf(holey, covarianceType);
    const options = { nComponents: K, covarianceType, tol: 0, maxIter: 30, ...start };
    const p = priorFor(covarianceType);
    const plain = await new GaussianMixture({ ...options, missing: 'marginalize' }).fit(holey);
    const map = await new GaussianMixture({ ...options, missing: 'marginalize', prior: p }).fit(holey);
    expect(maxAbsDiff(map.means, plain.means)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(map.covariances, plain.covariances)).toBeGreaterThan(1e-3);
    // Every field given, so the resolved prior is the same whatever the data.
    const resolved = resolvePrior(p, complete, K, covarianceType);
    const check = async (
      X: Matrix,
      sampleWeight: Float64Array | undefined,
      missing: 'error' | 'marginalize',
    ) => {
      const gm = new GaussianMixture({ ...options, missing, prior: p, warmStart: true, maxIter: 1 });
      let expected = NaN;
      for (let step = 0; step < 4; step++) {
        await gm.fit(X, { sampleWeight });
        if (step > 0) expect(maxRelDiff([gm.lowerBound], [expected])).toBeLessThan(1e-12);
        const total = sampleWeight ? sampleWeight.reduce((a, b) => a + b, 0) : X.rows;
        const lp = logPrior(resolved, covarianceType, K, D, gm.means, gm.precisionsCholesky);
        // The log-prior moves the bound well beyond rounding.
        expect(Math.abs(lp / total)).toBeGreaterThan(1e-3);
        expected = gm.score(X, { sampleWeight }) + lp / total;
      }
    };
    await check(holey, realWeights, 'marginalize');
    await check(holey, undefined, 'marginalize');
    await check(complete, realWeights, 'error');
  });

  it('with NaN, the Wasm and JavaScript backends agree with weights, a fixed part and a prior', async () => {
    const options = {
      nComponents: K,
      covarianceType,
      missing: 'marginalize' as const,
      prior: 'default' as const,
      fixed: { means: true },
      randomState: 5,
      tol: 0,
      maxIter: 15,
    };
    const w = await new GaussianMixture(options).fit(holey, { sampleWeight: realWeights });
    const j = await new GaussianMixture({ ...options, backend: 'js' }).fit(holey, {
      sampleWeight: realWeights,
    });
    expect(maxRelDiff(w.lowerBounds, j.lowerBounds)).toBeLessThan(1e-11);
    expect(maxAbsDiff(w.covariances, j.covariances)).toBeLessThan(1e-9);
  });
});

describe('missing values with sampleWeight: zero weights', () => {
  // Far outliers, some with NaN, weight 0: they must not pull any component, seed or column mean.
  const outliers: Matrix = removeAtRandom(
    { data: Float64Array.from({ length: 20 * D }, (_, e) => 100 + e), rows: 20, cols: D },
    0.3,
    3,
  );
  const X: Matrix = {
    data: Float64Array.from([...holey.data, ...outliers.data]),
    rows: holey.rows + outliers.rows,
    cols: D,
  };
  const sampleWeight = Float64Array.from({ length: X.rows }, (_, i) => (i < holey.rows ? 1 : 0));

  it('drop their rows: the same fit as without them', async () => {
    const options = {
      nComponents: K,
      missing: 'marginalize' as const,
      nInit: 2,
      randomState: 0,
      tol: 0,
      maxIter: 30,
    };
    const weighted = await new GaussianMixture(options).fit(X, { sampleWeight });
    const subset = await new GaussianMixture(options).fit(holey);
    expect(maxRelDiff(weighted.lowerBounds, subset.lowerBounds)).toBeLessThan(1e-10);
    expect(maxRelDiff(weighted.means, subset.means)).toBeLessThan(1e-10);
    expect(maxRelDiff(weighted.covariances, subset.covariances)).toBeLessThan(1e-10);
  });

  it('drop their rows from the start, from complete rows or from mean-imputed data', async () => {
    // Every row of `imputed` has one NaN, so the start uses all rows with weighted column means.
    const imputed: Matrix = {
      data: Float64Array.from([...complete.data, ...Array.from({ length: 20 * D }, (_, e) => 100 + e)]),
      rows: X.rows,
      cols: D,
    };
    for (let i = 0; i < X.rows; i++) imputed.data[i * D + (i % D)] = NaN;
    const kept = (m: Matrix): Matrix => ({
      data: m.data.slice(0, holey.rows * D),
      rows: holey.rows,
      cols: D,
    });
    for (const data of [X, imputed]) {
      for (const initParams of ['kmeans', 'k-means++', 'random_from_data', 'random'] as const) {
        const options = {
          nComponents: K,
          missing: 'marginalize' as const,
          initParams,
          maxIter: 0,
          randomState: 1,
        };
        const gm = await new GaussianMixture(options).fit(data, { sampleWeight });
        for (const v of gm.means) expect(Math.abs(v)).toBeLessThan(20);
        // Random responsibilities are drawn for every row, so only the others start as on the kept rows alone.
        if (initParams === 'random') continue;
        const subset = await new GaussianMixture(options).fit(kept(data));
        expect(maxRelDiff(gm.means, subset.means)).toBeLessThan(1e-12);
        expect(maxRelDiff(gm.covariances, subset.covariances)).toBeLessThan(1e-12);
      }
    }
  });

  it('complete rows of weight 0 do not count towards the nComponents complete rows a start needs', async () => {
    // Two complete rows of positive weight (fewer than K), so the start is from mean-imputed data.
    const data = Float64Array.from(complete.data);
    for (let i = 0; i < complete.rows; i++) if (i >= 2) data[i * D + (i % D)] = NaN;
    const extra = Array.from({ length: 5 * D }, (_, e) => 100 + e);
    const X: Matrix = { data: Float64Array.from([...data, ...extra]), rows: complete.rows + 5, cols: D };
    const w = Float64Array.from({ length: X.rows }, (_, i) => (i < complete.rows ? 1 : 0));
    const options = { nComponents: K, missing: 'marginalize' as const, randomState: 1, tol: 0, maxIter: 10 };
    const gm = await new GaussianMixture(options).fit(X, { sampleWeight: w });
    const subset = await new GaussianMixture(options).fit({ data, rows: complete.rows, cols: D });
    expect(maxRelDiff(gm.lowerBounds, subset.lowerBounds)).toBeLessThan(1e-12);
    expect(maxRelDiff(gm.means, subset.means)).toBeLessThan(1e-12);
  });
});

describe('the default prior with NaN', () => {
  it('takes the mean and variances from the observed entries, and keeps fields the user gave', () => {
    const a = resolvePrior('default', holey, K, 'full', null);
    const fac = Math.pow(1 / K, 2 / D);
    for (let j = 0; j < D; j++) {
      const values: number[] = [];
      for (let i = 0; i < holey.rows; i++) {
        const v = holey.data[i * D + j];
        if (!Number.isNaN(v)) values.push(v);
      }
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
      expect(Math.abs(a.mean[j] - mean)).toBeLessThan(1e-12);
      expect(maxRelDiff([a.scale[j * D + j]], [fac * variance])).toBeLessThan(1e-12);
    }
    const given = resolvePrior({ mean: [1, 2, 3, 4] }, holey, K, 'diag', null);
    expect([...given.mean]).toEqual([1, 2, 3, 4]);
    expect(given.scale.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
  });

  it('a column with nothing observed needs the prior mean and scale given', async () => {
    const X = Float64Array.from(holey.data);
    for (let i = 0; i < holey.rows; i++) {
      X[i * D + 2] = NaN;
      // Keep a value in every row, so the only problem is the empty column.
      X[i * D] = complete.data[i * D];
    }
    const data = { data: X, rows: holey.rows, cols: D };
    await expect(
      new GaussianMixture({ nComponents: K, missing: 'marginalize', prior: 'default' }).fit(data),
    ).rejects.toThrow(
      /X\[·\]\[2\] has no observed value, so the default prior is undefined: give prior\.mean and prior\.scale/,
    );
  });
});
