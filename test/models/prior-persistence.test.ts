import { describe, expect, it } from 'vitest';
import { DegenerateCovarianceError, GaussianMixture, type CovarianceType } from '../../src/index';
import type { GaussianMixtureJSON, GaussianMixtureOptions } from '../../src/mixture/gaussian-mixture';
import { resolvePrior, type PriorOptions } from '../../src/mixture/prior';
import { Random } from '../../src/util/random';
import { loadExample, maxRelDiff, toFlat } from '../helpers/data';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const iris = loadExample('iris');
const d = 4;

/** A prior with every field set, the arrays as typed arrays (which `toJSON` must turn into plain ones). */
function typedPrior(covarianceType: CovarianceType): PriorOptions {
  const lambda = Float64Array.from([0.5, 0.1, 0, 0, 0.1, 0.4, 0, 0, 0, 0, 0.9, 0.2, 0, 0, 0.2, 0.3]);
  return {
    shrinkage: 0.5,
    mean: Float64Array.from([5, 3, 4, 1]),
    dof: d + 3,
    scale:
      covarianceType === 'spherical'
        ? 0.6
        : covarianceType === 'diag'
          ? Float64Array.from([0.5, 0.4, 0.9, 0.3])
          : lambda,
  };
}

const errorOf = (make: () => unknown): string => {
  try {
    make();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

function nonDecreasing(lb: number[]): void {
  for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-10);
}

describe.each(TYPES)('toJSON / fromJSON keep prior and fixed, %s covariance', (covarianceType) => {
  const base: GaussianMixtureOptions = { nComponents: 3, covarianceType, randomState: 2, tol: 0, maxIter: 5 };

  it.each([
    ['an explicit prior and fixed means', typedPrior(covarianceType), { means: true }],
    ["prior 'default' and fixed weights", 'default', { weights: true }],
  ] as const)(
    'with %s, a warm-started refit after fromJSON equals one without the round trip, bit for bit',
    async (_name, prior, fixed) => {
      const gm = await new GaussianMixture({ ...base, prior, fixed, warmStart: true }).fit(iris);
      const text = JSON.stringify(gm);
      const saved = JSON.parse(text) as GaussianMixtureJSON;
      expect(saved.options.fixed).toEqual({ weights: false, means: false, covariances: false, ...fixed });
      if (prior === 'default') {
        expect(saved.options.prior).toBe('default');
      } else {
        expect(saved.options.prior).toEqual({
          shrinkage: prior.shrinkage,
          mean: Array.from(prior.mean as Float64Array),
          dof: prior.dof,
          scale: typeof prior.scale === 'number' ? prior.scale : Array.from(prior.scale as Float64Array),
        });
      }
      const restored = GaussianMixture.fromJSON(text, { warmStart: true });
      expect(restored.toJSON()).toEqual(gm.toJSON());
      const before = gm.toJSON();
      await gm.fit(iris);
      await restored.fit(iris);
      expect(restored.toJSON()).toEqual(gm.toJSON());
      // The refit did move (so equality above is not two untouched copies) and kept what is fixed.
      expect(gm.toJSON().fit.lowerBounds).not.toEqual(before.fit.lowerBounds);
      const part = 'means' in fixed ? 'means' : 'weights';
      expect(gm.toJSON().params[part]).toEqual(before.params[part]);
    },
  );

  it('a fresh refit after fromJSON equals the fit of the original options', async () => {
    const options = { ...base, prior: typedPrior(covarianceType), fixed: { covariances: true } };
    const gm = await new GaussianMixture(options).fit(iris);
    const restored = GaussianMixture.fromJSON(JSON.stringify(gm));
    await restored.fit(iris);
    expect(restored.toJSON()).toEqual(gm.toJSON());
  });
});

describe('fromJSON: files without prior and fixed, and bad values', () => {
  it('old JSON without the fields loads, scores the same, and refits with no prior and nothing fixed', async () => {
    const options: GaussianMixtureOptions = { nComponents: 2, randomState: 0, tol: 0, maxIter: 4 };
    const gm = await new GaussianMixture({ ...options, warmStart: true }).fit(iris);
    const old = gm.toJSON();
    delete old.options.prior;
    delete old.options.fixed;
    const restored = GaussianMixture.fromJSON(JSON.stringify(old), { warmStart: true });
    expect(restored.scoreSamples(iris)).toEqual(gm.scoreSamples(iris));
    expect(restored.toJSON().options.prior).toBeNull();
    expect(restored.toJSON().options.fixed).toEqual({ weights: false, means: false, covariances: false });
    await gm.fit(iris);
    await restored.fit(iris);
    expect(restored.toJSON()).toEqual(gm.toJSON());
  });

  it.each([
    ['prior', { shrinkage: -1 }],
    ['prior', { shrink: 1 }],
    ['prior', 'mclust'],
    ['prior', [1, 2]],
    ['fixed', { means: 'yes' }],
    ['fixed', { everything: true }],
    ['fixed', 'means'],
  ] as const)('a saved %s of %j is rejected with the constructor’s error', async (field, value) => {
    const gm = await new GaussianMixture({ nComponents: 2, randomState: 0, maxIter: 2 }).fit(iris);
    const saved = gm.toJSON();
    const json = { ...saved, options: { ...saved.options, [field]: value } };
    const expected = errorOf(() => new GaussianMixture({ nComponents: 2, [field]: value as never }));
    expect(expected).toMatch(new RegExp(`^${field}`));
    expect(() => GaussianMixture.fromJSON(json)).toThrow(expected);
  });
});

/** Integer weights 0..3 and the data set that repeats each row that many times. */
function repeated(rows: number[][], seed: number): { weights: Float64Array; copies: number[][] } {
  const rng = new Random(seed);
  const weights = Float64Array.from(rows, () => Math.floor(rng.uniform() * 4));
  const copies = rows.flatMap((row, i) => Array.from({ length: weights[i] }, () => row));
  return { weights, copies };
}

describe.each(TYPES)("prior 'default' with sampleWeight, %s covariance", (covarianceType) => {
  it('integer weights give the prior of the repeated rows', () => {
    const { weights, copies } = repeated(iris, 3);
    const weighted = resolvePrior('default', toFlat(iris), 3, covarianceType, weights);
    const plain = resolvePrior('default', toFlat(copies), 3, covarianceType);
    const unweighted = resolvePrior('default', toFlat(iris), 3, covarianceType);
    expect(maxRelDiff(weighted.mean, plain.mean)).toBeLessThan(1e-12);
    expect(maxRelDiff(weighted.scale, plain.scale)).toBeLessThan(1e-12);
    expect(weighted.dof).toBe(plain.dof);
    expect(weighted.shrinkage).toBe(plain.shrinkage);
    // The weights matter: the plain data give another prior.
    expect(maxRelDiff(unweighted.scale, plain.scale)).toBeGreaterThan(1e-3);
  });

  it('unit weights give the unweighted prior exactly', () => {
    const X = toFlat(iris);
    const ones = new Float64Array(iris.length).fill(1);
    expect(resolvePrior('default', X, 2, covarianceType, ones)).toEqual(
      resolvePrior('default', X, 2, covarianceType),
    );
  });

  it('a total weight of at most nFeatures takes the diagonal, as the repeated rows do', () => {
    const rows = iris.slice(0, 6);
    const weights = Float64Array.from([1, 0, 2, 0, 0, 0]);
    const copies = [rows[0], rows[2], rows[2]];
    const weighted = resolvePrior('default', toFlat(rows), 1, covarianceType, weights);
    const plain = resolvePrior('default', toFlat(copies), 1, covarianceType);
    expect(maxRelDiff(weighted.mean, plain.mean)).toBeLessThan(1e-12);
    expect(maxRelDiff(weighted.scale, plain.scale)).toBeLessThan(1e-12);
  });

  it('a weighted fit equals the fit to the repeated rows from the same start', async () => {
    const { weights, copies } = repeated(iris, 1);
    const eye = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 2 : 0)));
    const precisionsInit = {
      full: [eye, eye, eye],
      tied: eye,
      diag: [Array(d).fill(2), Array(d).fill(2), Array(d).fill(2)],
      spherical: [2, 2, 2],
    }[covarianceType];
    const options: GaussianMixtureOptions = {
      nComponents: 3,
      covarianceType,
      tol: 0,
      maxIter: 20,
      prior: 'default',
      weightsInit: [0.3, 0.3, 0.4],
      meansInit: [iris[0], iris[60], iris[120]],
      precisionsInit,
    };
    const weighted = await new GaussianMixture(options).fit(iris, { sampleWeight: weights });
    const plain = await new GaussianMixture(options).fit(copies);
    expect(maxRelDiff(weighted.lowerBounds, plain.lowerBounds)).toBeLessThan(1e-12);
    expect(maxRelDiff(weighted.means, plain.means)).toBeLessThan(1e-12);
    expect(maxRelDiff(weighted.covariances, plain.covariances)).toBeLessThan(1e-11);
  });
});

/**
 * A start with a component of zero scatter. Full and tied: random_from_data puts each component on
 * one row. Diag and spherical: a single row's scatter about `Σr·x/(Σr + 10·eps)` is tiny but not 0
 * unless the row is 0, so the data get five rows at the origin, which k-means makes a component.
 */
function degenerateStart(covarianceType: CovarianceType): { X: number[][]; options: GaussianMixtureOptions } {
  const options: GaussianMixtureOptions = {
    covarianceType,
    regCovar: 0,
    tol: 0,
    maxIter: 40,
    randomState: 5,
  };
  return covarianceType === 'full' || covarianceType === 'tied'
    ? { X: iris, options: { ...options, nComponents: 3, initParams: 'random_from_data' } }
    : {
        X: [...iris, ...Array.from({ length: 5 }, () => [0, 0, 0, 0])],
        options: { ...options, nComponents: 4 },
      };
}

describe.each(TYPES)('the initial M-step under a prior, %s covariance', (covarianceType) => {
  const { X, options: base } = degenerateStart(covarianceType);

  it('the degenerate start with regCovar 0 fails without a prior', async () => {
    await expect(new GaussianMixture(base).fit(X)).rejects.toThrow(DegenerateCovarianceError);
  });

  it.each(['js', 'wasm'] as const)(
    "with prior 'default' the same start fits, and the bound never decreases (%s backend)",
    async (backend) => {
      const gm = await new GaussianMixture({ ...base, prior: 'default', backend }).fit(X);
      const lb = gm.lowerBounds;
      expect(lb).toHaveLength(40);
      for (const v of lb) expect(Number.isFinite(v)).toBe(true);
      nonDecreasing(lb);
      expect(lb[lb.length - 1]).toBeGreaterThan(lb[0]);
    },
  );

  it('K=1: the start is already the MAP estimate (closed form), with maxIter 0', async () => {
    const prior = typedPrior(covarianceType);
    const gm = await new GaussianMixture({
      nComponents: 1,
      covarianceType,
      regCovar: 0,
      maxIter: 0,
      randomState: 0,
      prior,
    }).fit(iris);
    const n = iris.length;
    const kappa = prior.shrinkage as number;
    const nu = prior.dof as number;
    const m0 = Array.from(prior.mean as Float64Array);
    const xbar = m0.map((_, j) => iris.reduce((s, r) => s + r[j], 0) / n);
    const mu = xbar.map((x, j) => (n * x + kappa * m0[j]) / (n + kappa));
    const w = (a: number, b: number): number =>
      iris.reduce((s, r) => s + (r[a] - xbar[a]) * (r[b] - xbar[b]), 0) +
      ((kappa * n) / (kappa + n)) * (xbar[a] - m0[a]) * (xbar[b] - m0[b]);
    let expected: number[];
    if (covarianceType === 'full' || covarianceType === 'tied') {
      const lambda = prior.scale as Float64Array;
      expected = [];
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) expected.push((lambda[a * d + b] + w(a, b)) / (n + nu + d + 2));
    } else if (covarianceType === 'diag') {
      expected = Array.from(prior.scale as Float64Array, (s, j) => (s + w(j, j)) / (n + nu + 3));
    } else {
      let trace = 0;
      for (let j = 0; j < d; j++) trace += w(j, j);
      expected = [((prior.scale as number) + trace) / (nu + (n + 1) * d + 2)];
    }
    expect(maxRelDiff(gm.means, mu)).toBeLessThan(1e-12);
    expect(maxRelDiff(gm.covariances, expected)).toBeLessThan(1e-12);
  });

  it('fixed means given by meansInit still override the MAP start', async () => {
    const meansInit = [iris[0], iris[60], iris[120], [0, 0, 0, 0]].slice(0, base.nComponents);
    const gm = await new GaussianMixture({
      ...base,
      prior: 'default',
      fixed: { means: true },
      meansInit,
    }).fit(X);
    expect(gm.means).toEqual(Float64Array.from(meansInit.flat()));
    nonDecreasing(gm.lowerBounds);
  });
});
