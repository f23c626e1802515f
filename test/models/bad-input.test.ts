import { describe, expect, it } from 'vitest';
import { GaussianMixture, type GaussianMixtureOptions } from '../../src/index';
import { loadExample } from '../helpers/data';

const faithful = loadExample('faithful');

describe('options: errors name the parameter and the value', () => {
  const cases: [Partial<Record<keyof GaussianMixtureOptions, unknown>>, RegExp][] = [
    [{ nComponents: 0 }, /nComponents must be an integer >= 1, got 0/],
    [{ nComponents: 2.5 }, /nComponents must be an integer >= 1, got 2\.5/],
    [
      { covarianceType: 'banana' },
      /covarianceType must be one of 'full', 'tied', 'diag', 'spherical', got "banana"/,
    ],
    [{ initParams: 'kmeans+' }, /initParams must be one of .*'random_from_data', got "kmeans\+"/],
    [{ tol: -1 }, /tol must be a finite number >= 0, got -1/],
    [{ tol: NaN }, /tol must be a finite number >= 0, got NaN/],
    [{ regCovar: -1e-6 }, /regCovar must be a finite number >= 0, got -0\.000001/],
    [{ maxIter: 10.5 }, /maxIter must be an integer >= 0, got 10\.5/],
    [{ nInit: 0 }, /nInit must be an integer >= 1, got 0/],
    [{ nInit: 1.5 }, /nInit must be an integer >= 1, got 1\.5/],
    [{ randomState: -1 }, /randomState must be an integer in \[0, 4294967295\], got -1/],
    [{ backend: 'gpu' }, /backend must be one of 'wasm', 'js', got "gpu"/],
    [{ warmStart: 'yes' }, /warmStart must be a boolean, got "yes"/],
    [{ onIteration: 3 }, /onIteration must be a function, got 3/],
    [{ nComponents: 2, weightsInit: [1, 2, 3] }, /weightsInit must have shape \(2\)/],
  ];
  it.each(cases)('%o', (options, message) => {
    expect(() => new GaussianMixture(options as GaussianMixtureOptions)).toThrow(message);
  });
});

describe('data: errors name the position and the value', () => {
  const gm = () => new GaussianMixture({ nComponents: 2, randomState: 0 });
  it.each([
    [
      [
        [1, 2],
        [3, NaN],
        [4, 5],
      ],
      /X\[1\]\[1\] must be a finite number, got NaN/,
    ],
    [
      [
        [1, 2],
        [Infinity, 2],
        [4, 5],
      ],
      /X\[1\]\[0\] must be a finite number, got Infinity/,
    ],
    [
      [
        [1, 2],
        [3, -Infinity],
      ],
      /X\[1\]\[1\] must be a finite number, got -Infinity/,
    ],
    [[[1, 2], [3], [4, 5]], /X must have rows of equal length: X\[0\] has 2 values but X\[1\] has 1/],
    [[], /X must have at least one row, got an empty array/],
    [[[]], /X must have at least one column/],
    ['abc', /X must be number\[\]\[\] or \{ data: Float64Array, rows, cols \}, got "abc"/],
    [
      { data: new Float64Array(5), rows: 2, cols: 3 },
      /X.data must hold rows × cols = 2 × 3 = 6 values, got 5/,
    ],
    [
      { data: new Float64Array([1, 2, NaN, 4]), rows: 2, cols: 2 },
      /X\[1\]\[0\] must be a finite number, got NaN/,
    ],
  ])('%j', async (X, message) => {
    await expect(gm().fit(X as number[][])).rejects.toThrow(message);
  });

  it('nComponents larger than nSamples', async () => {
    await expect(new GaussianMixture({ nComponents: 5 }).fit([[1], [2], [3]])).rejects.toThrow(
      /nComponents must be an integer in \[1, nSamples=3\], got 5/,
    );
  });
});

describe('starting values', () => {
  const fit = (options: GaussianMixtureOptions) =>
    new GaussianMixture({ nComponents: 2, ...options }).fit(faithful);
  it('weightsInit negative, above 1, or not summing to 1', async () => {
    await expect(fit({ weightsInit: [-0.5, 1.5] })).rejects.toThrow(
      /weightsInit must be in \[0, 1\], got -0\.5 at index 0/,
    );
    await expect(fit({ weightsInit: [0.5, 0.6] })).rejects.toThrow(
      /weightsInit must sum to 1, got a sum of 1\.1/,
    );
  });
  it('meansInit of the wrong shape', async () => {
    await expect(
      fit({
        meansInit: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      }),
    ).rejects.toThrow(/meansInit must have shape \(2 × 2\)/);
    await expect(fit({ meansInit: new Float64Array(3) })).rejects.toThrow(
      /meansInit must have shape \(2 × 2\) \(4 values\), got 3/,
    );
  });
  it('precisionsInit of the wrong shape, not symmetric, or not positive definite', async () => {
    await expect(
      fit({
        precisionsInit: [
          [
            [1, 0],
            [0, 1],
          ],
        ],
      }),
    ).rejects.toThrow(/precisionsInit must have shape \(2 × 2 × 2\)/);
    await expect(
      fit({
        precisionsInit: [
          [
            [1, 0.5],
            [0, 1],
          ],
          [
            [1, 0],
            [0, 1],
          ],
        ],
      }),
    ).rejects.toThrow(/precisionsInit must be symmetric positive definite: matrix 0 is not symmetric/);
    await expect(
      fit({
        precisionsInit: [
          [
            [1, 2],
            [2, 1],
          ],
          [
            [1, 0],
            [0, 1],
          ],
        ],
      }),
    ).rejects.toThrow(
      /precisionsInit must be symmetric positive definite: a matrix is not positive definite/,
    );
    await expect(
      fit({
        covarianceType: 'diag',
        precisionsInit: [
          [1, 0],
          [1, 1],
        ],
      }),
    ).rejects.toThrow(/precisionsInit must be positive: entry 1 is 0, but must be > 0/);
    await expect(fit({ covarianceType: 'spherical', precisionsInit: [1, -2] })).rejects.toThrow(
      /precisionsInit must be positive/,
    );
    await expect(fit({ covarianceType: 'tied', precisionsInit: [1, 0, 0] })).rejects.toThrow(
      /precisionsInit must have shape \(2 × 2\)/,
    );
  });
});

describe('scoring', () => {
  it('before fit', () => {
    const gm = new GaussianMixture({ nComponents: 2 });
    for (const call of [
      () => gm.predict(faithful),
      () => gm.predictProba(faithful),
      () => gm.scoreSamples(faithful),
      () => gm.score(faithful),
      () => gm.bic(faithful),
      () => gm.sample(3),
      () => gm.means,
      () => gm.toJSON(),
    ]) {
      expect(call).toThrow(/This GaussianMixture is not fitted yet: call `await gm.fit\(X\)` before/);
    }
  });
  it('with the wrong number of features', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(faithful);
    expect(() => gm.predict([[1, 2, 3]])).toThrow(
      /X has 3 features, but this GaussianMixture was fitted with 2/,
    );
    expect(() => gm.sample(0)).toThrow(/n must be an integer >= 1, got 0/);
  });
});

describe('degenerate covariances', () => {
  it('a collapsed component says to increase regCovar instead of producing NaN', async () => {
    // Two distinct points, two components, no regularisation: each component collapses onto one point.
    const X = [
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
    ];
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
      await expect(
        new GaussianMixture({ nComponents: 2, covarianceType, regCovar: 0, randomState: 0 }).fit(X),
      ).rejects.toThrow(/not positive definite.*Increase regCovar \(now 0\)/);
    }
    const ok = await new GaussianMixture({ nComponents: 2, regCovar: 1e-6, randomState: 0 }).fit(X);
    expect(Array.from(ok.covariances).every(Number.isFinite)).toBe(true);
  });
});
