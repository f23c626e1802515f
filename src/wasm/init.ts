import { loadModule } from './module.js';

/**
 * Compiles the WebAssembly kernels ahead of use. `fit` does this itself; await it before scoring a
 * model restored with `fromJSON` on a browser's main thread, where synchronous compilation is not
 * allowed.
 */
export async function init(): Promise<void> {
  await loadModule();
}
