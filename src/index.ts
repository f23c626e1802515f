export { GaussianMixture } from './mixture/gaussian-mixture.js';
export type {
  GaussianMixtureOptions,
  GaussianMixtureJSON,
  GaussianIterationInfo,
  FitOptions,
  ArrayInput,
} from './mixture/gaussian-mixture.js';
export { DegenerateCovarianceError } from './mixture/degenerate.js';
export type { InitParams } from './mixture/gaussian-mixture.js';
export type { CovarianceType } from './mixture/covariance.js';
export type { IterationInfo } from './em/loop.js';
export type { Matrix, MatrixInput, FlatMatrixInput, NumericArray } from './util/matrix.js';
export type { BackendName } from './backend/types.js';
export { init } from './wasm/init.js';
export { dispose } from './threads/dispose.js';
export { setWorkerUrl } from './worker/worker-url.js';
export { GaussianHMM } from './hmm/gaussian-hmm.js';
export type {
  GaussianHMMOptions,
  GaussianHMMJSON,
  GaussianHMMParam,
  GaussianHMMParams,
} from './hmm/gaussian-hmm.js';
export { CategoricalHMM } from './hmm/categorical-hmm.js';
export type {
  CategoricalHMMOptions,
  CategoricalHMMJSON,
  CategoricalHMMParam,
  CategoricalHMMParams,
} from './hmm/categorical-hmm.js';
export { PoissonHMM } from './hmm/poisson-hmm.js';
export type {
  PoissonHMMOptions,
  PoissonHMMJSON,
  PoissonHMMParam,
  PoissonHMMParams,
} from './hmm/poisson-hmm.js';
export { GMMHMM } from './hmm/gmm-hmm.js';
export type { GMMHMMOptions, GMMHMMJSON, GMMHMMParam, GMMHMMParams } from './hmm/gmm-hmm.js';
export { MultinomialHMM } from './hmm/multinomial-hmm.js';
export type {
  MultinomialHMMOptions,
  MultinomialHMMJSON,
  MultinomialHMMParam,
  MultinomialHMMParams,
} from './hmm/multinomial-hmm.js';
export type { LengthsInput, SampleOptions, HMMFitOptions } from './hmm/base.js';
export type { DecodeAlgorithm, HMMOptions } from './hmm/options.js';
export { selectModel, plotSelection } from './select/index.js';
export { PoissonMixture } from './families/poisson/poisson-mixture.js';
export type { PoissonMixtureOptions } from './families/poisson/poisson-mixture.js';
export type { PoissonComponents } from './families/poisson/components.js';
export { BernoulliMixture } from './families/bernoulli/bernoulli-mixture.js';
export type { BernoulliMixtureOptions } from './families/bernoulli/bernoulli-mixture.js';
export type { BernoulliComponents } from './families/bernoulli/components.js';
export { CategoricalMixture } from './families/categorical/categorical-mixture.js';
export type { CategoricalMixtureOptions } from './families/categorical/categorical-mixture.js';
export type { CategoricalComponents } from './families/categorical/components.js';
export { MultinomialMixture } from './families/multinomial/multinomial-mixture.js';
export type { MultinomialMixtureOptions } from './families/multinomial/multinomial-mixture.js';
export type { MultinomialComponents } from './families/multinomial/components.js';
export { RegressionMixture } from './families/regression/regression-mixture.js';
export type {
  RegressionMixtureOptions,
  RegressionInitParams,
} from './families/regression/regression-mixture.js';
export type { RegressionComponents } from './families/regression/components.js';
export { StudentMixture } from './families/student/student-mixture.js';
export type { StudentMixtureOptions, StudentCovarianceType } from './families/student/student-mixture.js';
export type { StudentComponents } from './families/student/components.js';
export type { MixtureOptions, MixtureInitParams } from './em/mixture.js';
export type { EstimatorJSON, EstimatorFitOptions } from './em/estimator.js';
export type * from './select/index.js';
export type { PriorInput, PriorOptions, PriorJSON } from './mixture/prior.js';
export type { FixedParameters } from './mixture/constrained-mstep.js';
export { richardsonLucy } from './imaging/richardson-lucy.js';
export type { RichardsonLucyOptions, DeconvolutionIterationInfo } from './imaging/richardson-lucy.js';
export type { Image, ImageInput } from './imaging/image.js';
export type { ConvolutionMethod } from './imaging/convolver.js';
export { gaussianPsf, motionPsf } from './imaging/psf.js';
export * from './imaging/tomography/index.js';
export { FAMILIES, familyEntry, loadModel } from './em/registry.js';
export type { FamilyEntry, RegisteredModel } from './em/registry.js';
export type { FitData } from './em/estimator.js';
