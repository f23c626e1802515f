import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backend/types';
import { CategoricalHMM, GaussianHMM, GMMHMM, PoissonHMM } from '../../src/index';
import { BACKENDS } from './helpers';

type AnyHMM = GaussianHMM | CategoricalHMM | PoissonHMM | GMMHMM;

const TRANS = [
  [0.9, 0.1],
  [0.2, 0.8],
];

/** For each family: a model with fixed parameters to sample from (all start mass on state 0), and a fresh one to fit. */
const FAMILIES: Record<
  string,
  { truth: () => Promise<AnyHMM>; fresh: (backend: BackendName) => AnyHMM; nComponents: number }
> = {
  GaussianHMM: {
    nComponents: 3,
    truth: () =>
      new GaussianHMM({
        nComponents: 3,
        covarianceType: 'diag',
        nIter: 0,
        startProbInit: [1, 0, 0],
        transMatInit: [
          [0.8, 0.15, 0.05],
          [0.1, 0.8, 0.1],
          [0.15, 0.15, 0.7],
        ],
        meansInit: [
          [0, 0],
          [4, 1],
          [-2, 5],
        ],
        covarsInit: [
          [1, 0.5],
          [0.4, 1.5],
          [1, 1],
        ],
      }).fit([
        [0, 0],
        [1, 1],
        [2, 2],
      ]),
    fresh: (backend) =>
      new GaussianHMM({ nComponents: 3, covarianceType: 'full', nIter: 5, randomState: 0, backend }),
  },
  CategoricalHMM: {
    nComponents: 2,
    truth: () =>
      new CategoricalHMM({
        nComponents: 2,
        nIter: 0,
        startProbInit: [1, 0],
        transMatInit: TRANS,
        emissionProbInit: [
          [0.7, 0.2, 0.1],
          [0.1, 0.3, 0.6],
        ],
      }).fit([0, 1, 2]),
    fresh: (backend) =>
      new CategoricalHMM({ nComponents: 2, nFeatures: 3, nIter: 5, randomState: 0, backend }),
  },
  PoissonHMM: {
    nComponents: 2,
    truth: () =>
      new PoissonHMM({
        nComponents: 2,
        nIter: 0,
        startProbInit: [1, 0],
        transMatInit: TRANS,
        lambdasInit: [
          [1, 6],
          [8, 0.5],
        ],
      }).fit([[0, 0]]),
    fresh: (backend) => new PoissonHMM({ nComponents: 2, nIter: 5, randomState: 0, backend }),
  },
  GMMHMM: {
    nComponents: 2,
    truth: () =>
      new GMMHMM({
        nComponents: 2,
        nMix: 2,
        covarianceType: 'diag',
        nIter: 0,
        startProbInit: [1, 0],
        transMatInit: TRANS,
        weightsInit: [
          [0.6, 0.4],
          [0.3, 0.7],
        ],
        meansInit: [
          [
            [0, 0],
            [4, 0],
          ],
          [
            [0, 6],
            [5, 6],
          ],
        ],
      }).fit([
        [0, 0],
        [1, 1],
        [0, 1],
        [1, 0],
      ]),
    fresh: (backend) => new GMMHMM({ nComponents: 2, nMix: 2, nIter: 5, randomState: 0, backend }),
  },
};

/** Sequences of `lengths` steps drawn from `model`, stacked as `(Σ lengths × width)`. */
function stack(model: AnyHMM, lengths: number[], seed: number) {
  const parts = lengths.map((length, s) => model.sample(length, seed + s).X);
  const width = parts[0].length / lengths[0];
  const data = new Float64Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return { data, rows: data.length / width, cols: width };
}

/** The error `call` throws, as `Class: message`. */
function errorOf(call: () => unknown): string {
  try {
    call();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  throw new Error('expected the call to throw');
}

describe('scoreSamples is one forward-backward pass: score, predictProba and map decoding agree with it', () => {
  const lengths = [1, 17, 40, 3];
  const cases = Object.keys(FAMILIES).flatMap((family) =>
    BACKENDS.map((backend) => [family, backend] as const),
  );

  it.each(cases)('%s (%s)', async (family, backend) => {
    const { truth, fresh, nComponents: k } = FAMILIES[family];
    const source = await truth();
    const X = stack(source, lengths, 11);
    const model = await fresh(backend).fit(X, lengths);
    const heldOut = stack(source, lengths, 101);
    for (const data of [X, heldOut]) {
      const { logProb, posteriors } = model.scoreSamples(data, lengths);
      expect(Number.isFinite(logProb)).toBe(true);
      expect(logProb).toBe(model.score(data, lengths));
      expect(posteriors).toBeInstanceOf(Float64Array);
      expect(posteriors).toHaveLength(data.rows * k);
      expect([...posteriors]).toEqual([...model.predictProba(data, lengths)]);
      const argmax = Array.from({ length: data.rows }, (_, t) => {
        let best = 0;
        for (let c = 1; c < k; c++) if (posteriors[t * k + c] > posteriors[t * k + best]) best = c;
        return best;
      });
      expect(argmax).toEqual([...model.decode(data, lengths, 'map').states]);
      for (let t = 0; t < data.rows; t++) {
        let sum = 0;
        for (let c = 0; c < k; c++) {
          expect(posteriors[t * k + c]).toBeGreaterThanOrEqual(0);
          sum += posteriors[t * k + c];
        }
        expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
      }
      // The total is over sequences: the sum of each sequence scored on its own.
      let perSequence = 0;
      let row = 0;
      for (const length of lengths) {
        const part = {
          data: data.data.subarray(row * data.cols, (row + length) * data.cols),
          rows: length,
          cols: data.cols,
        };
        perSequence += model.scoreSamples(part).logProb;
        row += length;
      }
      expect(Math.abs(logProb - perSequence)).toBeLessThan(1e-9 * Math.abs(logProb));
    }
    // Without lengths, X is one sequence.
    expect(model.scoreSamples(X).logProb).toBe(model.score(X));
  });
});

describe('scoreSamples: a known answer by enumerating every state path', () => {
  const startProb = [0.3, 0.7];
  const emissionProb = [
    [0.6, 0.3, 0.1],
    [0.1, 0.4, 0.5],
  ];
  const symbols = [0, 2, 1, 2, 2, 0, 1, 0, 2];
  const lengths = [6, 2, 1];

  /** p(path, x) summed over all 2^T paths of each sequence, in probabilities (not logs). */
  function bruteForce(): { logProb: number; posteriors: number[] } {
    const posteriors: number[] = [];
    let logProb = 0;
    let offset = 0;
    for (const T of lengths) {
      const x = symbols.slice(offset, offset + T);
      const stateMass = Array.from({ length: T }, () => [0, 0]);
      let total = 0;
      for (let p = 0; p < 2 ** T; p++) {
        const path = Array.from({ length: T }, (_, t) => (p >> t) & 1);
        let prob = startProb[path[0]] * emissionProb[path[0]][x[0]];
        for (let t = 1; t < T; t++) prob *= TRANS[path[t - 1]][path[t]] * emissionProb[path[t]][x[t]];
        total += prob;
        path.forEach((z, t) => (stateMass[t][z] += prob));
      }
      logProb += Math.log(total);
      for (const mass of stateMass) posteriors.push(mass[0] / total, mass[1] / total);
      offset += T;
    }
    return { logProb, posteriors };
  }

  it.each(BACKENDS)('a 2-state CategoricalHMM over sequences of 6, 2 and 1 steps (%s)', async (backend) => {
    const hmm = await new CategoricalHMM({
      nComponents: 2,
      nIter: 0,
      startProbInit: startProb,
      transMatInit: TRANS,
      emissionProbInit: emissionProb,
      backend,
    }).fit(symbols, lengths);
    const exact = bruteForce();
    const { logProb, posteriors } = hmm.scoreSamples(symbols, lengths);
    expect(Math.abs(logProb - exact.logProb)).toBeLessThan(1e-12);
    expect(posteriors).toHaveLength(symbols.length * 2);
    for (let i = 0; i < posteriors.length; i++)
      expect(Math.abs(posteriors[i] - exact.posteriors[i])).toBeLessThan(1e-12);
    // The one-step sequence, by hand: p(z = c | x = 2) ∝ π_c·B_c(2) = 0.3·0.1 : 0.7·0.5.
    expect(posteriors[16]).toBeCloseTo(0.03 / 0.38, 14);
    expect(posteriors[17]).toBeCloseTo(0.35 / 0.38, 14);
  });

  it('an impossible sequence: logProb −∞ and rows of 1/K, as score and predictProba', async () => {
    const hmm = await new CategoricalHMM({
      nComponents: 2,
      nIter: 0,
      startProbInit: [1, 0],
      transMatInit: [
        [1, 0],
        [0, 1],
      ],
      emissionProbInit: [
        [1, 0],
        [0, 1],
      ],
    }).fit([0, 1]);
    const { logProb, posteriors } = hmm.scoreSamples([0, 1, 0], [1, 2]);
    expect(logProb).toBe(-Infinity);
    expect(logProb).toBe(hmm.score([0, 1, 0], [1, 2]));
    expect([...posteriors]).toEqual([1, 0, 0.5, 0.5, 0.5, 0.5]);
  });
});

describe('scoreSamples validates X and lengths as score does', () => {
  it('the same errors for the same bad input', async () => {
    const gaussian = await FAMILIES.GaussianHMM.truth();
    const categorical = await FAMILIES.CategoricalHMM.truth();
    const poisson = await FAMILIES.PoissonHMM.truth();
    const X = [
      [0, 0],
      [1, 0.5],
      [4, 1],
    ];
    const bad: [AnyHMM, unknown, unknown][] = [
      [gaussian, [[0, NaN]], undefined],
      [gaussian, [[0, 0, 0]], undefined],
      [gaussian, [], undefined],
      [gaussian, X, [2]],
      [gaussian, X, [3, 0]],
      [gaussian, X, [1.5, 1.5]],
      [gaussian, X, []],
      [gaussian, X, 3],
      [categorical, [0, 3, 1], undefined],
      [categorical, [[0, 1]], undefined],
      [poisson, [[1, -1]], undefined],
    ];
    for (const [model, data, lengths] of bad) {
      const expected = errorOf(() => model.score(data, lengths as never));
      expect(errorOf(() => model.scoreSamples(data, lengths as never))).toBe(expected);
    }
    expect(() => new GaussianHMM().scoreSamples(X)).toThrow(
      /This GaussianHMM is not fitted yet: call `await model\.fit\(X, lengths\)` before scoreSamples/,
    );
  });
});

describe('sample from a given current state', () => {
  it.each(Object.keys(FAMILIES))('%s: the first state is currentState for every seed', async (family) => {
    const model = await FAMILIES[family].truth();
    const k = FAMILIES[family].nComponents;
    for (let seed = 0; seed < 20; seed++) {
      // startProb puts all its mass on state 0.
      expect(model.sample(5, seed).states[0]).toBe(0);
      for (let c = 0; c < k; c++) {
        const draw = model.sample(5, { currentState: c, randomState: seed });
        expect(draw.states[0]).toBe(c);
        const again = model.sample(5, { randomState: seed, currentState: c });
        expect([...again.states]).toEqual([...draw.states]);
        expect([...again.X]).toEqual([...draw.X]);
      }
    }
  });

  it('the chain then follows transMat, and each sample comes from its state', async () => {
    // A cycle 0 → 1 → 2 → 0 and symbol c from state c: the whole draw is known.
    const hmm = await new CategoricalHMM({
      nComponents: 3,
      nIter: 0,
      startProbInit: [1, 0, 0],
      transMatInit: [
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
      ],
      emissionProbInit: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    }).fit([0, 1, 2]);
    for (let c = 0; c < 3; c++) {
      const expected = Array.from({ length: 7 }, (_, t) => (c + t) % 3);
      const { X, states } = hmm.sample(7, { currentState: c, randomState: c });
      expect([...states]).toEqual(expected);
      expect([...X]).toEqual(expected);
    }
  });

  it('seeds: the old call forms are unchanged, an unset seed in the options is the model’s', async () => {
    const truth = await FAMILIES.GaussianHMM.truth();
    expect([...truth.sample(30, { randomState: 4 }).X]).toEqual([...truth.sample(30, 4).X]);
    const a = truth.sample(30, { currentState: 2, randomState: 4 });
    const b = truth.sample(30, { currentState: 2, randomState: 5 });
    expect([...a.X]).not.toEqual([...b.X]);
    const seeded = await new GaussianHMM({
      nComponents: 3,
      nIter: 0,
      randomState: 9,
      meansInit: [
        [0, 0],
        [4, 1],
        [-2, 5],
      ],
    }).fit([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect([...seeded.sample(30).X]).toEqual([...seeded.sample(30, 9).X]);
    expect([...seeded.sample(30, {}).X]).toEqual([...seeded.sample(30, 9).X]);
    expect([...seeded.sample(30, { currentState: 1 }).X]).toEqual([
      ...seeded.sample(30, { currentState: 1, randomState: 9 }).X,
    ]);
  });

  it('a bad currentState, an unknown option or a bad seed is an error naming it and its value', async () => {
    const hmm = await FAMILIES.GaussianHMM.truth();
    const cases: [unknown, RegExp][] = [
      [-1, /currentState must be an integer in \[0, nComponents=3\), got -1/],
      [3, /currentState must be an integer in \[0, nComponents=3\), got 3/],
      [1.5, /currentState must be an integer in \[0, nComponents=3\), got 1\.5/],
      [NaN, /currentState must be an integer in \[0, nComponents=3\), got NaN/],
      ['1', /currentState must be an integer in \[0, nComponents=3\), got "1"/],
      [null, /currentState must be an integer in \[0, nComponents=3\), got null/],
    ];
    for (const [currentState, message] of cases) {
      expect(() => hmm.sample(5, { currentState } as never)).toThrow(message);
    }
    expect(() => hmm.sample(5, { currstate: 1 } as never)).toThrow(
      /sample has no option "currstate"; the options are 'randomState', 'currentState'/,
    );
    expect(() => hmm.sample(5, { randomState: -1, currentState: 0 })).toThrow(
      /randomState must be an integer in \[0, 4294967295\], got -1/,
    );
    expect(() => hmm.sample(5, -1)).toThrow(/randomState must be an integer in \[0, 4294967295\], got -1/);
    expect(() => hmm.sample(0, { currentState: 0 })).toThrow(/n must be an integer >= 1, got 0/);
  });
});
