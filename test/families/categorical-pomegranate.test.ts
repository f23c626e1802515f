// CategoricalMixture (alpha 0) against pomegranate 0.14's latent class model (a GeneralMixtureModel
// of IndependentComponentsDistribution of DiscreteDistribution) from the same start
// (test/fixtures/categorical/make_pomegranate.py): parameters and log-likelihoods to 1e-6.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CategoricalMixture } from '../../src/families/categorical/categorical-mixture';
import { maxScaledDiff } from '../helpers/kernel-table';

interface Run {
  iterations: number;
  weights: number[];
  probabilities: number[][];
  logLik: number;
  trace: number[];
}
interface Fits {
  startLogLik: number;
  runs: Run[];
}
const fixture = JSON.parse(readFileSync('test/fixtures/categorical/pomegranate.json', 'utf8')) as {
  X: number[][];
  nCategories: number[];
  nComponents: number;
  weightsInit: number[];
  probabilitiesInit: number[][];
  sampleWeight: number[];
  unweighted: Fits;
  weighted: Fits;
};

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/**
 * pomegranate's fit with max_iterations T from given parameters takes T M-steps, as emwasm's with
 * maxIter T from weightsInit / probabilitiesInit: the same parameters, whose log-likelihood is
 * pomegranate's last; emwasm's bound at iteration t is that of the parameters after t M-steps
 * (the start's at t = 0), pomegranate's trace entry t − 1.
 */
describe.each(['wasm', 'js'] as const)('CategoricalMixture vs pomegranate (%s)', (backend) => {
  for (const [name, sampleWeight] of [
    ['unweighted', undefined],
    ['weighted', fixture.sampleWeight],
  ] as const) {
    const fits = fixture[name];
    const total = sampleWeight ? sampleWeight.reduce((a, v) => a + v, 0) : fixture.X.length;
    for (const run of fits.runs) {
      it(`${name}: ${run.iterations} iteration(s) from the same start`, async () => {
        const m = new CategoricalMixture({
          nComponents: fixture.nComponents,
          nCategories: fixture.nCategories,
          alpha: 0,
          weightsInit: fixture.weightsInit,
          probabilitiesInit: fixture.probabilitiesInit,
          maxIter: run.iterations,
          tol: 0,
          backend,
        });
        await m.fit(fixture.X, { sampleWeight });
        expect(maxScaledDiff(m.probabilities, run.probabilities.flat())).toBeLessThan(1e-6);
        expect(maxScaledDiff(m.weights, run.weights)).toBeLessThan(1e-6);
        expect(relative(m.score(fixture.X, { sampleWeight }) * total, run.logLik)).toBeLessThan(1e-6);
        const bounds = m.lowerBounds;
        expect(bounds).toHaveLength(run.iterations);
        expect(relative(bounds[0] * total, fits.startLogLik)).toBeLessThan(1e-6);
        for (let t = 1; t < run.iterations; t++)
          expect(relative(bounds[t] * total, run.trace[t - 1])).toBeLessThan(1e-6);
      });
    }
  }
});
