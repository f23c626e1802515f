import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, MultinomialHMM } from '../../src/index';
import { maxScaledDiff } from '../helpers/kernel-table';
import { BACKENDS } from './helpers';

interface Fixture {
  stationary: { transMat: number[][]; stationary: number[] }[];
  multinomial: {
    X: number[][];
    lengths: number[];
    nTrials: number;
    startProbInit: number[];
    transMatInit: number[][];
    emissionProbInit: number[][];
    logLikelihood: number;
    startProb: number[];
    transMat: number[][];
    emissionProb: number[][];
  };
}

// test/fixtures/make_hmmlearn_fixtures.py: hmmlearn 0.3.3's formulas in numpy/scipy.
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/hmmlearn/hmm.json', import.meta.url), 'utf8'),
) as Fixture;

/** A model whose chain has `transMat` (the emissions do not matter to the stationary distribution). */
function chain(transMat: number[][]): CategoricalHMM {
  const k = transMat.length;
  return CategoricalHMM.fromParams({
    startProb: new Array<number>(k).fill(1 / k),
    transMat,
    emissionProb: transMat.map(() => [0.5, 0.5]),
  });
}

describe('stationaryDistribution', () => {
  it.each(fixture.stationary.map((c, i) => [i, c] as const))(
    "equals hmmlearn's get_stationary_distribution (matrix %i)",
    (_i, c) => {
      const pi = chain(c.transMat).stationaryDistribution();
      expect(maxScaledDiff(pi, c.stationary)).toBeLessThan(1e-12);
      const k = pi.length;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += pi[i] * c.transMat[i][j];
        expect(Math.abs(s - pi[j])).toBeLessThan(1e-14);
      }
    },
  );

  it('a periodic chain (where power iteration never settles) and a one-state chain', () => {
    expect([
      ...chain([
        [0, 1],
        [1, 0],
      ]).stationaryDistribution(),
    ]).toEqual([0.5, 0.5]);
    expect([...chain([[1]]).stationaryDistribution()]).toEqual([1]);
  });

  it('a chain with two closed classes has no unique stationary distribution: an error says so', () => {
    const reducible = chain([
      [1, 0, 0],
      [0, 0.5, 0.5],
      [0, 0.5, 0.5],
    ]);
    expect(() => reducible.stationaryDistribution()).toThrow(/no unique stationary distribution/);
    expect(() => new CategoricalHMM().stationaryDistribution()).toThrow(
      /not fitted yet.*before stationaryDistribution/,
    );
  });
});

describe('MultinomialHMM', () => {
  const m = fixture.multinomial;
  const start = {
    nComponents: 3,
    startProbInit: m.startProbInit,
    transMatInit: m.transMatInit,
    emissionProbInit: m.emissionProbInit,
  };

  it.each(BACKENDS)("one Baum-Welch step equals hmmlearn's (%s)", async (backend) => {
    const hmm = await new MultinomialHMM({ ...start, nIter: 1, tol: 0, backend }).fit(m.X, m.lengths);
    expect(Math.abs(hmm.lowerBound - m.logLikelihood)).toBeLessThan(1e-10 * Math.abs(m.logLikelihood));
    expect(maxScaledDiff(hmm.startProb, m.startProb)).toBeLessThan(1e-10);
    expect(maxScaledDiff(hmm.transMat, m.transMat.flat())).toBeLessThan(1e-10);
    expect(maxScaledDiff(hmm.emissionProb, m.emissionProb.flat())).toBeLessThan(1e-10);
    const unfitted = new MultinomialHMM({ ...start, nIter: 0, backend });
    expect(Math.abs(unfitted.score(m.X, m.lengths) - m.logLikelihood)).toBeLessThan(1e-10 * 305);
  });

  it('the bound never decreases, both backends agree, and nTrials is checked and used to sample', async () => {
    const fits = [];
    for (const backend of BACKENDS) {
      const hmm = await new MultinomialHMM({
        nComponents: 3,
        nTrials: m.nTrials,
        nIter: 30,
        tol: 0,
        randomState: 1,
        backend,
      }).fit(m.X, m.lengths);
      for (let i = 1; i < hmm.lowerBounds.length; i++) {
        expect(hmm.lowerBounds[i]).toBeGreaterThanOrEqual(hmm.lowerBounds[i - 1] - 1e-9);
      }
      fits.push(hmm);
    }
    expect(maxScaledDiff(fits[0].lowerBounds, fits[1].lowerBounds)).toBeLessThan(1e-10);
    const { X } = fits[0].sample(20, 2);
    for (let t = 0; t < 20; t++)
      expect(X[t * 4] + X[t * 4 + 1] + X[t * 4 + 2] + X[t * 4 + 3]).toBe(m.nTrials);
    // hmmlearn's count: K − 1 + K(K − 1) + K(D − 1).
    expect(fits[0].nParameters()).toBe(2 + 6 + 9);
  });

  it('with one trial per row it is the CategoricalHMM of the symbols', () => {
    const symbols = [0, 2, 1, 1, 0, 2, 2, 0];
    const oneHot = symbols.map((s) => [0, 1, 2].map((j) => (j === s ? 1 : 0)));
    const params = {
      startProb: [0.3, 0.7],
      transMat: [
        [0.6, 0.4],
        [0.2, 0.8],
      ],
      emissionProb: [
        [0.5, 0.3, 0.2],
        [0.1, 0.1, 0.8],
      ],
    };
    const mult = MultinomialHMM.fromParams(params);
    const cat = CategoricalHMM.fromParams(params);
    expect(Math.abs(mult.score(oneHot) - cat.score(symbols))).toBeLessThan(1e-12);
    expect(mult.decode(oneHot).states).toEqual(cat.decode(symbols).states);
  });

  it('rows of counts in n trials: errors name the row and the rule', async () => {
    const hmm = () => new MultinomialHMM({ nComponents: 2, nTrials: 3 });
    await expect(
      hmm().fit([
        [1, 2],
        [2, 2],
      ]),
    ).rejects.toThrow(/X\[1\] must sum to nTrials=3 \(the counts of nTrials trials\), got 4/);
    await expect(
      hmm().fit([
        [1, 2],
        [4, -1],
      ]),
    ).rejects.toThrow(/X\[1\]\[1\] must be a non-negative integer count, got -1/);
    await expect(hmm().fit([[1.5, 1.5]])).rejects.toThrow(
      /X\[0\]\[0\] must be a non-negative integer count, got 1\.5/,
    );
    expect(() => new MultinomialHMM({ nTrials: 0 })).toThrow(/nTrials must be an integer >= 1, got 0/);
    // Without nTrials each row has its own n; sampling then needs one.
    const mixed = await new MultinomialHMM({ nComponents: 2, randomState: 0 }).fit([
      [1, 2],
      [3, 3],
      [0, 1],
    ]);
    expect(() => mixed.sample(3)).toThrow(/sample needs one number of trials: set the nTrials option/);
    const same = await new MultinomialHMM({ nComponents: 2, randomState: 0 }).fit([
      [1, 2],
      [3, 0],
      [0, 3],
    ]);
    expect(same.sample(2, 0).X.reduce((a, b) => a + b, 0)).toBe(6);
    const bad = JSON.parse(JSON.stringify(same));
    expect(() => MultinomialHMM.fromJSON({ ...bad, params: { ...bad.params, nTrials: -2 } })).toThrow(
      /params\.nTrials must be an integer >= 1 or null, got -2/,
    );
  });
});
