/**
 * `npm run bench -- --families`: each mixture family of the engine against its peers (flexmix and
 * mixtools in R, pomegranate in Python) on the same data from the same start, a fixed number of EM
 * iterations (tol 0), at N = 100,000 rows. Prints ms per iteration (the fit's whole time over the
 * iterations, min of the repeats, both sides including their setup and one initial M-step from the
 * start) and the ratio, and emwasm's setup alone (a fit with maxIter 0: checks, copies, the first
 * M-step; part of the ms per iteration); saves JSON to bench/results/. emwasm runs 5 repeats by
 * default (the first one compiles the module and starts the worker), the peers 2: an emwasm fit
 * takes a tenth of a second, so one stall of this shared machine spoils a larger share of it than
 * of a peer's fit of several seconds.
 *
 *   npm run bench -- --families [--quick] [--only PoissonMixture,...] [--repeats N] [--no-peers]
 *
 * A family adds one `FamilyCase` to CASES: its data, its emwasm model, and the call of each peer: R
 * code evaluated by bench/peers/families_bench.R with `X`, `y`, `start` (soft n × k responsibilities,
 * flexmix's `cluster` matrix) and `partition` (their argmax) in scope, or a Python expression
 * (`{ python: … }`) evaluated by bench/peers/families_bench.py with `X` and `start` in scope.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BernoulliMixture } from '../src/families/bernoulli/bernoulli-mixture';
import { CategoricalMixture } from '../src/families/categorical/categorical-mixture';
import { MultinomialMixture } from '../src/families/multinomial/multinomial-mixture';
import { PoissonMixture } from '../src/families/poisson/poisson-mixture';
import { RegressionMixture } from '../src/families/regression/regression-mixture';
import { StudentMixture } from '../src/families/student/student-mixture';
import type { Matrix } from '../src/util/matrix';
import { Random } from '../src/util/random';
import { gamma, poisson } from '../src/util/special';
import { fixed, min, renderTable } from './lib/format';
import { describeMachine } from './lib/machine';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = join(ROOT, 'bench/.data');
const RESULTS_DIR = join(ROOT, 'bench/results');

/** What a benchmarked model needs: a fit over the case's data arguments and its bound. */
export interface BenchModel {
  fit(...args: unknown[]): Promise<unknown>;
  readonly lowerBound: number;
}

export interface FamilyCase {
  family: string;
  n: number;
  d: number;
  k: number;
  /** The data: X, and y for regression. Deterministic (seeded). */
  data(n: number): { X: Matrix; y?: Float64Array };
  /** The emwasm model with these engine options (respInit, tol 0, maxIter, threads are set by the bench). */
  model(options: Record<string, unknown>): BenchModel;
  /** Peer name → its call, R unless marked `{ python }`. */
  peers: Record<string, PeerCall | { python: PeerCall }>;
}

/** The code a peer runs for `iters` iterations with k components. */
type PeerCall = (iters: number, k: number) => string;

/** The peers' runners: the script and interpreter that read a manifest and print JSON lines. */
const RUNNERS = {
  R: ['Rscript', 'bench/peers/families_bench.R'],
  python: ['/usr/bin/python3', 'bench/peers/families_bench.py'],
} as const;

/**
 * pomegranate's GeneralMixtureModel of independent components (bench/peers/families_bench.py): its
 * own M-step from the soft start, then iters − 1 iterations, so its loglik is ours after iters.
 */
const pomegranate = (family: string) => ({
  python: (iters: number) => `independent_mixture(X, start, ${iters}, "${family}")`,
});

const flexmixControl = (iters: number) => `control = list(iter.max = ${iters}, tolerance = 0, minprior = 0)`;

function poissonData(n: number): { X: Matrix } {
  const rng = new Random(2026);
  const rates = [
    [1, 8, 3, 0.5, 6],
    [6, 2, 3, 4, 1],
    [15, 4, 0.5, 2, 2],
  ];
  const d = rates[0].length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = poisson(rng, rates[i % 3][j]);
  return { X: { data, rows: n, cols: d } };
}

/** Three regression planes over 3 features, noise sd 0.5, 1, 0.8. */
function regressionData(n: number): { X: Matrix; y: Float64Array } {
  const rng = new Random(2027);
  const coef = [
    [1, 2, -1, 0.5],
    [-2, -1, 0.5, 1],
    [0, 0.5, 2, -1.5],
  ];
  const sd = [0.5, 1, 0.8];
  const d = 3;
  const data = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    let mu = coef[c][0];
    for (let j = 0; j < d; j++) mu += coef[c][j + 1] * (data[i * d + j] = rng.normal());
    y[i] = mu + sd[c] * rng.normal();
  }
  return { X: { data, rows: n, cols: d }, y };
}

/**
 * mixtools starts from parameters: the same first M-step as ours (weighted least squares and ML
 * variances from the soft start), then iters − 1 iterations, so its loglik is ours after iters.
 */
const regmixFromStart = (iters: number, k: number) =>
  `local({ Z <- cbind(1, X); b <- sapply(1:${k}, function(c) lm.wfit(Z, y, start[, c])$coefficients); ` +
  `s <- sqrt(sapply(1:${k}, function(c) sum(start[, c] * (y - Z %*% b[, c])^2) / sum(start[, c]))); ` +
  `out <- NULL; invisible(capture.output(out <- regmixEM(y, X, lambda = colMeans(start), beta = b, sigma = s, ` +
  `k = ${k}, epsilon = -Inf, maxit = ${iters - 1}))); out })`;

/** Three t(5) clusters in 5 dimensions (correlated scales): the t mixture's data, also used by bench/families-student.ts. */
export function studentData(n: number): { X: Matrix } {
  const rng = new Random(2027);
  const centres = [
    [0, 0, 0, 0, 0],
    [4, -2, 1, 3, 0],
    [-3, 3, -1, 0, 2],
  ];
  const d = centres[0].length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[i % 3];
    const s = 1 / Math.sqrt(gamma(rng, 2.5, 0.4));
    let previous = 0;
    for (let j = 0; j < d; j++) {
      previous = 0.5 * previous + rng.normal();
      data[i * d + j] = c[j] + s * previous;
    }
  }
  return { X: { data, rows: n, cols: d } };
}

/** Rows of 16 binary items from 4 latent classes (item probabilities from a seeded draw). */
function bernoulliData(n: number): { X: Matrix } {
  const rng = new Random(2027);
  const d = 16;
  const p = Array.from({ length: 4 }, () => Array.from({ length: d }, () => 0.05 + 0.9 * rng.uniform()));
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) data[i * d + j] = rng.uniform() < p[i % 4][j] ? 1 : 0;
  return { X: { data, rows: n, cols: d } };
}

/** Rows of 10 items with 4 categories each from 4 latent classes. */
function categoricalData(n: number): { X: Matrix } {
  const rng = new Random(2028);
  const d = 10;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = rng.uniform() < 0.6 ? (i + j) % 4 : rng.int(4);
  }
  return { X: { data, rows: n, cols: d } };
}

/** Bag-of-words rows over a vocabulary of 50 from 5 topics, row totals ~ Poisson(30). */
function multinomialData(n: number): { X: Matrix } {
  const rng = new Random(2029);
  const d = 50;
  const topics = Array.from({ length: 5 }, () => {
    const w = Array.from({ length: d }, () => rng.uniform() ** 3);
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  });
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const theta = topics[i % 5];
    for (let t = poisson(rng, 30); t > 0; t--) {
      let u = rng.uniform();
      let j = 0;
      while (j < d - 1 && (u -= theta[j]) >= 0) j++;
      data[i * d + j]++;
    }
  }
  return { X: { data, rows: n, cols: d } };
}

export const CASES: FamilyCase[] = [
  {
    family: 'PoissonMixture',
    n: 100_000,
    d: 5,
    k: 3,
    data: poissonData,
    model: (o) => new PoissonMixture({ nComponents: 3, ...o }),
    peers: {
      flexmix: (iters, k) =>
        `flexmix(X ~ 1, k = ${k}, cluster = start, model = FLXMCmvpois(), ${flexmixControl(iters)})`,
      pomegranate: pomegranate('poisson'),
    },
  },
  {
    // Maximum-likelihood variances (mixtools'); flexmix's are N / (N − P) larger (its loglik then
    // differs by ~1e-5 relative: dfCorrection: true would match it instead).
    family: 'RegressionMixture',
    n: 100_000,
    d: 3,
    k: 3,
    data: regressionData,
    model: (o) => new RegressionMixture({ nComponents: 3, ...o }),
    peers: {
      flexmix: (iters, k) => `flexmix(y ~ X, k = ${k}, cluster = start, ${flexmixControl(iters)})`,
      mixtools: regmixFromStart,
    },
  },
  {
    // No R peer here: flexmix and mixtools have no multivariate t mixture and teigen is not
    // installed; bench/families-student.ts compares it with GaussianMixture and its TypeScript twin.
    family: 'StudentMixture',
    n: 100_000,
    d: 5,
    k: 3,
    data: studentData,
    model: (o) => new StudentMixture({ nComponents: 3, ...o }),
    peers: {},
  },
  {
    family: 'BernoulliMixture',
    n: 100_000,
    d: 16,
    k: 4,
    data: bernoulliData,
    model: (o) => new BernoulliMixture({ nComponents: 4, alpha: 0, ...o }),
    peers: {
      flexmix: (iters, k) =>
        `flexmix(X ~ 1, k = ${k}, cluster = start, model = FLXMCmvbinary(), ${flexmixControl(iters)})`,
      pomegranate: pomegranate('bernoulli'),
    },
  },
  {
    // No R peer is installed for latent class analysis (poLCA is not packaged in Debian): pomegranate's
    // mixture of independent discrete distributions is the same model.
    family: 'CategoricalMixture',
    n: 100_000,
    d: 10,
    k: 4,
    data: categoricalData,
    model: (o) => new CategoricalMixture({ nComponents: 4, alpha: 0, ...o }),
    peers: { pomegranate: pomegranate('categorical') },
  },
  {
    family: 'MultinomialMixture',
    n: 100_000,
    d: 50,
    k: 5,
    data: multinomialData,
    model: (o) => new MultinomialMixture({ nComponents: 5, alpha: 0, ...o }),
    peers: {
      // multmixEM starts from parameters: those of the M-step from the soft start, as emwasm's first
      // step; it prints progress, which is swallowed.
      mixtools: (iters, k) =>
        `{ theta0 <- t(start) %*% X; theta0 <- theta0 / rowSums(theta0); ` +
        `invisible(capture.output(fit <- multmixEM(X, lambda = colMeans(start), theta = theta0, k = ${k}, ` +
        `maxit = ${iters}, epsilon = -1))); fit }`,
    },
  },
];

/** flexmix's soft start from a partition: 0.9 for the row's component, 0.1 for the others, normalised. */
function softStart(n: number, k: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    for (let j = 0; j < k; j++) resp[i * k + j] = (j === c ? 0.9 : 0.1) / (0.9 + 0.1 * (k - 1));
  }
  return resp;
}

function writeF64(path: string, a: Float64Array): void {
  writeFileSync(path, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

async function timeEmwasm(
  c: FamilyCase,
  args: unknown[],
  resp: Float64Array,
  iters: number,
  threads: 1 | 'auto',
  repeats: number,
): Promise<{ ms: number[]; bound: number }> {
  const ms: number[] = [];
  let bound = NaN;
  for (let r = 0; r < repeats; r++) {
    const m = c.model({ respInit: resp, tol: 0, maxIter: iters, threads });
    const t0 = performance.now();
    await m.fit(...args);
    ms.push(performance.now() - t0);
    bound = m.lowerBound;
  }
  return { ms, bound };
}

export async function runFamiliesBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--families'),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      repeats: { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
    },
  });
  const repeats = values.repeats ? Number(values.repeats) : values.quick ? 1 : 5;
  const iters = values.quick ? 5 : 20;
  const only = values.only ? values.only.split(',') : null;
  const cases = CASES.filter((c) => !only || only.includes(c.family));
  const machine = describeMachine();
  console.log(`emwasm families bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  console.log(`load average at start: ${fixed(loadavg()[0], 1)}`);
  mkdirSync(DATA_DIR, { recursive: true });
  mkdirSync(RESULTS_DIR, { recursive: true });

  const manifest: Record<string, unknown>[] = [];
  const emwasm = new Map<
    string,
    { t1: number[]; auto: number[]; setup: number[]; bound: number; n: number }
  >();
  for (const c of cases) {
    const n = values.quick ? Math.min(c.n, 10_000) : c.n;
    const { X, y } = c.data(n);
    const resp = softStart(n, c.k, 7);
    const args = y ? [X, y] : [X];
    const t1 = await timeEmwasm(c, args, resp, iters, 1, repeats);
    const auto = await timeEmwasm(c, args, resp, iters, 'auto', repeats);
    // The fit's setup alone (checks, copies, the first M-step): maxIter 0, auto threads.
    const setup = await timeEmwasm(c, args, resp, 0, 'auto', repeats);
    emwasm.set(c.family, { t1: t1.ms, auto: auto.ms, setup: setup.ms, bound: t1.bound, n });
    console.log(`${c.family}: emwasm ${fixed(min(t1.ms) / iters, 1)} ms/iter (1 thread)`);
    const base = join(DATA_DIR, c.family);
    writeF64(`${base}.x.bin`, X.data);
    if (y) writeF64(`${base}.y.bin`, y);
    writeF64(`${base}.start.bin`, resp);
    for (const [peer, call] of Object.entries(c.peers)) {
      const runner = typeof call === 'function' ? 'R' : 'python';
      manifest.push({
        runner,
        id: `${c.family}/${peer}`,
        x: `${base}.x.bin`,
        y: y ? `${base}.y.bin` : null,
        start: `${base}.start.bin`,
        n,
        d: X.cols,
        k: c.k,
        iters,
        repeats: Math.max(1, Math.min(repeats, 2)),
        call: (typeof call === 'function' ? call : call.python)(iters, c.k),
      });
    }
  }

  const peerResults = new Map<string, { ms?: number[]; loglik?: number; error?: string }>();
  const peerInfo: Record<string, unknown> = {};
  for (const [runner, [command, script]] of Object.entries(RUNNERS)) {
    const cases = manifest.filter((m) => m.runner === runner);
    if (values['no-peers'] || !cases.length) continue;
    const path = join(DATA_DIR, `families-manifest-${runner}.json`);
    writeFileSync(path, JSON.stringify({ cases }));
    const run = spawnSync(command, [script, path], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.error || run.status !== 0)
      console.log(`${runner} peers failed: ${run.error?.message ?? run.stderr.trim()}`);
    for (const line of (run.stdout ?? '').split('\n')) {
      if (!line.trim()) continue;
      const o = JSON.parse(line);
      if (o.info) peerInfo[runner] = o.info;
      else peerResults.set(o.id, o);
    }
  }

  const rows: string[][] = [];
  const json: Record<string, unknown>[] = [];
  for (const c of cases) {
    const e = emwasm.get(c.family) as {
      t1: number[];
      auto: number[];
      setup: number[];
      bound: number;
      n: number;
    };
    const t1 = min(e.t1) / iters;
    const auto = min(e.auto) / iters;
    const setup = min(e.setup);
    const peers = Object.keys(c.peers).map((peer) => {
      const r = peerResults.get(`${c.family}/${peer}`);
      const perIter = r?.ms ? min(r.ms) / iters : null;
      return { peer, perIter, loglik: r?.loglik ?? null, error: r?.error ?? null };
    });
    if (!peers.length) peers.push({ peer: '—', perIter: null, loglik: null, error: null });
    for (const p of peers) {
      const speedup = p.perIter !== null ? p.perIter / Math.min(t1, auto) : null;
      rows.push([
        `${c.family} ${e.n}×${c.d} K=${c.k}`,
        p.peer,
        fixed(t1, 1),
        fixed(auto, 1),
        fixed(setup, 0),
        p.perIter === null ? (p.error ? 'error' : '—') : fixed(p.perIter, 1),
        speedup === null ? '—' : `${fixed(speedup, 0)}×`,
        p.loglik === null ? '—' : (Math.abs(p.loglik - e.bound * e.n) / Math.abs(p.loglik)).toExponential(1),
      ]);
      json.push({ family: c.family, n: e.n, d: c.d, k: c.k, iters, emwasm: e, peer: p });
    }
  }
  console.log();
  console.log(
    renderTable(
      [
        'case',
        'peer',
        'wasm t1 ms/it',
        'wasm auto',
        'auto setup ms',
        'peer ms/it',
        'peer/wasm',
        'rel Δ loglik',
      ],
      rows,
    ),
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(RESULTS_DIR, `families-${stamp}.json`);
  writeFileSync(out, JSON.stringify({ machine, peerInfo, iters, repeats, results: json }, null, 2));
  console.log(`\nsaved ${out}`);
}
