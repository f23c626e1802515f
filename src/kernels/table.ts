import { jsBackend } from '../backend/js.js';
import type { BackendName, Handle, KernelJob, Kernels, Workspace } from '../backend/types.js';
import { acquireShared, wasmBackend } from '../backend/wasm.js';

/**
 * The kind of one kernel argument: a scalar (`'i32'`, `'f64'`), an array passed by handle
 * (`'F64'`, `'I32'`), or an optional array (`'F64?'`, `'I32?'`: handle 0 means "not wanted" and the
 * twin receives null).
 */
export type ArgKind = 'i32' | 'f64' | 'F64' | 'I32' | 'F64?' | 'I32?';

/** One kernel: its argument kinds and its TypeScript twin, which takes arrays where Wasm takes handles. */
export interface KernelDef {
  readonly args: readonly ArgKind[];
  /** Its parameters follow `args` (arrays for handles); `never[]` lets any such signature in. */
  readonly twin: (...args: never[]) => number | void;
}

/**
 * A family's kernels, one entry per Wasm export. This table is the single description from which
 * both bindings are made: the Wasm one (the instance's export of the same name, checked to exist)
 * and the TypeScript one (the twin, with each handle turned into its array).
 */
export type KernelTable = Readonly<Record<string, KernelDef>>;

/** A table's kernels as callable functions over handles (what a family's hooks call). */
export type BoundKernels<T extends KernelTable> = { readonly [K in keyof T]: (...args: number[]) => number };

/** The Wasm binding: the instance's exports named by the table. */
export function bindWasm<T extends KernelTable>(table: T, exports: object): BoundKernels<T> {
  const out: Record<string, (...args: number[]) => number> = {};
  for (const name of Object.keys(table)) {
    const fn = (exports as Record<string, unknown>)[name];
    if (typeof fn !== 'function') {
      throw new Error(`emwasm: the Wasm module has no kernel '${name}' (rebuild with npm run build:wasm)`);
    }
    out[name] = fn as (...args: number[]) => number;
  }
  return out as BoundKernels<T>;
}

/** The TypeScript binding: each twin, with handles resolved to arrays by `resolve`. */
export function bindTwins<T extends KernelTable>(
  table: T,
  resolve: { f64(h: Handle): Float64Array; i32(h: Handle): Int32Array },
): BoundKernels<T> {
  const out: Record<string, (...args: number[]) => number> = {};
  for (const [name, def] of Object.entries(table)) {
    const kinds = def.args;
    out[name] = (...args: number[]): number => {
      const converted = args.map((a, i) => {
        switch (kinds[i]) {
          case 'F64':
            return resolve.f64(a);
          case 'I32':
            return resolve.i32(a);
          case 'F64?':
            return a === 0 ? null : resolve.f64(a);
          case 'I32?':
            return a === 0 ? null : resolve.i32(a);
          default:
            return a;
        }
      });
      return ((def.twin as (...a: unknown[]) => number | void)(...converted) as number | undefined) ?? 0;
    };
  }
  return out as BoundKernels<T>;
}

/**
 * A workspace whose `calls` are a family's kernels (and whose `kernels` keep the shared ones:
 * k-means, linear algebra), for either backend. Arrays allocated here are known by length, so the
 * twins get exactly the arrays their handles name.
 */
export interface TableWorkspace<T extends KernelTable> extends Workspace {
  readonly calls: BoundKernels<T>;
  /** Runs one kernel call on this thread: a kernel of the table, or one of the shared `kernels`. */
  run(job: KernelJob): number;
}

class TableWorkspaceImpl<T extends KernelTable> implements TableWorkspace<T> {
  readonly calls: BoundKernels<T>;
  readonly kernels: Kernels;
  readonly parallel?: Workspace['parallel'];
  private readonly lengths = new Map<Handle, number>();

  constructor(
    private readonly inner: Workspace,
    table: T,
    backend: BackendName,
  ) {
    this.kernels = inner.kernels;
    if (inner.parallel)
      this.parallel = (jobs) => (inner.parallel as NonNullable<Workspace['parallel']>)(jobs);
    this.calls =
      backend === 'wasm'
        ? bindWasm(table, inner.kernels)
        : bindTwins(table, {
            f64: (h) => inner.f64(h, this.length(h)),
            i32: (h) => inner.i32(h, this.length(h)),
          });
  }

  run(job: KernelJob): number {
    const own = (this.calls as Record<string, (...a: number[]) => number>)[job.kernel];
    const fn = own ?? (this.kernels as unknown as Record<string, (...a: number[]) => number>)[job.kernel];
    if (typeof fn !== 'function') throw new Error(`emwasm: no kernel named '${job.kernel}'`);
    return fn(...job.args);
  }

  private length(h: Handle): number {
    const n = this.lengths.get(h);
    if (n === undefined) throw new Error(`emwasm: handle ${h} was not allocated by this workspace`);
    return n;
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

/**
 * A workspace for `table`'s kernels on `backend`; `shared` asks for the shared-memory build (Wasm
 * only), whose `parallel` runs kernel calls on worker threads. Release it when done.
 */
export async function acquireTableWorkspace<T extends KernelTable>(
  table: T,
  backend: BackendName,
  shared = false,
): Promise<TableWorkspace<T>> {
  const inner =
    backend === 'js' ? jsBackend.acquire() : shared ? await acquireShared() : wasmBackend.acquire();
  return new TableWorkspaceImpl(inner, table, backend);
}

/** The synchronous form, for scoring calls (single-threaded; the Wasm module must be compiled). */
export function acquireTableWorkspaceSync<T extends KernelTable>(
  table: T,
  backend: BackendName,
): TableWorkspace<T> {
  const inner = backend === 'js' ? jsBackend.acquire() : wasmBackend.acquire();
  return new TableWorkspaceImpl(inner, table, backend);
}
