// BernoulliMixture (alpha 0) against R's flexmix FLXMCmvbinary() from the same partition
// (test/fixtures/make_flexmix_discrete.R): parameters and log-likelihoods to 1e-6.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BernoulliMixture } from '../../src/families/bernoulli/bernoulli-mixture';
import { maxScaledDiff } from '../helpers/kernel-table';

interface Run {
  iterMax: number;
  logLik: number;
  prior: number[];
  probabilities: number[][];
}
const fixture = JSON.parse(readFileSync('test/fixtures/discrete/flexmix-discrete.json', 'utf8')) as {
  bernoulli: {
    X: number[][];
    cluster: number[];
    nComponents: number;
    maxIter: number;
    runs: Run[];
    weights: number[];
    weightedRuns: Run[];
  };
  digits: { file: string; nComponents: number; maxIter: number; runs: Run[] };
};
const byIter = (runs: Run[], t: number): Run => runs.find((r) => r.iterMax === t) as Run;

/**
 * flexmix's start from a partition `cluster`: posteriors 0.9 for the row's cluster and 0.1 for the
 * others, normalised (its `initPosteriors`). The same rows are emwasm's `respInit`.
 */
function flexmixStart(labels: number[], k: number): number[][] {
  const total = 0.9 + 0.1 * (k - 1);
  return labels.map((l) => Array.from({ length: k }, (_, c) => (c === l ? 0.9 : 0.1) / total));
}

function digits(): { X: number[][]; labels: number[] } {
  const rows = readFileSync(`test/fixtures/discrete/${fixture.digits.file}`, 'utf8').trim().split('\n');
  const all = rows.map((r) => r.split(',').map(Number));
  return { X: all.map((r) => r.slice(0, 64)), labels: all.map((r) => r[64]) };
}

/**
 * emwasm with maxIter T from the partition runs T + 1 M-steps (the first from the partition):
 * its parameters are flexmix's with iter.max = T + 1, its bound at iteration t is flexmix's
 * log-likelihood with iter.max = t + 1 (per row), and its weights are flexmix's returned prior with
 * iter.max = T (the posteriors' mean after T M-steps).
 */
function expectParity(m: BernoulliMixture, X: number[][], runs: Run[], T: number, total: number): void {
  const last = byIter(runs, T + 1);
  expect(maxScaledDiff(m.probabilities, last.probabilities.flat())).toBeLessThan(1e-6);
  expect(maxScaledDiff(m.weights, byIter(runs, T).prior)).toBeLessThan(1e-6);
  expect(Math.abs(m.score(X) * total - last.logLik)).toBeLessThan(1e-6 * Math.abs(last.logLik));
  expect(Math.abs(m.lowerBound * total - byIter(runs, T).logLik)).toBeLessThan(1e-6 * Math.abs(last.logLik));
}

describe.each(['wasm', 'js'] as const)('BernoulliMixture vs flexmix FLXMCmvbinary (%s)', (backend) => {
  const b = fixture.bernoulli;

  it('the same parameters and log-likelihood at every iteration from the same partition', async () => {
    const m = new BernoulliMixture({
      nComponents: b.nComponents,
      alpha: 0,
      respInit: flexmixStart(b.cluster, b.nComponents),
      tol: 0,
      maxIter: b.maxIter,
      backend,
    });
    await m.fit(b.X);
    expectParity(m, b.X, b.runs, b.maxIter, b.X.length);
    const bounds = m.lowerBounds;
    for (let t = 0; t < b.maxIter; t++) {
      const ll = byIter(b.runs, t + 1).logLik;
      expect(Math.abs(bounds[t] * b.X.length - ll)).toBeLessThan(1e-6 * Math.abs(ll));
    }
  });

  it('with integer case weights', async () => {
    const m = new BernoulliMixture({
      nComponents: b.nComponents,
      alpha: 0,
      respInit: flexmixStart(b.cluster, b.nComponents),
      tol: 0,
      maxIter: b.maxIter,
      backend,
    });
    await m.fit(b.X, { sampleWeight: b.weights });
    const total = b.weights.reduce((a, v) => a + v, 0);
    const last = byIter(b.weightedRuns, b.maxIter + 1);
    expect(maxScaledDiff(m.probabilities, last.probabilities.flat())).toBeLessThan(1e-6);
    expect(maxScaledDiff(m.weights, byIter(b.weightedRuns, b.maxIter).prior)).toBeLessThan(1e-6);
    const ll = m.score(b.X, { sampleWeight: b.weights }) * total;
    expect(Math.abs(ll - last.logLik)).toBeLessThan(1e-6 * Math.abs(last.logLik));
  });

  it('binarized 8x8 digits, K = 10 from the digit labels', async () => {
    const { X, labels } = digits();
    const d = fixture.digits;
    const m = new BernoulliMixture({
      nComponents: d.nComponents,
      alpha: 0,
      respInit: flexmixStart(labels, d.nComponents),
      tol: 0,
      maxIter: d.maxIter,
      backend,
    });
    await m.fit(X);
    expectParity(m, X, d.runs, d.maxIter, X.length);
  });
});
