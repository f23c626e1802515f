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
  /** f64s of `work` the k-means kernels need for `m` centers or candidates in `d` dimensions. */
  kmeansWorkLength(m: number, d: number): number;
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
    work: Handle,
  ): number;
  minSqDistMany(
    x: Handle,
    n: number,
    d: number,
    points: Handle,
    m: number,
    dist: Handle,
    out: Handle,
    totals: Handle,
    work: Handle,
  ): void;
  /** f64s of `work` the `emStep*` kernels need. */
  emStepWorkLength(k: number, d: number): number;
  emStepFull(
    x: Handle,
    n: number,
    d: number,
    means: Handle,
    precChol: Handle,
    logWeights: Handle,
    k: number,
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    work: Handle,
    sampleWeight: Handle,
  ): number;
  emStepTied(
    x: Handle,
    n: number,
    d: number,
    means: Handle,
    precChol: Handle,
    logWeights: Handle,
    k: number,
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    work: Handle,
    sampleWeight: Handle,
  ): number;
  emStepDiag(
    x: Handle,
    n: number,
    d: number,
    means: Handle,
    precChol: Handle,
    logWeights: Handle,
    k: number,
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    work: Handle,
    sampleWeight: Handle,
  ): number;
  emStepSpherical(
    x: Handle,
    n: number,
    d: number,
    means: Handle,
    precChol: Handle,
    logWeights: Handle,
    k: number,
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    work: Handle,
    sampleWeight: Handle,
  ): number;
  mStepFull(
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    means: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  mStepTied(
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    means: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  mStepDiag(
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    means: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  mStepSpherical(
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    means: Handle,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  /** f64s per component of the `factors` of `missingFactors` (src/reference/missing.ts). */
  missingFactorLength(d: number): number;
  /** f64s of `work` each `missingEStep` call needs. */
  missingWorkLength(k: number, d: number): number;
  missingFactors(
    cov: Handle,
    k: number,
    d: number,
    idx: Handle,
    p: number,
    nObs: number,
    factors: Handle,
  ): number;
  /**
   * `nk`, `sumX`, `scatter`, `resp`, `lse`, `xhat` may be 0 ("not wanted"; `sumX`, `scatter` go with
   * `nk`); `sampleWeight` 0 for weight 1 everywhere.
   */
  missingEStep(
    x: Handle,
    first: number,
    n: number,
    d: number,
    idx: Handle,
    p: number,
    nObs: number,
    means: Handle,
    factors: Handle,
    logWeights: Handle,
    k: number,
    nk: Handle,
    sumX: Handle,
    scatter: Handle,
    resp: Handle,
    lse: Handle,
    xhat: Handle,
    work: Handle,
    sampleWeight: Handle,
  ): number;
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
  /**
   * Present on shared-memory workspaces: runs `jobs[0]` on the calling thread and `jobs[t]` on
   * worker t − 1, all over this workspace's memory; resolves to their return values.
   */
  parallel?(jobs: KernelJob[]): Promise<number[]>;
}

/** A kernel call for one thread: the export's name and its arguments (handles are byte offsets). */
export interface KernelJob {
  kernel: string;
  args: number[];
}

/** Where kernels run: `'wasm'` (the WebAssembly build) or `'js'` (the plain TypeScript twins). */
export type BackendName = 'wasm' | 'js';

export interface Backend {
  readonly name: BackendName;
  acquire(): Workspace;
}
