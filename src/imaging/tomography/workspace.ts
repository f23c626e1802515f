import { jsBackend } from '../../backend/js.js';
import type { BackendName, Handle, Workspace } from '../../backend/types.js';
import { acquireShared, wasmBackend } from '../../backend/wasm.js';
import type { TomographyKernels } from './kernels.js';
import * as ref from './reference.js';

/** A workspace whose kernels are the tomography kernels. */
export interface TomographyWorkspace {
  readonly kernels: TomographyKernels;
  /** True when `run` may spread jobs over worker threads (a shared-memory Wasm workspace). */
  readonly threaded: boolean;
  allocF64(length: number): Handle;
  allocI32(length: number): Handle;
  f64(h: Handle, length: number): Float64Array;
  i32(h: Handle, length: number): Int32Array;
  /**
   * Runs one kernel call per thread (the first on the calling thread) over this workspace's
   * memory; on a workspace that is not threaded, `jobs` must hold one call.
   */
  run(jobs: TomographyJob[]): Promise<void>;
  release(): void;
}

/** One thread's kernel call: the export's name and its arguments (handles are byte offsets). */
export interface TomographyJob {
  kernel: 'tomoForward' | 'tomoBack' | 'csrForward' | 'csrBack';
  args: number[];
}

/**
 * Delegates memory to a backend's workspace. For Wasm the instance's exports hold the tomography
 * kernels; for the JavaScript backend they are the TypeScript twins, looked up through the lengths
 * recorded here (the backend's views need a length).
 */
class TomographyWorkspaceImpl implements TomographyWorkspace {
  readonly kernels: TomographyKernels;
  readonly threaded: boolean;
  private readonly lengths = new Map<Handle, number>();

  constructor(
    private readonly inner: Workspace,
    backend: BackendName,
  ) {
    this.kernels = backend === 'wasm' ? (inner.kernels as unknown as TomographyKernels) : this.twins();
    this.threaded = inner.parallel !== undefined;
  }

  private twins(): TomographyKernels {
    const f = (h: Handle): Float64Array => this.inner.f64(h, this.lengths.get(h) as number);
    const fOrNull = (h: Handle): Float64Array | null => (h === 0 ? null : f(h));
    const i = (h: Handle): Int32Array => this.inner.i32(h, this.lengths.get(h) as number);
    return {
      tomoPadLength: (n) => ref.tomoPadLength(n),
      tomoWorkLength: (nd) => ref.tomoWorkLength(nd),
      tomoPad: (im, n, p) => ref.tomoPad(f(im), n, f(p)),
      tomoUnpad: (p, n, o, acc) => ref.tomoUnpad(f(p), n, f(o), acc),
      tomoForward: (p, n, tr, an, c, nd, s, _w, keep) =>
        ref.tomoForward(f(p), n, f(tr), i(an), c, nd, f(s), fOrNull(keep)),
      tomoBack: (s, n, tr, an, c, nd, p, _w) => ref.tomoBack(f(s), n, f(tr), i(an), c, nd, f(p)),
      csrForward: (ip, ix, d, b, c, w, x, o) => ref.csrForward(i(ip), i(ix), f(d), i(b), c, w, f(x), f(o)),
      csrBack: (ip, ix, d, b, c, w, v, cols, o) =>
        ref.csrBack(i(ip), i(ix), f(d), i(b), c, w, f(v), cols, f(o)),
      mlemRatio: (y, p, bg, b, c, w, r) => ref.mlemRatio(f(y), f(p), fOrNull(bg), i(b), c, w, f(r)),
      mlemUpdate: (x, b, s, n) => ref.mlemUpdate(f(x), f(b), f(s), n),
    };
  }

  allocF64(length: number): Handle {
    const h = this.inner.allocF64(length);
    this.lengths.set(h, length);
    return h;
  }

  allocI32(length: number): Handle {
    const h = this.inner.allocI32(length);
    this.lengths.set(h, length);
    return h;
  }

  f64(h: Handle, length: number): Float64Array {
    return this.inner.f64(h, length);
  }

  i32(h: Handle, length: number): Int32Array {
    return this.inner.i32(h, length);
  }

  async run(jobs: TomographyJob[]): Promise<void> {
    if (jobs.length === 1) {
      const call = this.kernels[jobs[0].kernel] as (...args: number[]) => void;
      call(...jobs[0].args);
      return;
    }
    await (this.inner.parallel as NonNullable<Workspace['parallel']>)(jobs);
  }

  release(): void {
    this.lengths.clear();
    this.inner.release();
  }
}

/** A workspace of the named backend with the tomography kernels; release it when done. */
export function acquireTomographyWorkspace(backend: BackendName): TomographyWorkspace {
  const inner = (backend === 'wasm' ? wasmBackend : jsBackend).acquire();
  return new TomographyWorkspaceImpl(inner, backend);
}

/** A shared-memory Wasm workspace whose projections can run on worker threads. */
export async function acquireThreadedTomographyWorkspace(): Promise<TomographyWorkspace> {
  return new TomographyWorkspaceImpl(await acquireShared(), 'wasm');
}
