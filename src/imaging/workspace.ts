import { jsBackend } from '../backend/js.js';
import type { BackendName, Handle, KernelJob, Workspace } from '../backend/types.js';
import { wasmBackend } from '../backend/wasm.js';
import * as ref from '../reference/imaging.js';
import type { ImagingKernels } from './kernels.js';

/** A workspace whose kernels are the imaging kernels. */
export interface ImagingWorkspace {
  readonly kernels: ImagingKernels;
  allocF64(length: number): Handle;
  f64(h: Handle, length: number): Float64Array;
  release(): void;
  /** Present over shared memory: `jobs[0]` here, `jobs[t]` on worker t − 1 (see Workspace.parallel). */
  parallel?(jobs: { kernel: keyof ImagingKernels; args: number[] }[]): Promise<number[]>;
}

/**
 * Delegates memory to a backend's workspace. For Wasm the instance's exports already hold the
 * imaging kernels; for the JavaScript backend they are the TypeScript twins, looked up through the
 * lengths recorded here (the backend's views need a length).
 */
class ImagingWorkspaceImpl implements ImagingWorkspace {
  readonly kernels: ImagingKernels;
  readonly parallel?: ImagingWorkspace['parallel'];
  private readonly lengths = new Map<Handle, number>();

  constructor(
    private readonly inner: Workspace,
    backend: BackendName,
  ) {
    this.kernels = backend === 'wasm' ? (inner.kernels as unknown as ImagingKernels) : this.twins();
    if (inner.parallel) {
      const run = inner.parallel.bind(inner);
      // The shared workspace's workers call exports by name; the imaging exports are in the same module.
      this.parallel = (jobs) => run(jobs as unknown as KernelJob[]);
    }
  }

  private twins(): ImagingKernels {
    const f = (h: Handle): Float64Array => this.inner.f64(h, this.lengths.get(h) as number);
    return {
      fftWorkLength: (l, i) => ref.fftWorkLength(l, i),
      fftAxis: (d, o, l, i, st, t, w, inv) => ref.fftAxis(f(d), o, l, i, st, f(t), f(w), inv),
      fftFilterAxis: (d, l, i, st, t, w, fl) => ref.fftFilterAxis(f(d), l, i, st, f(t), f(w), f(fl)),
      realFftWorkLength: (l) => ref.realFftWorkLength(l),
      zeroSpecPadding: (sp, n0, n1, h, l0, l1) => ref.zeroSpecPadding(f(sp), n0, n1, h, l0, l1),
      realFftRows: (x, n0, n1, rl, l, t, w, sp, l1, p0, p1) =>
        ref.realFftRows(f(x), n0, n1, rl, l, f(t), f(w), f(sp), l1, p0, p1),
      realIfftRows: (sp, n0, n1, l1, l, t, w, rl, sc, o, p0, p1) =>
        ref.realIfftRows(f(sp), n0, n1, l1, l, f(t), f(w), rl, sc, f(o), p0, p1),
      complexMultiply: (a, b, c) => ref.complexMultiply(f(a), f(b), c),
      padImage: (x, n0, n1, n2, o, p0, p1, p2, o0, o1, o2) =>
        ref.padImage(f(x), n0, n1, n2, f(o), p0, p1, p2, o0, o1, o2),
      correlatePadded: (p, p1, p2, w, m0, m1, m2, o, n1, n2, r0, r1) =>
        ref.correlatePadded(f(p), p1, p2, f(w), m0, m1, m2, f(o), n1, n2, r0, r1),
      rlRatio: (im, c, n, fe, o) => ref.rlRatio(f(im), f(c), n, fe, f(o)),
      rlUpdate: (u, c, d, n) => ref.rlUpdate(f(u), f(c), d === 0 ? null : f(d), n),
      tvDenominator: (u, n0, n1, n2, l, un, o) => ref.tvDenominator(f(u), n0, n1, n2, l, f(un), f(o)),
    };
  }

  allocF64(length: number): Handle {
    const h = this.inner.allocF64(length);
    this.lengths.set(h, length);
    return h;
  }

  f64(h: Handle, length: number): Float64Array {
    return this.inner.f64(h, length);
  }

  release(): void {
    this.lengths.clear();
    this.inner.release();
  }
}

/** A workspace of the named backend with the imaging kernels; release it when done. */
export function acquireImagingWorkspace(backend: BackendName): ImagingWorkspace {
  const inner = (backend === 'wasm' ? wasmBackend : jsBackend).acquire();
  return wrapImagingWorkspace(inner, backend);
}

/** The imaging kernels over a workspace already acquired (e.g. a shared-memory one). */
export function wrapImagingWorkspace(inner: Workspace, backend: BackendName): ImagingWorkspace {
  return new ImagingWorkspaceImpl(inner, backend);
}
