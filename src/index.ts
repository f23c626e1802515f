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
export { GaussianHMM } from './hmm/gaussian-hmm';
export type { GaussianHMMOptions, GaussianHMMJSON, GaussianHMMParam } from './hmm/gaussian-hmm';
export { CategoricalHMM } from './hmm/categorical-hmm';
export type { CategoricalHMMOptions, CategoricalHMMJSON, CategoricalHMMParam } from './hmm/categorical-hmm';
export { PoissonHMM } from './hmm/poisson-hmm';
export type { PoissonHMMOptions, PoissonHMMJSON, PoissonHMMParam } from './hmm/poisson-hmm';
export { GMMHMM } from './hmm/gmm-hmm';
export type { GMMHMMOptions, GMMHMMJSON, GMMHMMParam } from './hmm/gmm-hmm';
export type { DecodeAlgorithm, HMMOptions, HMMJSONOptions, LengthsInput } from './hmm/base';
export { selectModel, plotSelection } from './select';
export type * from './select';
export type { PriorInput, PriorOptions } from './mixture/prior';
export type { FixedParameters } from './mixture/constrained-mstep';
