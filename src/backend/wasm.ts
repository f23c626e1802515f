import { threadPool } from '../threads/pool.js';
import { moduleSync, threadedModule } from '../wasm/module.js';
import type { Backend, Handle, KernelJob, Kernels, Workspace } from './types.js';

interface Exports extends Kernels {
  heapBase(): number;
}

const PAGE = 65536;
const ALIGN = 16;
/** Shared memory must declare its maximum up front: 4 GiB, all that wasm32 can address. */
const SHARED_MAXIMUM_PAGES = 65536;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/**
 * One Wasm instance used as a bump allocator above `__heap_base`. Each fit takes an instance from
 * a pool and gives it back when done, so concurrent fits never share memory and repeated fits
 * reuse the memory they already grew instead of growing more.
 */
class WasmWorkspace implements Workspace {
  readonly kernels: Kernels;
  private readonly base: number;
  private top: number;

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
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
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

  release(): void {
    this.top = this.base;
    this.pool.push(this);
  }
}

let nextSharedId = 1;

/**
 * A workspace over shared memory whose kernels can also run on worker threads: `parallel` runs
 * job 0 on the calling thread and job t on worker t − 1, each against the same memory.
 */
export class SharedWorkspace extends WasmWorkspace {
  readonly id = nextSharedId++;
  private attached = 0;

  constructor(
    exports: Exports,
    memory: WebAssembly.Memory,
    pool: WasmWorkspace[],
    private readonly module: WebAssembly.Module,
  ) {
    super(exports, memory, pool);
  }

  async parallel(jobs: KernelJob[]): Promise<number[]> {
    const workers = jobs.length - 1;
    if (threadPool.size < workers) await threadPool.ensure(workers);
    for (; this.attached < workers; this.attached++) {
      threadPool.notify(this.attached, {
        type: 'attach',
        id: this.id,
        module: this.module,
        memory: this.memory,
      });
    }
    const remote = jobs.slice(1).map((job, t) => threadPool.run(t, this.id, job.kernel, job.args));
    const call = (this.kernels as unknown as Record<string, (...args: number[]) => number>)[jobs[0].kernel];
    const local = call(...jobs[0].args);
    return [local, ...(await Promise.all(remote))];
  }
}

const idle: WasmWorkspace[] = [];
const idleShared: SharedWorkspace[] = [];

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

/** Idle instances and their memory sizes (bytes): for tests that check memory is reused. */
export function idleWasmMemory(): number[] {
  return [...idle, ...idleShared].map((ws) => ws.memoryBytes);
}
