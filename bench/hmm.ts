/**
 * `npm run bench:hmm`: Baum-Welch on a Gaussian HMM with K = 8 states, D = 4 features, 100
 * sequences of 1,000 steps, from the same start and a fixed number of iterations (tol = 0), for
 * emwasm's Wasm kernels, its plain-TypeScript reference (`backend: 'js'`) and pomegranate 0.14
 * (Debian's python3-pomegranate under /usr/bin/python3; skipped with a message when absent).
 *
 *   npm run bench:hmm                 diag and full covariances
 *   npm run bench:hmm -- --only diag  one covariance type
 *
 * Times are milliseconds per iteration: the median interval between consecutive iterations
 * (emwasm's `onIteration`, pomegranate's per-epoch durations), so set-up and initialisation are
 * left out of every implementation. Prints a table and saves bench/results/hmm-<time>.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '../src/backend/types';
import { GaussianHMM } from '../src/hmm/gaussian-hmm';
import { Random } from '../src/util/random';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = join(ROOT, 'bench/results');
const PYTHON = '/usr/bin/python3';

const K = 8;
const D = 4;
const SEQUENCES = 100;
const STEPS = 1000;
const ITERATIONS: Record<BackendName | 'pomegranate', number> = { wasm: 12, js: 6, pomegranate: 4 };
const COV_TYPES = ['diag', 'full'] as const;
type CovType = (typeof COV_TYPES)[number];

interface Problem {
  X: Float64Array;
  lengths: number[];
  startProb: number[];
  transMat: number[][];
  means: number[][];
  /** Per state: the diagonal variances (diag) or the full matrix, row-major (full). */
  covars: number[][];
}

/**
 * Data from a known HMM whose states overlap (means about 3 standard deviations apart), and a
 * start a fair way off it, so that EM keeps moving through the iterations timed.
 */
async function makeProblem(cov: CovType): Promise<Problem> {
  const rng = new Random(2024);
  const means = Array.from({ length: K }, () => Array.from({ length: D }, () => 3 * rng.normal()));
  const transMat = Array.from({ length: K }, (_, i) => {
    const row = Array.from({ length: K }, (_, j) => (i === j ? 8 : 0.2 + rng.uniform()));
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / sum);
  });
  // nIter 0: the fit only fixes the given parameters, to sample from.
  const truth = await new GaussianHMM({
    nComponents: K,
    nIter: 0,
    transMatInit: transMat,
    meansInit: means,
    covarsInit: means.map(() => Array.from({ length: D }, () => 0.5 + rng.uniform())),
  }).fit([new Array<number>(D).fill(0)]);
  const X = new Float64Array(SEQUENCES * STEPS * D);
  for (let s = 0; s < SEQUENCES; s++) X.set(truth.sample(STEPS, 7000 + s).X, s * STEPS * D);
  const offDiagonal = 0.5 / (K - 1);
  return {
    X,
    lengths: new Array<number>(SEQUENCES).fill(STEPS),
    startProb: new Array<number>(K).fill(1 / K),
    transMat: Array.from({ length: K }, (_, i) =>
      Array.from({ length: K }, (_, j) => (i === j ? 0.5 : offDiagonal)),
    ),
    means: means.map((m) => m.map((v) => v + rng.normal())),
    covars:
      cov === 'diag'
        ? means.map(() => new Array<number>(D).fill(2))
        : means.map(() => Array.from({ length: D * D }, (_, e) => (e % (D + 1) === 0 ? 2 : 0.3))),
  };
}

interface Timing {
  implementation: string;
  iterations: number;
  msPerIteration: number;
  /** Every interval measured (ms). */
  intervals: number[];
  /** Total log-likelihood of the first E-step: the same model, so the same value everywhere. */
  firstLogLikelihood: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeEmwasm(problem: Problem, cov: CovType, backend: BackendName): Promise<Timing> {
  const iterations = ITERATIONS[backend];
  const stamps: number[] = [];
  const hmm = new GaussianHMM({
    nComponents: K,
    covarianceType: cov,
    nIter: iterations,
    tol: 0,
    startProbInit: problem.startProb,
    transMatInit: problem.transMat,
    meansInit: problem.means,
    covarsInit:
      cov === 'diag'
        ? problem.covars
        : problem.covars.map((c) => Array.from({ length: D }, (_, a) => c.slice(a * D, a * D + D))),
    backend,
    onIteration: () => stamps.push(performance.now()),
  });
  await hmm.fit({ data: problem.X, rows: problem.X.length / D, cols: D }, problem.lengths);
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]);
  return {
    implementation: backend === 'wasm' ? 'emwasm (Wasm)' : 'emwasm TS reference',
    iterations,
    msPerIteration: median(intervals),
    intervals,
    firstLogLikelihood: hmm.lowerBounds[0],
  };
}

const POMEGRANATE_SCRIPT = String.raw`
import json, sys
import numpy as np
from pomegranate import (HiddenMarkovModel, IndependentComponentsDistribution,
                         MultivariateGaussianDistribution, NormalDistribution)
spec = json.load(open(sys.argv[1]))
k, d = spec['k'], spec['d']
X = np.fromfile(spec['data'], dtype='<f8').reshape(-1, d)
sequences = np.split(X, np.cumsum(spec['lengths'])[:-1])
means = np.array(spec['means'])
covars = np.array(spec['covars'])
if spec['cov'] == 'diag':
    dists = [IndependentComponentsDistribution([NormalDistribution(means[c, j], np.sqrt(covars[c, j]))
                                                for j in range(d)]) for c in range(k)]
else:
    dists = [MultivariateGaussianDistribution(means[c], covars[c].reshape(d, d)) for c in range(k)]
model = HiddenMarkovModel.from_matrix(np.array(spec['transMat']), dists, np.array(spec['startProb']))
model.bake()
first = float(sum(model.log_probability(s) for s in sequences))
_, history = model.fit(sequences, algorithm='baum-welch', max_iterations=spec['iters'],
                       min_iterations=spec['iters'], stop_threshold=1e-300, n_jobs=1,
                       return_history=True, verbose=False)
import pomegranate
print(json.dumps({'version': pomegranate.__version__, 'first': first,
                  'durations': [1000 * t for t in history.epoch_durations]}))
`;

function pomegranateProblem(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import pomegranate, numpy'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  return `pomegranate is not installed for ${PYTHON} (apt-get install -y python3-pomegranate): skipped`;
}

function timePomegranate(problem: Problem, cov: CovType, dir: string): Timing & { version: string } {
  const data = join(dir, `x-${cov}.f64`);
  writeFileSync(data, new Uint8Array(problem.X.buffer, problem.X.byteOffset, problem.X.byteLength));
  const spec = join(dir, `spec-${cov}.json`);
  const iterations = ITERATIONS.pomegranate;
  writeFileSync(spec, JSON.stringify({ ...problem, X: undefined, data, cov, k: K, d: D, iters: iterations }));
  const run = spawnSync(PYTHON, ['-c', POMEGRANATE_SCRIPT, spec], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0)
    throw new Error(`pomegranate failed: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
    version: string;
    first: number;
    durations: number[];
  };
  return {
    implementation: `pomegranate ${out.version}`,
    version: out.version,
    iterations,
    msPerIteration: median(out.durations),
    intervals: out.durations,
    firstLogLikelihood: out.first,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const covs = values.only ? (values.only.split(',') as CovType[]) : [...COV_TYPES];
  for (const c of covs)
    if (!COV_TYPES.includes(c)) throw new Error(`--only takes ${COV_TYPES.join(', ')}, got ${c}`);
  const skipPeer = pomegranateProblem();
  console.log(
    `Gaussian HMM, K=${K}, D=${D}, ${SEQUENCES} sequences x ${STEPS} steps; ${cpus().length} cpus ` +
      `(${cpus()[0]?.model ?? 'unknown'}), load ${loadavg()[0].toFixed(2)}, node ${process.version}`,
  );
  if (skipPeer) console.log(skipPeer);
  const dir = mkdtempSync(join(tmpdir(), 'emwasm-hmm-'));
  const results: Record<string, Timing[]> = {};
  try {
    for (const cov of covs) {
      const problem = await makeProblem(cov);
      // A warm-up fit, so that the Wasm instance and the JIT are ready for the timed ones.
      await timeEmwasm(problem, cov, 'wasm');
      const timings = [await timeEmwasm(problem, cov, 'wasm'), await timeEmwasm(problem, cov, 'js')];
      if (!skipPeer) timings.push(timePomegranate(problem, cov, dir));
      results[cov] = timings;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = [
    ['covariance', 'implementation', 'iterations', 'ms / iteration', 'x emwasm', 'first log-likelihood'],
  ];
  for (const [cov, timings] of Object.entries(results)) {
    const base = timings[0].msPerIteration;
    for (const t of timings) {
      rows.push([
        cov,
        t.implementation,
        String(t.iterations),
        t.msPerIteration.toFixed(1),
        (t.msPerIteration / base).toFixed(1),
        t.firstLogLikelihood.toFixed(3),
      ]);
    }
  }
  console.log('\n' + table(rows));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `hmm-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { k: K, d: D, sequences: SEQUENCES, steps: STEPS, load: loadavg(), node: process.version, results },
      null,
      2,
    ),
  );
  console.log(`\nsaved ${file}`);
}

await main();
