/** Plain-TypeScript twins of the Wasm kernels: the test oracle and the plain-JavaScript baseline. */

export * from './fused.js';
export * from './gaussian.js';
export * from './kmeans.js';
export * from '../linalg/dense.js';
export * from './missing.js';
