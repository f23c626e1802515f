// The Wasm module's exports: stateless kernels over byte offsets into this module's memory.
// The contract (names, shapes, semantics) is docs/kernels.md; src/reference holds the TS twins.
export { logProbFull, accumulateScatterFull, finalizeFull } from './gaussian/full';
export { logProbTied, accumulateScatterTied, finalizeTied } from './gaussian/tied';
export { logProbDiag, accumulateScatterDiag, finalizeDiag } from './gaussian/diag';
export { logProbSpherical, finalizeSpherical } from './gaussian/spherical';
export { responsibilities, accumulateMoments } from './gaussian/stats';
export { cholesky, precisionCholeskyFromPrecision } from './linalg';
export { kmeansStep, kmeansWorkLength, minSqDistMany } from './kmeans';
export { emStepWorkLength } from './gaussian/fused-common';
export { emStepFull } from './gaussian/fused-triangular';
export { emStepTied } from './gaussian/fused-tied';
export { emStepDiag, emStepSpherical } from './gaussian/fused-diagonal';
export { mStepFull, mStepTied, mStepDiag, mStepSpherical } from './gaussian/fused-mstep';
export { missingFactorLength, missingWorkLength, missingFactors, missingEStep } from './gaussian/missing';
export { heapBase } from './util/heap';
export * from './hmm';
export {
  fftWorkLength,
  fftAxis,
  fftFilterAxis,
  realFftWorkLength,
  zeroSpecPadding,
  realFftRows,
  realIfftRows,
  complexMultiply,
} from './imaging/fft';
export { padImage, correlatePadded, rlRatio, rlUpdate, tvDenominator } from './imaging/deconvolve';
export {
  tomoPadLength,
  tomoWorkLength,
  tomoPad,
  tomoUnpad,
  tomoForward,
  tomoBack,
} from './imaging/tomography';
export { csrForward, csrBack, mlemRatio, mlemUpdate } from './imaging/tomography-em';
export { blockPosterior, blockRows } from './families/block';
export { expInto } from './util/simd';
export { poissonEStep, poissonAccumulate } from './families/poisson/estep';
export {
  bernoulliEStep,
  bernoulliAccumulate,
  bernoulliRowStarts,
  bernoulliCompress,
} from './families/bernoulli/estep';
export { categoricalEStep, categoricalAccumulate } from './families/categorical/estep';
export {
  multinomialEStep,
  multinomialAccumulate,
  multinomialCompress,
  multinomialRowStarts,
} from './families/multinomial/estep';
export { regressionEStep, regressionAccumulate } from './families/regression/estep';
export {
  studentAccumulateDiag,
  studentAccumulateFull,
  studentEStepDiag,
  studentEStepFull,
} from './families/student/estep';
