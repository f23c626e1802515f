/**
 * `npm run bench`: emwasm against its plain-TypeScript reference, scikit-learn and mclust on
 * the same synthetic data from the same start, a fixed number of EM iterations each (tol = 0).
 *
 *   npm run bench                       targets + sweep, full/tied/diag/spherical (~10 min)
 *   npm run bench -- --quick            small sizes, a smoke check
 *   npm run bench -- --only full,diag   covariance types
 *   npm run bench -- --shapes targets,100000x10:8
 *   npm run bench -- --no-peers --no-js --repeats 5 --keep-data
 *   npm run bench -- --imaging          image reconstruction instead (bench/imaging-*.ts)
 *   npm run bench -- --families          the other mixture families vs flexmix/mixtools (bench/families.ts)
 *
 * Bundled by esbuild to build/bench.mjs (see package.json) so that `import ... from '*.wasm'`
 * works; run from anywhere inside the repository.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  COV_TYPES,
  makeDataset,
  makeStart,
  shapeId,
  shapeLabel,
  writeDataset,
  writeStart,
  type CovType,
  type Dataset,
  type Shape,
  type Start,
} from './lib/data';
import { hasThreadsOption, threadsLabel, timeFits, type Threads, type Timing } from './lib/emwasm';
import { flopsPerIteration, FLOP_MODEL_TEXT } from './lib/flops';
import { runFamiliesBench } from './families';
import { runMlemBench } from './imaging-mlem';
import { fixed, median, min, ms, renderTable, spreadPercent } from './lib/format';
import { describeMachine, type Machine } from './lib/machine';
import { bestPeak, compilePeak, type PeakResult } from './lib/peak';
import { runRichardsonLucyBench } from './imaging-rl';
import {
  peerAvailable,
  runPeer,
  writeManifest,
  type PeerCase,
  type PeerName,
  type PeerResult,
  type PeerRun,
} from './lib/peers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..'); // build/ and bench/ sit in the root
const DATA_DIR = join(ROOT, 'bench/.data');
const RESULTS_DIR = join(ROOT, 'bench/results');

/** The js reference is skipped where one run would take longer than this. */
const JS_LIMIT_MS = 60_000;
/** Work per iteration (workOf) from which a case is heavy: 5 iterations, MCLUST_HEAVY_ITERS for mclust. */
const HEAVY_FLOPS = 2e9;
/** emwasm stops repeating a measurement after two runs once its runs took this long together. */
const EMWASM_BUDGET_MS = 40_000;
/** mclust's iterations on heavy cases: its loop has no per-fit cost to spread, so a few suffice. */
const MCLUST_HEAVY_ITERS = 2;
/** A peer process is stopped after this long (its finished cases are kept). */
const PEER_TIMEOUT_MS = 15 * 60_000;

// ---------------------------------------------------------------------------------------------
// Options and the plan

const USAGE = `usage: npm run bench -- [options]
  --quick            small sizes and fewer iterations: a smoke check (about a minute)
  --only TYPES       covariance types, comma-separated (full,tied,diag,spherical)
  --shapes LIST      comma-separated: targets, sweep, or NxD:K (e.g. 100000x10:8); default targets,sweep
  --repeats N        emwasm runs per measurement (default 3; 2 with --quick)
  --pairs N          alternating tied/full and spherical/diag fits per shape for the type ratios
                     (default 5; 2 with --quick; 0: ratios from the table's minima)
  --no-js            skip the plain-TypeScript reference
  --no-peers         skip scikit-learn, mclust and the npm package gaussian-mixture-model
  --keep-data        keep bench/.data (the .bin files the peers read)
  --imaging          the image-reconstruction benches instead (Richardson–Lucy vs scikit-image, …);
                     --repeats applies, --quick times the auto method only (1 and 2 threads)`;

interface Options {
  quick: boolean;
  only: CovType[];
  shapes: string[];
  repeats: number;
  pairs: number;
  js: boolean;
  peers: boolean;
  keepData: boolean;
  imaging: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      shapes: { type: 'string' },
      repeats: { type: 'string' },
      pairs: { type: 'string' },
      'no-js': { type: 'boolean', default: false },
      'no-peers': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      imaging: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...COV_TYPES];
  for (const c of only) {
    if (!COV_TYPES.includes(c as CovType))
      throw new Error(`--only: unknown covariance type '${c}'\n${USAGE}`);
  }
  const repeats = values.repeats ? Number(values.repeats) : values.quick ? 2 : 3;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be an integer >= 1`);
  const pairs = values.pairs ? Number(values.pairs) : values.quick ? 2 : 5;
  if (!Number.isInteger(pairs) || pairs < 0) throw new Error(`--pairs must be an integer >= 0`);
  return {
    quick: values.quick,
    only: only as CovType[],
    shapes: (values.shapes ?? 'targets,sweep').split(',').map((s) => s.trim()),
    repeats,
    pairs,
    js: !values['no-js'],
    peers: !values['no-peers'],
    keepData: values['keep-data'],
    imaging: values.imaging,
  };
}

interface Group {
  name: string;
  shapes: Shape[];
  covs: CovType[];
}

/** The three target shapes of the "Fast core" issue, run for every covariance type. */
const TARGETS: Shape[] = [
  { n: 100_000, d: 2, k: 4 },
  { n: 100_000, d: 10, k: 8 },
  { n: 200_000, d: 32, k: 16 },
];
const QUICK_TARGETS: Shape[] = [
  { n: 5_000, d: 2, k: 4 },
  { n: 5_000, d: 10, k: 8 },
  { n: 10_000, d: 32, k: 16 },
];

/** Vary one of N, K, D around a base, for full and diag: how the cost grows. */
function sweepGroups(quick: boolean): Group[] {
  const base = quick ? { n: 4_000, d: 4, k: 4 } : { n: 50_000, d: 8, k: 8 };
  const values = quick
    ? { n: [2_000, 4_000, 8_000], k: [2, 4, 8], d: [2, 4, 8] }
    : { n: [25_000, 50_000, 100_000, 200_000], k: [2, 4, 8, 16, 32], d: [2, 4, 8, 16, 32] };
  const covs: CovType[] = ['full', 'diag'];
  return [
    { name: `sweep N (D=${base.d}, K=${base.k})`, shapes: values.n.map((n) => ({ ...base, n })), covs },
    { name: `sweep K (N=${base.n}, D=${base.d})`, shapes: values.k.map((k) => ({ ...base, k })), covs },
    { name: `sweep D (N=${base.n}, K=${base.k})`, shapes: values.d.map((d) => ({ ...base, d })), covs },
  ];
}

function planGroups(o: Options): Group[] {
  const groups: Group[] = [];
  const custom: Shape[] = [];
  for (const s of o.shapes) {
    if (s === 'targets')
      groups.push({ name: 'targets', shapes: o.quick ? QUICK_TARGETS : TARGETS, covs: [...COV_TYPES] });
    else if (s === 'sweep') groups.push(...sweepGroups(o.quick));
    else {
      const m = /^(\d+)x(\d+)[:kK](\d+)$/.exec(s);
      if (!m) throw new Error(`--shapes: '${s}' is not targets, sweep or NxD:K\n${USAGE}`);
      const shape = { n: Number(m[1]), d: Number(m[2]), k: Number(m[3]) };
      if (shape.k > shape.n || shape.k < 1 || shape.d < 1) throw new Error(`--shapes: bad shape '${s}'`);
      custom.push(shape);
    }
  }
  if (custom.length) groups.push({ name: 'shapes', shapes: custom, covs: [...COV_TYPES] });
  for (const g of groups) g.covs = g.covs.filter((c) => o.only.includes(c));
  return groups.filter((g) => g.covs.length > 0);
}

/**
 * How much work a case is, for choosing iterations and repeats. Tied is sized like full: its flop
 * model assumes the shared-factor shortcuts, but a direct implementation centres per component
 * and costs what full costs.
 */
function workOf(cov: CovType, shape: Shape): number {
  return flopsPerIteration(cov === 'tied' ? 'full' : cov, shape);
}

/**
 * Fixed iterations: 10 on big cases, more on small ones so a fit lasts long enough to time, and
 * 5 on the heaviest (the largest target, full and tied) to keep the default run near 10 minutes.
 */
function iterationsFor(work: number, quick: boolean): number {
  if (quick) return Math.max(5, Math.min(20, Math.round(3e8 / work)));
  if (work >= HEAVY_FLOPS) return 5;
  return Math.max(10, Math.min(50, Math.round(5e8 / work)));
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Measurement {
  label: string;
  threads: Threads;
  msPerIter: { min: number; median: number; spreadPercent: number; all: number[] };
  loopMsPerIter: number;
  fitMs: number[];
  gflops: number;
  /** Achieved GFLOP/s over the single-core peak times the threads asked for ('auto': every core). */
  sharePeak: number;
  lowerBound: number;
}

interface CaseResult {
  key: string;
  shape: Shape;
  cov: CovType;
  iters: number;
  flopsPerIter: number;
  emwasm: Measurement[];
  js: (Measurement & { repeats: number }) | { skipped: string } | null;
  sklearn: PeerResult | null;
  mclust: PeerResult | null;
}

function summarize(label: string, threads: Threads, t: Timing, flops: number): Measurement {
  const best = min(t.msPerIter);
  return {
    label,
    threads,
    msPerIter: {
      min: best,
      median: median(t.msPerIter),
      spreadPercent: spreadPercent(t.msPerIter),
      all: t.msPerIter,
    },
    loopMsPerIter: min(t.loopMsPerIter),
    fitMs: t.fitMs,
    gflops: flops / (best * 1e6),
    sharePeak: NaN, // set at the end, against the best peak measured
    lowerBound: t.lowerBound,
  };
}

const startedAt = Date.now();
/** Progress lines, with the seconds since the start. */
const log = (line: string) =>
  console.log(`· ${String(Math.round((Date.now() - startedAt) / 1000)).padStart(4)} s  ${line}`);

/** Small fits of every kind first, so V8 has tiered up the kernels before anything is timed. */
async function warmUp(threadSettings: Threads[], o: Options): Promise<void> {
  const data = makeDataset({ n: 2_000, d: 4, k: 4 });
  for (const cov of o.only) {
    const start = makeStart(data, cov);
    for (const threads of threadSettings)
      await timeFits({ backend: 'wasm', threads, cov, iters: 30 }, data, start, 2);
    if (o.js) await timeFits({ backend: 'js', threads: undefined, cov, iters: 30 }, data, start, 1);
  }
}

// ---------------------------------------------------------------------------------------------
// The npm package gaussian-mixture-model (a devDependency; optional)

interface NpmGmmResult {
  shape: Shape;
  cov: 'full';
  iters: number;
  msPerIter: number;
}

interface NpmGmm {
  addPoint(p: number[]): void;
  runEM(iterations?: number): unknown;
}

async function timeNpmGmm(data: Dataset, start: Start): Promise<NpmGmmResult | string> {
  let GMM: new (o: object) => NpmGmm;
  try {
    // Kept external by esbuild (see package.json), so a missing package is a message, not a build error.
    const name = 'gaussian-mixture-model';
    GMM = ((await import(name)) as { default: new (o: object) => NpmGmm }).default;
  } catch (err) {
    return `not installed (${(err as Error).message.split('\n')[0]})`;
  }
  const { n, d, k } = data;
  // Its start takes covariances: the inverses of the start's (diagonal) full precisions.
  const covariances = Array.from({ length: k }, (_, c) =>
    Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => (a === b ? 1 / start.precisions[c * d * d + a * d + a] : 0)),
    ),
  );
  const means = Array.from({ length: k }, (_, c) => Array.from(start.means.subarray(c * d, (c + 1) * d)));
  const gmm = new GMM({ weights: Array.from(start.weights), means, covariances, bufferSize: n });
  for (let i = 0; i < n; i++) gmm.addPoint(Array.from(data.X.subarray(i * d, (i + 1) * d)));
  const iters = 2;
  const t = performance.now();
  gmm.runEM(iters);
  return { shape: { n, d, k }, cov: 'full', iters, msPerIter: (performance.now() - t) / iters };
}

// ---------------------------------------------------------------------------------------------
// Output

interface Report {
  date: string;
  command: string;
  options: Options;
  machine: Machine;
  peers: Partial<
    Record<PeerName, { info: Record<string, unknown> | null; problem: string | null; unset: string[] }>
  >;
  /** The better of the two measurements below, chain count by chain count. */
  peak: PeakResult;
  /** At the start and at the end of the run. */
  peakMeasurements: PeakResult[];
  flopModel: string;
  threadsOption: boolean;
  groups: { name: string; keys: string[] }[];
  cases: CaseResult[];
  /** Alternating single-thread fits of two covariance types on one shape (see measurePairs). */
  pairs: PairResult[];
  npmGaussianMixtureModel: NpmGmmResult | string | null;
  /** One-minute load average at the start and the end: high values mean other work shared the cores. */
  loadAverage: { start: number; end: number };
  notes: string[];
}

function machineLine(r: Report): string {
  const m = r.machine;
  const parts = [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${m.simdFlags.join(' ')}), Node ${m.node} (V8 ${m.v8})`,
  ];
  const sk = r.peers.sklearn?.info as {
    sklearn?: string;
    numpy?: string;
    python?: string;
    blas?: BlasPool[];
  } | null;
  if (sk) {
    const blas = (sk.blas ?? []).filter((p) => p.internal_api === 'openblas');
    const kernel = blas.length
      ? blas.map((p) => `OpenBLAS ${p.version} ${p.architecture} kernel, ${p.num_threads} threads`).join('; ')
      : 'BLAS unknown (no threadpoolctl)';
    parts.push(`scikit-learn ${sk.sklearn} / numpy ${sk.numpy} (Python ${sk.python}; ${kernel})`);
  }
  const mc = r.peers.mclust?.info as { mclust?: string; R?: string; blas?: string } | null;
  if (mc) parts.push(`mclust ${mc.mclust} (R ${mc.R}; BLAS ${mc.blas})`);
  return `machine: ${parts.join('; ')}`;
}

interface BlasPool {
  internal_api?: string;
  version?: string;
  architecture?: string;
  num_threads?: number;
}

const peerMs = (p: PeerResult | null): number => (p?.ms_per_iter ? min(p.ms_per_iter) : NaN);

function printTable(r: Report): void {
  const settings = r.cases[0]?.emwasm.map((m) => m.label) ?? [];
  const header = ['shape', 'cov', 'it'];
  for (const s of settings) header.push(s, 'med', '±%');
  header.push('js', 'sklearn', 'mclust', 'wasm/skl', 'js/wasm');
  for (const s of settings)
    header.push(settings.length > 1 ? `GF/s ${s.replace('wasm ', '')}` : 'GF/s', '%pk');
  header.push('bound');
  const byKey = new Map(r.cases.map((c) => [c.key, c]));
  for (const g of r.groups) {
    const rows: string[][] = [];
    for (const key of g.keys) {
      const c = byKey.get(key);
      if (!c) continue;
      const row = [shapeLabel(c.shape), c.cov, String(c.iters)];
      for (const m of c.emwasm)
        row.push(ms(m.msPerIter.min), ms(m.msPerIter.median), fixed(m.msPerIter.spreadPercent, 0));
      const js = c.js && 'msPerIter' in c.js ? c.js.msPerIter.min : NaN;
      row.push(c.js && 'skipped' in c.js ? 'skip' : ms(js), ms(peerMs(c.sklearn)), ms(peerMs(c.mclust)));
      // emwasm/sklearn with the fastest setting (sklearn's BLAS uses every core); js/emwasm with
      // the first setting (threads: 1 where the option exists), one core against one core.
      const fastest = Math.min(...c.emwasm.map((m) => m.msPerIter.min));
      row.push(fixed(fastest / peerMs(c.sklearn), 2), fixed(js / c.emwasm[0].msPerIter.min, 1));
      for (const m of c.emwasm) row.push(fixed(m.gflops, 1), fixed(m.sharePeak * 100, 0));
      row.push(boundCheck(c));
      rows.push(row);
    }
    console.log(`\n${g.name}`);
    console.log(renderTable(header, rows));
  }
}

/** Alternating fits of `a` and `b` (threads 1): ms per iteration of each run, in run order. */
interface PairResult {
  shape: Shape;
  a: CovType;
  b: CovType;
  msA: number[];
  msB: number[];
}

const TYPE_PAIRS = [
  ['tied', 'full'],
  ['spherical', 'diag'],
] as const;

/**
 * The type comparisons measured side by side: for every shape with both types of a pair, `n` fits
 * of each, alternating a, b, a, b, … on one thread, so a change in the machine's load hits both
 * alike (the table's columns run each type's repeats back to back).
 */
async function measurePairs(
  cases: CaseResult[],
  datasets: Map<string, Dataset>,
  n: number,
  log: (s: string) => void,
): Promise<PairResult[]> {
  const out: PairResult[] = [];
  if (n === 0) return out;
  const byKey = new Map(cases.map((c) => [c.key, c]));
  for (const [id, data] of datasets) {
    for (const [a, b] of TYPE_PAIRS) {
      const ca = byKey.get(`${id}-${a}`);
      const cb = byKey.get(`${id}-${b}`);
      if (!ca || !cb) continue;
      const pair: PairResult = { shape: ca.shape, a, b, msA: [], msB: [] };
      for (let r = 0; r < n; r++) {
        for (const [c, into] of [
          [ca, pair.msA],
          [cb, pair.msB],
        ] as const) {
          const t = await timeFits(
            { backend: 'wasm', threads: 1, cov: c.cov, iters: c.iters },
            data,
            makeStart(data, c.cov),
            1,
          );
          into.push(t.msPerIter[0]);
        }
      }
      const ratios = pair.msA.map((v, i) => v / pair.msB[i]);
      log(`${shapeLabel(ca.shape)} ${a}/${b}: paired ratios ${ratios.map((x) => fixed(x, 2)).join(' ')}`);
      out.push(pair);
    }
  }
  return out;
}

/** The issue's promises: tied no slower than full, spherical no slower than diag (emwasm, first setting). */
function printChecks(r: Report): void {
  if (r.pairs.length) {
    const lines = r.pairs.map((p) => {
      const ratios = p.msA.map((v, i) => v / p.msB[i]);
      const med = median(ratios);
      return (
        `  ${shapeLabel(p.shape).padEnd(16)} ${p.a}/${p.b} ${fixed(med, 2)}${med > 1.05 ? ' SLOWER' : ''} ` +
        `(${ratios.length} alternating pairs: ${fixed(min(ratios), 2)}–${fixed(Math.max(...ratios), 2)}; ` +
        `min ${ms(min(p.msA))} vs ${ms(min(p.msB))} ms/iter)`
      );
    });
    console.log(
      `\nemwasm time ratios, one thread, median of alternating runs (SLOWER: more than 5% slower):\n${lines.join('\n')}`,
    );
    return;
  }
  const lines: string[] = [];
  const best = (id: string, cov: CovType) =>
    r.cases.find((c) => c.key === `${id}-${cov}`)?.emwasm[0].msPerIter.min;
  const shapes = new Map(r.cases.map((c) => [shapeId(c.shape), c.shape]));
  for (const [id, shape] of shapes) {
    const parts: string[] = [];
    for (const [a, b] of TYPE_PAIRS) {
      const ta = best(id, a);
      const tb = best(id, b);
      if (ta === undefined || tb === undefined) continue;
      parts.push(`${a}/${b} ${fixed(ta / tb, 2)}${ta > tb * 1.05 ? ' SLOWER' : ''}`);
    }
    if (parts.length) lines.push(`  ${shapeLabel(shape).padEnd(16)} ${parts.join(', ')}`);
  }
  if (lines.length) console.log(`\nemwasm time ratios (SLOWER: more than 5% slower):\n${lines.join('\n')}`);
}

/**
 * Whether emwasm, the js reference and scikit-learn ended on the same lower bound: they run the
 * same iterations from the same start, so they should agree to rounding. mclust is not checked
 * (no regCovar, and it reports the log-likelihood after its last M-step).
 */
function boundCheck(c: CaseResult): string {
  const ref = c.emwasm[0].lowerBound;
  const others = [
    ...c.emwasm.slice(1).map((m) => m.lowerBound),
    c.js && 'lowerBound' in c.js ? c.js.lowerBound : NaN,
    c.sklearn?.lower_bound ?? NaN,
  ];
  const diffs = others.filter(Number.isFinite).map((b) => Math.abs(b - ref) / Math.max(1, Math.abs(ref)));
  if (!diffs.length) return '-';
  const worst = Math.max(...diffs);
  return worst < 1e-6 ? 'same' : `Δ${worst.toExponential(0)}`;
}

// ---------------------------------------------------------------------------------------------

/** `--imaging`: each image-reconstruction bench prints its table; their reports go to one JSON file. */
async function imagingMain(o: Options): Promise<void> {
  const machine = describeMachine();
  console.log(`emwasm imaging bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  const loadStart = loadavg()[0];
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
  };
  report.richardsonLucy = await runRichardsonLucyBench({ repeats: o.repeats, methods: !o.quick });
  report.mlem = await runMlemBench();
  report.loadAverage = { start: loadStart, end: loadavg()[0] };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `imaging-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nsaved ${relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--families')) {
    await runFamiliesBench(process.argv.slice(2));
    return;
  }
  const o = parseOptions(process.argv.slice(2));
  if (o.imaging) return imagingMain(o);
  const machine = describeMachine();
  const groups = planGroups(o);
  const threadsOption = hasThreadsOption();
  const threadSettings: Threads[] = threadsOption ? [1, 'auto'] : [undefined];
  const notes: string[] = [];
  if (!threadsOption) notes.push('GaussianMixture has no threads option yet: emwasm ran with its default.');

  console.log(
    `emwasm bench${o.quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`,
  );
  const loadBefore = loadavg()[0];
  if (loadBefore > 0.5 * machine.cores) {
    notes.push(
      `the machine was busy: load average ${fixed(loadBefore, 1)} at the start (other processes skew the times)`,
    );
    log(
      `warning: load average ${fixed(loadBefore, 1)} on ${machine.cores} cores: other processes will skew the times`,
    );
  }
  // The peak is measured at the start and again at the end; the better one counts.
  const peakKernel = await compilePeak(ROOT);
  const peakCalls = o.quick ? 50 : 150;
  let peak = peakKernel.measure(peakCalls);
  log(
    `Wasm f64x2 peak (one core, mul+add chains): ${fixed(peak.gflops, 1)} GFLOP/s ` +
      `(${Object.entries(peak.byChains)
        .map(([c, g]) => `${c} chains ${fixed(g, 1)}`)
        .join(', ')})`,
  );
  await warmUp(threadSettings, o);

  // Every distinct (shape, cov) once, smallest first: the js estimate for big cases uses the rate
  // measured on smaller ones.
  const plan = new Map<string, { shape: Shape; cov: CovType; flops: number }>();
  for (const g of groups) {
    for (const shape of g.shapes) {
      for (const cov of g.covs)
        plan.set(`${shapeId(shape)}-${cov}`, { shape, cov, flops: flopsPerIteration(cov, shape) });
    }
  }
  const ordered = [...plan.entries()].sort(
    (a, b) => workOf(a[1].cov, a[1].shape) - workOf(b[1].cov, b[1].shape),
  );

  const datasets = new Map<string, Dataset>();
  const peerCases: PeerCase[] = [];
  const cases: CaseResult[] = [];
  const jsSpeed = new Map<CovType, number>(); // the js reference's work (workOf) per ms, by type
  let middle: { data: Dataset; start: Start } | null = null;

  for (const [key, { shape, cov, flops }] of ordered) {
    const id = shapeId(shape);
    let data = datasets.get(id);
    if (!data) {
      data = makeDataset(shape);
      datasets.set(id, data);
      if (o.peers) writeDataset(DATA_DIR, data);
    }
    const start = makeStart(data, cov);
    const work = workOf(cov, shape);
    const iters = iterationsFor(work, o.quick);
    const label = `${shapeLabel(shape)} ${cov}`;
    if (o.peers) {
      const startFile = writeStart(DATA_DIR, data, cov, start);
      // Peers have no JIT to warm up: two runs where a fit is short, one where it takes longer.
      const repeats = work * iters < 2e8 ? Math.min(2, o.repeats) : 1;
      const heavy = work >= HEAVY_FLOPS;
      peerCases.push({
        id: key,
        cov,
        ...shape,
        iters,
        repeats,
        heavy,
        data: join(DATA_DIR, `${id}.bin`),
        start: startFile,
      });
    }
    if (cov === 'full' && id === shapeId(TARGETS[1])) middle = { data, start };

    const result: CaseResult = {
      key,
      shape,
      cov,
      iters,
      flopsPerIter: flops,
      emwasm: [],
      js: null,
      sklearn: null,
      mclust: null,
    };
    for (const threads of threadSettings) {
      const t = await timeFits(
        { backend: 'wasm', threads, cov, iters },
        data,
        start,
        o.repeats,
        EMWASM_BUDGET_MS,
      );
      const m = summarize(threadsLabel(threads), threads, t, flops);
      result.emwasm.push(m);
      log(
        `${label}: ${m.label} ${ms(m.msPerIter.min)} ms/iter (median ${ms(m.msPerIter.median)}, ${iters} it)`,
      );
    }
    if (o.js) result.js = await timeJs(result, data, start, jsSpeed, o, label);
    cases.push(result);
  }

  const report: Report = {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    options: o,
    machine,
    peers: {},
    peak,
    peakMeasurements: [],
    flopModel: FLOP_MODEL_TEXT,
    threadsOption,
    groups: groups.map((g) => ({
      name: g.name,
      keys: g.shapes.flatMap((s) => g.covs.map((c) => `${shapeId(s)}-${c}`)),
    })),
    cases,
    pairs: await measurePairs(cases, datasets, o.pairs, log),
    npmGaussianMixtureModel: null,
    loadAverage: { start: loadBefore, end: NaN },
    notes,
  };

  if (o.peers) {
    const byKey = new Map(cases.map((c) => [c.key, c]));
    for (const name of ['sklearn', 'mclust'] as const) {
      const missing = peerAvailable(name);
      if (missing) {
        notes.push(`${name} skipped: ${missing}`);
        log(`${name} skipped: ${missing}`);
        continue;
      }
      const mine = peerCases.map((c) =>
        name === 'mclust' && c.heavy ? { ...c, iters: Math.min(c.iters, MCLUST_HEAVY_ITERS) } : c,
      );
      if (mine.some((c, i) => c.iters !== peerCases[i].iters)) {
        notes.push(
          `mclust ran ${MCLUST_HEAVY_ITERS} iterations on the heaviest cases (its time per iteration has no per-fit part)`,
        );
      }
      const asked = new Map(mine.map((c) => [c.id, c.iters]));
      const manifest = join(DATA_DIR, `manifest-${name}.tsv`);
      writeManifest(manifest, mine);
      log(`${name}: ${mine.length} cases`);
      const run: PeerRun = await runPeer(name, ROOT, manifest, PEER_TIMEOUT_MS, (res) => {
        const c = byKey.get(res.id);
        if (c) c[name] = res;
        log(
          `${name} ${c ? `${shapeLabel(c.shape)} ${c.cov}` : res.id}: ` +
            (res.error ? `error: ${res.error}` : `${ms(peerMs(res))} ms/iter`),
        );
      });
      report.peers[name] = { info: run.info, problem: run.problem, unset: run.unset };
      if (run.problem) notes.push(`${name}: ${run.problem}`);
      for (const r of run.results) {
        const c = byKey.get(r.id);
        const label = c ? `${shapeLabel(c.shape)} ${c.cov}` : r.id;
        if (r.error) notes.push(`${name} ${label}: ${r.error}`);
        else if (r.iters !== asked.get(r.id)) {
          notes.push(`${name} ${label}: stopped after ${r.iters} of ${asked.get(r.id)} iterations`);
        }
      }
    }
    if (middle) {
      log('npm gaussian-mixture-model on the middle target (full)…');
      const g = await timeNpmGmm(middle.data, middle.start);
      report.npmGaussianMixtureModel = g;
      if (typeof g === 'string') notes.push(`npm gaussian-mixture-model skipped: ${g}`);
    }
  }

  report.loadAverage.end = loadavg()[0];
  const peakEnd = peakKernel.measure(peakCalls);
  report.peakMeasurements = [peak, peakEnd];
  report.peak = peak = bestPeak(peak, peakEnd);
  for (const c of cases) {
    for (const m of [...c.emwasm, ...(c.js && 'gflops' in c.js ? [c.js] : [])]) {
      const used = m.threads === 'auto' ? machine.cores : (m.threads ?? 1);
      m.sharePeak = m.gflops / (peak.gflops * used);
    }
  }

  // ---- print
  console.log(`\n${machineLine(report)}`);
  const unset = [...new Set(Object.values(report.peers).flatMap((p) => p?.unset ?? []))];
  console.log(
    `peers ran without ${unset.length ? unset.join(', ') : 'OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (neither was set)'}; ` +
      `emwasm ${threadsOption ? 'with threads: 1 and threads: auto' : 'with its default (no threads option yet)'}`,
  );
  console.log(
    `load average ${fixed(report.loadAverage.start, 1)} at the start, ${fixed(report.loadAverage.end, 1)} at the end ` +
      `(${machine.cores} cores; above ~0.5 per core, other work shared the machine)`,
  );
  console.log(
    `Wasm f64x2 peak on one core: ${fixed(peak.gflops, 1)} GFLOP/s, best of ${fixed(report.peakMeasurements[0].gflops, 1)} ` +
      `at the start and ${fixed(peakEnd.gflops, 1)} at the end (${peak.compile}; by independent chains: ` +
      `${Object.entries(peak.byChains)
        .map(([c, g]) => `${c}: ${fixed(g, 1)}`)
        .join(', ')})`,
  );
  console.log(FLOP_MODEL_TEXT);
  console.log(
    'columns: ms per EM iteration = whole fit / iterations, tol 0. wasm (t1: threads 1, auto: threads auto): ' +
      `min and med(ian) of up to ${o.repeats} runs, ±% = (max − min) / min; js: the plain-TypeScript ` +
      'reference (one core); sklearn and mclust: best run. wasm/skl: fastest wasm over sklearn (< 1: emwasm faster); ' +
      'js/wasm: js over the first wasm column. GF/s from the flop model above; %pk: share of the f64x2 peak ' +
      'times the threads asked for (auto: every core). bound: emwasm, js and sklearn ended on the same lower bound',
  );
  printTable(report);
  printChecks(report);
  const npm = report.npmGaussianMixtureModel;
  if (npm && typeof npm !== 'string') {
    const c = cases.find((x) => x.key === `${shapeId(npm.shape)}-full`);
    const ratio = c ? ` (${fixed(npm.msPerIter / c.emwasm[0].msPerIter.min, 0)}× emwasm)` : '';
    console.log(
      `\nnpm gaussian-mixture-model 1.x, ${shapeLabel(npm.shape)} full, ${npm.iters} iterations: ` +
        `${ms(npm.msPerIter)} ms/iter${ratio}`,
    );
  }
  for (const c of cases) {
    if (c.js && 'skipped' in c.js) notes.push(`js ${shapeLabel(c.shape)} ${c.cov}: ${c.js.skipped}`);
  }
  if (notes.length) console.log(`\nnotes:\n${notes.map((n) => `  ${n}`).join('\n')}`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nsaved ${relative(process.cwd(), file)} (${Math.round((Date.now() - startedAt) / 1000)} s)`);
  if (!o.keepData) rmSync(DATA_DIR, { recursive: true, force: true });
}

/**
 * The js reference, skipped where one run would take over JS_LIMIT_MS. The estimate scales the
 * speed seen on smaller cases of the same type by the work (workOf); where that says "close", or
 * there is no smaller case, one timed iteration decides.
 */
async function timeJs(
  c: CaseResult,
  data: Dataset,
  start: Start,
  jsSpeed: Map<CovType, number>,
  o: Options,
  label: string,
): Promise<CaseResult['js']> {
  const { cov, iters, flopsPerIter: flops } = c;
  const work = workOf(cov, c.shape) * iters;
  const speed = jsSpeed.get(cov); // work per ms
  let estimate = speed === undefined ? NaN : work / speed;
  if (Number.isNaN(estimate) || (estimate > JS_LIMIT_MS / 6 && estimate <= 2 * JS_LIMIT_MS)) {
    // One iteration with the X copy and setup: a slight overestimate.
    const probe = await timeFits({ backend: 'js', threads: undefined, cov, iters: 1 }, data, start, 1);
    estimate = probe.fitMs[0] * iters;
  }
  if (estimate > JS_LIMIT_MS) {
    const skipped = `skipped: one run of ${iters} iterations would take about ${Math.round(estimate / 1000)} s`;
    log(`${label}: js ${skipped}`);
    return { skipped };
  }
  const repeats = estimate < 1_000 ? o.repeats : 1;
  const t = await timeFits({ backend: 'js', threads: undefined, cov, iters }, data, start, repeats);
  const m = summarize('js', undefined, t, flops);
  jsSpeed.set(cov, work / min(t.fitMs));
  log(`${label}: js ${ms(m.msPerIter.min)} ms/iter (${repeats} run${repeats > 1 ? 's' : ''})`);
  return { ...m, repeats };
}

main().then(
  () => process.exit(0), // a threaded build may keep workers alive
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
