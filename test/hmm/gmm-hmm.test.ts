import { describe, expect, it } from 'vitest';
import { GMMHMM, type CovarianceType } from '../../src/index';
import { BACKENDS, dirichletRows, exactEStep, maxAbs } from './helpers';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const TRANS = [
  [0.9, 0.1],
  [0.2, 0.8],
];
const WEIGHTS = [
  [0.6, 0.4],
  [0.3, 0.7],
];
// State 0 mixes blobs at (0, 0) and (4, 0); state 1 at (0, 6) and (5, 6).
const MEANS = [
  [
    [0, 0],
    [4, 0],
  ],
  [
    [0, 6],
    [5, 6],
  ],
];

async function truthModel(covarianceType: CovarianceType): Promise<GMMHMM> {
  const truth = new GMMHMM({
    nComponents: 2,
    nMix: 2,
    covarianceType,
    nIter: 0,
    transMatInit: TRANS,
    weightsInit: WEIGHTS,
    meansInit: MEANS,
    covarsInit:
      covarianceType === 'tied'
        ? [
            [
              [0.6, 0.2],
              [0.2, 0.5],
            ],
            [
              [0.4, 0],
              [0, 0.8],
            ],
          ]
        : undefined,
  });
  // Without covarsInit the covariances start from these rows' covariance: about 0.5·I.
  return truth.fit([
    [0, 0],
    [1, 1],
    [0, 1],
    [1, 0],
  ]);
}

function stack(model: GMMHMM, count: number, length: number, seed: number) {
  const data = new Float64Array(count * length * 2);
  for (let s = 0; s < count; s++) data.set(model.sample(length, seed + s).X, s * length * 2);
  return { X: { data, rows: count * length, cols: 2 }, lengths: new Array<number>(count).fill(length) };
}

describe("one Baum-Welch step follows hmmlearn's GMMHMM update", () => {
  it.each(BACKENDS)('diag covariances, about the updated means (%s)', async (backend) => {
    const X = [
      [0.2, -0.3],
      [3.7, 0.4],
      [0.5, 5.6],
      [4.6, 6.3],
      [-0.4, 0.1],
      [4.2, -0.5],
      [0.1, 6.4],
    ];
    const lengths = [4, 3];
    const covars = [
      [
        [0.5, 0.8],
        [1.2, 0.6],
      ],
      [
        [0.7, 0.7],
        [0.9, 1.1],
      ],
    ];
    const minCovar = 0.01;
    const logN = (x: number[], mu: number[], v: number[]): number =>
      x.reduce((s, xi, j) => s - 0.5 * Math.log(2 * Math.PI * v[j]) - (xi - mu[j]) ** 2 / (2 * v[j]), 0);
    const logB = new Float64Array(X.length * 2);
    const within: number[][][] = [];
    X.forEach((x, t) => {
      within.push([]);
      for (let c = 0; c < 2; c++) {
        const terms = [0, 1].map((q) => Math.log(WEIGHTS[c][q]) + logN(x, MEANS[c][q], covars[c][q]));
        const lse =
          Math.max(...terms) + Math.log(terms.reduce((s, v) => s + Math.exp(v - Math.max(...terms)), 0));
        logB[t * 2 + c] = lse;
        within[t].push(terms.map((v) => Math.exp(v - lse)));
      }
    });
    const e = exactEStep(logB, lengths, 2, [0.5, 0.5], TRANS.flat());
    const nk: number[] = [];
    const means: number[] = [];
    const variances: number[] = [];
    for (let c = 0; c < 2; c++) {
      for (let q = 0; q < 2; q++) {
        const r = X.map((_, t) => e.post[t * 2 + c] * within[t][c][q]);
        const total = r.reduce((a, b) => a + b, 0);
        const mu = [0, 1].map((j) => X.reduce((s, x, t) => s + r[t] * x[j], 0) / total);
        nk.push(total);
        means.push(...mu);
        variances.push(
          ...[0, 1].map((j) =>
            Math.max(X.reduce((s, x, t) => s + r[t] * (x[j] - mu[j]) ** 2, 0) / total, minCovar),
          ),
        );
      }
    }
    const hmm = await new GMMHMM({
      nComponents: 2,
      nMix: 2,
      nIter: 1,
      minCovar,
      transMatInit: TRANS,
      weightsInit: WEIGHTS,
      meansInit: MEANS,
      covarsInit: covars,
      backend,
    }).fit(X, lengths);
    expect(hmm.lowerBound).toBeCloseTo(e.logLikelihood, 11);
    expect(maxAbs(hmm.transMat, dirichletRows(e.trans, 1, 2))).toBeLessThan(1e-12);
    expect(maxAbs(hmm.weights, dirichletRows(nk, 1, 2))).toBeLessThan(1e-12);
    expect(maxAbs(hmm.means, means)).toBeLessThan(1e-12);
    expect(maxAbs(hmm.covars, variances)).toBeLessThan(1e-12);
  });
});

describe.each(TYPES)('GMMHMM, %s covariance', (covarianceType) => {
  it('the log-likelihood never decreases and the fit finds the mixtures', async () => {
    const truth = await truthModel(covarianceType);
    const data = stack(truth, 20, 300, 3);
    const hmm = await new GMMHMM({
      nComponents: 2,
      nMix: 2,
      covarianceType,
      nIter: 60,
      tol: 0,
      minCovar: 0,
      randomState: 0,
    }).fit(data.X, data.lengths);
    const lb = hmm.lowerBounds;
    for (let i = 1; i < lb.length; i++)
      expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-9 * Math.abs(lb[i - 1]));
    // Each state's two means, in either order and for either labelling of the states.
    const found = Array.from({ length: 4 }, (_, c) => [hmm.means[c * 2], hmm.means[c * 2 + 1]]);
    for (const mu of MEANS.flat()) {
      const nearest = Math.min(...found.map((f) => Math.hypot(f[0] - mu[0], f[1] - mu[1])));
      // A few standard errors of a mean estimated from about 600 points of variance ≤ 0.8.
      expect(nearest).toBeLessThan(0.15);
    }
    expect(hmm.covars).toHaveLength({ full: 16, tied: 8, diag: 8, spherical: 4 }[covarianceType]);
  });

  it('both backends agree; JSON round trip; sampling per seed', async () => {
    const truth = await truthModel(covarianceType);
    const data = stack(truth, 2, 150, 8);
    const [a, b] = await Promise.all(
      BACKENDS.map((backend) =>
        new GMMHMM({
          nComponents: 2,
          nMix: 2,
          covarianceType,
          nIter: 8,
          tol: 0,
          randomState: 5,
          backend,
        }).fit(data.X, data.lengths),
      ),
    );
    expect(maxAbs(a.lowerBounds, b.lowerBounds) / Math.abs(b.lowerBound)).toBeLessThan(1e-11);
    expect(maxAbs(a.means, b.means)).toBeLessThan(1e-8);
    expect(maxAbs(a.covars, b.covars)).toBeLessThan(1e-8);
    const copy = GMMHMM.fromJSON(JSON.stringify(a.toJSON()));
    expect(copy.score(data.X, data.lengths)).toBeCloseTo(a.score(data.X, data.lengths), 9);
    expect([...copy.sample(20, 4).X]).toEqual([...a.sample(20, 4).X]);
  });
});

describe('GMMHMM parameters', () => {
  it('frozen weights and means stay; minCovar floors a constant feature; the parameter count', async () => {
    const X = Array.from({ length: 60 }, (_, t) => [(t % 7) - 3 + (t % 2) * 0.5, 2]);
    const hmm = await new GMMHMM({
      nComponents: 2,
      nMix: 2,
      nIter: 5,
      minCovar: 0.05,
      params: { weights: false, means: false },
      weightsInit: WEIGHTS,
      meansInit: [
        [
          [-2, 2],
          [2, 2],
        ],
        [
          [-1, 2],
          [1, 2],
        ],
      ],
      randomState: 0,
    }).fit(X);
    expect([...hmm.weights]).toEqual(WEIGHTS.flat());
    expect([...hmm.means]).toEqual([-2, 2, 2, 2, -1, 2, 1, 2]);
    for (let c = 0; c < 4; c++) expect(hmm.covars[c * 2 + 1]).toBeCloseTo(0.05, 12);
    // 1 start + 2 transitions + 8 means + 8 variances + 2 weights
    expect(hmm.nParameters()).toBe(21);
  });
});
