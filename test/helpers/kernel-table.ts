import type { BackendName } from '../../src/backend/types';
import { acquireTableWorkspace, type KernelTable } from '../../src/kernels/table';
import { loadModule } from '../../src/wasm/module';

/** A kernel argument for `runKernel`: a scalar, an array (copied in), or null (handle 0). */
export type KernelArg = number | Float64Array | Int32Array | null;

/**
 * Runs kernel `name` of `table` on `backend` with the given arguments (arrays copied into a fresh
 * workspace) and returns its return value and every array argument as it is after the call, in
 * order (null stays null). The same call on both backends is how Wasm == twin is checked.
 */
export async function runKernel(
  table: KernelTable,
  name: string,
  backend: BackendName,
  args: readonly KernelArg[],
): Promise<{ result: number; arrays: (Float64Array | Int32Array | null)[] }> {
  if (backend === 'wasm') await loadModule();
  const ws = await acquireTableWorkspace(table, backend);
  try {
    const handles = args.map((a) =>
      a === null || typeof a === 'number'
        ? 0
        : a instanceof Int32Array
          ? ws.allocI32(a.length)
          : ws.allocF64(a.length),
    );
    args.forEach((a, i) => {
      if (a instanceof Float64Array) ws.f64(handles[i], a.length).set(a);
      else if (a instanceof Int32Array) ws.i32(handles[i], a.length).set(a);
    });
    const call = (ws.calls as Record<string, (...a: number[]) => number>)[name];
    const result = call(...args.map((a, i) => (typeof a === 'number' ? a : handles[i])));
    const arrays = args.map((a, i) =>
      a === null || typeof a === 'number'
        ? null
        : a instanceof Int32Array
          ? Int32Array.from(ws.i32(handles[i], a.length))
          : Float64Array.from(ws.f64(handles[i], a.length)),
    );
    return { result, arrays };
  } finally {
    ws.release();
  }
}

/** Largest |a − b| / max(1, |b|) over two arrays of equal length (Infinity on a length or NaN mismatch). */
export function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (a[i] === b[i]) continue;
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  }
  return worst;
}
