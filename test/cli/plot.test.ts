import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import { planeComponents } from '../../src/cli/plot';
import { loadExample, toFlat } from '../helpers/data';

/**
 * The plotted ellipses come from each component's 2-D marginal. Checked against samples drawn from
 * the fitted model (which go through the precision Cholesky factors, not the covariances read here).
 */
describe('planeComponents', () => {
  const X = toFlat(loadExample('iris'));
  const types: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

  it.each(types)('gives the mean and covariance of columns 3 and 1 (%s)', async (covarianceType) => {
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(X);
    const [i, j] = [3, 1];
    const planes = planeComponents(gm, i, j);
    const { X: S, labels } = gm.sample(40_000, 1);
    const d = gm.nFeatures;
    planes.forEach(({ mean, cov, weight }, c) => {
      expect(weight).toBe(gm.weights[c]);
      const rows: [number, number][] = [];
      labels.forEach((l, r) => l === c && rows.push([S[r * d + i], S[r * d + j]]));
      const m = [0, 1].map((a) => rows.reduce((s, r) => s + r[a], 0) / rows.length);
      const cv = (a: number, b: number) =>
        rows.reduce((s, r) => s + (r[a] - m[a]) * (r[b] - m[b]), 0) / (rows.length - 1);
      const [sx, sy] = [Math.sqrt(cov[0]), Math.sqrt(cov[2])];
      expect(Math.abs(m[0] - mean[0])).toBeLessThan(0.05 * sx);
      expect(Math.abs(m[1] - mean[1])).toBeLessThan(0.05 * sy);
      expect(cv(0, 0) / cov[0]).toBeCloseTo(1, 1);
      expect(cv(1, 1) / cov[2]).toBeCloseTo(1, 1);
      expect(Math.abs(cv(0, 1) - cov[1])).toBeLessThan(0.05 * sx * sy);
    });
  });
});
