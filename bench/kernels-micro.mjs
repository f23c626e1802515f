/**
 * Microbenchmark of one EM pass over X in the Wasm kernels: the separate kernels (logProb →
 * responsibilities → accumulateMoments → accumulateScatter) against the fused emStep + mStep.
 * Usage: npm run build:wasm && node bench/kernels-micro.mjs [repeats]
 * Prints a table of CPU milliseconds per pass (best of `repeats`) and writes bench/results/kernels-micro.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Compile the kernels with the optimising compiler up front: with V8's default tiering the first
// calls run baseline code and the swap to optimised code lands somewhere inside the timed runs.
setFlagsFromString('--no-liftoff');

const root = new URL('..', import.meta.url);
const repeats = Number(process.argv[2] ?? 5);
const SHAPES = (process.env.SHAPES ?? '100000x2x4,100000x3x5,100000x10x8,200000x32x16')
  .split(',')
  .map((s) => s.split('x').map(Number));
const TYPES = ['Full', 'Tied', 'Diag', 'Spherical'];

const { instance } = await WebAssembly.instantiate(readFileSync(new URL('build/emwasm.wasm', root)));
const K = instance.exports;

/** Bump allocator above __heap_base; views are re-created after every growth. */
function workspace() {
  let top = Math.ceil(K.heapBase() / 16) * 16;
  return {
    alloc(values) {
      const start = top;
      top = Math.ceil((top + values * 8) / 16) * 16;
      const have = K.memory.buffer.byteLength;
      if (top > have) K.memory.grow(Math.ceil((top - have) / 65536));
      return start;
    },
    f64: (h, len) => new Float64Array(K.memory.buffer, h, len),
  };
}

/** mulberry32 + Box–Muller: means ~ N(0, 4²), unit-variance blobs (the shape of bench/lib/data.ts). */
function rng(seed) {
  let s = seed >>> 0;
  const uniform = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

function params(type, k, d, r) {
  if (type === 'Full' || type === 'Tied') {
    const count = type === 'Full' ? k : 1;
    const u = new Float64Array(count * d * d);
    for (let c = 0; c < count; c++)
      for (let a = 0; a < d; a++) {
        u[c * d * d + a * d + a] = 0.8 + 0.4 * r.uniform();
        for (let b = a + 1; b < d; b++) u[c * d * d + a * d + b] = (0.1 / Math.sqrt(d)) * r.normal();
      }
    return u;
  }
  const p = new Float64Array(type === 'Diag' ? k * d : k);
  for (let i = 0; i < p.length; i++) p[i] = 0.8 + 0.4 * r.uniform();
  return p;
}

/**
 * Best CPU time in ms over at least `repeats` runs and at least `seconds` of running. CPU time rather
 * than wall time, so that other processes on a shared machine count less (the kernels are
 * single-threaded); the minimum, because interference only ever adds.
 */
function best(fn, seconds = 2) {
  fn();
  let t = Infinity;
  const start = performance.now();
  for (let i = 0; i < repeats || performance.now() - start < seconds * 1e3; i++) {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    t = Math.min(t, (used.user + used.system) / 1e3);
  }
  return t;
}

const rows = [];
for (const [n, d, k] of SHAPES) {
  const r = rng(n ^ (d << 8) ^ (k << 16));
  const ws = workspace();
  const x = ws.alloc(n * d);
  const means = ws.alloc(k * d);
  const resp = ws.alloc(n * k);
  const logWeights = ws.alloc(k);
  const nk = ws.alloc(k);
  const sumX = ws.alloc(k * d);
  const scatter = ws.alloc(k * d * d);
  const precChol = ws.alloc(k * d * d);
  const cov = ws.alloc(k * d * d);
  const work = ws.alloc(K.emStepWorkLength(k, d));
  const trueMeans = Float64Array.from({ length: k * d }, () => 4 * r.normal());
  const X = ws.f64(x, n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r.uniform() * k);
    for (let j = 0; j < d; j++) X[i * d + j] = trueMeans[c * d + j] + r.normal();
  }
  ws.f64(logWeights, k).fill(-Math.log(k));
  for (const type of TYPES) {
    const m0 = trueMeans.map((v) => v + r.normal());
    const p0 = params(type, k, d, r);
    const reset = () => {
      ws.f64(means, k * d).set(m0);
      ws.f64(precChol, p0.length).set(p0);
      ws.f64(nk, k).fill(0);
      ws.f64(sumX, k * d).fill(0);
      ws.f64(scatter, k * d * d).fill(0);
    };
    const old = best(() => {
      reset();
      K[`logProb${type}`](x, n, d, means, precChol, k, resp);
      K.responsibilities(resp, n, k, logWeights, 0);
      K.accumulateMoments(x, n, d, resp, k, nk, sumX);
      if (type === 'Full') K.accumulateScatterFull(x, n, d, resp, k, means, scatter);
      else if (type === 'Tied') K.accumulateScatterTied(x, n, d, resp, k, means, scatter);
      else K.accumulateScatterDiag(x, n, d, resp, k, means, scatter);
    });
    const fused = best(() => {
      reset();
      K[`emStep${type}`](x, n, d, means, precChol, logWeights, k, nk, sumX, scatter, work);
      const status = K[`mStep${type}`](nk, sumX, scatter, means, k, d, 1e-6, cov, precChol);
      if (status !== 0) throw new Error(`mStep${type} failed: ${status}`);
    });
    rows.push({
      shape: `${n}x${d} K=${k}`,
      type,
      oldMs: old,
      fusedMs: fused,
      speedup: old / fused,
    });
  }
}

const pad = (s, w) => String(s).padStart(w);
console.log(
  `${'shape'.padEnd(16)}${pad('type', 10)}${pad('old ms', 10)}${pad('fused ms', 10)}${pad('speedup', 9)}`,
);
for (const row of rows) {
  const { shape, type, oldMs, fusedMs, speedup } = row;
  console.log(
    `${shape.padEnd(16)}${pad(type, 10)}${pad(oldMs.toFixed(2), 10)}${pad(fusedMs.toFixed(2), 10)}` +
      `${pad(speedup.toFixed(1) + 'x', 9)}`,
  );
}
mkdirSync(new URL('bench/results/', root), { recursive: true });
writeFileSync(
  new URL('bench/results/kernels-micro.json', root),
  JSON.stringify({ node: process.version, repeats, rows }, null, 2),
);
