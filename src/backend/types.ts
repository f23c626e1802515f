/**
 * A handle names one array of a workspace. For the Wasm backend it is the array's byte offset in
 * Wasm memory; for the JavaScript backend an index into a table of typed arrays. `0` is never a
 * live array, so kernels read it as "no array".
 */
export type Handle = number;

/** The kernels of docs/kernels.md, with handles in place of arrays. */
export interface Kernels {
  logProbFull(x: Handle, n: number, d: number, means: Handle, precChol: Handle, k: number, out: Handle): void;
  logProbTied(x: Handle, n: number, d: number, means: Handle, precChol: Handle, k: number, out: Handle): void;
  logProbDiag(x: Handle, n: number, d: number, means: Handle, precChol: Handle, k: number, out: Handle): void;
  logProbSpherical(
    x: Handle,
    n: number,
    d: number,
    means: Handle,
    precChol: Handle,
    k: number,
    out: Handle,
  ): void;
  responsibilities(logProb: Handle, n: number, k: number, logWeights: Handle, lse: Handle): number;
  accumulateMoments(x: Handle, n: number, d: number, resp: Handle, k: number, nk: Handle, sumX: Handle): void;
  accumulateScatterFull(
    x: Handle,
    n: number,
    d: number,
    resp: Handle,
    k: number,
    means: Handle,
    out: Handle,
  ): void;
  accumulateScatterTied(
    x: Handle,
    n: number,
    d: number,
    resp: Handle,
    k: number,
    means: Handle,
    out: Handle,
  ): void;
  accumulateScatterDiag(
    x: Handle,
    n: number,
    d: number,
    resp: Handle,
    k: number,
    means: Handle,
    out: Handle,
  ): void;
  finalizeFull(
    scatter: Handle,
    nk: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  finalizeTied(
    scatter: Handle,
    nTotal: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  finalizeDiag(
    scatter: Handle,
    nk: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  finalizeSpherical(
    scatter: Handle,
    nk: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  cholesky(a: Handle, d: number, out: Handle): number;
  precisionCholeskyFromPrecision(p: Handle, d: number, out: Handle): number;
  kmeansStep(
    x: Handle,
    n: number,
    d: number,
    centers: Handle,
    k: number,
    labels: Handle,
    sums: Handle,
    counts: Handle,
    minDist: Handle,
  ): number;
  minSqDist(x: Handle, n: number, d: number, point: Handle, dist: Handle, out: Handle): number;
}

/**
 * The arrays of one fit (or one scoring call), allocated up front and released together. Views are
 * valid until the next `alloc*` (Wasm memory may grow and detach them), so take them after
 * allocating.
 */
export interface Workspace {
  readonly kernels: Kernels;
  allocF64(length: number): Handle;
  allocI32(length: number): Handle;
  f64(h: Handle, length: number): Float64Array;
  i32(h: Handle, length: number): Int32Array;
  /** Frees every array of this workspace for reuse by a later fit. */
  release(): void;
}

export type BackendName = 'wasm' | 'js';

export interface Backend {
  readonly name: BackendName;
  acquire(): Workspace;
}
