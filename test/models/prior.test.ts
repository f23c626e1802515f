import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import { resolvePrior } from '../../src/mixture/prior';
import { loadExample, maxRelDiff } from '../helpers/data';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const iris = loadExample('iris');

interface MclustCase {
  modelName: string;
  covarianceType: CovarianceType;
  weightsInit: number[];
  meansInit: number[][];
  precisionsInit: unknown;
  prior: { shrinkage: number; mean: number[]; dof: number; scale: number | number[][] };
  result: { weights: number[]; means: number[][]; covariances: unknown };
}
const mclust = JSON.parse(
  readFileSync(new URL('../fixtures/mclust/map-mstep.json', import.meta.url), 'utf8'),
) as { nComponents: number; X: number[][]; cases: MclustCase[] };

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flat(3) : [v as number]);

describe.each(mclust.cases.map((c) => [c.modelName, c] as const))(
  "mclust's MAP M-step (%s, priorControl())",
  (_name, c) => {
    it.each(['wasm', 'js'] as const)(
      'one M-step from the same start gives mclust means, covariances and weights (%s backend)',
      async (backend) => {
        const gm = await new GaussianMixture({
          nComponents: mclust.nComponents,
          covarianceType: c.covarianceType,
          weightsInit: c.weightsInit,
          meansInit: c.meansInit,
          precisionsInit: c.precisionsInit as number[],
          regCovar: 0,
          maxIter: 1,
          tol: 0,
          prior: 'default',
          backend,
        }).fit(mclust.X);
        // Measured: about 4e-15 (mclust's Fortran sums in another order).
        expect(maxRelDiff(gm.means, flat(c.result.means))).toBeLessThan(1e-12);
        expect(maxRelDiff(gm.covariances, flat(c.result.covariances))).toBeLessThan(1e-12);
        expect(maxRelDiff(gm.weights, c.result.weights)).toBeLessThan(1e-12);
      },
    );

    it("'default' resolves to mclust's defaultPrior", () => {
      const X = { data: Float64Array.from(mclust.X.flat()), rows: mclust.X.length, cols: mclust.X[0].length };
      const p = resolvePrior('default', X, mclust.nComponents, c.covarianceType);
      expect(p.shrinkage).toBe(c.prior.shrinkage);
      expect(p.dof).toBe(c.prior.dof);
      expect(maxRelDiff(p.mean, c.prior.mean)).toBeLessThan(1e-13);
      const scale = flat(c.prior.scale);
      const expected = c.covarianceType === 'diag' ? Array<number>(X.cols).fill(scale[0]) : scale;
      expect(maxRelDiff(p.scale, expected)).toBeLessThan(1e-13);
    });

    it("an explicit prior equal to mclust's defaultPrior gives the same fit as 'default'", async () => {
      const options = {
        nComponents: mclust.nComponents,
        covarianceType: c.covarianceType,
        randomState: 0,
        maxIter: 5,
      };
      const byDefault = await new GaussianMixture({ ...options, prior: 'default' }).fit(mclust.X);
      const { shrinkage, mean, dof, scale } = c.prior;
      const explicit = await new GaussianMixture({ ...options, prior: { shrinkage, mean, dof, scale } }).fit(
        mclust.X,
      );
      expect(maxRelDiff(explicit.covariances, byDefault.covariances)).toBeLessThan(1e-12);
      expect(maxRelDiff(explicit.means, byDefault.means)).toBeLessThan(1e-12);
    });
  },
);

describe.each(TYPES)('MAP estimate, %s covariance', (covarianceType) => {
  it('K=1 matches the closed form', async () => {
    const n = iris.length;
    const d = iris[0].length;
    const kappa = 0.7;
    const nu = d + 4;
    const m0 = [5, 3, 4, 1];
    const lambda = [
      [0.5, 0.1, 0, 0],
      [0.1, 0.4, 0, 0],
      [0, 0, 0.9, 0.2],
      [0, 0, 0.2, 0.3],
    ];
    const sphericalScale = 0.6;
    const diagScale = [0.5, 0.4, 0.9, 0.3];
    const scale =
      covarianceType === 'spherical' ? sphericalScale : covarianceType === 'diag' ? diagScale : lambda;
    const gm = await new GaussianMixture({
      nComponents: 1,
      covarianceType,
      regCovar: 0,
      prior: { shrinkage: kappa, mean: m0, dof: nu, scale },
      randomState: 0,
    }).fit(iris);
    // Posterior mode of the normal–inverse-Wishart (inverse-gamma) model, written from the textbook form.
    const xbar = m0.map((_, j) => iris.reduce((s, r) => s + r[j], 0) / n);
    const mu = xbar.map((x, j) => (n * x + kappa * m0[j]) / (n + kappa));
    const w = (a: number, b: number): number =>
      iris.reduce((s, r) => s + (r[a] - xbar[a]) * (r[b] - xbar[b]), 0) +
      ((kappa * n) / (kappa + n)) * (xbar[a] - m0[a]) * (xbar[b] - m0[b]);
    let expected: number[];
    if (covarianceType === 'full' || covarianceType === 'tied') {
      expected = [];
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) expected.push((lambda[a][b] + w(a, b)) / (n + nu + d + 2));
    } else if (covarianceType === 'diag') {
      expected = diagScale.map((s, j) => (s + w(j, j)) / (n + nu + 3));
    } else {
      let trace = 0;
      for (let j = 0; j < d; j++) trace += w(j, j);
      expected = [(sphericalScale + trace) / (nu + (n + 1) * d + 2)];
    }
    expect(maxRelDiff(gm.means, mu)).toBeLessThan(1e-12);
    expect(maxRelDiff(gm.covariances, expected)).toBeLessThan(1e-12);
  });

  it('the bound with the log-prior never decreases', async () => {
    const gm = await new GaussianMixture({
      nComponents: 4,
      covarianceType,
      prior: { shrinkage: 2, dof: 8 },
      initParams: 'random_from_data',
      tol: 0,
      maxIter: 60,
      randomState: 7,
    }).fit(iris);
    const lb = gm.lowerBounds;
    for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-10);
    expect(lb[lb.length - 1] - lb[0]).toBeGreaterThan(0.05);
  });
});

describe('prior validation', () => {
  it.each([
    [{ shrinkage: -1 }, /prior\.shrinkage must be a finite number >= 0, got -1/],
    [{ dof: 3 }, /prior\.dof must be > nFeatures − 1 = 3, got 3/],
    [{ dof: Number.NaN }, /prior\.dof must be a finite number/],
    [{ mean: [1, 2] }, /prior\.mean must have shape \(4\)/],
    [{ scale: -2 }, /prior\.scale must be positive and finite, got -2/],
    [
      {
        scale: [
          [1, 2],
          [3, 4],
        ],
      },
      /prior\.scale must have shape \(4 × 4\)/,
    ],
    [{ shrink: 1 }, /prior has an unknown field "shrink"/],
    ['mclust', /prior must be 'default' or an object/],
  ])('%j is rejected', async (prior, message) => {
    await expect(
      (async () => new GaussianMixture({ nComponents: 2, prior: prior as never }).fit(iris))(),
    ).rejects.toThrow(message);
  });
});
