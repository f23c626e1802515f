// The families the EM contract suite (contract.test.ts) runs over: one entry per registered
// family, each with a small data set, a complete start (every `*Init`, so two fits can start from
// exactly the same point) and how its fit and scoring are called.
import { PoissonMixture } from '../../src/families/poisson/poisson-mixture';
import { BernoulliMixture } from '../../src/families/bernoulli/bernoulli-mixture';
import { CategoricalMixture } from '../../src/families/categorical/categorical-mixture';
import { MultinomialMixture } from '../../src/families/multinomial/multinomial-mixture';
import { RegressionMixture } from '../../src/families/regression/regression-mixture';
import { StudentMixture } from '../../src/families/student/student-mixture';
import { GaussianMixture } from '../../src/mixture/gaussian-mixture';
import { loadExample } from '../helpers/data';
import { Random } from '../../src/util/random';
import { gamma, poisson } from '../../src/util/special';

/** What the contract needs of any estimator. */
export interface ContractModel {
  fit(...args: unknown[]): Promise<unknown>;
  scoreSamples(...args: unknown[]): Float64Array;
  toJSON(): unknown;
  readonly lowerBound: number;
  readonly lowerBounds: number[];
  readonly nIter: number;
}

export interface ContractCase {
  family: string;
  /** A new estimator with `options` (the case's data decide D). */
  make(options: Record<string, unknown>): ContractModel;
  restore(json: string, options?: Record<string, unknown>): ContractModel;
  /** The data arguments of fit and scoring: `[X]`, or `[X, y]` for regression. */
  data: unknown[];
  /** The same data with row i repeated `counts[i]` times. */
  repeated(counts: readonly number[]): unknown[];
  /** Number of rows. */
  n: number;
  nComponents: number;
  /** Options that fix the start completely (every `*Init` and `weightsInit`). */
  start: Record<string, unknown>;
  /** Whether the family has `predict`/`predictProba`/`fitPredict` over the data arguments (densities). */
  labels: boolean;
}

function repeatRows<T>(rows: readonly T[], counts: readonly number[]): T[] {
  return rows.flatMap((r, i) => Array.from({ length: counts[i] }, () => r));
}

function poissonCase(): ContractCase {
  const rng = new Random(11);
  const X: number[][] = [];
  for (let i = 0; i < 157; i++) {
    const c = i % 3;
    X.push([poisson(rng, [1, 6, 15][c]), poisson(rng, [9, 2, 4][c]), poisson(rng, [3, 3, 0.5][c])]);
  }
  return {
    family: 'PoissonMixture',
    make: (o) => new PoissonMixture(o) as unknown as ContractModel,
    restore: (json, o) => PoissonMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X],
    repeated: (counts) => [repeatRows(X, counts)],
    n: X.length,
    nComponents: 3,
    start: {
      ratesInit: [
        [2, 8, 2],
        [5, 3, 3],
        [12, 5, 1],
      ],
      weightsInit: [0.3, 0.3, 0.4],
    },
    labels: true,
  };
}

function regressionCase(): ContractCase {
  const rng = new Random(12);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 149; i++) {
    const c = i % 2;
    const a = 4 * rng.uniform() - 2;
    const b = rng.normal();
    X.push([a, b]);
    y.push(c === 0 ? 1 + 2 * a - b + 0.3 * rng.normal() : -1 - a + 0.5 * b + 0.6 * rng.normal());
  }
  return {
    family: 'RegressionMixture',
    make: (o) => new RegressionMixture(o) as unknown as ContractModel,
    restore: (json, o) => RegressionMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X, y],
    repeated: (counts) => [repeatRows(X, counts), repeatRows(y, counts)],
    n: X.length,
    nComponents: 2,
    start: {
      coefInit: [
        [0.5, 1, 0],
        [0, -0.5, 0],
      ],
      variancesInit: [1, 1.5],
      weightsInit: [0.4, 0.6],
    },
    labels: false,
  };
}

function gaussianCase(covarianceType: 'full' | 'diag'): ContractCase {
  const X = loadExample('faithful');
  return {
    family: 'GaussianMixture',
    make: (o) => new GaussianMixture({ covarianceType, ...o }) as unknown as ContractModel,
    restore: (json, o) => GaussianMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X],
    repeated: (counts) => [repeatRows(X, counts)],
    n: X.length,
    nComponents: 2,
    start: {
      meansInit: [
        [2, 55],
        [4.5, 80],
      ],
      precisionsInit:
        covarianceType === 'full'
          ? [
              [
                [4, 0],
                [0, 0.02],
              ],
              [
                [4, 0],
                [0, 0.02],
              ],
            ]
          : [
              [4, 0.02],
              [4, 0.02],
            ],
      weightsInit: [0.4, 0.6],
    },
    labels: true,
  };
}

function studentCase(): ContractCase {
  const rng = new Random(12);
  const centres = [
    [0, 0, 0],
    [5, 1, -2],
    [-3, 4, 2],
  ];
  const X: number[][] = [];
  for (let i = 0; i < 151; i++) {
    const c = i % 3;
    const s = 1 / Math.sqrt(gamma(rng, 2.5, 0.4)); // t(5) rows: a normal scaled by 1/√(Gamma(5/2, rate 5/2))
    X.push(centres[c].map((m, j) => m + (0.6 + 0.3 * j) * s * rng.normal()));
  }
  const eye = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  return {
    family: 'StudentMixture',
    make: (o) => new StudentMixture(o) as unknown as ContractModel,
    restore: (json, o) => StudentMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X],
    repeated: (counts) => [repeatRows(X, counts)],
    n: X.length,
    nComponents: 3,
    start: {
      meansInit: [
        [1, 0, 0],
        [4, 1, -1],
        [-2, 3, 1],
      ],
      precisionsInit: [eye, eye, eye],
      dofInit: [10, 20, 5],
      weightsInit: [0.3, 0.3, 0.4],
    },
    labels: true,
  };
}

function bernoulliCase(): ContractCase {
  const rng = new Random(12);
  const p = [
    [0.9, 0.8, 0.1, 0.2, 0.5],
    [0.1, 0.2, 0.9, 0.7, 0.5],
    [0.5, 0.9, 0.9, 0.1, 0.05],
  ];
  const X: number[][] = [];
  for (let i = 0; i < 157; i++) X.push(p[i % 3].map((q) => (rng.uniform() < q ? 1 : 0)));
  return {
    family: 'BernoulliMixture',
    make: (o) => new BernoulliMixture(o) as unknown as ContractModel,
    restore: (json, o) => BernoulliMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X],
    repeated: (counts) => [repeatRows(X, counts)],
    n: X.length,
    nComponents: 3,
    start: {
      probabilitiesInit: [
        [0.7, 0.6, 0.3, 0.4, 0.5],
        [0.3, 0.4, 0.6, 0.6, 0.5],
        [0.5, 0.6, 0.7, 0.3, 0.2],
      ],
      weightsInit: [0.3, 0.3, 0.4],
    },
    labels: true,
  };
}

function categoricalCase(): ContractCase {
  const rng = new Random(13);
  // Three features with 3, 2 and 4 categories; per class, each feature's table.
  const tables = [
    [
      [0.8, 0.1, 0.1],
      [0.9, 0.1],
      [0.7, 0.1, 0.1, 0.1],
    ],
    [
      [0.1, 0.8, 0.1],
      [0.2, 0.8],
      [0.1, 0.1, 0.7, 0.1],
    ],
    [
      [0.1, 0.1, 0.8],
      [0.5, 0.5],
      [0.1, 0.1, 0.1, 0.7],
    ],
  ];
  const draw = (t: number[]): number => {
    let u = rng.uniform();
    for (let v = 0; v < t.length - 1; v++) if ((u -= t[v]) < 0) return v;
    return t.length - 1;
  };
  const X: number[][] = [];
  for (let i = 0; i < 157; i++) X.push(tables[i % 3].map(draw));
  return {
    family: 'CategoricalMixture',
    make: (o) => new CategoricalMixture(o) as unknown as ContractModel,
    restore: (json, o) => CategoricalMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X],
    repeated: (counts) => [repeatRows(X, counts)],
    n: X.length,
    nComponents: 3,
    start: {
      nCategories: [3, 2, 4],
      probabilitiesInit: [
        [0.5, 0.3, 0.2, 0.6, 0.4, 0.4, 0.2, 0.2, 0.2],
        [0.2, 0.5, 0.3, 0.4, 0.6, 0.2, 0.2, 0.4, 0.2],
        [0.3, 0.2, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.4],
      ],
      weightsInit: [0.3, 0.3, 0.4],
    },
    labels: true,
  };
}

function multinomialCase(): ContractCase {
  const rng = new Random(14);
  const theta = [
    [0.5, 0.3, 0.1, 0.1],
    [0.1, 0.1, 0.4, 0.4],
    [0.25, 0.25, 0.25, 0.25],
  ];
  const X: number[][] = [];
  for (let i = 0; i < 157; i++) {
    const row = [0, 0, 0, 0];
    const total = poisson(rng, 12);
    for (let t = 0; t < total; t++) {
      let u = rng.uniform();
      let v = 0;
      while (v < 3 && (u -= theta[i % 3][v]) >= 0) v++;
      row[v]++;
    }
    X.push(row);
  }
  return {
    family: 'MultinomialMixture',
    make: (o) => new MultinomialMixture(o) as unknown as ContractModel,
    restore: (json, o) => MultinomialMixture.fromJSON(json, o) as unknown as ContractModel,
    data: [X],
    repeated: (counts) => [repeatRows(X, counts)],
    n: X.length,
    nComponents: 3,
    start: {
      probabilitiesInit: [
        [0.4, 0.3, 0.2, 0.1],
        [0.2, 0.2, 0.3, 0.3],
        [0.3, 0.2, 0.2, 0.3],
      ],
      rowTotalsInit: [12, 12, 12],
      weightsInit: [0.3, 0.3, 0.4],
    },
    labels: true,
  };
}

export const CASES: ContractCase[] = [
  poissonCase(),
  gaussianCase('full'),
  gaussianCase('diag'),
  regressionCase(),
  studentCase(),
  bernoulliCase(),
  categoricalCase(),
  multinomialCase(),
];
