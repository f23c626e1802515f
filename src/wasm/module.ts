import singleBytes from '../../build/emwasm.wasm';
import threadedBytes from '../../build/emwasm-threads.wasm';

/**
 * One compiled module, compiled once. Concurrent callers share one compilation; a failed
 * compilation is not cached, so a later call tries again.
 */
class LazyModule {
  private compiled: WebAssembly.Module | null = null;
  private pending: Promise<WebAssembly.Module> | null = null;

  constructor(private readonly bytes: Uint8Array) {}

  /**
   * Takes a module compiled elsewhere: the fit worker's bundle carries no wasm bytes (see
   * scripts/build.mjs) and gets the library's compiled modules with each request.
   */
  provide(module: WebAssembly.Module): void {
    this.compiled ??= module;
  }

  load(): Promise<WebAssembly.Module> {
    if (this.compiled) return Promise.resolve(this.compiled);
    if (this.bytes.length === 0) return Promise.reject(noBytes());
    if (!this.pending) {
      this.pending = WebAssembly.compile(this.bytes as BufferSource).then(
        (m) => (this.compiled = m),
        (err: unknown) => {
          this.pending = null;
          throw withPolicyAdvice(err);
        },
      );
    }
    return this.pending;
  }

  /**
   * For synchronous callers (scoring a model restored with `fromJSON`). Node and workers may
   * compile synchronously; a browser's main thread may not, hence the advice to await `init()`.
   */
  sync(): WebAssembly.Module {
    if (this.compiled) return this.compiled;
    if (this.bytes.length === 0) throw noBytes();
    try {
      this.compiled = new WebAssembly.Module(this.bytes as BufferSource);
    } catch (err) {
      throw new Error(
        `emwasm: the WebAssembly kernels are not loaded yet and cannot be compiled synchronously here ` +
          `(${(err as Error).message}); call \`await init()\` (or fit a model) before scoring`,
      );
    }
    return this.compiled;
  }
}

/**
 * A page's Content-Security-Policy that forbids compiling WebAssembly: browsers name 'unsafe-eval',
 * which would allow JavaScript eval too; 'wasm-unsafe-eval' allows WebAssembly alone.
 */
function withPolicyAdvice(err: unknown): unknown {
  if (!(err instanceof WebAssembly.CompileError) || !/Content.Security/i.test(err.message)) return err;
  return new WebAssembly.CompileError(
    `emwasm cannot compile its WebAssembly under this page's Content-Security-Policy: add 'wasm-unsafe-eval' ` +
      `to its script-src (it allows WebAssembly only, unlike 'unsafe-eval'). The browser said: ${err.message}`,
  );
}

function noBytes(): Error {
  return new Error(
    'emwasm: this bundle carries no WebAssembly; the fit worker gets the modules with its request',
  );
}

/** The kernels over the instance's own memory. */
// Marked pure so that a bundler drops the module (and its bytes) from a bundle that never fits.
export const singleModule = /* @__PURE__ */ new LazyModule(singleBytes);

/** The same kernels built with `--sharedMemory --importMemory`, for threads over one shared memory. */
export const threadedModule = /* @__PURE__ */ new LazyModule(threadedBytes);

export const loadModule = (): Promise<WebAssembly.Module> => singleModule.load();
export const moduleSync = (): WebAssembly.Module => singleModule.sync();
