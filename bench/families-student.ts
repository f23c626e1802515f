/**
 * `npm run bench:student`: the t mixture where R offers no peer on this machine (flexmix and
 * mixtools have no multivariate t mixture; teigen is not installed). On the data of the families
 * bench (N = 100,000 × 5, three t(5) clusters) and from one start (the true centres, identity
 * precisions, equal weights), a fixed number of iterations (tol 0): StudentMixture on Wasm (1 thread
 * and 'auto') and on its TypeScript twin, with ν estimated and fixed, full and diag, beside
 * emwasm's GaussianMixture of the same shape. Prints ms per iteration (min of the repeats, the
 * fit's setup included) and the ratio to StudentMixture full on one Wasm thread; saves JSON to
 * bench/results/.
 *
 *   npm run bench:student [-- --quick] [--repeats N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { StudentMixture } from '../src/families/student/student-mixture';
import { GaussianMixture } from '../src/mixture/gaussian-mixture';
import { threadPool } from '../src/threads/pool';
import { studentData } from './families';
import { fixed, min, renderTable } from './lib/format';
import { describeMachine } from './lib/machine';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(ROOT, 'bench/results');

interface Model {
  fit(X: unknown): Promise<unknown>;
  readonly lowerBound: number;
}

interface Run {
  label: string;
  make(options: Record<string, unknown>): Model;
  backend: 'wasm' | 'js';
  threads: 1 | 'auto';
}

const CENTRES = [
  [0, 0, 0, 0, 0],
  [4, -2, 1, 3, 0],
  [-3, 3, -1, 0, 2],
];
const D = CENTRES[0].length;
const eye = Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === b ? 1 : 0)));
const START_FULL = {
  meansInit: CENTRES,
  precisionsInit: [eye, eye, eye],
  weightsInit: [1 / 3, 1 / 3, 1 / 3],
};
const START_DIAG = { ...START_FULL, precisionsInit: CENTRES.map(() => new Array(D).fill(1)) };

const RUNS: Run[] = [
  {
    label: 'StudentMixture full, ν estimated',
    make: (o) => new StudentMixture({ ...START_FULL, ...o }),
    backend: 'wasm',
    threads: 1,
  },
  {
    label: 'StudentMixture full, ν estimated',
    make: (o) => new StudentMixture({ ...START_FULL, ...o }),
    backend: 'wasm',
    threads: 'auto',
  },
  {
    label: 'StudentMixture full, ν estimated',
    make: (o) => new StudentMixture({ ...START_FULL, ...o }),
    backend: 'js',
    threads: 1,
  },
  {
    label: 'StudentMixture full, ν = 5 fixed',
    make: (o) => new StudentMixture({ ...START_FULL, dof: 5, ...o }),
    backend: 'wasm',
    threads: 1,
  },
  {
    label: 'StudentMixture diag, ν estimated',
    make: (o) => new StudentMixture({ ...START_DIAG, covarianceType: 'diag', ...o }),
    backend: 'wasm',
    threads: 1,
  },
  {
    label: 'StudentMixture diag, ν estimated',
    make: (o) => new StudentMixture({ ...START_DIAG, covarianceType: 'diag', ...o }),
    backend: 'js',
    threads: 1,
  },
  {
    label: 'GaussianMixture full',
    make: (o) => new GaussianMixture({ ...START_FULL, ...o }),
    backend: 'wasm',
    threads: 1,
  },
  {
    label: 'GaussianMixture full',
    make: (o) => new GaussianMixture({ ...START_FULL, ...o }),
    backend: 'wasm',
    threads: 'auto',
  },
  {
    label: 'GaussianMixture full',
    make: (o) => new GaussianMixture({ ...START_FULL, ...o }),
    backend: 'js',
    threads: 1,
  },
  {
    label: 'GaussianMixture diag',
    make: (o) => new GaussianMixture({ ...START_DIAG, covarianceType: 'diag', ...o }),
    backend: 'wasm',
    threads: 1,
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean', default: false }, repeats: { type: 'string' } },
  });
  const repeats = values.repeats ? Number(values.repeats) : values.quick ? 1 : 3;
  const iters = values.quick ? 5 : 20;
  const n = values.quick ? 10_000 : 100_000;
  const machine = describeMachine();
  console.log(`emwasm StudentMixture bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  console.log(
    `load average at start: ${fixed(loadavg()[0], 1)}; N = ${n} × ${D}, K = 3, ${iters} iterations`,
  );
  const { X } = studentData(n);

  const results: { label: string; backend: string; threads: string; ms: number[]; bound: number }[] = [];
  for (const run of RUNS) {
    const ms: number[] = [];
    let bound = NaN;
    for (let r = 0; r < repeats; r++) {
      const m = run.make({
        nComponents: 3,
        tol: 0,
        maxIter: iters,
        backend: run.backend,
        threads: run.threads,
      });
      const t0 = performance.now();
      await m.fit(X);
      ms.push(performance.now() - t0);
      bound = m.lowerBound;
    }
    results.push({ label: run.label, backend: run.backend, threads: String(run.threads), ms, bound });
    console.log(
      `${run.label} (${run.backend}, threads ${run.threads}): ${fixed(min(ms) / iters, 1)} ms/iter`,
    );
  }
  threadPool.dispose();

  const reference = min(results[0].ms);
  const rows = results.map((r) => [
    r.label,
    `${r.backend} ${r.threads}`,
    fixed(min(r.ms) / iters, 1),
    fixed(Math.max(...r.ms) / iters, 1),
    `${fixed(min(r.ms) / reference, 2)}×`,
    fixed(r.bound, 4),
  ]);
  console.log();
  console.log(
    renderTable(
      ['model', 'backend threads', 'ms/it (min)', 'ms/it (max)', 'vs t full wasm 1', 'lowerBound'],
      rows,
    ),
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(RESULTS_DIR, `families-student-${stamp}.json`);
  writeFileSync(out, JSON.stringify({ machine, n, d: D, k: 3, iters, repeats, results }, null, 2));
  console.log(`\nsaved ${out}`);
}

await main();
