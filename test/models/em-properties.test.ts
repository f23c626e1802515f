import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType, type IterationInfo } from '../../src/index';
import type { BackendName } from '../../src/backend/types';
import { MIXTURE_INIT_PARAMS as INIT_PARAMS } from '../../src/em/mixture';
import { blobs, loadExample, maxAbsDiff, maxRelDiff, toFlat } from '../helpers/data';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const iris = loadExample('iris');
const faithful = loadExample('faithful');

describe.each(TYPES)('EM properties, %s covariance', (covarianceType) => {
  it('the bound never decreases (warmStart, maxIter 1, step by step)', async () => {
    const gm = new GaussianMixture({
      nComponents: 3,
      covarianceType,
      warmStart: true,
      maxIter: 1,
      initParams: 'random_from_data',
      randomState: 3,
    });
    const bounds: number[] = [];
    for (let step = 0; step < 40; step++) {
      await gm.fit(iris);
      bounds.push(gm.lowerBound);
    }
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-10);
    // It really moved: from a random start, 40 EM steps raise the bound.
    expect(bounds[bounds.length - 1] - bounds[0]).toBeGreaterThan(0.1);
  });

  it('warm-started single steps retrace one uninterrupted fit', async () => {
    const whole = await new GaussianMixture({
      nComponents: 3,
      covarianceType,
      tol: 0,
      maxIter: 12,
      randomState: 5,
    }).fit(iris);
    const step = new GaussianMixture({
      nComponents: 3,
      covarianceType,
      maxIter: 1,
      warmStart: true,
      randomState: 5,
    });
    const traced: number[] = [];
    for (let i = 0; i < 12; i++) traced.push((await step.fit(iris)).lowerBound);
    expect(maxAbsDiff(traced, whole.lowerBounds)).toBeLessThan(1e-12);
    expect(maxAbsDiff(step.means, whole.means)).toBeLessThan(1e-12);
  });

  it('lowerBounds is non-decreasing and its last value is lowerBound', async () => {
    const gm = await new GaussianMixture({ nComponents: 4, covarianceType, tol: 1e-8, randomState: 1 }).fit(
      faithful,
    );
    const lb = gm.lowerBounds;
    expect(lb.length).toBe(gm.nIter);
    expect(lb[lb.length - 1]).toBe(gm.lowerBound);
    for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-10);
  });

  it('predictProba rows sum to 1 and predict is their argmax', async () => {
    const gm = await new GaussianMixture({ nComponents: 3, covarianceType, randomState: 0 }).fit(iris);
    const p = gm.predictProba(iris);
    const labels = gm.predict(iris);
    for (let i = 0; i < iris.length; i++) {
      let s = 0;
      let best = 0;
      for (let c = 0; c < 3; c++) {
        s += p[i * 3 + c];
        if (p[i * 3 + c] > p[i * 3 + best]) best = c;
      }
      expect(Math.abs(s - 1)).toBeLessThan(1e-12);
      expect(labels[i]).toBe(best);
    }
  });

  it('fitPredict equals fit then predict', async () => {
    const options = { nComponents: 3, covarianceType, nInit: 3, randomState: 11 };
    const a = await new GaussianMixture(options).fitPredict(iris);
    const gm = await new GaussianMixture(options).fit(iris);
    expect(Array.from(a)).toEqual(Array.from(gm.predict(iris)));
  });

  it.each(INIT_PARAMS)('the same seed gives an identical fit (initParams %s)', async (initParams) => {
    const options = { nComponents: 3, covarianceType, initParams, nInit: 2, randomState: 42 };
    const a = await new GaussianMixture(options).fit(iris);
    const b = await new GaussianMixture(options).fit(iris);
    expect(Array.from(a.means)).toEqual(Array.from(b.means));
    expect(Array.from(a.covariances)).toEqual(Array.from(b.covariances));
    expect(a.lowerBounds).toEqual(b.lowerBounds);
    const c = await new GaussianMixture({ ...options, randomState: 43 }).fit(iris);
    expect(c.lowerBounds).not.toEqual(a.lowerBounds);
  });

  it('the Wasm and JavaScript backends give the same fit', async () => {
    // One restart: with several, two restarts can reach the same optimum with the components in
    // another order and bounds equal to rounding, and either may win.
    const options = { nComponents: 3, covarianceType, randomState: 8 };
    const w = await new GaussianMixture({ ...options, backend: 'wasm' }).fit(iris);
    const j = await new GaussianMixture({ ...options, backend: 'js' }).fit(iris);
    expect(w.nIter).toBe(j.nIter);
    expect(Math.abs(w.lowerBound - j.lowerBound)).toBeLessThan(1e-10);
    expect(maxRelDiff(w.means, j.means)).toBeLessThan(1e-9);
  });

  it('K = 1 gives the sample mean and the sample covariance plus regCovar', async () => {
    const X = toFlat(iris);
    const { rows: n, cols: d, data } = X;
    const reg = 1e-3;
    const gm = await new GaussianMixture({ nComponents: 1, covarianceType, regCovar: reg }).fit(X);
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++)
          cov[a * d + b] += ((data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b])) / n;
    for (let a = 0; a < d; a++) cov[a * d + a] += reg;
    const diagonal = Array.from({ length: d }, (_, a) => cov[a * d + a]);
    const expected = {
      full: cov,
      tied: cov,
      diag: diagonal,
      spherical: [diagonal.reduce((s, v) => s + v, 0) / d],
    }[covarianceType];
    expect(maxRelDiff(gm.means, mean)).toBeLessThan(1e-12);
    expect(maxRelDiff(gm.covariances, expected)).toBeLessThan(1e-10);
    expect(gm.weights[0]).toBeCloseTo(1, 14);
  });

  it('precisions and precisionsCholesky are the inverse covariance and its factor', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(iris);
    const d = 4;
    const cov = gm.covariances;
    const prec = gm.precisions;
    const count = cov.length / (covarianceType === 'full' || covarianceType === 'tied' ? d * d : 1);
    if (covarianceType === 'full' || covarianceType === 'tied') {
      for (let c = 0; c < count; c++) {
        for (let a = 0; a < d; a++)
          for (let b = 0; b < d; b++) {
            let s = 0;
            for (let m = 0; m < d; m++) s += cov[c * d * d + a * d + m] * prec[c * d * d + m * d + b];
            expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-9);
          }
      }
      const u = gm.precisionsCholesky;
      for (let c = 0; c < count; c++)
        for (let a = 1; a < d; a++) for (let b = 0; b < a; b++) expect(u[c * d * d + a * d + b]).toBe(0);
    } else {
      for (let i = 0; i < cov.length; i++) expect(cov[i] * prec[i]).toBeCloseTo(1, 12);
    }
  });

  it('sample draws from the fitted mixture (moments) deterministically', async () => {
    const { X } = blobs(2, 600, 2, 2, 8);
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(X);
    const a = gm.sample(20000);
    const b = gm.sample(20000);
    expect(Array.from(a.X.subarray(0, 50))).toEqual(Array.from(b.X.subarray(0, 50)));
    for (let i = 1; i < a.labels.length; i++) expect(a.labels[i]).toBeGreaterThanOrEqual(a.labels[i - 1]);
    const refit = await new GaussianMixture({
      nComponents: 2,
      covarianceType,
      meansInit: gm.means,
      weightsInit: gm.weights,
      precisionsInit: gm.precisions,
    }).fit({ data: a.X, rows: 20000, cols: 2 });
    expect(maxAbsDiff(refit.means, gm.means)).toBeLessThan(0.1);
    expect(maxAbsDiff(refit.weights, gm.weights)).toBeLessThan(0.02);
    expect(maxRelDiff(refit.covariances, gm.covariances)).toBeLessThan(0.1);
  });
});

describe('convergence and restarts', () => {
  it('tol 0 runs maxIter iterations and reports not converged', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, tol: 0, maxIter: 7, randomState: 0 }).fit(
      faithful,
    );
    expect(gm.nIter).toBe(7);
    expect(gm.converged).toBe(false);
  });

  it('maxIter 0 keeps the initial parameters', async () => {
    const gm = await new GaussianMixture({
      nComponents: 2,
      maxIter: 0,
      meansInit: [
        [2, 55],
        [4.5, 80],
      ],
    }).fit(faithful);
    expect(gm.nIter).toBe(0);
    expect(Array.from(gm.means)).toEqual([2, 55, 4.5, 80]);
  });

  it('onIteration reports every iteration of every restart, and the best restart wins', async () => {
    const seen: IterationInfo[] = [];
    const gm = await new GaussianMixture({
      nComponents: 3,
      nInit: 4,
      initParams: 'random',
      randomState: 2,
      onIteration: (info) => seen.push(info),
    }).fit(iris);
    expect(new Set(seen.map((s) => s.init))).toEqual(new Set([0, 1, 2, 3]));
    const finals = [0, 1, 2, 3].map((init) => seen.filter((s) => s.init === init).at(-1)!.lowerBound);
    expect(gm.lowerBound).toBe(Math.max(...finals));
    for (const s of seen)
      if (s.iter > 1) expect(s.change).toBeCloseTo(s.lowerBound - seen[seen.indexOf(s) - 1].lowerBound, 12);
  });

  it('more restarts never give a worse bound (same seed stream)', async () => {
    const one = await new GaussianMixture({ nComponents: 3, initParams: 'random', randomState: 9 }).fit(iris);
    const five = await new GaussianMixture({
      nComponents: 3,
      initParams: 'random',
      nInit: 5,
      randomState: 9,
    }).fit(iris);
    expect(five.lowerBound).toBeGreaterThanOrEqual(one.lowerBound);
  });

  it('recovers well separated clusters', async () => {
    const { X, labels } = blobs(7, 900, 3, 3, 12);
    const predicted = await new GaussianMixture({ nComponents: 3, randomState: 0 }).fitPredict(X);
    // The same partition up to a renaming of the components (two of the centers are 5.4 sd apart,
    // so a handful of points on the boundary may go either way).
    const votes = new Map<string, number>();
    for (let i = 0; i < labels.length; i++) {
      const key = `${predicted[i]}:${labels[i]}`;
      votes.set(key, (votes.get(key) ?? 0) + 1);
    }
    const agreeing = [...votes.values()].sort((a, b) => b - a).slice(0, 3);
    expect(agreeing.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(0.99 * labels.length);
    expect(
      new Set([...votes.entries()].filter(([, v]) => v > 100).map(([key]) => key.split(':')[0])).size,
    ).toBe(3);
  });
});

describe('numerically hard data fits without NaN', () => {
  const finite = (a: ArrayLike<number>) => Array.from(a).every(Number.isFinite);

  it.each(TYPES)('identical points (%s)', async (covarianceType) => {
    const X = Array.from({ length: 30 }, () => [1.5, -2]);
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(X);
    expect(finite(gm.means) && finite(gm.covariances) && Number.isFinite(gm.lowerBound)).toBe(true);
    expect(finite(gm.scoreSamples(X))).toBe(true);
  });

  it.each(TYPES)('a constant feature (%s)', async (covarianceType) => {
    const X = iris.map((r) => [r[0], 3, r[2]]);
    const gm = await new GaussianMixture({ nComponents: 3, covarianceType, randomState: 0 }).fit(X);
    expect(finite(gm.means) && finite(gm.covariances) && finite(gm.scoreSamples(X))).toBe(true);
  });

  it.each(
    TYPES.flatMap((t) => [
      [t, 1e-8],
      [t, 1e8],
    ]) as [CovarianceType, number][],
  )('data at scale %s × %s', async (covarianceType, scale) => {
    const X = faithful.map((r) => r.map((v) => v * scale));
    const gm = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(X);
    expect(finite(gm.means) && finite(gm.covariances) && finite(gm.precisionsCholesky)).toBe(true);
    expect(finite(gm.scoreSamples(X))).toBe(true);
    expect(Number.isFinite(gm.bic(X))).toBe(true);
    if (scale > 1) {
      // At a large scale regCovar is negligible: the same clusters as the unscaled data.
      const plain = await new GaussianMixture({ nComponents: 2, covarianceType, randomState: 0 }).fit(
        faithful,
      );
      expect(Array.from(gm.predict(X))).toEqual(Array.from(plain.predict(faithful)));
    }
  });
});
