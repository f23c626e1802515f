import { describe, expect, it } from 'vitest';
import { GaussianHMM, type CovarianceType, type GaussianHMMOptions } from '../../src/index';
import { Random } from '../../src/util/random';
import { BACKENDS, dirichletRows, exactEStep, matchStates, maxAbs, permuteRows } from './helpers';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** A fixed 3-state, 2-feature GaussianHMM to sample from. */
const TRUTH = {
  startProb: [0.6, 0.3, 0.1],
  transMat: [
    [0.8, 0.15, 0.05],
    [0.1, 0.8, 0.1],
    [0.15, 0.15, 0.7],
  ],
  means: [
    [0, 0],
    [4, 1],
    [-2, 5],
  ],
  covars: [
    [1, 0.5],
    [0.4, 1.5],
    [1, 1],
  ],
};

async function truthModel(covarianceType: CovarianceType = 'diag'): Promise<GaussianHMM> {
  const covarsInit = {
    diag: TRUTH.covars,
    spherical: [1, 0.6, 0.8],
    tied: [
      [1, 0.3],
      [0.3, 0.8],
    ],
    full: [
      [
        [1, 0.3],
        [0.3, 0.6],
      ],
      [
        [0.5, -0.2],
        [-0.2, 1.2],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    ],
  }[covarianceType];
  const model = new GaussianHMM({
    nComponents: 3,
    covarianceType,
    nIter: 0,
    startProbInit: TRUTH.startProb,
    transMatInit: TRUTH.transMat,
    meansInit: TRUTH.means,
    covarsInit,
  });
  return model.fit([
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
}

/** `count` independent sequences of `length` steps from the model, stacked. */
function sampleSequences(model: GaussianHMM, count: number, length: number, seed: number) {
  const d = model.nFeatures;
  const data = new Float64Array(count * length * d);
  const states = new Int32Array(count * length);
  for (let s = 0; s < count; s++) {
    const draw = model.sample(length, seed + s);
    data.set(draw.X, s * length * d);
    states.set(draw.states, s * length);
  }
  return {
    X: { data, rows: count * length, cols: d },
    states,
    lengths: new Array<number>(count).fill(length),
  };
}

/** log N(x | μ, Σ) for a 2 × 2 Σ, written out: an oracle independent of the Cholesky kernels. */
function logNormal2(x: number[], mu: number[], cov: number[][]): number {
  const det = cov[0][0] * cov[1][1] - cov[0][1] * cov[1][0];
  const a = x[0] - mu[0];
  const b = x[1] - mu[1];
  const q = (cov[1][1] * a * a - 2 * cov[0][1] * a * b + cov[0][0] * b * b) / det;
  return -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * q;
}

describe("one Baum-Welch step follows hmmlearn's GaussianHMM update", () => {
  // Two short sequences: the E-step is exact by enumerating paths, the M-step written as hmmlearn's _do_mstep.
  const X = [
    [0.1, 0.3],
    [1.2, -0.4],
    [3.9, 1.2],
    [4.4, 0.6],
    [0.3, -0.2],
    [-2.1, 4.8],
    [-1.7, 5.5],
    [3.6, 1.9],
    [0.2, 0.1],
    [-0.5, 0.4],
    [4.1, 0.8],
  ];
  const lengths = [6, 5];
  const k = 3;
  const d = 2;
  const priors = { meansPrior: 0.5, meansWeight: 2, covarsPrior: 0.3, covarsWeight: 3, minCovar: 0.01 };
  const startProbPrior = [2, 1.5, 1];
  const transMatPrior = 1.5;

  function oracle(type: 'diag' | 'full', covarsInit: number[][][]) {
    const logB = new Float64Array(X.length * k);
    X.forEach((x, t) => {
      for (let c = 0; c < k; c++) logB[t * k + c] = logNormal2(x, TRUTH.means[c], covarsInit[c]);
    });
    const { post, start, trans } = exactEStep(logB, lengths, k, TRUTH.startProb, TRUTH.transMat.flat());
    const normalise = (v: number[]): number[] => v.map((x) => x / v.reduce((a, b) => a + b, 0));
    const startProb = normalise(startProbPrior.map((p, c) => Math.max(p - 1 + start[c], 0)));
    const transMat = dirichletRows(trans, transMatPrior, k);
    const { meansPrior: m0, meansWeight: w, covarsPrior: psi, covarsWeight: nu } = priors;
    const means: number[] = [];
    const covars: number[] = [];
    for (let c = 0; c < k; c++) {
      let nc = 0;
      const obs = [0, 0];
      const obs2 = [
        [0, 0],
        [0, 0],
      ];
      X.forEach((x, t) => {
        const g = post[t * k + c];
        nc += g;
        for (let a = 0; a < d; a++) {
          obs[a] += g * x[a];
          for (let b = 0; b < d; b++) obs2[a][b] += g * x[a] * x[b];
        }
      });
      const mu = obs.map((o) => (w * m0 + o) / (w + nc));
      means.push(...mu);
      // hmmlearn's c_n from raw moments, with a scalar covars prior on the diagonal.
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          if (type === 'diag' && a !== b) continue;
          const cn =
            w * (mu[a] - m0) * (mu[b] - m0) +
            obs2[a][b] -
            obs[a] * mu[b] -
            mu[a] * obs[b] +
            mu[a] * mu[b] * nc;
          const denominator =
            type === 'diag' ? Math.max(Math.max(nu - 1, 0) + nc, 1e-5) : Math.max(nu - d, 0) + nc;
          // hmmlearn's update; the floor minCovar lies below every eigenvalue here, so it does not bind.
          covars.push((cn + (a === b ? psi : 0)) / denominator);
        }
      }
    }
    return { startProb, transMat, means, covars };
  }

  it.each([
    [
      'diag',
      TRUTH.covars.map((v) => [
        [v[0], 0],
        [0, v[1]],
      ]),
      TRUTH.covars,
    ],
    [
      'full',
      [
        [
          [1, 0.3],
          [0.3, 0.6],
        ],
        [
          [0.5, -0.2],
          [-0.2, 1.2],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
      null,
    ],
  ] as const)('%s covariances', async (type, matrices, diagInit) => {
    const o = oracle(type, matrices as unknown as number[][][]);
    for (const backend of BACKENDS) {
      const hmm = await new GaussianHMM({
        nComponents: k,
        covarianceType: type,
        nIter: 1,
        tol: 0,
        startProbInit: TRUTH.startProb,
        transMatInit: TRUTH.transMat,
        meansInit: TRUTH.means,
        covarsInit: (diagInit ?? matrices) as number[][],
        startProbPrior,
        transMatPrior,
        ...priors,
        backend,
      }).fit(X, lengths);
      expect(maxAbs(hmm.startProb, o.startProb)).toBeLessThan(1e-12);
      expect(maxAbs(hmm.transMat, o.transMat)).toBeLessThan(1e-12);
      expect(maxAbs(hmm.means, o.means)).toBeLessThan(1e-12);
      expect(maxAbs(hmm.covars, o.covars)).toBeLessThan(1e-10);
    }
  });
});

describe.each(TYPES)('EM properties, %s covariance', (covarianceType) => {
  it('the log-likelihood never decreases', async () => {
    const truth = await truthModel(covarianceType);
    const data = sampleSequences(truth, 4, 250, 100);
    const hmm = await new GaussianHMM({
      nComponents: 3,
      covarianceType,
      nIter: 25,
      tol: 0,
      covarsPrior: 0,
      minCovar: 0,
      randomState: 1,
    }).fit(data.X, data.lengths);
    const lb = hmm.lowerBounds;
    expect(lb).toHaveLength(25);
    for (let i = 1; i < lb.length; i++)
      expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-9 * Math.abs(lb[i - 1]));
    expect(lb[lb.length - 1] - lb[0]).toBeGreaterThan(1);
    expect(hmm.converged).toBe(false);
  });

  it('the Wasm and TypeScript backends fit the same model', async () => {
    const truth = await truthModel(covarianceType);
    const data = sampleSequences(truth, 3, 200, 7);
    const fit = (backend: 'wasm' | 'js') =>
      new GaussianHMM({ nComponents: 3, covarianceType, nIter: 15, tol: 0, randomState: 4, backend }).fit(
        data.X,
        data.lengths,
      );
    const [a, b] = [await fit('wasm'), await fit('js')];
    expect(maxAbs(a.lowerBounds, b.lowerBounds) / Math.abs(b.lowerBound)).toBeLessThan(1e-11);
    expect(maxAbs(a.means, b.means)).toBeLessThan(1e-8);
    expect(maxAbs(a.covars, b.covars)).toBeLessThan(1e-8);
    expect(maxAbs(a.transMat, b.transMat)).toBeLessThan(1e-8);
    expect([...a.predict(data.X, data.lengths)]).toEqual([...b.predict(data.X, data.lengths)]);
  });
});

describe('recovering a known GaussianHMM', () => {
  it('estimates approach the truth as the data grow', async () => {
    const truth = await truthModel('diag');
    const errors: number[] = [];
    for (const [count, length] of [
      [2, 100],
      [20, 200],
      [100, 800],
    ]) {
      const data = sampleSequences(truth, count, length, 1000 + count);
      const hmm = await new GaussianHMM({ nComponents: 3, nIter: 200, tol: 1e-4, randomState: 0 }).fit(
        data.X,
        data.lengths,
      );
      const perm = matchStates(Float64Array.from(TRUTH.means.flat()), hmm.means, 3);
      const error = Math.max(
        maxAbs(permuteRows(hmm.means, perm), TRUTH.means.flat()),
        maxAbs(permuteRows(hmm.covars, perm), TRUTH.covars.flat()),
        maxAbs(permuteRows(hmm.transMat, perm, true), TRUTH.transMat.flat()),
      );
      errors.push(error);
    }
    expect(errors[1]).toBeLessThan(errors[0]);
    expect(errors[2]).toBeLessThan(errors[1]);
    expect(errors[2]).toBeLessThan(0.03);
  });

  it('decodes the hidden states of a 1,000,000-step sequence', async () => {
    const truth = await truthModel('diag');
    const { X, states } = truth.sample(1_000_000, 3);
    const data = { data: X, rows: 1_000_000, cols: 2 };
    const hmm = await new GaussianHMM({
      nComponents: 3,
      nIter: 3,
      tol: 0,
      meansInit: TRUTH.means,
      randomState: 0,
    }).fit(data);
    const score = hmm.score(data);
    expect(Number.isFinite(score)).toBe(true);
    // About −3.3 nats per step for these emissions and transitions.
    expect(score / 1_000_000).toBeGreaterThan(-4);
    const decoded = hmm.predict(data);
    let agree = 0;
    for (let t = 0; t < states.length; t++) if (decoded[t] === states[t]) agree++;
    expect(agree / states.length).toBeGreaterThan(0.9);
  });
});

describe('hmmlearn semantics and the improvements on it', () => {
  const X = [
    [0, 0],
    [0.2, -0.1],
    [4, 1],
    [4.2, 0.9],
    [-0.1, 0.3],
    [3.8, 1.1],
    [0.1, 0.2],
    [4.1, 1],
  ];

  it('frozen parameters keep their starting values exactly', async () => {
    const options: GaussianHMMOptions = {
      nComponents: 2,
      nIter: 5,
      tol: 0,
      params: { transMat: false, covars: false },
      transMatInit: [
        [0.6, 0.4],
        [0.3, 0.7],
      ],
      covarsInit: [
        [0.5, 0.5],
        [0.7, 0.2],
      ],
      randomState: 0,
    };
    const hmm = await new GaussianHMM(options).fit(X);
    expect([...hmm.transMat]).toEqual([0.6, 0.4, 0.3, 0.7]);
    expect([...hmm.covars]).toEqual([0.5, 0.5, 0.7, 0.2]);
    expect(hmm.startProb[0]).not.toBe(0.5);
    const frozenMeans = await new GaussianHMM({
      ...options,
      params: { means: false, startProb: false },
      meansInit: [
        [1, 1],
        [2, 2],
      ],
    }).fit(X);
    expect([...frozenMeans.means]).toEqual([1, 1, 2, 2]);
    expect([...frozenMeans.startProb]).toEqual([0.5, 0.5]);
  });

  it('a state that is never visited keeps its transition row (hmmlearn: NaN)', async () => {
    const hmm = await new GaussianHMM({
      nComponents: 3,
      nIter: 4,
      tol: 0,
      startProbInit: [0.5, 0.5, 0],
      transMatInit: [
        [0.5, 0.5, 0],
        [0.5, 0.5, 0],
        [0.2, 0.3, 0.5],
      ],
      meansInit: [
        [0, 0],
        [4, 1],
        [10, 10],
      ],
    }).fit(X);
    const trans = hmm.transMat;
    expect([...trans.subarray(6)]).toEqual([0.2, 0.3, 0.5]);
    expect(hmm.startProb[2]).toBe(0);
    expect(trans[2]).toBe(0);
    expect([...hmm.means, ...hmm.covars, ...trans].every(Number.isFinite)).toBe(true);
  });

  it('minCovar is added in every M-step: a constant feature keeps variance minCovar', async () => {
    const rows = X.map(([a]) => [a, 3]);
    const hmm = await new GaussianHMM({
      nComponents: 2,
      covarsPrior: 0,
      minCovar: 0.02,
      nIter: 6,
      randomState: 0,
    }).fit(rows);
    expect(hmm.covars[1]).toBeCloseTo(0.02, 12);
    expect(hmm.covars[3]).toBeCloseTo(0.02, 12);
    expect(Number.isFinite(hmm.score(rows))).toBe(true);
  });

  it('converged is true only when the tol test passed', async () => {
    const short = await new GaussianHMM({ nComponents: 2, nIter: 2, tol: 1e-12, randomState: 0 }).fit(X);
    expect(short.nIter).toBe(2);
    expect(short.converged).toBe(false);
    const loose = await new GaussianHMM({ nComponents: 2, nIter: 50, tol: 1e9, randomState: 0 }).fit(X);
    expect(loose.nIter).toBe(2);
    expect(loose.converged).toBe(true);
  });

  it('score, decoding, posteriors, restarts and information criteria agree with each other', async () => {
    const truth = await truthModel('full');
    const data = sampleSequences(truth, 5, 60, 9);
    const hmm = await new GaussianHMM({
      nComponents: 3,
      covarianceType: 'full',
      nInit: 3,
      nIter: 30,
      randomState: 2,
    }).fit(data.X, data.lengths);
    const score = hmm.score(data.X, data.lengths);
    expect(hmm.lowerBound).toBeLessThanOrEqual(score + 1e-9);
    const proba = hmm.predictProba(data.X, data.lengths);
    const map = hmm.decode(data.X, data.lengths, 'map');
    let logMax = 0;
    for (let t = 0; t < data.X.rows; t++) {
      const row = proba.subarray(t * 3, t * 3 + 3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(map.states[t]).toBe(row.indexOf(Math.max(...row)));
      logMax += Math.log(Math.max(...row));
    }
    expect(map.logProb).toBeCloseTo(logMax, 9);
    const viterbi = hmm.decode(data.X, data.lengths);
    expect(viterbi.logProb).toBeLessThanOrEqual(score);
    expect([...hmm.predict(data.X, data.lengths)]).toEqual([...viterbi.states]);
    const p = 2 + 3 * 2 + 3 * 2 + 3 * 3;
    expect(hmm.nParameters()).toBe(p);
    expect(hmm.bic(data.X, data.lengths)).toBeCloseTo(-2 * score + p * Math.log(300), 8);
    expect(hmm.aic(data.X, data.lengths)).toBeCloseTo(-2 * score + 2 * p, 8);
    // Scoring sequences one at a time adds up to scoring them together.
    const first = { data: data.X.data.subarray(0, 120), rows: 60, cols: 2 };
    const rest = { data: data.X.data.subarray(120), rows: 240, cols: 2 };
    expect(hmm.score(first) + hmm.score(rest, [60, 60, 60, 60])).toBeCloseTo(score, 8);
  });

  it('sampling is deterministic per seed and follows the model', async () => {
    const truth = await truthModel('tied');
    const a = truth.sample(20000, 5);
    expect([...truth.sample(50, 5).states]).toEqual([...a.states.subarray(0, 50)]);
    const counts = [0, 0, 0];
    const stay = [0, 0, 0];
    for (let t = 0; t < a.states.length; t++) {
      counts[a.states[t]]++;
      if (t > 0 && a.states[t] === a.states[t - 1]) stay[a.states[t]]++;
    }
    expect(stay[0] / counts[0]).toBeCloseTo(0.8, 1);
    expect(stay[1] / counts[1]).toBeCloseTo(0.8, 1);
    const mean = [0, 0];
    for (let t = 0; t < a.states.length; t++) {
      if (a.states[t] !== 1) continue;
      mean[0] += a.X[t * 2] / counts[1];
      mean[1] += a.X[t * 2 + 1] / counts[1];
    }
    expect(maxAbs(mean, [4, 1])).toBeLessThan(0.05);
  });

  it.each(TYPES)('toJSON / fromJSON round trip (%s)', async (covarianceType) => {
    const truth = await truthModel(covarianceType);
    const data = sampleSequences(truth, 2, 50, 3);
    const hmm = await new GaussianHMM({ nComponents: 3, covarianceType, nIter: 5, randomState: 0 }).fit(
      data.X,
      data.lengths,
    );
    const copy = GaussianHMM.fromJSON(JSON.stringify(hmm.toJSON()), { backend: 'js' });
    expect(copy.score(data.X, data.lengths)).toBeCloseTo(hmm.score(data.X, data.lengths), 9);
    expect([...copy.predict(data.X, data.lengths)]).toEqual([...hmm.predict(data.X, data.lengths)]);
    expect(copy.covarianceType).toBe(covarianceType);
    expect(copy.lowerBounds).toEqual(hmm.lowerBounds);
    expect([...copy.sample(10, 1).X]).toEqual([...hmm.sample(10, 1).X]);
  });
});

describe('many short sequences', () => {
  it('lengths split X into independent sequences', async () => {
    const rng = new Random(3);
    const rows = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
    const hmm = await new GaussianHMM({ nComponents: 2, nIter: 3, randomState: 0 }).fit(rows);
    const whole = hmm.score(rows);
    const split = hmm.score(rows, [10, 10, 20]);
    const parts = hmm.score(rows.slice(0, 10)) + hmm.score(rows.slice(10, 20)) + hmm.score(rows.slice(20));
    expect(split).toBeCloseTo(parts, 10);
    expect(split).not.toBeCloseTo(whole, 3);
  });
});
