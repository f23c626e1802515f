import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import { idleWasmMemory } from '../../src/backend/wasm';
import { blobs, loadExample } from '../helpers/data';

const iris = loadExample('iris');
const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

describe('toJSON / fromJSON', () => {
  it.each(TYPES)('round trip gives identical scoreSamples and parameters (%s)', async (covarianceType) => {
    const gm = await new GaussianMixture({ nComponents: 3, covarianceType, randomState: 0 }).fit(iris);
    const text = JSON.stringify(gm);
    const back = GaussianMixture.fromJSON(text);
    expect(Array.from(back.scoreSamples(iris))).toEqual(Array.from(gm.scoreSamples(iris)));
    expect(Array.from(back.predict(iris))).toEqual(Array.from(gm.predict(iris)));
    expect(Array.from(back.covariances)).toEqual(Array.from(gm.covariances));
    expect(back.bic(iris)).toBe(gm.bic(iris));
    expect(back.covarianceType).toBe(covarianceType);
    expect(back.lowerBounds).toEqual(gm.lowerBounds);
    expect(GaussianMixture.fromJSON(gm.toJSON()).score(iris)).toBe(gm.score(iris));
    const js = GaussianMixture.fromJSON(text, { backend: 'js' });
    expect(Math.abs(js.score(iris) - gm.score(iris))).toBeLessThan(1e-12);
  });

  it('a model fitted with maxIter 0 (bound −∞, null in JSON) warm-starts from its start after a text round trip', async () => {
    const gm = await new GaussianMixture({ nComponents: 3, maxIter: 0, randomState: 0 }).fit(iris);
    expect(gm.lowerBound).toBe(-Infinity);
    const json = gm.toJSON();
    const text = JSON.stringify(json);
    expect(JSON.parse(text).fit.lowerBound).toBeNull();
    const more = { warmStart: true, maxIter: 5, randomState: 9 };
    const direct = await GaussianMixture.fromJSON(json, more).fit(iris);
    const viaText = await GaussianMixture.fromJSON(text, more).fit(iris);
    expect(viaText.lowerBounds).toEqual(direct.lowerBounds);
    expect(Array.from(viaText.means)).toEqual(Array.from(direct.means));
  });

  it('rejects what is not a saved model', () => {
    expect(() => GaussianMixture.fromJSON('{"format":"other"}')).toThrow(/format 'emwasm.GaussianMixture'/);
    expect(() =>
      GaussianMixture.fromJSON({ format: 'emwasm', family: 'PoissonMixture', version: 1 } as never),
    ).toThrow(/holds a "PoissonMixture", not a GaussianMixture/);
    expect(() => GaussianMixture.fromJSON({ format: 'emwasm.GaussianMixture', version: 2 } as never)).toThrow(
      /supports version 1, got 2/,
    );
  });

  it('rejects a saved model whose arrays do not match its shape', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(iris);
    const saved = gm.toJSON();
    const json = { ...saved, params: { ...saved.params, means: [1, 2, 3] } };
    expect(() => GaussianMixture.fromJSON(json)).toThrow(/means must have shape \(2 × 4\)/);
  });

  it('reads the layout emwasm wrote before the engine envelope (format emwasm.GaussianMixture)', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType: 'diag', randomState: 0 }).fit(
      iris,
    );
    const { options, params, fit } = gm.toJSON();
    const legacy = {
      format: 'emwasm.GaussianMixture',
      version: 1,
      ...options,
      ...params,
      ...fit,
    };
    const back = GaussianMixture.fromJSON(JSON.stringify(legacy));
    expect(back.scoreSamples(iris)).toEqual(gm.scoreSamples(iris));
    expect(back.toJSON()).toEqual(gm.toJSON());
  });
});

describe('memory', () => {
  it('repeated fits reuse the Wasm memory instead of growing it', async () => {
    const { X } = blobs(1, 5000, 6, 4);
    const sizes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const gm = await new GaussianMixture({ nComponents: 4, randomState: i }).fit(X);
      gm.predictProba(X);
      sizes.push(idleWasmMemory().reduce((a, b) => a + b, 0));
    }
    expect(new Set(sizes.slice(1)).size).toBe(1);
  });

  it('concurrent fits do not disturb each other', async () => {
    const { X } = blobs(2, 3000, 3, 3);
    const options = { nComponents: 3, randomState: 4 };
    const alone = await new GaussianMixture(options).fit(X);
    const both = await Promise.all([
      new GaussianMixture(options).fit(X),
      new GaussianMixture(options).fit(iris),
    ]);
    expect(Array.from(both[0].means)).toEqual(Array.from(alone.means));
  });

  it('a failed fit leaves the model as it was and the workspace free', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, regCovar: 0, randomState: 0 }).fit(iris);
    const before = Array.from(gm.means);
    await expect(
      gm.fit([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ]),
    ).rejects.toThrow(/regCovar/);
    expect(Array.from(gm.means)).toEqual(before);
    const pool = idleWasmMemory().length;
    await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(iris);
    expect(idleWasmMemory().length).toBe(pool);
  });
});

describe('fromJSON checks saved parameters as strictly as options', () => {
  const bad = async (
    edit: (params: Record<string, number[]>) => void,
    covarianceType: CovarianceType = 'full',
  ) => {
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(iris);
    const saved = JSON.parse(JSON.stringify(gm));
    edit(saved.params);
    return () => GaussianMixture.fromJSON(saved);
  };

  it('weights: negative or not summing to 1', async () => {
    expect(await bad((p) => (p.weights = [-0.2, 1.2]))).toThrow('weights[0] must be >= 0, got -0.2');
    expect(await bad((p) => (p.weights = [0.7, 0.7]))).toThrow(/weights must sum to 1, got a sum of 1\.4/);
  });

  it('precision factors: a negative diagonal, a filled lower triangle, a non-positive diag entry', async () => {
    expect(await bad((p) => (p.precisionsCholesky[0] = -p.precisionsCholesky[0]))).toThrow(
      /precisionsCholesky is not a valid factor: matrix 0 has diagonal entry \[0\]\[0\] = -/,
    );
    expect(await bad((p) => (p.precisionsCholesky[4] = 0.5))).toThrow(
      /matrix 0 is not upper triangular \(\[1\]\[0\] = 0\.5\)/,
    );
    expect(await bad((p) => (p.precisionsCholesky[1] = 0), 'diag')).toThrow(/entry 1 is 0, but must be > 0/);
  });

  it('covariances that disagree with their factors', async () => {
    expect(await bad((p) => (p.covariances[0] *= 1.01))).toThrow(
      /covariances disagree with precisionsCholesky at flat index 0/,
    );
    expect(await bad((p) => (p.covariances[1] *= 1 + 1e-9), 'spherical')).not.toThrow();
    expect(await bad((p) => (p.covariances[1] *= 2), 'spherical')).toThrow(/flat index 1/);
  });

  it('options and the fit record: nIter "abc", an unknown option', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(iris);
    const saved = JSON.parse(JSON.stringify(gm));
    expect(() => GaussianMixture.fromJSON({ ...saved, fit: { ...saved.fit, nIter: 'abc' } })).toThrow(
      'fit.nIter must be an integer >= 0, got "abc"',
    );
    expect(() =>
      GaussianMixture.fromJSON({ ...saved, options: { ...saved.options, maxIter: 'abc' } }),
    ).toThrow('maxIter must be an integer >= 0, got "abc"');
    expect(() => GaussianMixture.fromJSON({ ...saved, options: { ...saved.options, bogus: 1 } })).toThrow(
      /GaussianMixture has no option 'bogus'/,
    );
  });
});
