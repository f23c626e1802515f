import type { Handle, Workspace } from '../backend/types.js';

/** Named f64 arrays and their lengths: the sufficient statistics a family's E-step accumulates. */
export type StatsLayout = Readonly<Record<string, number>>;

/**
 * One block of sufficient statistics (Σr, Σr·x, …) in a workspace, plus per-block scratch. Blocks
 * add up: the E-step over a slice of rows fills one block, and `add` merges blocks, whether they
 * come from threads, from chunks of a stream or from another process. Scratch arrays are neither
 * zeroed nor added.
 */
export class StatsBlock<L extends StatsLayout = StatsLayout> {
  readonly handles: { readonly [K in keyof L]: Handle };
  readonly scratch: Readonly<Record<string, Handle>>;
  private bound: { [K in keyof L]: Float64Array } | null = null;

  constructor(
    ws: Workspace,
    private readonly layout: L,
    scratch: Readonly<Record<string, number>> = {},
  ) {
    const handles: Record<string, Handle> = {};
    for (const [name, length] of Object.entries(layout)) handles[name] = ws.allocF64(Math.max(1, length));
    this.handles = handles as { [K in keyof L]: Handle };
    const s: Record<string, Handle> = {};
    for (const [name, length] of Object.entries(scratch)) s[name] = ws.allocF64(Math.max(1, length));
    this.scratch = s;
  }

  /**
   * Takes the views; call once every allocation of the workspace is done (Wasm memory may grow
   * and detach views taken earlier).
   */
  bind(ws: Workspace): this {
    const views: Record<string, Float64Array> = {};
    for (const [name, length] of Object.entries(this.layout))
      views[name] = ws.f64(this.handles[name], length);
    this.bound = views as { [K in keyof L]: Float64Array };
    return this;
  }

  get views(): { readonly [K in keyof L]: Float64Array } {
    if (!this.bound) throw new Error('emwasm: a statistics block was read before bind()');
    return this.bound;
  }

  zero(): void {
    for (const v of Object.values(this.views) as Float64Array[]) v.fill(0);
  }

  /** Adds `other` into this block, field by field. */
  add(other: StatsBlock<L>): void {
    for (const name of Object.keys(this.layout) as (keyof L)[]) {
      const into = this.views[name];
      const from = other.views[name];
      for (let i = 0; i < into.length; i++) into[i] += from[i];
    }
  }
}
