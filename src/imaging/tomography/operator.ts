import type { Handle } from '../../backend/types.js';
import type { TomographyJob, TomographyWorkspace } from './workspace.js';

/**
 * A system matrix bound to a workspace: products with the rows of listed blocks (a block is
 * `width` consecutive rows: one projection angle, or one view of a CSR matrix), spread over the
 * workspace's threads. `x` and `out` images are `(cols)`, sinograms `(rows)`.
 */
export interface BoundOperator {
  /**
   * `out[r]` = (A·x)[r] for the rows of `blocks[0..count)`; other rows of `out` are left alone.
   * With `keep` (rows; 0 for none) a row r of those blocks whose `keep[r]` is 0 may be skipped:
   * its `out[r]` is then 0 (the projector skips them, a CSR matrix computes every row).
   */
  forward(x: Handle, blocks: Handle, count: number, out: Handle, keep: Handle): Promise<void>;
  /** `out (cols)` = Σ over the rows r of `blocks[0..count)` of v[r]·(row r of A). */
  back(v: Handle, blocks: Handle, count: number, out: Handle): Promise<void>;
}

/** What MLEM needs of a system matrix, before binding it to a workspace. */
export interface Operator {
  readonly rows: number;
  readonly cols: number;
  /** Rows per block (one view). */
  readonly width: number;
  /** Blocks (views): rows / width. */
  readonly nBlocks: number;
  /** Allocates and fills this operator's arrays in `ws`, for `threads` threads. */
  bind(ws: TomographyWorkspace, threads: number): BoundOperator;
}

/**
 * `count` blocks starting at `blocks` split into `threads` contiguous shares: [handle, count] per
 * non-empty share. Handles are byte offsets when there is more than one thread (Wasm only).
 */
export function shares(blocks: Handle, count: number, threads: number): [Handle, number][] {
  const t = Math.max(1, Math.min(threads, count));
  if (t === 1) return [[blocks, count]];
  const per = Math.ceil(count / t);
  const out: [Handle, number][] = [];
  for (let first = 0; first < count; first += per)
    out.push([blocks + first * 4, Math.min(per, count - first)]);
  return out;
}

/** Runs one job per share. */
export function runShares(
  ws: TomographyWorkspace,
  kernel: TomographyJob['kernel'],
  parts: [Handle, number][],
  args: (blocks: Handle, count: number, t: number) => number[],
): Promise<void> {
  return ws.run(parts.map(([b, c], t) => ({ kernel, args: args(b, c, t) })));
}
