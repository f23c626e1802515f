import type { KernelJob } from '../backend/types.js';
import type { KernelTable, TableWorkspace } from '../kernels/table.js';
import type { StatsLayout, StatsBlock } from './stats.js';

/** The row slices a pass may cut, for a hook that runs its own kernels over them (see `runSlices`). */
export type SliceRunner = (job: (first: number, rows: number) => KernelJob) => number[] | Promise<number[]>;

/**
 * Runs one kernel call per slice of `n` rows (`slices` contiguous slices of ⌈n / slices⌉ rows, the
 * last one shorter, as every pass cuts them) on the workspace's threads, or directly when there is
 * one slice; returns the calls' results in slice order. Synchronous with one slice.
 */
export function runSlices<T extends KernelTable>(
  ws: TableWorkspace<T>,
  slices: number,
  n: number,
  job: (first: number, rows: number, slice: number) => KernelJob,
): number[] | Promise<number[]> {
  if (slices === 1) return [ws.run(job(0, n, 0))];
  const parallel = ws.parallel;
  if (!parallel) throw new Error('emwasm: several slices need a shared-memory workspace');
  const per = Math.ceil(n / slices);
  const jobs = Array.from({ length: slices }, (_, t) => {
    const first = Math.min(n, t * per);
    return job(first, Math.min(per, n - first), t);
  });
  return parallel(jobs);
}

/**
 * One E-step pass over `n` rows for any family: the rows are cut into one contiguous slice per
 * statistics block, `job(first, rows, block)` names the kernel call for a slice, the calls run on
 * the workspace's threads (or directly when there is one block), and the blocks are merged into
 * the first. Returns the sum of the calls' return values (the slices' log-likelihoods).
 * Synchronous with one block, so a single-threaded fit never waits on the event loop.
 */
export function slicedPass<T extends KernelTable, L extends StatsLayout>(
  ws: TableWorkspace<T>,
  blocks: readonly StatsBlock<L>[],
  n: number,
  job: (first: number, rows: number, block: StatsBlock<L>) => KernelJob,
): number | Promise<number> {
  for (const b of blocks) b.zero();
  const results = runSlices(ws, blocks.length, n, (first, rows, t) => job(first, rows, blocks[t]));
  if (!(results instanceof Promise)) return results[0];
  return results.then((totals) => {
    for (let t = 1; t < blocks.length; t++) blocks[0].add(blocks[t]);
    let total = 0;
    for (const v of totals) total += v;
    return total;
  });
}

/**
 * The byte offset of row `first` in a row-major array of `width` f64s per row (Wasm handles are
 * byte offsets; slices are only cut on the Wasm backend). Handle 0 ("no array") stays 0.
 */
export function rowOffset(handle: number, first: number, width: number): number {
  return handle === 0 ? 0 : handle + first * width * 8;
}
