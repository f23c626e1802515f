import { jsBackend } from '../backend/js.js';
import type { BackendName, Handle, Kernels, Workspace } from '../backend/types.js';
import { wasmBackend } from '../backend/wasm.js';
import * as ref from '../reference/hmm.js';
import type { HmmKernels } from './kernels.js';

/** The mixture kernels (Gaussian emissions, k-means) and the HMM kernels of one workspace. */
export type AllKernels = Kernels & HmmKernels;

/** A workspace whose kernels include the HMM kernels. */
export interface HmmWorkspace extends Workspace {
  readonly kernels: AllKernels;
}

/**
 * Delegates memory to a backend's workspace. For Wasm the instance's exports already hold the HMM
 * kernels; for the JavaScript backend they are the TypeScript twins, looked up through the lengths
 * recorded here (the backend's views need a length).
 */
class HmmWorkspaceImpl implements HmmWorkspace {
  readonly kernels: AllKernels;
  private readonly lengths = new Map<Handle, number>();

  constructor(
    private readonly inner: Workspace,
    backend: BackendName,
  ) {
    this.kernels = backend === 'wasm' ? (inner.kernels as AllKernels) : { ...inner.kernels, ...this.twins() };
  }

  private twins(): HmmKernels {
    const f = (h: Handle): Float64Array => this.inner.f64(h, this.lengths.get(h) as number);
    const fOrNull = (h: Handle): Float64Array | null => (h === 0 ? null : f(h));
    const i = (h: Handle): Int32Array => this.inner.i32(h, this.lengths.get(h) as number);
    return {
      hmmLatticeStride: (k) => ref.hmmLatticeStride(k),
      hmmWorkLength: (k) => ref.hmmWorkLength(k),
      hmmForward: (lb, len, ns, k, sp, tm, lat, w) =>
        ref.hmmForward(f(lb), i(len), ns, k, f(sp), f(tm), f(lat), f(w)),
      hmmBackward: (lb, len, ns, k, tm, lat, p, xi, sc, w) =>
        ref.hmmBackward(f(lb), i(len), ns, k, f(tm), f(lat), f(p), fOrNull(xi), fOrNull(sc), f(w)),
      hmmViterbi: (lb, len, ns, k, ls, lt, lat, st) =>
        ref.hmmViterbi(f(lb), i(len), ns, k, f(ls), f(lt), f(lat), i(st)),
      categoricalLogProb: (sy, n, le, k, m, o) => ref.categoricalLogProb(i(sy), n, f(le), k, m, f(o)),
      accumulateCategorical: (sy, n, p, k, m, c) => ref.accumulateCategorical(i(sy), n, f(p), k, m, f(c)),
      poissonLogProb: (x, n, d, l, k, lf, o, w) => ref.poissonLogProb(f(x), n, d, f(l), k, f(lf), f(o), f(w)),
      mixtureStateLogProb: (lp, n, k, m, lw, o) => ref.mixtureStateLogProb(f(lp), n, k, m, f(lw), f(o)),
      weightMixturePosteriors: (r, n, k, m, p) => ref.weightMixturePosteriors(f(r), n, k, m, f(p)),
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

  release(): void {
    this.lengths.clear();
    this.inner.release();
  }
}

/** A workspace of the named backend with the HMM kernels; release it when done. */
export function acquireHmmWorkspace(backend: BackendName): HmmWorkspace {
  const inner = (backend === 'wasm' ? wasmBackend : jsBackend).acquire();
  return new HmmWorkspaceImpl(inner, backend);
}
