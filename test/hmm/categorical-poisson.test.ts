import { describe, expect, it } from 'vitest';
import { CategoricalHMM, PoissonHMM } from '../../src/index';
import { BACKENDS, dirichletRows, exactEStep, matchStates, maxAbs, permuteRows } from './helpers';

const TRANS = [
  [0.9, 0.1],
  [0.2, 0.8],
];
const EMISSION = [
  [0.7, 0.2, 0.1],
  [0.1, 0.3, 0.6],
];
const LAMBDAS = [
  [1, 6],
  [8, 0.5],
];

async function categoricalTruth(): Promise<CategoricalHMM> {
  const truth = new CategoricalHMM({
    nComponents: 2,
    nIter: 0,
    startProbInit: [0.5, 0.5],
    transMatInit: TRANS,
    emissionProbInit: EMISSION,
  });
  return truth.fit([0, 1, 2]);
}

async function poissonTruth(): Promise<PoissonHMM> {
  const truth = new PoissonHMM({ nComponents: 2, nIter: 0, transMatInit: TRANS, lambdasInit: LAMBDAS });
  return truth.fit([[0, 0]]);
}

/** Stacks `count` sampled sequences of `length` steps. */
function stack(model: CategoricalHMM | PoissonHMM, count: number, length: number, seed: number) {
  const parts = Array.from({ length: count }, (_, s) => model.sample(length, seed + s).X);
  const width = parts[0].length / length;
  const data = new Float64Array(count * length * width);
  parts.forEach((p, s) => data.set(p, s * length * width));
  return { X: { data, rows: count * length, cols: width }, lengths: new Array<number>(count).fill(length) };
}

describe('CategoricalHMM', () => {
  const symbols = [0, 0, 1, 2, 2, 1, 0, 2, 2, 2, 0];
  const lengths = [7, 4];

  it.each(BACKENDS)("one Baum-Welch step follows hmmlearn's update, with priors (%s)", async (backend) => {
    const logB = new Float64Array(symbols.length * 2);
    symbols.forEach((s, t) => {
      for (let c = 0; c < 2; c++) logB[t * 2 + c] = Math.log(EMISSION[c][s]);
    });
    const e = exactEStep(logB, lengths, 2, [0.4, 0.6], TRANS.flat());
    const counts = new Float64Array(6);
    symbols.forEach((s, t) => {
      for (let c = 0; c < 2; c++) counts[c * 3 + s] += e.post[t * 2 + c];
    });
    const hmm = await new CategoricalHMM({
      nComponents: 2,
      nIter: 1,
      startProbInit: [0.4, 0.6],
      transMatInit: TRANS,
      emissionProbInit: EMISSION,
      transMatPrior: 2,
      emissionProbPrior: 1.5,
      backend,
    }).fit(symbols, lengths);
    // The bound is the log-likelihood plus the log-prior, Σ (α − 1)·log p, of the starting parameters.
    const logPrior =
      TRANS.flat().reduce((sum, p) => sum + (2 - 1) * Math.log(p), 0) +
      EMISSION.flat().reduce((sum, p) => sum + (1.5 - 1) * Math.log(p), 0);
    expect(hmm.lowerBound).toBeCloseTo(e.logLikelihood + logPrior, 12);
    expect(maxAbs(hmm.startProb, dirichletRows(e.start, 1, 1))).toBeLessThan(1e-13);
    expect(maxAbs(hmm.transMat, dirichletRows(e.trans, 2, 2))).toBeLessThan(1e-13);
    expect(maxAbs(hmm.emissionProb, dirichletRows(counts, 1.5, 2))).toBeLessThan(1e-13);
  });

  it('the log-likelihood never decreases from a random start, and both backends agree', async () => {
    const data = stack(await categoricalTruth(), 5, 200, 1);
    const fits = await Promise.all(
      BACKENDS.map((backend) =>
        new CategoricalHMM({ nComponents: 3, nIter: 30, tol: 0, randomState: 2, backend }).fit(
          data.X,
          data.lengths,
        ),
      ),
    );
    const lb = fits[0].lowerBounds;
    for (let i = 1; i < lb.length; i++)
      expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-9 * Math.abs(lb[i - 1]));
    expect(maxAbs(fits[0].emissionProb, fits[1].emissionProb)).toBeLessThan(1e-10);
    expect(maxAbs(lb, fits[1].lowerBounds)).toBeLessThan(1e-8);
  });

  it('estimates approach the truth as the data grow', async () => {
    const truth = await categoricalTruth();
    const errors: number[] = [];
    for (const count of [2, 20, 200]) {
      const data = stack(truth, count, 250, 50 + count);
      const hmm = await new CategoricalHMM({ nComponents: 2, nIter: 500, tol: 1e-6, randomState: 0 }).fit(
        data.X,
        data.lengths,
      );
      const perm = matchStates(Float64Array.from(EMISSION.flat()), hmm.emissionProb, 2);
      errors.push(
        Math.max(
          maxAbs(permuteRows(hmm.emissionProb, perm), EMISSION.flat()),
          maxAbs(permuteRows(hmm.transMat, perm, true), TRANS.flat()),
        ),
      );
    }
    expect(errors[1]).toBeLessThan(errors[0]);
    expect(errors[2]).toBeLessThan(errors[1]);
    expect(errors[2]).toBeLessThan(0.03);
  });

  it('frozen emission probabilities, inferred symbol count, parameters, sampling and JSON', async () => {
    const hmm = await new CategoricalHMM({
      nComponents: 2,
      nIter: 5,
      params: { emissionProb: false },
      emissionProbInit: EMISSION,
      randomState: 0,
    }).fit(symbols, lengths);
    expect([...hmm.emissionProb]).toEqual(EMISSION.flat());
    expect(hmm.nFeatures).toBe(3);
    expect(hmm.nParameters()).toBe(1 + 2 + 2 * 2);
    const { X, states } = hmm.sample(400, 3);
    expect(X.every((s) => s === 0 || s === 1 || s === 2)).toBe(true);
    expect(states).toHaveLength(400);
    const copy = CategoricalHMM.fromJSON(JSON.stringify(hmm.toJSON()));
    expect(copy.score(symbols, lengths)).toBe(hmm.score(symbols, lengths));
    expect([...copy.predict(symbols, lengths)]).toEqual([...hmm.predict(symbols, lengths)]);
    const nested = symbols.map((s) => [s]);
    expect(hmm.score(nested, lengths)).toBe(hmm.score(symbols, lengths));
  });
});

describe('PoissonHMM', () => {
  const counts = [
    [0, 5],
    [2, 7],
    [9, 1],
    [7, 0],
    [1, 6],
    [8, 1],
    [10, 0],
    [0, 4],
  ];
  const lengths = [5, 3];

  it.each(BACKENDS)("one Baum-Welch step follows hmmlearn's update, with priors (%s)", async (backend) => {
    const logFactorial = (x: number): number => {
      let s = 0;
      for (let i = 2; i <= x; i++) s += Math.log(i);
      return s;
    };
    const logB = new Float64Array(counts.length * 2);
    counts.forEach((x, t) => {
      for (let c = 0; c < 2; c++) {
        logB[t * 2 + c] = x.reduce(
          (s, v, j) => s + v * Math.log(LAMBDAS[c][j]) - LAMBDAS[c][j] - logFactorial(v),
          0,
        );
      }
    });
    const e = exactEStep(logB, lengths, 2, [0.5, 0.5], TRANS.flat());
    const expected: number[] = [];
    for (let c = 0; c < 2; c++) {
      let post = 0;
      const obs = [0, 0];
      counts.forEach((x, t) => {
        post += e.post[t * 2 + c];
        obs[0] += e.post[t * 2 + c] * x[0];
        obs[1] += e.post[t * 2 + c] * x[1];
      });
      expected.push(...obs.map((o) => (0.5 + o) / (2 + post)));
    }
    const hmm = await new PoissonHMM({
      nComponents: 2,
      nIter: 1,
      transMatInit: TRANS,
      lambdasInit: LAMBDAS,
      lambdasPrior: 0.5,
      lambdasWeight: 2,
      backend,
    }).fit(counts, lengths);
    // The bound adds the gamma log-prior of the starting rates: Σ 0.5·log λ − 2λ.
    const logPrior = LAMBDAS.flat().reduce((sum, l) => sum + 0.5 * Math.log(l) - 2 * l, 0);
    expect(hmm.lowerBound).toBeCloseTo(e.logLikelihood + logPrior, 11);
    expect(maxAbs(hmm.lambdas, expected)).toBeLessThan(1e-12);
    expect(maxAbs(hmm.transMat, dirichletRows(e.trans, 1, 2))).toBeLessThan(1e-12);
  });

  it('the log-likelihood never decreases, both backends agree, estimates approach the truth', async () => {
    const truth = await poissonTruth();
    const errors: number[] = [];
    for (const count of [2, 20, 200]) {
      const data = stack(truth, count, 100, 10 + count);
      const fits = await Promise.all(
        (count === 20 ? BACKENDS : (['wasm'] as const)).map((backend) =>
          new PoissonHMM({ nComponents: 2, nIter: 100, tol: 1e-6, randomState: 1, backend }).fit(
            data.X,
            data.lengths,
          ),
        ),
      );
      const hmm = fits[0];
      const lb = hmm.lowerBounds;
      for (let i = 1; i < lb.length; i++)
        expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-9 * Math.abs(lb[i - 1]));
      if (fits.length === 2) expect(maxAbs(hmm.lambdas, fits[1].lambdas)).toBeLessThan(1e-9);
      const perm = matchStates(Float64Array.from(LAMBDAS.flat()), hmm.lambdas, 2);
      errors.push(
        Math.max(
          maxAbs(permuteRows(hmm.lambdas, perm), LAMBDAS.flat()) / 8,
          maxAbs(permuteRows(hmm.transMat, perm, true), TRANS.flat()),
        ),
      );
    }
    expect(errors[1]).toBeLessThan(errors[0]);
    expect(errors[2]).toBeLessThan(errors[1]);
    expect(errors[2]).toBeLessThan(0.02);
  });

  it('frozen start probabilities, parameters, sampling and JSON', async () => {
    const hmm = await new PoissonHMM({
      nComponents: 2,
      nIter: 5,
      params: { startProb: false, lambdas: true },
      startProbInit: [0.25, 0.75],
      randomState: 0,
    }).fit(counts, lengths);
    expect([...hmm.startProb]).toEqual([0.25, 0.75]);
    expect(hmm.nParameters()).toBe(1 + 2 + 4);
    const { X } = hmm.sample(500, 1);
    expect(X.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    const copy = PoissonHMM.fromJSON(hmm.toJSON(), { backend: 'js' });
    expect(copy.score(counts, lengths)).toBeCloseTo(hmm.score(counts, lengths), 10);
    expect([...copy.lambdas]).toEqual([...hmm.lambdas]);
  });

  it('a zero rate gives zero counts probability 1 and positive counts probability 0', async () => {
    const hmm = await new PoissonHMM({
      nComponents: 2,
      nIter: 0,
      startProbInit: [1, 0],
      transMatInit: [
        [1, 0],
        [0, 1],
      ],
      lambdasInit: [[0], [3]],
    }).fit([[0]]);
    expect(hmm.score([[0], [0], [0]])).toBe(0);
    expect(hmm.score([[0], [1]])).toBe(-Infinity);
  });
});
