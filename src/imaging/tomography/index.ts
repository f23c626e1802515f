export { ParallelBeamProjector } from './projector.js';
export type { ParallelBeamProjectorOptions } from './projector.js';
export { validateSystemMatrix } from './csr.js';
export type { SystemMatrix, SystemMatrixInput } from './csr.js';
export { mlem, osem } from './em.js';
export type { MLEMOptions, OSEMOptions, MLEMIterationInfo, MLEMResult, SystemModel } from './em.js';
export { sheppLogan } from './phantom.js';
export { poissonNoise } from './noise.js';
