// The HMM families the HMM contract suite (contract.test.ts) runs over: one entry per registered
// HMM family, each with sequences sampled from a known model set by fromParams, and a complete
// start (every `*Init`) so two fits can start from exactly the same point.
import { CategoricalHMM, GaussianHMM, GMMHMM, MultinomialHMM, PoissonHMM } from '../../src/index';

/** What the contract needs of any HMM. */
export interface ContractHMM {
  fit(X: unknown, lengths?: number[], options?: { signal?: AbortSignal }): Promise<unknown>;
  score(X: unknown, lengths?: number[]): number;
  scoreSamples(X: unknown, lengths?: number[]): { logProb: number; posteriors: Float64Array };
  predict(X: unknown, lengths?: number[]): Int32Array;
  predictProba(X: unknown, lengths?: number[]): Float64Array;
  decode(X: unknown, lengths?: number[]): { logProb: number; states: Int32Array };
  sample(n: number, randomState?: number): { X: Float64Array; states: Int32Array };
  toJSON(): unknown;
  readonly lowerBound: number;
  readonly lowerBounds: number[];
  readonly nIter: number;
  readonly nFeatures: number;
  readonly transMat: Float64Array;
}

export interface HMMContractCase {
  family: string;
  make(options: Record<string, unknown>): ContractHMM;
  restore(json: string, options?: Record<string, unknown>): ContractHMM;
  /** `{ data, rows, cols }` of the stacked sequences, and their lengths. */
  X: { data: Float64Array; rows: number; cols: number };
  lengths: number[];
  nComponents: number;
  /** Options that fix the start completely (every `*Init`). */
  start: Record<string, unknown>;
  /** Options every model of the case needs (e.g. nMix). */
  fixed: Record<string, unknown>;
}

const START = [0.6, 0.4];
const TRANS = [
  [0.85, 0.15],
  [0.25, 0.75],
];

/** Three sequences of 70, 40 and 55 steps sampled from `truth`. */
function sequences(truth: ContractHMM, seed: number): Pick<HMMContractCase, 'X' | 'lengths'> {
  const lengths = [70, 40, 55];
  const parts = lengths.map((n, s) => truth.sample(n, seed + s).X);
  const rows = lengths.reduce((a, b) => a + b, 0);
  const cols = parts[0].length / lengths[0];
  const data = new Float64Array(rows * cols);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return { X: { data, rows, cols }, lengths };
}

function gaussianCase(): HMMContractCase {
  const truth = GaussianHMM.fromParams({
    startProb: START,
    transMat: TRANS,
    means: [
      [0, 0],
      [2.5, 1],
    ],
    covars: [
      [1, 0.5],
      [0.6, 1.2],
    ],
  });
  return {
    family: 'GaussianHMM',
    make: (o) => new GaussianHMM(o),
    restore: (json, o) => GaussianHMM.fromJSON(json, o),
    ...sequences(truth, 1),
    nComponents: 2,
    fixed: {},
    start: {
      startProbInit: [0.5, 0.5],
      transMatInit: [
        [0.7, 0.3],
        [0.3, 0.7],
      ],
      meansInit: [
        [0.5, 0.5],
        [2, 0],
      ],
      covarsInit: [
        [1, 1],
        [1, 1],
      ],
    },
  };
}

function gmmCase(): HMMContractCase {
  const truth = GMMHMM.fromParams(
    {
      startProb: START,
      transMat: TRANS,
      weights: [
        [0.5, 0.5],
        [0.3, 0.7],
      ],
      means: [
        [
          [0, 0],
          [1, 2],
        ],
        [
          [4, 0],
          [5, 1],
        ],
      ],
      covars: [
        [
          [0.5, 0.5],
          [0.4, 0.6],
        ],
        [
          [0.5, 0.3],
          [0.7, 0.5],
        ],
      ],
    },
    { nMix: 2 },
  );
  return {
    family: 'GMMHMM',
    make: (o) => new GMMHMM(o),
    restore: (json, o) => GMMHMM.fromJSON(json, o),
    ...sequences(truth, 2),
    nComponents: 2,
    fixed: { nMix: 2 },
    start: {
      startProbInit: [0.5, 0.5],
      transMatInit: [
        [0.7, 0.3],
        [0.3, 0.7],
      ],
      weightsInit: [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
      meansInit: [
        [
          [0.5, 0.5],
          [1, 1.5],
        ],
        [
          [3.5, 0],
          [4.5, 1.5],
        ],
      ],
      covarsInit: [
        [
          [1, 1],
          [1, 1],
        ],
        [
          [1, 1],
          [1, 1],
        ],
      ],
    },
  };
}

function categoricalCase(): HMMContractCase {
  const truth = CategoricalHMM.fromParams({
    startProb: START,
    transMat: TRANS,
    emissionProb: [
      [0.7, 0.2, 0.1],
      [0.1, 0.3, 0.6],
    ],
  });
  return {
    family: 'CategoricalHMM',
    make: (o) => new CategoricalHMM(o),
    restore: (json, o) => CategoricalHMM.fromJSON(json, o),
    ...sequences(truth, 3),
    nComponents: 2,
    fixed: {},
    start: {
      startProbInit: [0.5, 0.5],
      transMatInit: [
        [0.7, 0.3],
        [0.3, 0.7],
      ],
      emissionProbInit: [
        [0.5, 0.3, 0.2],
        [0.2, 0.3, 0.5],
      ],
    },
  };
}

function poissonCase(): HMMContractCase {
  const truth = PoissonHMM.fromParams({
    startProb: START,
    transMat: TRANS,
    lambdas: [
      [1, 6],
      [7, 2],
    ],
  });
  return {
    family: 'PoissonHMM',
    make: (o) => new PoissonHMM(o),
    restore: (json, o) => PoissonHMM.fromJSON(json, o),
    ...sequences(truth, 4),
    nComponents: 2,
    fixed: {},
    start: {
      startProbInit: [0.5, 0.5],
      transMatInit: [
        [0.7, 0.3],
        [0.3, 0.7],
      ],
      lambdasInit: [
        [2, 4],
        [5, 3],
      ],
    },
  };
}

function multinomialCase(): HMMContractCase {
  const truth = MultinomialHMM.fromParams(
    {
      startProb: START,
      transMat: TRANS,
      emissionProb: [
        [0.6, 0.3, 0.1],
        [0.1, 0.2, 0.7],
      ],
    },
    { nTrials: 6 },
  );
  return {
    family: 'MultinomialHMM',
    make: (o) => new MultinomialHMM(o),
    restore: (json, o) => MultinomialHMM.fromJSON(json, o),
    ...sequences(truth, 5),
    nComponents: 2,
    fixed: { nTrials: 6 },
    start: {
      startProbInit: [0.5, 0.5],
      transMatInit: [
        [0.7, 0.3],
        [0.3, 0.7],
      ],
      emissionProbInit: [
        [0.4, 0.4, 0.2],
        [0.2, 0.4, 0.4],
      ],
    },
  };
}

export const HMM_CASES: HMMContractCase[] = [
  gaussianCase(),
  gmmCase(),
  categoricalCase(),
  poissonCase(),
  multinomialCase(),
];
