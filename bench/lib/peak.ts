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

type PeakFn = (iters: number, m: number, a: number) => number;

export async function measurePeak(root: string, quick: boolean): Promise<PeakResult> {
  const source = join(root, 'bench/peak/peak.ts');
  const out = join(root, 'build/peak.wasm');
  mkdirSync(join(root, 'build'), { recursive: true });
  const args = [source, '--enable', 'simd', '-O3', '--runtime', 'stub', '-o', out];
  execFileSync(join(root, 'node_modules/.bin/asc'), args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const { instance } = await WebAssembly.instantiate(readFileSync(out));
  const byChains: Record<string, number> = {};
  let sink = 0;
  for (const chains of CHAINS) {
    const run = instance.exports[`peak${chains}`] as PeakFn;
    sink += run(100_000, 0.999, 1e-3); // let the JIT tier up before timing
    // ~0.1 s per timed call at peak; best of several, since a VM core is noisy.
    const iters = Math.round(((quick ? 0.5e9 : 2e9) / (chains * FLOPS_PER_STEP)) * (chains >= 4 ? 1 : 0.25));
    let best = 0;
    for (let r = 0; r < (quick ? 3 : 7); r++) {
      const t = performance.now();
      sink += run(iters, 0.999, 1e-3);
      const seconds = (performance.now() - t) / 1e3;
      best = Math.max(best, (iters * chains * FLOPS_PER_STEP) / seconds / 1e9);
    }
    byChains[chains] = best;
  }
  if (!Number.isFinite(sink)) throw new Error('peak: chains diverged');
  return {
    gflops: Math.max(...Object.values(byChains)),
    byChains,
    compile: `asc bench/peak/peak.ts ${args.slice(1, -2).join(' ')}`,
  };
}
