import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import { blobs, loadExample, maxRelDiff } from '../helpers/data';
import { Random } from '../../src/util/random';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const iris = loadExample('iris');

/** Integer weights 0..3 and the data set that repeats each row that many times. */
function repeated(rows: number[][], seed: number): { weights: number[]; copies: number[][] } {
  const rng = new Random(seed);
  const weights = rows.map(() => Math.floor(rng.uniform() * 4));
  const copies = rows.flatMap((row, i) => Array.from({ length: weights[i] }, () => row));
  return { weights, copies };
}

/** A fixed start (so both fits begin from the same parameters whatever the rows). */
function start(covarianceType: CovarianceType) {
  const d = 4;
  const eye = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 2 : 0)));
  const precisionsInit = {
    full: [eye, eye, eye],
    tied: eye,
    diag: [Array(d).fill(2), Array(d).fill(2), Array(d).fill(2)],
    spherical: [2, 2, 2],
  }[covarianceType];
  return { weightsInit: [0.3, 0.3, 0.4], meansInit: [iris[0], iris[60], iris[120]], precisionsInit };
}

describe.each(TYPES)('sampleWeight, %s covariance', (covarianceType) => {
  it('integer weights equal repeating rows', async () => {
    const { weights, copies } = repeated(iris, 1);
    const options = { nComponents: 3, covarianceType, tol: 0, maxIter: 25, ...start(covarianceType) };
    const weighted = await new GaussianMixture(options).fit(iris, { sampleWeight: weights });
    const plain = await new GaussianMixture(options).fit(copies);
    expect(maxRelDiff(weighted.lowerBounds, plain.lowerBounds)).toBeLessThan(1e-12);
    expect(maxRelDiff(weighted.means, plain.means)).toBeLessThan(1e-12);
    expect(maxRelDiff(weighted.covariances, plain.covariances)).toBeLessThan(1e-11);
    expect(maxRelDiff(weighted.weights, plain.weights)).toBeLessThan(1e-12);
    expect(weighted.bic(iris, { sampleWeight: weights })).toBeCloseTo(plain.bic(copies), 8);
    expect(weighted.aic(iris, { sampleWeight: weights })).toBeCloseTo(plain.aic(copies), 8);
    expect(weighted.score(iris, { sampleWeight: weights })).toBeCloseTo(plain.score(copies), 12);
  });

  it('the same with several threads', async () => {
    const { X } = blobs(5, 6000, 4, 3, 5);
    const rng = new Random(2);
    const sampleWeight = Array.from({ length: X.rows }, () => rng.uniform() * 3);
    const fits = [];
    for (const threads of [1, 2]) {
      fits.push(
        await new GaussianMixture({
          nComponents: 3,
          covarianceType,
          tol: 0,
          maxIter: 10,
          randomState: 3,
          threads,
        }).fit(X, { sampleWeight }),
      );
    }
    expect(maxRelDiff(fits[1].lowerBounds, fits[0].lowerBounds)).toBeLessThan(1e-12);
    expect(maxRelDiff(fits[1].means, fits[0].means)).toBeLessThan(1e-12);
  });
});

describe('sampleWeight', () => {
  it('zero weights drop rows, also from the k-means start', async () => {
    // Far outliers with weight 0 must not pull any component or seed.
    const outliers = Array.from({ length: 20 }, (_, i) => [100 + i, -100, 50, 80 - i]);
    const X = [...iris, ...outliers];
    const sampleWeight = X.map((_, i) => (i < iris.length ? 1 : 0));
    const weighted = await new GaussianMixture({ nComponents: 3, nInit: 3, randomState: 0 }).fit(X, {
      sampleWeight,
    });
    const subset = await new GaussianMixture({ nComponents: 3, nInit: 3, randomState: 0 }).fit(iris);
    expect(Math.abs(weighted.lowerBound - subset.lowerBound)).toBeLessThan(1e-6);
    for (const v of weighted.means) expect(Math.abs(v)).toBeLessThan(10);
    for (const initParams of ['k-means++', 'random_from_data'] as const) {
      const gm = await new GaussianMixture({ nComponents: 3, initParams, maxIter: 0, randomState: 1 }).fit(
        X,
        {
          sampleWeight,
        },
      );
      for (const v of gm.means) expect(Math.abs(v)).toBeLessThan(10);
    }
  });

  it('bad weights name the problem', async () => {
    const gm = new GaussianMixture({ nComponents: 2 });
    const n = iris.length;
    await expect(gm.fit(iris, { sampleWeight: [1, 2] })).rejects.toThrow(
      `sampleWeight must have one weight per row of X (${n}), got 2`,
    );
    const negative = Array(n).fill(1);
    negative[7] = -1;
    await expect(gm.fit(iris, { sampleWeight: negative })).rejects.toThrow(
      /sampleWeight\[7\] must be a finite number >= 0, got -1/,
    );
    const nan = Array(n).fill(1);
    nan[3] = NaN;
    await expect(gm.fit(iris, { sampleWeight: nan })).rejects.toThrow(
      /sampleWeight\[3\] must be a finite number >= 0, got NaN/,
    );
    await expect(gm.fit(iris, { sampleWeight: Array(n).fill(0) })).rejects.toThrow(/must not be all zero/);
    const one = Array(n).fill(0);
    one[0] = 1;
    await expect(gm.fit(iris, { sampleWeight: one })).rejects.toThrow(
      /nComponents \(2\) must not exceed the number of rows with a positive sampleWeight \(1\)/,
    );
  });
});
