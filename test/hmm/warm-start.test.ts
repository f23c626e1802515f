import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GMMHMM, PoissonHMM, type IterationInfo } from '../../src/index';
import { maxAbs } from './helpers';

type HMM = GaussianHMM | CategoricalHMM | PoissonHMM | GMMHMM;

interface Data {
  X: { data: Float64Array; rows: number; cols: number };
  lengths: number[];
}

/** The options the tests vary; every family takes them. */
interface Shared {
  nIter: number;
  tol: number;
  randomState?: number;
  nInit?: number;
  warmStart?: boolean;
  onIteration?: (info: IterationInfo) => void;
}

interface Family {
  name: string;
  /** The fitted parameters, by getter name. */
  parameters: string[];
  data(): Promise<Data>;
  create(options: Shared): HMM;
  /** A model with some parameters frozen (`frozen` names them) at their starting values. */
  createFrozen(options: Shared): HMM;
  frozen: string[];
  restore(json: string, options: { warmStart: boolean }): HMM;
  /** Data a model fitted on `data()` cannot continue on, and the error that says so. */
  mismatch: { X: unknown; message: RegExp };
}

const TRANS3 = [
  [0.8, 0.15, 0.05],
  [0.1, 0.8, 0.1],
  [0.15, 0.15, 0.7],
];
const TRANS2 = [
  [0.9, 0.1],
  [0.2, 0.8],
];

/** Stacks `count` sampled sequences of `length` steps. */
function stack(model: HMM, count: number, length: number, seed: number): Data {
  const parts = Array.from({ length: count }, (_, s) => model.sample(length, seed + s).X);
  const cols = parts[0].length / length;
  const data = new Float64Array(count * length * cols);
  parts.forEach((p, s) => data.set(p, s * length * cols));
  return { X: { data, rows: count * length, cols }, lengths: new Array<number>(count).fill(length) };
}

/** Three overlapping 2-D Gaussian states: EM is still moving after 10 iterations. */
const gaussianData = (async () => {
  const truth = await new GaussianHMM({
    nComponents: 3,
    nIter: 0,
    transMatInit: TRANS3,
    meansInit: [
      [0, 0],
      [2, 1],
      [-1, 2.5],
    ],
    covarsInit: [
      [1, 0.5],
      [0.4, 1.5],
      [1, 1],
    ],
  }).fit([[0, 0]]);
  return stack(truth, 3, 150, 11);
})();

const categoricalData = (async () => {
  const truth = await new CategoricalHMM({
    nComponents: 2,
    nIter: 0,
    transMatInit: TRANS2,
    emissionProbInit: [
      [0.6, 0.3, 0.1],
      [0.2, 0.3, 0.5],
    ],
  }).fit([0, 1, 2]);
  return stack(truth, 4, 120, 21);
})();

const poissonData = (async () => {
  const truth = await new PoissonHMM({
    nComponents: 2,
    nIter: 0,
    transMatInit: TRANS2,
    lambdasInit: [
      [2, 5],
      [4, 3],
    ],
  }).fit([[0, 0]]);
  return stack(truth, 3, 150, 31);
})();

const FAMILIES: Family[] = [
  {
    name: 'GaussianHMM',
    parameters: ['startProb', 'transMat', 'means', 'covars', 'precisionsCholesky'],
    data: () => gaussianData,
    create: (o) => new GaussianHMM({ nComponents: 3, covarianceType: 'full', ...o }),
    createFrozen: (o) =>
      new GaussianHMM({
        nComponents: 3,
        covarianceType: 'full',
        params: { transMat: false, means: false },
        transMatInit: TRANS3,
        ...o,
      }),
    frozen: ['transMat', 'means'],
    restore: (json, o) => GaussianHMM.fromJSON(json, o),
    mismatch: {
      X: { data: new Float64Array(30), rows: 10, cols: 3 },
      message: /X has 3 features, but warmStart continues a GaussianHMM fitted with nFeatures=2/,
    },
  },
  {
    name: 'CategoricalHMM',
    parameters: ['startProb', 'transMat', 'emissionProb'],
    data: () => categoricalData,
    create: (o) => new CategoricalHMM({ nComponents: 2, ...o }),
    createFrozen: (o) =>
      new CategoricalHMM({ nComponents: 2, params: { startProb: false, emissionProb: false }, ...o }),
    frozen: ['startProb', 'emissionProb'],
    restore: (json, o) => CategoricalHMM.fromJSON(json, o),
    mismatch: {
      X: [0, 1, 5, 2],
      message: /X holds symbol 5, but warmStart continues a CategoricalHMM fitted with nFeatures=3/,
    },
  },
  {
    name: 'PoissonHMM',
    parameters: ['startProb', 'transMat', 'lambdas'],
    data: () => poissonData,
    create: (o) => new PoissonHMM({ nComponents: 2, ...o }),
    createFrozen: (o) =>
      new PoissonHMM({ nComponents: 2, params: { startProb: false, lambdas: false }, ...o }),
    frozen: ['startProb', 'lambdas'],
    restore: (json, o) => PoissonHMM.fromJSON(json, o),
    mismatch: {
      X: [[1], [2], [0]],
      message: /X has 1 features, but warmStart continues a PoissonHMM fitted with nFeatures=2/,
    },
  },
  {
    name: 'GMMHMM',
    parameters: ['startProb', 'transMat', 'weights', 'means', 'covars', 'precisionsCholesky'],
    data: () => gaussianData,
    create: (o) => new GMMHMM({ nComponents: 2, nMix: 2, covarianceType: 'diag', ...o }),
    createFrozen: (o) =>
      new GMMHMM({
        nComponents: 2,
        nMix: 2,
        covarianceType: 'diag',
        params: { weights: false, covars: false },
        ...o,
      }),
    frozen: ['weights', 'covars', 'precisionsCholesky'],
    restore: (json, o) => GMMHMM.fromJSON(json, o),
    mismatch: {
      X: { data: new Float64Array(40), rows: 10, cols: 4 },
      message: /X has 4 features, but warmStart continues a GMMHMM fitted with nFeatures=2/,
    },
  },
];

function parametersOf(model: HMM, names: string[]): Record<string, Float64Array> {
  const getters = model as unknown as Record<string, Float64Array>;
  return Object.fromEntries(names.map((name) => [name, getters[name]]));
}

function expectClose(a: Record<string, Float64Array>, b: Record<string, Float64Array>, tol: number): void {
  for (const name of Object.keys(b)) {
    expect(a[name].length, name).toBe(b[name].length);
    expect(maxAbs(a[name], b[name]), name).toBeLessThanOrEqual(tol);
  }
}

function expectBoundsClose(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(b[i]))));
}

describe.each(FAMILIES)('warmStart ($name)', (family) => {
  it('10 iterations, then 10 warm-started ones, equal one fit of 20 from the same start', async () => {
    const { X, lengths } = await family.data();
    const twenty = await family.create({ nIter: 20, tol: 0, randomState: 5 }).fit(X, lengths);
    // EM must still be moving after 10 iterations, or a warm start that restarted would pass too.
    expect(twenty.lowerBounds[19] - twenty.lowerBounds[9]).toBeGreaterThan(1e-6);

    const model = family.create({ nIter: 10, tol: 0, randomState: 5, warmStart: true });
    await model.fit(X, lengths);
    expectBoundsClose(model.lowerBounds, twenty.lowerBounds.slice(0, 10));
    await model.fit(X, lengths);
    expect(model.nIter).toBe(10);
    expect(model.converged).toBe(false);
    expectBoundsClose(model.lowerBounds, twenty.lowerBounds.slice(10));
    expect(model.lowerBound).toBe(model.lowerBounds[9]);
    expectClose(parametersOf(model, family.parameters), parametersOf(twenty, family.parameters), 1e-10);
  });

  it('the bound never decreases across warm-started calls of 1 iteration', async () => {
    const { X, lengths } = await family.data();
    const changes: number[] = [];
    const model = family.create({
      nIter: 1,
      tol: 0,
      randomState: 1,
      nInit: 3,
      warmStart: true,
      onIteration: (info) => changes.push(info.change),
    });
    const bounds: number[] = [];
    for (let call = 0; call < 40; call++) {
      await model.fit(X, lengths);
      expect(model.nIter).toBe(1);
      expect(model.lowerBounds).toEqual([model.lowerBound]);
      bounds.push(model.lowerBound);
    }
    // nInit is ignored once fitted: 3 restarts in the first call, one run in each of the others.
    expect(changes.length).toBe(3 + 39);
    for (let call = 1; call < bounds.length; call++) {
      expect(bounds[call]).toBeGreaterThanOrEqual(bounds[call - 1] - 1e-9 * Math.abs(bounds[call - 1]));
      // Each call's first change is measured from the previous call's bound.
      expect(changes[2 + call]).toBe(bounds[call] - bounds[call - 1]);
    }
    expect(bounds[39] - bounds[0]).toBeGreaterThan(1e-6);
  });

  it('a warm start of a converged model converges after one iteration', async () => {
    const { X, lengths } = await family.data();
    const model = await family
      .create({ nIter: 500, tol: 1e-3, randomState: 2, warmStart: true })
      .fit(X, lengths);
    expect(model.converged).toBe(true);
    const before = model.lowerBound;
    await model.fit(X, lengths);
    expect(model.converged).toBe(true);
    expect(model.nIter).toBe(1);
    expect(model.lowerBounds.length).toBe(1);
    expect(Math.abs(model.lowerBound - before)).toBeLessThan(1e-3);
  });

  it('a model restored by fromJSON continues exactly as the original', async () => {
    const { X, lengths } = await family.data();
    const model = await family.create({ nIter: 10, tol: 0, randomState: 3, warmStart: true }).fit(X, lengths);
    const json = JSON.stringify(model.toJSON());
    // As GaussianMixture's JSON, the saved options describe the model, not what its next fit does.
    expect(JSON.parse(json).options).not.toHaveProperty('warmStart');
    const copy = family.restore(json, { warmStart: true });
    expect(copy.warmStart).toBe(true);
    expect(family.restore(json, { warmStart: false }).warmStart).toBe(false);
    const saved = model.lowerBound;
    await model.fit(X, lengths);
    await copy.fit(X, lengths);
    expect(copy.lowerBounds[0]).toBeGreaterThanOrEqual(saved);
    expect(copy.lowerBounds).toEqual(model.lowerBounds);
    expectClose(parametersOf(copy, family.parameters), parametersOf(model, family.parameters), 0);
  });

  it('frozen parameters keep their values bit for bit', async () => {
    const { X, lengths } = await family.data();
    const model = family.createFrozen({ nIter: 5, tol: 0, randomState: 4, warmStart: true });
    await model.fit(X, lengths);
    const frozen = parametersOf(model, family.frozen);
    const free = family.parameters.filter((name) => !family.frozen.includes(name));
    const before = parametersOf(model, free);
    await model.fit(X, lengths);
    await model.fit(X, lengths);
    expect(parametersOf(model, family.frozen)).toEqual(frozen);
    for (const name of free)
      expect(maxAbs(model[name as 'startProb'], before[name]), name).toBeGreaterThan(0);
  });

  it('a warm start on data of another nFeatures fails and leaves the model as it was', async () => {
    const { X, lengths } = await family.data();
    const model = await family.create({ nIter: 3, tol: 0, randomState: 6, warmStart: true }).fit(X, lengths);
    const before = JSON.stringify(model.toJSON());
    await expect(model.fit(family.mismatch.X)).rejects.toThrow(family.mismatch.message);
    expect(JSON.stringify(model.toJSON())).toBe(before);
    // Without warmStart the same data is an ordinary new fit.
    await expect(family.restore(before, { warmStart: false }).fit(family.mismatch.X)).resolves.toBeDefined();
  });

  it('warmStart on an unfitted model is an ordinary fit (restarts included)', async () => {
    const { X, lengths } = await family.data();
    const options = { nIter: 8, tol: 0, randomState: 7, nInit: 2 };
    const warm = await family.create({ ...options, warmStart: true }).fit(X, lengths);
    const cold = await family.create(options).fit(X, lengths);
    expect(warm.lowerBounds).toEqual(cold.lowerBounds);
    expect(warm.nIter).toBe(cold.nIter);
    expectClose(parametersOf(warm, family.parameters), parametersOf(cold, family.parameters), 0);
  });
});

describe('warmStart (CategoricalHMM symbols)', () => {
  it('continues on data without the largest symbol, keeping nFeatures', async () => {
    const { X, lengths } = await categoricalData;
    const model = await new CategoricalHMM({ nComponents: 2, nIter: 3, randomState: 0, warmStart: true }).fit(
      X,
      lengths,
    );
    const fewer = Array.from(X.data, (s) => Math.min(s, 1));
    await model.fit(fewer, lengths);
    expect(model.nFeatures).toBe(3);
    expect(model.emissionProb.length).toBe(6);
    // Symbol 2 never occurs, so EM drives its probability towards 0.
    expect(Math.max(model.emissionProb[2], model.emissionProb[5])).toBeLessThan(0.05);
  });
});

describe('warmStart option', () => {
  it('must be a boolean', () => {
    expect(() => new GaussianHMM({ warmStart: 'yes' as never })).toThrow(
      /warmStart must be a boolean, got "yes"/,
    );
  });
});
