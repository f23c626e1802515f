import { threadPool, type SharedInstance } from '../threads/pool.js';
import { moduleSync, threadedModule } from '../wasm/module.js';
import type { Backend, Handle, KernelJob, Kernels, Workspace } from './types.js';

interface Exports extends Kernels {
  heapBase(): number;
}

const PAGE = 65536;
const ALIGN = 16;
/** Shared memory must declare its maximum up front: 4 GiB, all that wasm32 can address. */
const SHARED_MAXIMUM_PAGES = 65536;

/** At most this many idle instances are kept for reuse (of each build). */
const MAX_IDLE = 4;
/**
 * Idle instances keep at most this much memory in all (Wasm memory never shrinks): an instance
 * released beyond it is dropped, and the garbage collector takes its memory back.
 */
const IDLE_MEMORY_BUDGET = 64 * 1024 * 1024;

/** The most memory a wasm32 instance can address: 65536 pages of 64 KiB, 4 GiB. */
export const WASM_MEMORY_LIMIT = SHARED_MAXIMUM_PAGES * PAGE;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/**
 * Checks, before any memory grows, that data of `rows × cols` fit in Wasm memory when a call keeps
 * `valuesPerRow` 8-byte values a row (X itself and the per-row work: responsibilities, lattices).
 * Throws a RangeError that gives the shape, the memory needed, the limit and how many rows fit.
 */
export function requireWasmMemory(rows: number, cols: number, valuesPerRow: number): void {
  const bytesPerRow = 8 * valuesPerRow;
  // Room for the module's own data and the arrays that do not grow with the rows.
  const usable = WASM_MEMORY_LIMIT - 64 * 2 ** 20;
  if (rows * bytesPerRow <= usable) return;
  const fit = Math.floor(usable / bytesPerRow).toLocaleString('en-US');
  throw new RangeError(
    `X has ${rows.toLocaleString('en-US')} rows × ${cols.toLocaleString('en-US')} columns, which with this ` +
      `model need ${gib(rows * bytesPerRow)} of WebAssembly memory, more than its limit of ` +
      `${gib(WASM_MEMORY_LIMIT)}: fit at most ${fit} rows (a random sample of them), fewer columns or ` +
      `components, or backend: 'js'; fitting data in chunks (streaming) is not available yet`,
  );
}

/**
 * One Wasm instance used as a bump allocator above `__heap_base`. Each fit takes an instance from
 * a pool and gives it back when done, so concurrent fits never share memory and repeated fits
 * reuse the memory they already grew instead of growing more; the pool keeps a few small
 * instances only (`MAX_IDLE`, `IDLE_MEMORY_BUDGET`), so a large or a burst of concurrent fits
 * leaves no memory behind.
 */
class WasmWorkspace implements Workspace {
  readonly kernels: Kernels;
  private readonly base: number;
  private top: number;
  /** When it was last released (a count of releases): the longest-idle instance goes first. */
  idleSince = 0;

  constructor(
    exports: Exports,
    protected readonly memory: WebAssembly.Memory,
    private readonly pool: WasmWorkspace[],
  ) {
    this.kernels = exports;
    this.base = align(exports.heapBase());
    this.top = this.base;
  }

  private alloc(bytes: number): Handle {
    const start = this.top;
    const end = align(start + bytes);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const advice = 'use fewer rows (a random sample of them) or fewer columns or components';
      if (end > WASM_MEMORY_LIMIT) {
        throw new RangeError(
          `emwasm needs ${gib(end)} of WebAssembly memory for this call, more than its limit of ` +
            `${gib(WASM_MEMORY_LIMIT)}: ${advice}`,
        );
      }
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (err) {
        throw new RangeError(
          `emwasm could not grow its WebAssembly memory to ${gib(end)} (${(err as Error).message}): ${advice}`,
        );
      }
    }
    this.top = end;
    return start;
  }

  allocF64(length: number): Handle {
    return this.alloc(length * 8);
  }

  allocI32(length: number): Handle {
    return this.alloc(length * 4);
  }

  f64(h: Handle, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, h, length);
  }

  i32(h: Handle, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, h, length);
  }

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Back to its pool for reuse, within `MAX_IDLE` and `IDLE_MEMORY_BUDGET`: the instance just
   * released is the likeliest to be wanted next (the same fit again, or the next fit of a loop), so
   * to make room the longest-idle instances are let go rather than this one; an instance larger than
   * the whole budget is dropped.
   */
  release(): void {
    this.top = this.base;
    if (this.memoryBytes > IDLE_MEMORY_BUDGET) {
      this.drop();
      return;
    }
    for (;;) {
      const countOk = this.pool.length < MAX_IDLE;
      if (countOk && idleBytes() + this.memoryBytes <= IDLE_MEMORY_BUDGET) break;
      const victim = countOk ? longestIdle() : this.pool[0];
      victim.pool.splice(victim.pool.indexOf(victim), 1);
      victim.drop();
    }
    this.idleSince = ++releases;
    this.pool.push(this);
  }

  /** Lets go of the instance for good (nothing to do for a private memory but forget it). */
  protected drop(): void {}
}

let nextSharedId = 1;

/**
 * A workspace over shared memory whose kernels can also run on worker threads: `parallel` runs the
 * jobs on the calling thread and the pool's workers, each against the same memory. With as many
 * workers as jobs less one, job 0 runs here and job t on worker t − 1; with fewer (the pool stops
 * at the core count), job t runs on lane `t mod (workers + 1)`, lane 0 being this thread. Either
 * way the jobs, and so the results, are the same.
 */
export class SharedWorkspace extends WasmWorkspace implements SharedInstance {
  readonly id = nextSharedId++;

  constructor(
    exports: Exports,
    override readonly memory: WebAssembly.Memory,
    pool: WasmWorkspace[],
    readonly module: WebAssembly.Module,
  ) {
    super(exports, memory, pool);
  }

  async parallel(jobs: KernelJob[]): Promise<number[]> {
    const lanes = (await threadPool.ensure(jobs.length - 1)) + 1;
    const results = new Array<number>(jobs.length);
    const remote: Promise<void>[] = [];
    jobs.forEach((job, t) => {
      const lane = t % lanes;
      if (lane > 0) {
        remote.push(threadPool.run(lane - 1, this, job.kernel, job.args).then((r) => void (results[t] = r)));
      }
    });
    const start = performance.now();
    for (let t = 0; t < jobs.length; t += lanes) {
      const call = (this.kernels as unknown as Record<string, (...args: number[]) => number>)[jobs[t].kernel];
      results[t] = call(...jobs[t].args);
    }
    // The workers' shares end about when this one does: wait for them polling, for at most half
    // the time this share took (plus 0.5 ms), before leaving it to their messages.
    threadPool.settle(0.5 + 0.5 * (performance.now() - start));
    await Promise.all(remote);
    return results;
  }

  /** The workers drop their instances over this memory too. */
  protected override drop(): void {
    threadPool.detach(this.id);
  }
}

const idle: WasmWorkspace[] = [];
const idleShared: SharedWorkspace[] = [];
let releases = 0;

function idleBytes(): number {
  return [...idle, ...idleShared].reduce((sum, ws) => sum + ws.memoryBytes, 0);
}

/** The idle instance released longest ago, of either build (called only while one is idle). */
function longestIdle(): WasmWorkspace {
  return [...idle, ...idleShared].reduce((a, b) => (b.idleSince < a.idleSince ? b : a));
}

export const wasmBackend: Backend = {
  name: 'wasm',
  acquire(): Workspace {
    const reused = idle.pop();
    if (reused) return reused;
    const instance = new WebAssembly.Instance(moduleSync(), {});
    const exports = instance.exports as unknown as Exports & { memory: WebAssembly.Memory };
    return new WasmWorkspace(exports, exports.memory, idle);
  },
};

/** A shared-memory workspace (the threaded build), from the pool or new. */
export async function acquireShared(): Promise<SharedWorkspace> {
  const reused = idleShared.pop();
  if (reused) return reused;
  const module = await threadedModule.load();
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return new SharedWorkspace(
    instance.exports as unknown as Exports,
    memory,
    idleShared as WasmWorkspace[],
    module,
  );
}

/** Idle instances and their memory sizes (bytes): for tests that check memory is reused and given back. */
export function idleWasmMemory(): number[] {
  return [...idle, ...idleShared].map((ws) => ws.memoryBytes);
}
