import wasmBytes from '../../build/emwasm.wasm';

let compiled: WebAssembly.Module | null = null;
let pending: Promise<WebAssembly.Module> | null = null;

/**
 * Compiles the kernels once. Concurrent callers share one compilation; a failed compilation is not
 * cached, so a later call tries again.
 */
export function loadModule(): Promise<WebAssembly.Module> {
  if (compiled) return Promise.resolve(compiled);
  if (!pending) {
    pending = WebAssembly.compile(wasmBytes as BufferSource).then(
      (m) => (compiled = m),
      (err: unknown) => {
        pending = null;
        throw err;
      },
    );
  }
  return pending;
}

/**
 * The compiled module for synchronous callers (scoring a model restored with `fromJSON`). Node and
 * workers may compile synchronously; a browser's main thread may not, hence the advice to await
 * `init()` first.
 */
export function moduleSync(): WebAssembly.Module {
  if (compiled) return compiled;
  try {
    compiled = new WebAssembly.Module(wasmBytes as BufferSource);
  } catch (err) {
    throw new Error(
      `emwasm: the WebAssembly kernels are not loaded yet and cannot be compiled synchronously here ` +
        `(${(err as Error).message}); call \`await init()\` (or fit a model) before scoring`,
    );
  }
  return compiled;
}
