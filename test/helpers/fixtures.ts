import { readFileSync } from 'node:fs';
import type { CovarianceType } from '../../src/mixture/covariance';

export interface FixedStartCase {
  name: string;
  dataset: string;
  covarianceType: CovarianceType;
  nComponents: number;
  tol: number;
  regCovar: number;
  maxIter: number;
  X: number[][];
  weightsInit: number[];
  meansInit: number[][];
  precisionsInit: unknown;
  lowerBoundTrace: number[];
  result: {
    weights: number[];
    means: number[][];
    covariances: unknown;
    precisions: unknown;
    precisionsCholesky: unknown;
    lowerBound: number;
    nIter: number;
    converged: boolean;
    score: number;
    scoreSamples: number[];
    predict: number[];
    predictProbaFirstRows: number[][];
    bic: number;
    aic: number;
  };
}

export interface DefaultPipelineResult {
  dataset: string;
  covarianceType: CovarianceType;
  nComponents: number;
  seeds: number[];
  nInit10: { scores: number[]; medianScore: number };
  nInit1: { scores: number[]; medianScore: number };
}

function read<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/sklearn/${file}`, import.meta.url), 'utf8')) as T;
}

export const fixedStart = (): { sklearnVersion: string; cases: FixedStartCase[] } => read('fixed-start.json');
export const defaultPipeline = (): {
  datasets: Record<string, { X: number[][] }>;
  results: DefaultPipelineResult[];
} => read('default-pipeline.json');

/** Flattens nested arrays of numbers (scikit-learn's shapes) to one Float64Array. */
export function flat(a: unknown): Float64Array {
  return Float64Array.from((a as number[]).flat(3) as number[]);
}
