import { afterAll, describe, expect, it } from 'vitest';
import { dispose, GaussianMixture, type CovarianceType } from '../../src/index';
import { runBundled } from '../helpers/bundle';
import { blobs, maxRelDiff } from '../helpers/data';

afterAll(() => dispose());

describe.each(['full', 'tied', 'diag', 'spherical'] as CovarianceType[])(
  'threads, %s covariance',
  (covarianceType) => {
    it('results agree to 1e-12 relative whatever the thread count', async () => {
      const { X } = blobs(3, 4001, 5, 4, 4);
      const fits = [];
      for (const threads of [1, 2, 3]) {
        fits.push(
          await new GaussianMixture({
            nComponents: 4,
            covarianceType,
            tol: 0,
            maxIter: 15,
            randomState: 1,
            threads,
          }).fit(X),
        );
      }
      for (const gm of fits.slice(1)) {
        expect(maxRelDiff(gm.lowerBounds, fits[0].lowerBounds)).toBeLessThan(1e-12);
        expect(maxRelDiff(gm.means, fits[0].means)).toBeLessThan(1e-12);
        expect(maxRelDiff(gm.covariances, fits[0].covariances)).toBeLessThan(1e-12);
        expect(maxRelDiff(gm.weights, fits[0].weights)).toBeLessThan(1e-12);
      }
    });
  },
);

describe('worker lifetime', () => {
  it('the same thread count gives bit-identical results', async () => {
    const { X } = blobs(4, 3000, 3, 3);
    const a = await new GaussianMixture({ nComponents: 3, randomState: 2, threads: 2 }).fit(X);
    const b = await new GaussianMixture({ nComponents: 3, randomState: 2, threads: 2 }).fit(X);
    expect(a.lowerBounds).toEqual(b.lowerBounds);
  });

  it('idle workers do not keep a Node process alive', async () => {
    const stdout = await runBundled(`
      import { GaussianMixture } from 'emwasm';
      const X = Array.from({ length: 5000 }, (_, i) => [i % 7, (i * 13) % 11, i % 5]);
      const gm = await new GaussianMixture({ nComponents: 3, randomState: 0, threads: 2 }).fit(X);
      console.log('fitted', gm.nIter > 0);`);
    expect(stdout.trim()).toBe('fitted true');
  });
});
