/**
 * The page's one import of emwasm. The demo build (web/tools/build.ts) marks this module's target
 * external and points it at `./emwasm.js`, the built bundle served beside the page, so the page
 * loads the library as users do: a plain ES-module import, no wasm configuration, the fit worker
 * started by the library itself.
 */
export { GaussianMixture, init, plotSelection, selectModel } from '../../src/index';
export { gaussianPsf, motionPsf, richardsonLucy } from '../../src/index';
export type { CovarianceType, GaussianIterationInfo, SelectionProgress } from '../../src/index';
export type { Image } from '../../src/index';
export { mlem, osem, ParallelBeamProjector, poissonNoise, sheppLogan } from '../../src/index';
