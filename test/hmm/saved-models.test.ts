import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GMMHMM, loadModel, MultinomialHMM, PoissonHMM } from '../../src/index';

const legacy = JSON.parse(readFileSync(new URL('./fixtures/legacy-hmm.json', import.meta.url), 'utf8')) as {
  data: { X: number[][]; counts: number[][]; symbols: number[]; lengths: number[] };
  scores: Record<string, number>;
  files: Record<string, Record<string, unknown>>;
};

describe('files of the previous layout (emwasm.<Family>) still load', () => {
  const { X, counts, symbols, lengths } = legacy.data;
  const cases = [
    ['GaussianHMM', () => GaussianHMM.fromJSON(legacy.files.GaussianHMM as never), X],
    ['GaussianHMMnIter0', () => GaussianHMM.fromJSON(legacy.files.GaussianHMMnIter0 as never), X],
    ['GMMHMM', () => GMMHMM.fromJSON(legacy.files.GMMHMM as never), X],
    ['PoissonHMM', () => PoissonHMM.fromJSON(legacy.files.PoissonHMM as never), counts],
    ['CategoricalHMM', () => CategoricalHMM.fromJSON(JSON.stringify(legacy.files.CategoricalHMM)), symbols],
  ] as const;

  it.each(cases)('%s: same score as when it was saved, re-saved in the envelope', (name, restore, data) => {
    const model = restore();
    expect(Math.abs(model.score(data as never, lengths) - legacy.scores[name])).toBeLessThan(1e-12);
    const saved = JSON.parse(JSON.stringify(model));
    expect(saved).toMatchObject({ format: 'emwasm', version: 1, family: name.replace('nIter0', '') });
    expect(saved.fit.nIter).toBe(legacy.files[name].nIter);
  });

  it('a saved bound of −∞ (null in the old file) is −∞, not NaN', () => {
    expect(legacy.files.GaussianHMMnIter0.lowerBound).toBeNull();
    const model = GaussianHMM.fromJSON(legacy.files.GaussianHMMnIter0 as never);
    expect(model.lowerBound).toBe(-Infinity);
    expect(GaussianHMM.fromJSON(JSON.stringify(model)).lowerBound).toBe(-Infinity);
  });

  it('an old file of another family or version is refused', () => {
    expect(() => PoissonHMM.fromJSON(legacy.files.GaussianHMM as never)).toThrow(
      /this file holds a "GaussianHMM", not a PoissonHMM/,
    );
    expect(() => GaussianHMM.fromJSON({ ...legacy.files.GaussianHMM, version: 2 } as never)).toThrow(
      /version 1, got 2/,
    );
  });
});

/** A fitted model's JSON with `edit` applied to a copy. */
async function savedGaussian(covarianceType: 'diag' | 'full' = 'diag') {
  const model = await new GaussianHMM({ nComponents: 2, nIter: 3, randomState: 0, covarianceType }).fit(
    legacy.data.X,
    legacy.data.lengths,
  );
  return JSON.parse(JSON.stringify(model));
}

describe('fromJSON validates saved parameters as strictly as options', () => {
  it('start and transition probabilities: non-negative rows summing to 1, K and K × K', async () => {
    const o = await savedGaussian();
    const bad = (params: Record<string, unknown>) => () =>
      GaussianHMM.fromJSON({ ...o, params: { ...o.params, ...params } });
    expect(bad({ startProb: [1.2, -0.2] })).toThrow(
      /startProb\[0\] must be a probability in \[0, 1\], got 1\.2/,
    );
    expect(bad({ startProb: [0.3, 0.3] })).toThrow(/startProb must sum to 1, got a sum of 0\.6/);
    expect(bad({ transMat: [0.5, 0.5, 0.9, 0.2] })).toThrow(/transMat\[1\] must sum to 1/);
    expect(bad({ transMat: [0.5, 0.5, -0.1, 1.1] })).toThrow(/transMat\[1\]\[0\] must be a probability/);
    expect(bad({ transMat: [1, 0, 0] })).toThrow(/params\.transMat must hold 4 values/);
    expect(bad({ startProb: 'abc' })).toThrow(/params\.startProb must hold 2 values .*got "abc"/);
  });

  it('covariances positive (definite) and their factors consistent; means of the right shape', async () => {
    const o = await savedGaussian();
    const bad = (params: Record<string, unknown>) => () =>
      GaussianHMM.fromJSON({ ...o, params: { ...o.params, ...params } });
    expect(bad({ covars: [1, -1, 1, 1] })).toThrow(/fromJSON: covars must be positive/);
    expect(bad({ covars: [1, 1, 1] })).toThrow(/covars must have shape \(2 × 2\)/);
    expect(bad({ means: [0, 0, 1, 1, 2] })).toThrow(/means must have shape \(2 × 2\)/);
    expect(bad({ means: [0, 0, 1, NaN] })).toThrow(/means\[3\] must be a finite number, got NaN/);
    const flipped = o.params.precisionsCholesky.map((v: number, i: number) => (i === 0 ? -v : v));
    expect(bad({ precisionsCholesky: flipped })).toThrow(
      /precisionsCholesky disagrees with covars at flat index 0/,
    );
    const full = await savedGaussian('full');
    expect(() =>
      GaussianHMM.fromJSON({ ...full, params: { ...full.params, covars: [1, 2, 2, 1, 1, 0, 0, 1] } }),
    ).toThrow(/covars must be symmetric positive definite/);
    const without = { ...o.params };
    delete without.precisionsCholesky;
    expect(GaussianHMM.fromJSON({ ...o, params: without }).precisionsCholesky).toEqual(
      Float64Array.from(o.params.precisionsCholesky),
    );
  });

  it('negative Poisson rates, GMM weights and categorical rows are refused', async () => {
    const { counts, lengths, symbols } = legacy.data;
    const p = JSON.parse(
      JSON.stringify(await new PoissonHMM({ nComponents: 2, randomState: 0 }).fit(counts, lengths)),
    );
    expect(() => PoissonHMM.fromJSON({ ...p, params: { ...p.params, lambdas: [1, -2, 3, 4] } })).toThrow(
      /lambdas must hold rates >= 0, got -2 at flat index 1/,
    );
    const g = JSON.parse(
      JSON.stringify(
        await new GMMHMM({ nComponents: 2, nMix: 2, randomState: 0 }).fit(legacy.data.X, lengths),
      ),
    );
    expect(() => GMMHMM.fromJSON({ ...g, params: { ...g.params, weights: [0.5, 0.6, 1, 0] } })).toThrow(
      /weights\[0\] must sum to 1/,
    );
    const c = JSON.parse(
      JSON.stringify(await new CategoricalHMM({ nComponents: 2, randomState: 0 }).fit(symbols)),
    );
    expect(() =>
      CategoricalHMM.fromJSON({ ...c, params: { ...c.params, emissionProb: [0.5, 0.5, 0, 1, 0.5, -0.5] } }),
    ).toThrow(/emissionProb\[1\]\[2\] must be a probability/);
  });

  it('options and fit state are read with the option rules: nIter "abc" and friends', async () => {
    const o = await savedGaussian();
    expect(() => GaussianHMM.fromJSON({ ...o, options: { ...o.options, nIter: 'abc' } })).toThrow(
      /nIter must be an integer >= 0, got "abc"/,
    );
    expect(() => GaussianHMM.fromJSON({ ...o, fit: { ...o.fit, nIter: 'abc' } })).toThrow(
      /fit\.nIter must be an integer >= 0, got "abc"/,
    );
    expect(() => GaussianHMM.fromJSON({ ...o, options: { ...o.options, maxIter: 5 } })).toThrow(
      /GaussianHMM has no option 'maxIter'/,
    );
    expect(() => GaussianHMM.fromJSON({ ...o, fit: { ...o.fit, nFeatures: 3 } })).toThrow(
      /means must have shape \(2 × 3\)/,
    );
  });

  it('sizes are bounded by the arrays the file holds: a huge nComponents allocates nothing', async () => {
    const o = await savedGaussian();
    const huge = { ...o, options: { ...o.options, nComponents: 1e7 } };
    expect(() => GaussianHMM.fromJSON(huge)).toThrow(
      /params\.startProb must hold 10000000 values .*got 2 values/,
    );
    expect(() => GaussianHMM.fromJSON({ ...o, options: { ...o.options, nComponents: 2.5 } })).toThrow(
      /nComponents must be an integer/,
    );
    const g = JSON.parse(
      JSON.stringify(
        await new GMMHMM({ nComponents: 2, nMix: 2, randomState: 0 }).fit(legacy.data.X, legacy.data.lengths),
      ),
    );
    expect(() => GMMHMM.fromJSON({ ...g, options: { ...g.options, nMix: 1e9 } })).toThrow(
      /params\.weights must hold 2000000000 values/,
    );
    expect(() => GaussianHMM.fromJSON({ ...o, fit: { ...o.fit, nFeatures: 1e9 } })).toThrow(
      /fit\.nFeatures must be an integer in \[1, 16777216\]/,
    );
  });
});

describe('models set from parameters', () => {
  const params = {
    startProb: [0.6, 0.4],
    transMat: [
      [0.9, 0.1],
      [0.2, 0.8],
    ],
    means: [
      [0, 0],
      [3, 3],
    ],
    covars: [
      [1, 1],
      [0.5, 0.5],
    ],
  };

  it('fromParams equals nIter 0 with every *Init, and both are usable at once', () => {
    const a = GaussianHMM.fromParams(params);
    const b = new GaussianHMM({
      nComponents: 2,
      nIter: 0,
      startProbInit: params.startProb,
      transMatInit: params.transMat,
      meansInit: params.means,
      covarsInit: params.covars,
    });
    const { X: flat, states } = a.sample(50, 3);
    expect(b.sample(50, 3).X).toEqual(flat);
    const X = { data: flat, rows: 50, cols: 2 };
    expect(a.score(X)).toBe(b.score(X));
    expect(a.decode(X).states).toEqual(b.decode(X).states);
    // The sampled states are mostly recovered from well-separated means.
    const agree = a.predict(X).reduce((n, s, t) => n + (s === states[t] ? 1 : 0), 0);
    expect(agree).toBeGreaterThan(45);
    expect(a.nIter).toBe(0);
    expect(a.lowerBound).toBe(-Infinity);
  });

  it('a fromParams model warm-starts fit from its parameters', async () => {
    const truth = GaussianHMM.fromParams(params);
    const X = { data: truth.sample(200, 5).X, rows: 200, cols: 2 };
    const warm = GaussianHMM.fromParams(params, { warmStart: true, nIter: 5, tol: 0 });
    await warm.fit(X);
    const cold = new GaussianHMM({
      nIter: 5,
      tol: 0,
      nComponents: 2,
      startProbInit: params.startProb,
      transMatInit: params.transMat,
      meansInit: params.means,
      covarsInit: params.covars,
    });
    await cold.fit(X);
    expect(warm.lowerBounds).toEqual(cold.lowerBounds);
  });

  it('nIter 0 without every emission *Init is an ordinary unfitted model', () => {
    expect(() =>
      new GaussianHMM({ nIter: 0, nComponents: 2, meansInit: params.means }).score([[0, 0]]),
    ).toThrow(/not fitted yet/);
  });

  it('fromParams names a missing or unknown parameter and checks shapes', () => {
    const { covars: _covars, ...partial } = params;
    expect(() => GaussianHMM.fromParams(partial as never)).toThrow(/'covars' is missing/);
    expect(() => GaussianHMM.fromParams({ ...params, weights: [1] } as never)).toThrow(
      /GaussianHMM\.fromParams has no parameter 'weights'/,
    );
    expect(() => GaussianHMM.fromParams({ ...params, transMat: [1, 0, 0.5, 0.6] })).toThrow(
      /transMatInit\[1\] must sum to 1/,
    );
    expect(() => PoissonHMM.fromParams({ startProb: [1], transMat: [1], lambdas: [[-1]] })).toThrow(
      /lambdasInit must hold rates >= 0/,
    );
  });

  it('every family: fromParams gives a model that scores, decodes and samples', () => {
    const base = { startProb: [0.5, 0.5], transMat: [0.7, 0.3, 0.4, 0.6] };
    const cat = CategoricalHMM.fromParams({ ...base, emissionProb: [0.8, 0.2, 0.1, 0.9] });
    expect(cat.nFeatures).toBe(2);
    expect(Number.isFinite(cat.score([0, 1, 1, 0]))).toBe(true);
    const pois = PoissonHMM.fromParams({ ...base, lambdas: [1, 5] });
    expect(pois.sample(4, 0).X).toHaveLength(4);
    const mult = MultinomialHMM.fromParams({ ...base, emissionProb: [0.8, 0.2, 0.1, 0.9] }, { nTrials: 3 });
    expect(mult.sample(4, 0).X.every((v) => Number.isInteger(v))).toBe(true);
    const gmm = GMMHMM.fromParams(
      { ...base, weights: [1, 0, 0.5, 0.5], means: [0, 1, 2, 3], covars: [1, 1, 1, 1] },
      { nMix: 2 },
    );
    expect(gmm.decode([[0], [3], [3]]).states).toHaveLength(3);
  });
});

describe('loadModel', () => {
  it('restores any saved HMM by its family, also files of the previous layout', async () => {
    const { X, lengths } = legacy.data;
    const fitted = await new GaussianHMM({ nComponents: 2, nIter: 3, randomState: 0 }).fit(X, lengths);
    const again = loadModel(JSON.stringify(fitted)) as GaussianHMM;
    expect(again).toBeInstanceOf(GaussianHMM);
    expect(again.score(X, lengths)).toBe(fitted.score(X, lengths));
    const old = loadModel(legacy.files.PoissonHMM) as PoissonHMM;
    expect(old).toBeInstanceOf(PoissonHMM);
    expect(Math.abs(old.score(legacy.data.counts, lengths) - legacy.scores.PoissonHMM)).toBeLessThan(1e-12);
  });
});
