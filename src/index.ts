export { GaussianMixture } from './mixture/gaussian-mixture';
export type {
  GaussianMixtureOptions,
  GaussianMixtureJSON,
  GaussianIterationInfo,
  FitOptions,
  ArrayInput,
} from './mixture/gaussian-mixture';
export { DegenerateCovarianceError } from './mixture/gaussian-em';
export type { InitParams } from './mixture/gaussian-em';
export type { CovarianceType } from './mixture/covariance';
export type { IterationInfo } from './em/loop';
export type { Matrix, MatrixInput } from './util/matrix';
export type { BackendName } from './backend/types';
export { init } from './wasm/init';
export { dispose } from './threads/dispose';
