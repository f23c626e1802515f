/**
 * Wasm f64x2 peak on one core: compiles bench/peak/peak.ts with asc and times its mul+add chains.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PeakResult {
  /** Best GFLOP/s over the chain counts: the single-core f64x2 peak used for "% of peak". */
  gflops: number;
  /** Best GFLOP/s per number of independent chains (1 chain shows the mul+add latency bound). */
  byChains: Record<string, number>;
  compile: string;
}

const CHAINS = [1, 4, 8, 12];
const FLOPS_PER_STEP = 4; // one f64x2 mul + one f64x2 add
/** Each timed call lasts about this long: short enough to fit in one scheduler slice on a busy machine. */
const CALL_MS = 2;

type PeakFn = (iters: number, m: number, a: number) => number;

export interface Peak {
  compile: string;
  /** Times every chain count over `calls` short calls and keeps the best of each. */
  measure(calls: number): PeakResult;
}

export async function compilePeak(root: string): Promise<Peak> {
  const source = join(root, 'bench/peak/peak.ts');
  const out = join(root, 'build/peak.wasm');
  mkdirSync(join(root, 'build'), { recursive: true });
  const args = [source, '--enable', 'simd', '-O3', '--runtime', 'stub', '-o', out];
  execFileSync(join(root, 'node_modules/.bin/asc'), args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const { instance } = await WebAssembly.instantiate(readFileSync(out));
  const compile = `asc bench/peak/peak.ts ${args.slice(1, -2).join(' ')}`;
  return {
    compile,
    measure(calls) {
      const byChains: Record<string, number> = {};
      let sink = 0;
      for (const chains of CHAINS) {
        const run = instance.exports[`peak${chains}`] as PeakFn;
        // Let the JIT tier up, then size a call to about CALL_MS.
        let iters = 100_000;
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          sink += run(iters, 0.999, 1e-3);
          const elapsed = Math.max(performance.now() - t, 0.05);
          iters = Math.max(1_000, Math.round((iters * CALL_MS) / elapsed));
        }
        // Best of many short calls: on a machine shared with other work, some run uninterrupted.
        let best = 0;
        for (let r = 0; r < calls; r++) {
          const t = performance.now();
          sink += run(iters, 0.999, 1e-3);
          const seconds = (performance.now() - t) / 1e3;
          best = Math.max(best, (iters * chains * FLOPS_PER_STEP) / seconds / 1e9);
        }
        byChains[chains] = best;
      }
      if (!Number.isFinite(sink)) throw new Error('peak: chains diverged');
      return { gflops: Math.max(...Object.values(byChains)), byChains, compile };
    },
  };
}

/** The better of two measurements, chain count by chain count. */
export function bestPeak(a: PeakResult, b: PeakResult): PeakResult {
  const byChains: Record<string, number> = {};
  for (const c of Object.keys(a.byChains)) byChains[c] = Math.max(a.byChains[c], b.byChains[c] ?? 0);
  return { gflops: Math.max(a.gflops, b.gflops), byChains, compile: a.compile };
}
