import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GMMHMM, PoissonHMM, type CovarianceType } from '../../src/index';
import { symmetricEigen } from '../../src/hmm/covariance-floor';
import { Random } from '../../src/util/random';
import { BACKENDS, maxAbs } from '../hmm/helpers';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/**
 * 4 sequences × 300 steps of a sticky 3-state chain, 3 features whose variances are 1e-7, 1e-5 and
 * 1e-3 (the scales at which hmmlearn's default `minCovar` 1e-3 and `covarsPrior` 1e-2 dominate).
 */
function smallScaleData(seed: number) {
  const rng = new Random(seed);
  const k = 3;
  const d = 3;
  const scales = [Math.sqrt(1e-7), Math.sqrt(1e-5), Math.sqrt(1e-3)];
  const centers = [
    [0, 0, 0],
    [2, -1, 1],
    [-1, 2, -2],
  ];
  const lengths = [300, 300, 300, 300];
  const n = 1200;
  const data = new Float64Array(n * d);
  let state = 0;
  for (let t = 0; t < n; t++) {
    if (t % 300 === 0) state = rng.int(k);
    else if (rng.uniform() < 0.1) state = rng.int(k);
    for (let j = 0; j < d; j++) data[t * d + j] = scales[j] * (centers[state][j] + rng.normal());
  }
  return { X: { data, rows: n, cols: d }, lengths };
}

/** Every bound at least the previous one, up to rounding of the sums. */
function expectMonotone(bounds: number[]): void {
  for (let i = 1; i < bounds.length; i++) {
    expect(bounds[i], `iteration ${i + 1}: ${bounds[i]} after ${bounds[i - 1]}`).toBeGreaterThanOrEqual(
      bounds[i - 1] - 1e-9 * Math.abs(bounds[i - 1]),
    );
  }
}

describe('the HMM bound never decreases with default options on data of variance 1e-7…1e-3', () => {
  const data = smallScaleData(11);
  describe.each(BACKENDS)('%s backend', (backend) => {
    it.each(TYPES)('GaussianHMM, %s covariance', async (covarianceType) => {
      const hmm = await new GaussianHMM({
        nComponents: 3,
        covarianceType,
        nIter: 30,
        tol: 0,
        randomState: 0,
        backend,
      }).fit(data.X, data.lengths);
      expectMonotone(hmm.lowerBounds);
    });

    it.each(TYPES)('GMMHMM with 2 mixture components, %s covariance', async (covarianceType) => {
      const hmm = await new GMMHMM({
        nComponents: 3,
        nMix: 2,
        covarianceType,
        nIter: 30,
        tol: 0,
        randomState: 0,
        backend,
      }).fit(data.X, data.lengths);
      expectMonotone(hmm.lowerBounds);
    });
  });
});

describe('with every prior in use the bound is the log-posterior, which never decreases', () => {
  const data = smallScaleData(12);
  const chainPriors = { startProbPrior: [3, 1.5, 2], transMatPrior: 2.5 };
  describe.each(BACKENDS)('%s backend', (backend) => {
    it.each(TYPES)('GaussianHMM, %s covariance', async (covarianceType) => {
      const hmm = await new GaussianHMM({
        nComponents: 3,
        covarianceType,
        nIter: 30,
        tol: 0,
        randomState: 1,
        meansPrior: 0.01,
        meansWeight: 5,
        covarsPrior: 1e-4,
        covarsWeight: 6,
        minCovar: 1e-6,
        ...chainPriors,
        backend,
      }).fit(data.X, data.lengths);
      expectMonotone(hmm.lowerBounds);
    });

    it.each(TYPES)('GMMHMM, %s covariance', async (covarianceType) => {
      const hmm = await new GMMHMM({
        nComponents: 3,
        nMix: 2,
        covarianceType,
        nIter: 30,
        tol: 0,
        randomState: 1,
        weightsPrior: 3,
        meansPrior: -0.01,
        meansWeight: 4,
        minCovar: 1e-6,
        ...chainPriors,
        backend,
      }).fit(data.X, data.lengths);
      expectMonotone(hmm.lowerBounds);
    });

    it('CategoricalHMM', async () => {
      const rng = new Random(3);
      const symbols = Array.from({ length: 1200 }, (_, t) => (Math.floor(t / 40) % 2) * 2 + rng.int(3));
      for (const options of [{}, { ...chainPriors, emissionProbPrior: 4 }]) {
        const hmm = await new CategoricalHMM({
          nComponents: 3,
          nIter: 30,
          tol: 0,
          randomState: 2,
          ...options,
          backend,
        }).fit(symbols, data.lengths);
        expectMonotone(hmm.lowerBounds);
      }
    });

    it('PoissonHMM', async () => {
      const rng = new Random(4);
      const counts = Array.from({ length: 1200 }, (_, t) => {
        const high = Math.floor(t / 50) % 2 === 1;
        return [rng.int(high ? 12 : 3), rng.int(high ? 2 : 9)];
      });
      for (const options of [{}, { ...chainPriors, lambdasPrior: 40, lambdasWeight: 30 }]) {
        const hmm = await new PoissonHMM({
          nComponents: 3,
          nIter: 30,
          tol: 0,
          randomState: 2,
          ...options,
          backend,
        }).fit(counts, data.lengths);
        expectMonotone(hmm.lowerBounds);
      }
    });
  });
});

describe('the bound is the log-likelihood plus the log-prior of every prior in use', () => {
  const X = [
    [0.1, 0.3],
    [1.2, -0.4],
    [3.9, 1.2],
    [4.4, 0.6],
    [0.3, -0.2],
    [-2.1, 4.8],
    [-1.7, 5.5],
  ];
  const lengths = [4, 3];
  const start = {
    startProbInit: [0.5, 0.3, 0.2],
    transMatInit: [
      [0.8, 0.1, 0.1],
      [0.2, 0.7, 0.1],
      [0.3, 0.3, 0.4],
    ],
    meansInit: [
      [0, 0],
      [4, 1],
      [-2, 5],
    ],
    covarsInit: [
      [
        [1, 0.3],
        [0.3, 0.6],
      ],
      [
        [0.5, -0.2],
        [-0.2, 1.2],
      ],
      [
        [2, 0.5],
        [0.5, 1],
      ],
    ],
  };
  const priors = {
    startProbPrior: [2, 1.5, 3],
    transMatPrior: 2.5,
    meansPrior: 0.5,
    meansWeight: 2,
    covarsPrior: 0.3,
    covarsWeight: 5,
  };

  it.each(BACKENDS)('GaussianHMM, full covariance (%s): written out with 2 × 2 inverses', async (backend) => {
    const base = { nComponents: 3, covarianceType: 'full' as const, ...start, ...priors, backend };
    const unfitted = await new GaussianHMM({ ...base, nIter: 0 }).fit(X, lengths);
    const hmm = await new GaussianHMM({ ...base, nIter: 1 }).fit(X, lengths);
    let logPrior = 0;
    start.startProbInit.forEach((p, c) => (logPrior += (priors.startProbPrior[c] - 1) * Math.log(p)));
    for (const p of start.transMatInit.flat()) logPrior += (priors.transMatPrior - 1) * Math.log(p);
    const a = priors.covarsWeight - 2;
    start.covarsInit.forEach((S, c) => {
      const det = S[0][0] * S[1][1] - S[0][1] * S[1][0];
      const P = [
        [S[1][1] / det, -S[0][1] / det],
        [-S[1][0] / det, S[0][0] / det],
      ];
      const v = start.meansInit[c].map((m) => m - priors.meansPrior);
      const quad = P[0][0] * v[0] * v[0] + 2 * P[0][1] * v[0] * v[1] + P[1][1] * v[1] * v[1];
      logPrior += -(a / 2) * Math.log(det) - (priors.covarsPrior / 2) * (P[0][0] + P[1][1]);
      logPrior -= (priors.meansWeight / 2) * quad;
    });
    expect(hmm.lowerBounds[0]).toBeCloseTo(unfitted.score(X, lengths) + logPrior, 10);
  });
});

describe('minCovar is a floor on the eigenvalues of every covariance', () => {
  it.each(BACKENDS)('a one-step fit: the floored covariance keeps the eigenvectors (%s)', async (backend) => {
    // Two clusters stretched along the diagonal: their covariances are nearly singular across it.
    const rng = new Random(5);
    const X: number[][] = [];
    for (let t = 0; t < 200; t++) {
      const c = t < 100 ? 0 : 1;
      const u = rng.normal();
      const v = 0.01 * rng.normal();
      X.push([c * 10 + u + v, c * 10 + u - v]);
    }
    const base = {
      nComponents: 2,
      covarianceType: 'full' as const,
      meansInit: [
        [0, 0],
        [10, 10],
      ],
      covarsInit: [
        [
          [1, 0.9],
          [0.9, 1],
        ],
        [
          [1, 0.9],
          [0.9, 1],
        ],
      ],
      covarsPrior: 0,
      nIter: 1,
      backend,
    };
    const free = await new GaussianHMM({ ...base, minCovar: 0 }).fit(X, [100, 100]);
    const floored = await new GaussianHMM({ ...base, minCovar: 0.05 }).fit(X, [100, 100]);
    for (let c = 0; c < 2; c++) {
      const [p, q, r] = [free.covars[c * 4], free.covars[c * 4 + 1], free.covars[c * 4 + 3]];
      // Eigen-decomposition of [[p, q], [q, r]], then the small eigenvalue raised to 0.05.
      const mean = (p + r) / 2;
      const radius = Math.hypot((p - r) / 2, q);
      const [big, small] = [mean + radius, mean - radius];
      expect(small).toBeLessThan(0.05);
      const angle = 0.5 * Math.atan2(2 * q, p - r);
      const [cs, sn] = [Math.cos(angle), Math.sin(angle)];
      const expected = [
        big * cs * cs + 0.05 * sn * sn,
        (big - 0.05) * cs * sn,
        (big - 0.05) * cs * sn,
        big * sn * sn + 0.05 * cs * cs,
      ];
      expect(maxAbs(floored.covars.subarray(c * 4, c * 4 + 4), expected)).toBeLessThan(1e-12);
    }
  });

  it('symmetricEigen decomposes a symmetric matrix', () => {
    const rng = new Random(6);
    const d = 7;
    const a = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = rng.normal();
    const vectors = new Float64Array(d * d);
    const values = symmetricEigen(Float64Array.from(a), d, vectors);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let rebuilt = 0;
        let gram = 0;
        for (let m = 0; m < d; m++) {
          rebuilt += vectors[i * d + m] * values[m] * vectors[j * d + m];
          gram += vectors[m * d + i] * vectors[m * d + j];
        }
        expect(rebuilt).toBeCloseTo(a[i * d + j], 12);
        expect(gram).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });
});
