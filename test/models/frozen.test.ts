import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import type { GaussianMixtureOptions } from '../../src/mixture/gaussian-mixture';
import { loadExample, maxAbsDiff, maxRelDiff } from '../helpers/data';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const iris = loadExample('iris');
const PARTS = ['weights', 'means', 'covariances'] as const;
type Part = (typeof PARTS)[number];

const snapshot = (gm: GaussianMixture): Record<Part | 'precisionsCholesky', Float64Array> => ({
  weights: gm.weights,
  means: gm.means,
  covariances: gm.covariances,
  precisionsCholesky: gm.precisionsCholesky,
});

describe.each(TYPES)('frozen parameters, %s covariance', (covarianceType) => {
  const base: GaussianMixtureOptions = {
    nComponents: 3,
    covarianceType,
    randomState: 4,
    tol: 0,
    maxIter: 30,
  };

  it.each(PARTS)(
    'fixed %s keep the initialisation values bit for bit while the others move',
    async (part) => {
      const start = snapshot(await new GaussianMixture({ ...base, maxIter: 0 }).fit(iris));
      const gm = await new GaussianMixture({ ...base, fixed: { [part]: true } }).fit(iris);
      const end = snapshot(gm);
      expect(end[part]).toEqual(start[part]);
      if (part === 'covariances') expect(end.precisionsCholesky).toEqual(start.precisionsCholesky);
      for (const other of PARTS) {
        if (other !== part) expect(maxAbsDiff(end[other], start[other])).toBeGreaterThan(1e-6);
      }
      const lb = gm.lowerBounds;
      for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-10);
    },
  );

  it('user starting values are kept when fixed, with the bound never decreasing', async () => {
    const d = 4;
    const k = 2;
    const meansInit = [
      [5, 3.4, 1.5, 0.2],
      [6.5, 3, 5, 1.8],
    ];
    const precisionsInit = {
      full: Array.from({ length: k }, () =>
        Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 2 : 0.1))),
      ),
      tied: Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 2 : 0.1))),
      diag: Array.from({ length: k }, () => [2, 3, 1, 4]),
      spherical: [2, 3],
    }[covarianceType];
    const gm = await new GaussianMixture({
      nComponents: k,
      covarianceType,
      meansInit,
      weightsInit: [0.7, 0.3],
      precisionsInit: precisionsInit as number[],
      fixed: { weights: true, means: true },
      tol: 0,
      maxIter: 20,
    }).fit(iris);
    expect([...gm.weights]).toEqual([0.7, 0.3]);
    expect([...gm.means]).toEqual(meansInit.flat());
    const lb = gm.lowerBounds;
    for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-10);
  });

  it('with a prior and fixed weights the bound never decreases', async () => {
    const gm = await new GaussianMixture({
      ...base,
      fixed: { weights: true },
      prior: 'default',
      maxIter: 50,
    }).fit(iris);
    const lb = gm.lowerBounds;
    for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-10);
  });

  it('K=1 with fixed means: the covariance is centred on the fixed means', async () => {
    const m = [5, 3, 4, 1];
    const n = iris.length;
    const d = 4;
    const gm = await new GaussianMixture({
      nComponents: 1,
      covarianceType,
      meansInit: [m],
      fixed: { means: true },
      regCovar: 0,
      randomState: 0,
    }).fit(iris);
    const second = (a: number, b: number): number =>
      iris.reduce((s, r) => s + (r[a] - m[a]) * (r[b] - m[b]), 0) / n;
    let expected: number[];
    if (covarianceType === 'full' || covarianceType === 'tied') {
      expected = [];
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) expected.push(second(a, b));
    } else if (covarianceType === 'diag') {
      expected = m.map((_, j) => second(j, j));
    } else {
      expected = [m.reduce((s, _, j) => s + second(j, j), 0) / d];
    }
    expect([...gm.means]).toEqual(m);
    expect(maxRelDiff(gm.covariances, expected)).toBeLessThan(1e-12);
  });

  it('nothing fixed gives exactly the plain fit', async () => {
    const plain = await new GaussianMixture(base).fit(iris);
    const none = await new GaussianMixture({ ...base, fixed: {} }).fit(iris);
    expect(none.means).toEqual(plain.means);
    expect(none.covariances).toEqual(plain.covariances);
  });
});

describe('fixed validation', () => {
  it.each([
    [{ mean: true }, /fixed has an unknown field "mean"/],
    [{ weights: 1 }, /fixed\.weights must be a boolean, got 1/],
    ['weights', /fixed must be an object/],
  ])('%j is rejected', (fixed, message) => {
    expect(() => new GaussianMixture({ fixed: fixed as never })).toThrow(message);
  });
});
