import { moduleSync } from '../wasm/module';
import type { Backend, Handle, Kernels, Workspace } from './types';

interface Exports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
}

const PAGE = 65536;
const ALIGN = 16;

/**
 * One Wasm instance used as a bump allocator above `__heap_base`. Each fit takes an instance from
 * the pool and gives it back when done, so concurrent fits never share memory and repeated fits
 * reuse the memory they already grew instead of growing more.
 */
class WasmWorkspace implements Workspace {
  readonly kernels: Kernels;
  private readonly memory: WebAssembly.Memory;
  private readonly base: number;
  private top: number;

  constructor(
    exports: Exports,
    private readonly pool: WasmWorkspace[],
  ) {
    this.kernels = exports;
    this.memory = exports.memory;
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

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

const idle: WasmWorkspace[] = [];

export const wasmBackend: Backend = {
  name: 'wasm',
  acquire(): Workspace {
    const reused = idle.pop();
    if (reused) return reused;
    const instance = new WebAssembly.Instance(moduleSync(), {});
    return new WasmWorkspace(instance.exports as unknown as Exports, idle);
  },
};

/** Idle instances and their memory sizes (bytes): for tests that check memory is reused. */
export function idleWasmMemory(): number[] {
  return idle.map((ws) => ws.memoryBytes);
}
