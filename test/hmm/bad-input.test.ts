import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GMMHMM, PoissonHMM } from '../../src/index';

const X = [
  [0, 0],
  [1, 0.5],
  [4, 1],
  [4.5, 1.5],
  [0.2, 0.1],
];

describe('options: errors name the parameter and the value', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => new GaussianHMM({ nComponents: 0 }), /nComponents must be an integer >= 1, got 0/],
    [() => new GaussianHMM({ nIter: 1.5 }), /nIter must be an integer >= 0, got 1\.5/],
    [() => new GaussianHMM({ tol: -1 }), /tol must be a finite number >= 0, got -1/],
    [
      () => new GaussianHMM({ covarianceType: 'banana' as never }),
      /covarianceType must be one of 'full', 'tied', 'diag', 'spherical', got "banana"/,
    ],
    [() => new GaussianHMM({ minCovar: -1e-3 }), /minCovar must be a finite number >= 0, got -0\.001/],
    [
      () => new GaussianHMM({ algorithm: 'beam' as never }),
      /algorithm must be one of 'viterbi', 'map', got "beam"/,
    ],
    [
      () => new GaussianHMM({ params: { mean: false } as never }),
      /params has no parameter "mean"; the parameters are 'startProb', 'transMat', 'means', 'covars'/,
    ],
    [
      () => new GaussianHMM({ params: { means: 'no' } as never }),
      /params\.means must be a boolean, got "no"/,
    ],
    [
      () => new GaussianHMM({ nComponents: 2, startProbInit: [0.5, 0.4] }),
      /startProbInit must sum to 1, got a sum of 0\.9/,
    ],
    [
      () => new GaussianHMM({ nComponents: 2, startProbInit: [1.5, -0.5] }),
      /startProbInit\[0\] must be a probability in \[0, 1\], got 1\.5/,
    ],
    [
      () => new GaussianHMM({ nComponents: 2, transMatInit: [0.5, 0.5] }),
      /transMatInit must have shape \(2 × 2\) \(4 values\), got 2 values/,
    ],
    [
      () =>
        new GaussianHMM({
          nComponents: 2,
          transMatInit: [
            [0.5, 0.5],
            [0.7, 0.4],
          ],
        }),
      /transMatInit\[1\] must sum to 1, got a sum of 1\.1/,
    ],
    [
      () => new GaussianHMM({ nComponents: 2, transMatPrior: -1 }),
      /transMatPrior must be a finite number >= 0 \(or an array of them\), got -1/,
    ],
    [
      () => new GaussianHMM({ randomState: -1 }),
      /randomState must be an integer in \[0, 4294967295\], got -1/,
    ],
    [() => new GaussianHMM({ backend: 'gpu' as never }), /backend must be one of 'wasm', 'js', got "gpu"/],
    [() => new GMMHMM({ nMix: 0 }), /nMix must be an integer >= 1, got 0/],
    [
      () =>
        new GMMHMM({
          nComponents: 2,
          nMix: 2,
          weightsInit: [
            [1, 0],
            [0.5, 0.6],
          ],
        }),
      /weightsInit\[1\] must sum to 1/,
    ],
    [() => new CategoricalHMM({ nFeatures: 0 }), /nFeatures must be an integer >= 1, got 0/],
    [() => new PoissonHMM({ lambdasPrior: -1 }), /lambdasPrior must be a finite number >= 0, got -1/],
  ];
  it.each(cases)('%#: %s', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('data and lengths', () => {
  const gaussian = () => new GaussianHMM({ nComponents: 2, randomState: 0 });

  it('lengths that do not sum to nSamples', async () => {
    await expect(gaussian().fit(X, [2, 2])).rejects.toThrow(
      /lengths must sum to nSamples=5 \(the rows of X\), got a sum of 4 over 2 sequences/,
    );
    await expect(gaussian().fit(X, [3, 3])).rejects.toThrow(/got a sum of 6/);
  });

  it('lengths that are not positive integers', async () => {
    await expect(gaussian().fit(X, [5, 0])).rejects.toThrow(/lengths\[1\] must be an integer >= 1, got 0/);
    await expect(gaussian().fit(X, [2.5, 2.5])).rejects.toThrow(
      /lengths\[0\] must be an integer >= 1, got 2\.5/,
    );
    await expect(gaussian().fit(X, [NaN, 5] as number[])).rejects.toThrow(
      /lengths\[0\] must be an integer >= 1, got NaN/,
    );
    await expect(gaussian().fit(X, [])).rejects.toThrow(/lengths must hold at least one sequence length/);
    await expect(gaussian().fit(X, 5 as never)).rejects.toThrow(
      /lengths must be an array of sequence lengths, got 5/,
    );
  });

  it('NaN and infinite values in X', async () => {
    await expect(
      gaussian().fit([
        [0, 0],
        [1, NaN],
        [2, 2],
      ]),
    ).rejects.toThrow(/X\[1\]\[1\] must be a finite number, got NaN/);
    await expect(
      gaussian().fit([
        [0, 0],
        [Infinity, 1],
      ]),
    ).rejects.toThrow(/X\[1\]\[0\] must be a finite number, got Infinity/);
    const fitted = await gaussian().fit(X);
    expect(() => fitted.score([[0, NaN]])).toThrow(/X\[0\]\[1\] must be a finite number, got NaN/);
    expect(() => fitted.score([[0, 0, 0]])).toThrow(
      /X has 3 features, but this GaussianHMM was fitted with 2/,
    );
    expect(() => fitted.score(X, [4])).toThrow(/lengths must sum to nSamples=5/);
    expect(() => fitted.decode(X, undefined, 'best' as never)).toThrow(
      /algorithm must be one of 'viterbi', 'map', got "best"/,
    );
  });

  it('symbols out of range for CategoricalHMM', async () => {
    const cat = () => new CategoricalHMM({ nComponents: 2, nFeatures: 3, randomState: 0 });
    await expect(cat().fit([0, 1, 3, 2])).rejects.toThrow(
      /X\[2\] must be an integer symbol in \[0, nFeatures=3\), got 3/,
    );
    await expect(cat().fit([0, -1, 2])).rejects.toThrow(
      /X\[1\] must be an integer symbol in \[0, nFeatures=3\), got -1/,
    );
    await expect(cat().fit([0, 1.5, 2])).rejects.toThrow(
      /X\[1\] must be an integer symbol in \[0, nFeatures=3\), got 1\.5/,
    );
    await expect(cat().fit([0, NaN, 2])).rejects.toThrow(
      /X\[1\] must be an integer symbol in \[0, nFeatures=3\), got NaN/,
    );
    await expect(
      cat().fit([
        [0, 1],
        [1, 2],
      ]),
    ).rejects.toThrow(/X must hold one symbol per row \(nSamples × 1\), got 2 columns/);
    const inferred = await new CategoricalHMM({ nComponents: 2, randomState: 0 }).fit([0, 1, 1, 0]);
    expect(inferred.nFeatures).toBe(2);
    expect(() => inferred.score([0, 2])).toThrow(
      /X\[1\] must be an integer symbol in \[0, nFeatures=2\), got 2/,
    );
    await expect(new CategoricalHMM({ nComponents: 2 }).fit([0, -3])).rejects.toThrow(
      /X\[1\] must be a non-negative integer symbol, got -3/,
    );
  });

  it('negative or non-integer counts for PoissonHMM', async () => {
    const pois = () => new PoissonHMM({ nComponents: 2, randomState: 0 });
    await expect(
      pois().fit([
        [1, 2],
        [3, -1],
      ]),
    ).rejects.toThrow(/X\[1\]\[1\] must be a non-negative integer count, got -1/);
    await expect(
      pois().fit([
        [1, 2.5],
        [3, 1],
      ]),
    ).rejects.toThrow(/X\[0\]\[1\] must be a non-negative integer count, got 2\.5/);
    await expect(pois().fit([[1, NaN]])).rejects.toThrow(/X\[0\]\[1\] must be a finite number, got NaN/);
    await expect(new PoissonHMM({ nComponents: 1, lambdasInit: [[-1]] }).fit([[1]])).rejects.toThrow(
      /lambdasInit must hold rates >= 0, got -1 at flat index 0/,
    );
  });

  it('starting values that do not fit the data', async () => {
    await expect(
      new GaussianHMM({
        nComponents: 2,
        meansInit: [
          [0, 0, 0],
          [1, 1, 1],
        ],
      }).fit(X),
    ).rejects.toThrow(/meansInit must have shape \(2 × 2\)/);
    await expect(
      new GaussianHMM({
        nComponents: 2,
        covarianceType: 'full',
        covarsInit: [
          [
            [1, 2],
            [2, 1],
          ],
          [
            [1, 0],
            [0, 1],
          ],
        ],
      }).fit(X),
    ).rejects.toThrow(/covarsInit must be symmetric positive definite: a matrix is not positive definite/);
    await expect(
      new GaussianHMM({
        nComponents: 2,
        covarsInit: [
          [1, 0],
          [1, 1],
        ],
      }).fit(X),
    ).rejects.toThrow(/covarsInit must be positive: entry 1 is 0, but must be > 0/);
    await expect(new GaussianHMM({ nComponents: 6 }).fit(X)).rejects.toThrow(
      /nComponents must be an integer in \[1, nSamples=5\] when the means start from k-means, got 6/,
    );
    await expect(
      new CategoricalHMM({
        nComponents: 2,
        emissionProbInit: [
          [0.5, 0.5],
          [0.2, 0.8],
        ],
      }).fit([0, 1, 2]),
    ).rejects.toThrow(/emissionProbInit must have shape \(2 × 3\)/);
  });

  it('an impossible sequence under the parameters stops the fit with advice', async () => {
    const hmm = new CategoricalHMM({
      nComponents: 2,
      params: { emissionProb: false },
      emissionProbInit: [
        [1, 0],
        [1, 0],
      ],
    });
    await expect(hmm.fit([0, 1, 0])).rejects.toThrow(
      /The log-likelihood became -Infinity: some sequence is impossible under the current parameters\. A symbol may have emission probability 0/,
    );
  });

  it('unfitted models and foreign JSON', () => {
    expect(() => new GaussianHMM().score(X)).toThrow(
      /This GaussianHMM is not fitted yet: call `await model.fit\(X, lengths\)` before score/,
    );
    expect(() => new PoissonHMM().lambdas).toThrow(/This PoissonHMM is not fitted yet/);
    expect(() => GaussianHMM.fromJSON({ format: 'emwasm.GMMHMM' } as never)).toThrow(
      /fromJSON expects a saved GaussianHMM \(format 'emwasm\.GaussianHMM'\), got "emwasm\.GMMHMM"/,
    );
  });
});
