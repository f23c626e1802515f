import { beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js';
import type { Backend, Handle, Kernels, Workspace } from '../../src/backend/types';
import { wasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { maxRelDiff, uniformArray } from '../helpers/data';

/**
 * The fused E+M kernels (emStep*, mStep*): Wasm against the TypeScript twins, the fused pass against
 * the separate kernels it replaces, row blocks, −∞ rows and failing covariances.
 */
type Arrays = Record<string, Float64Array>;
type Call = (kern: Kernels, h: Record<string, Handle>) => number;
type CovType = 'Full' | 'Tied' | 'Diag' | 'Spherical';
const TYPES: CovType[] = ['Full', 'Tied', 'Diag', 'Spherical'];
const BACKENDS: Backend[] = [wasmBackend, jsBackend];
const NK_FLOOR = 10 * 2.220446049250313e-16;

/** Copies `inputs` into a fresh workspace (plus the `work` area the fused E-step needs), runs `call`, copies everything back. */
function run(
  backend: Backend,
  inputs: Arrays,
  call: Call,
  k: number,
  d: number,
): { result: number; out: Arrays } {
  const ws: Workspace = backend.acquire();
  try {
    const h: Record<string, Handle> = {};
    for (const [name, a] of Object.entries(inputs)) h[name] = ws.allocF64(a.length);
    h.work = ws.allocF64(ws.kernels.emStepWorkLength(k, d));
    for (const [name, a] of Object.entries(inputs)) ws.f64(h[name], a.length).set(a);
    const result = call(ws.kernels, h);
    const out: Arrays = {};
    for (const [name, a] of Object.entries(inputs)) out[name] = Float64Array.from(ws.f64(h[name], a.length));
    return { result, out };
  } finally {
    ws.release();
  }
}

function expectClose(
  a: { result: number; out: Arrays },
  b: { result: number; out: Arrays },
  tol: number,
): void {
  expect(maxRelDiff([a.result], [b.result]), 'result').toBeLessThanOrEqual(tol);
  for (const name of Object.keys(b.out)) {
    expect(maxRelDiff(a.out[name], b.out[name]), `array ${name}`).toBeLessThanOrEqual(tol);
  }
}

function precCholLength(type: CovType, k: number, d: number): number {
  return { Full: k * d * d, Tied: d * d, Diag: k * d, Spherical: k }[type];
}

function scatterLength(type: CovType, k: number, d: number): number {
  return { Full: k * d * d, Tied: d * d, Diag: k * d, Spherical: k * d }[type];
}

/** Factors with positive diagonals; for full/tied, garbage below the diagonal that must be ignored. */
function precCholFor(rng: Random, type: CovType, k: number, d: number): Float64Array {
  if (type === 'Diag' || type === 'Spherical') return uniformArray(rng, precCholLength(type, k, d), 0.4, 1.5);
  const count = type === 'Full' ? k : 1;
  const u = uniformArray(rng, count * d * d, -0.4, 0.4);
  for (let c = 0; c < count; c++) for (let j = 0; j < d; j++) u[c * d * d + j * d + j] = 0.6 + rng.uniform();
  return u;
}

function logWeightsFor(rng: Random, k: number): Float64Array {
  const w = uniformArray(rng, k, 0.2, 1);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => Math.log(v / s));
}

interface Problem extends Arrays {
  x: Float64Array;
  means: Float64Array;
  precChol: Float64Array;
  logWeights: Float64Array;
}

/**
 * Points around the means; with k ≥ 3 the last component sits far away, so its responsibilities
 * underflow to exactly 0 (the skip path), and with k ≥ 4 one component has weight 0 (log −∞).
 */
function problem(seed: number, type: CovType, n: number, d: number, k: number): Problem {
  const rng = new Random(seed);
  const means = uniformArray(rng, k * d, -2, 2);
  if (k >= 3) for (let j = 0; j < d; j++) means[(k - 1) * d + j] = 1e3;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % Math.min(k, 2);
    for (let j = 0; j < d; j++) x[i * d + j] = means[c * d + j] + 1.5 * rng.normal();
  }
  const logWeights = logWeightsFor(rng, k);
  if (k >= 4) logWeights[1] = -Infinity;
  return { x, means, precChol: precCholFor(rng, type, k, d), logWeights };
}

const emStep =
  (type: CovType, n: number, d: number, k: number, x = 'x', weights = ''): Call =>
  (kern, h) =>
    kern[`emStep${type}`](
      h[x],
      n,
      d,
      h.means,
      h.precChol,
      h.logWeights,
      k,
      h.nk,
      h.sumX,
      h.scatter,
      h.work,
      weights ? h[weights] : 0,
    );

const mStep =
  (type: CovType, d: number, k: number, reg: number): Call =>
  (kern, h) =>
    kern[`mStep${type}`](h.nk, h.sumX, h.scatter, h.means, k, d, reg, h.cov, h.precChol);

const SHAPES: [n: number, d: number, k: number][] = [
  [1, 1, 1],
  [7, 1, 3],
  [13, 2, 2],
  [31, 3, 5],
  // d ≤ 4 takes the small-d path (components in f64x2 pairs, sums in registers); d = 4 and an
  // even k, and a block boundary (> 32 rows), exercise its other branches.
  [45, 4, 3],
  [70, 4, 6],
  [64, 5, 4],
  [101, 8, 7],
  [40, 13, 3],
];

beforeAll(async () => {
  await loadModule();
});

describe.each(SHAPES)('n=%i d=%i k=%i', (n, d, k) => {
  const seed = n * 1000 + d * 10 + k;

  it.each(TYPES)('emStep%s: Wasm == TypeScript, accumulating onto non-zero outputs', (type) => {
    const p = problem(seed, type, n, d, k);
    const rng = new Random(seed + 1);
    const inputs = {
      x: p.x,
      means: p.means,
      precChol: p.precChol,
      logWeights: p.logWeights,
      nk: uniformArray(rng, k, 0, 1),
      sumX: uniformArray(rng, k * d),
      scatter: uniformArray(rng, scatterLength(type, k, d)),
    };
    const call = emStep(type, n, d, k);
    const a = run(wasmBackend, inputs, call, k, d);
    expectClose(a, run(jsBackend, inputs, call, k, d), 1e-12);
    expect(Number.isFinite(a.result)).toBe(true);
    if (k >= 4) expect(a.out.nk[1]).toBe(inputs.nk[1]);
  });

  it.each(TYPES)('mStep%s: Wasm == TypeScript', (type) => {
    const p = problem(seed + 2, type, n, d, k);
    const zeros = {
      nk: new Float64Array(k),
      sumX: new Float64Array(k * d),
      scatter: new Float64Array(scatterLength(type, k, d)),
    };
    const stats = run(jsBackend, { ...p, ...zeros }, emStep(type, n, d, k), k, d).out;
    const len = precCholLength(type, k, d);
    const inputs = {
      nk: stats.nk,
      sumX: stats.sumX,
      scatter: stats.scatter,
      means: p.means,
      cov: new Float64Array(len),
      precChol: new Float64Array(len),
    };
    const call = mStep(type, d, k, 1e-6);
    const a = run(wasmBackend, inputs, call, k, d);
    expect(a.result).toBe(0);
    expectClose(a, run(jsBackend, inputs, call, k, d), 1e-12);
  });

  it.each(TYPES)('emStep%s then mStep == the separate kernels', (type) => {
    const p = problem(seed + 3, type, n, d, k);
    const reg = 1e-6;
    const len = precCholLength(type, k, d);
    for (const backend of BACKENDS) {
      const fused = run(
        backend,
        {
          ...p,
          nk: new Float64Array(k),
          sumX: new Float64Array(k * d),
          scatter: new Float64Array(scatterLength(type, k, d)),
          cov: new Float64Array(len),
        },
        (kern, h) => {
          const total = emStep(type, n, d, k)(kern, h);
          expect(mStep(type, d, k, reg)(kern, h)).toBe(0);
          return total;
        },
        k,
        d,
      );
      const separate = run(
        backend,
        {
          ...p,
          resp: new Float64Array(n * k),
          nk: new Float64Array(k),
          sumX: new Float64Array(k * d),
          scatter: new Float64Array(scatterLength(type, k, d)),
          cov: new Float64Array(len),
        },
        (kern, h) => {
          kern[`logProb${type}`](h.x, n, d, h.means, h.precChol, k, h.resp);
          const total = kern.responsibilities(h.resp, n, k, h.logWeights, 0);
          kern.accumulateMoments(h.x, n, d, h.resp, k, h.nk, h.sumX);
          return total;
        },
        k,
        d,
      );
      // The M-step of the separate kernels, as the model runs it: nk + 10·eps, means = Σ r x / nk.
      const nk = separate.out.nk.map((v) => v + NK_FLOOR);
      const means = separate.out.sumX.map((v, i) => v / nk[Math.floor(i / d)]);
      const finalized = run(
        backend,
        {
          x: p.x,
          resp: separate.out.resp,
          nk,
          means,
          scatter: new Float64Array(type === 'Tied' ? d * d : type === 'Full' ? k * d * d : k * d),
          cov: new Float64Array(len),
          precChol: new Float64Array(len),
        },
        (kern, h) => {
          if (type === 'Full') {
            kern.accumulateScatterFull(h.x, n, d, h.resp, k, h.means, h.scatter);
            return kern.finalizeFull(h.scatter, h.nk, k, d, reg, h.cov, h.precChol);
          }
          if (type === 'Tied') {
            kern.accumulateScatterTied(h.x, n, d, h.resp, k, h.means, h.scatter);
            return kern.finalizeTied(
              h.scatter,
              nk.reduce((a, b) => a + b, 0),
              d,
              reg,
              h.cov,
              h.precChol,
            );
          }
          kern.accumulateScatterDiag(h.x, n, d, h.resp, k, h.means, h.scatter);
          return type === 'Diag'
            ? kern.finalizeDiag(h.scatter, h.nk, k, d, reg, h.cov, h.precChol)
            : kern.finalizeSpherical(h.scatter, h.nk, k, d, reg, h.cov, h.precChol);
        },
        k,
        d,
      );
      expect(finalized.result).toBe(0);
      const tol = 1e-10;
      const what = `${backend.name}`;
      expect(maxRelDiff([fused.result], [separate.result]), `${what} bound`).toBeLessThanOrEqual(tol);
      expect(maxRelDiff(fused.out.nk, nk), `${what} nk`).toBeLessThanOrEqual(tol);
      expect(maxRelDiff(fused.out.means, means), `${what} means`).toBeLessThanOrEqual(tol);
      expect(maxRelDiff(fused.out.cov, finalized.out.cov), `${what} cov`).toBeLessThanOrEqual(tol);
      expect(maxRelDiff(fused.out.precChol, finalized.out.precChol), `${what} precChol`).toBeLessThanOrEqual(
        tol,
      );
    }
  });
});

// d = 3 takes the small-d path, d = 7 the general kernels.
describe.each([
  [77, 3, 4],
  [77, 7, 5],
])('sample weights, n=%i d=%i k=%i', (n, d, k) => {
  it.each(TYPES)(
    'emStep%s: Wasm == TypeScript with weights, and integer weights == repeated rows',
    (type) => {
      const p = problem(11, type, n, d, k);
      const rng = new Random(5);
      // Weights 0, 1, 2 and 3: zero drops a row, an integer repeats it.
      const weights = Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * 4));
      const stats = {
        nk: new Float64Array(k),
        sumX: new Float64Array(k * d),
        scatter: new Float64Array(scatterLength(type, k, d)),
      };
      const inputs = { ...p, ...stats, weights };
      const wasm = run(wasmBackend, inputs, emStep(type, n, d, k, 'x', 'weights'), k, d);
      const js = run(jsBackend, inputs, emStep(type, n, d, k, 'x', 'weights'), k, d);
      expectClose(wasm, js, 1e-12);
      const rows: number[] = [];
      for (let i = 0; i < n; i++)
        for (let r = 0; r < weights[i]; r++) rows.push(...p.x.subarray(i * d, i * d + d));
      const repeated = Float64Array.from(rows);
      const m = repeated.length / d;
      for (const backend of BACKENDS) {
        const weighted = backend === wasmBackend ? wasm : js;
        const copies = run(backend, { ...p, ...stats, x: repeated, weights }, emStep(type, m, d, k), k, d);
        expect(maxRelDiff([weighted.result], [copies.result])).toBeLessThanOrEqual(1e-12);
        for (const name of ['nk', 'sumX', 'scatter']) {
          expect(maxRelDiff(weighted.out[name], copies.out[name]), name).toBeLessThanOrEqual(1e-12);
        }
      }
    },
  );
});

describe('row blocks, −∞ rows, failures', () => {
  const [n, d, k] = [101, 5, 4];

  it.each(TYPES)('emStep%s: two half calls add up to one whole call; an empty call adds nothing', (type) => {
    const p = problem(7, type, n, d, k);
    const h = 37; // not a multiple of the Wasm block, so both calls end in a partial block
    const inputs = {
      ...p,
      x1: p.x.slice(0, h * d),
      x2: p.x.slice(h * d),
      nk: new Float64Array(k),
      sumX: new Float64Array(k * d),
      scatter: new Float64Array(scatterLength(type, k, d)),
    };
    for (const backend of BACKENDS) {
      const whole = run(backend, inputs, emStep(type, n, d, k), k, d);
      const halves = run(
        backend,
        inputs,
        (kern, hd) =>
          emStep(type, h, d, k, 'x1')(kern, hd) +
          emStep(type, 0, d, k, 'x2')(kern, hd) +
          emStep(type, n - h, d, k, 'x2')(kern, hd),
        k,
        d,
      );
      expectClose(halves, whole, 1e-12);
      const empty = run(
        backend,
        { ...inputs, nk: Float64Array.of(...inputs.nk.map((_, c) => c + 1)) },
        emStep(type, 0, d, k),
        k,
        d,
      );
      expect(empty.result).toBe(0);
      expect(Array.from(empty.out.nk)).toEqual(Array.from({ length: k }, (_, c) => c + 1));
    }
  });

  it.each(TYPES)('emStep%s: a row no component explains adds −∞ and uniform responsibilities', (type) => {
    const p = problem(8, type, n, d, k);
    const x = p.x.slice();
    x.fill(1e200, 3 * d, 4 * d); // ‖Uᵀ(x − μ)‖² overflows: every log-density of row 3 is −∞
    const zeros = {
      nk: new Float64Array(k),
      sumX: new Float64Array(k * d),
      scatter: new Float64Array(scatterLength(type, k, d)),
    };
    const logWeights = logWeightsFor(new Random(9), k); // all finite: row 3 is the only −∞ row
    const withRow = { ...p, x, logWeights, ...zeros };
    const without = {
      ...p,
      x: Float64Array.from([...x.subarray(0, 3 * d), ...x.subarray(4 * d)]),
      logWeights,
      ...zeros,
    };
    for (const backend of BACKENDS) {
      const a = run(backend, withRow, emStep(type, n, d, k), k, d);
      expect(a.result).toBe(-Infinity);
      const rest = run(backend, without, emStep(type, n - 1, d, k), k, d);
      for (let c = 0; c < k; c++) expect(a.out.nk[c] - rest.out.nk[c]).toBeCloseTo(1 / k, 12);
    }
    const call = emStep(type, n, d, k);
    expectClose(run(wasmBackend, withRow, call, k, d), run(jsBackend, withRow, call, k, d), 1e-12);
    // Every log weight −∞: every row is −∞ and every responsibility 1/k.
    const none = { ...p, logWeights: new Float64Array(k).fill(-Infinity), ...zeros };
    for (const backend of BACKENDS) {
      const a = run(backend, none, emStep(type, n, d, k), k, d);
      expect(a.result).toBe(-Infinity);
      for (let c = 0; c < k; c++) expect(a.out.nk[c]).toBeCloseTo(n / k, 12);
    }
  });

  it.each(TYPES)('mStep%s reports the first component that is not positive definite', (type) => {
    const p = problem(10, type, n, d, k);
    const zeros = {
      nk: new Float64Array(k),
      sumX: new Float64Array(k * d),
      scatter: new Float64Array(scatterLength(type, k, d)),
    };
    const stats = run(jsBackend, { ...p, ...zeros }, emStep(type, n, d, k), k, d).out;
    // An empty component (no responsibility at all) with reg = 0 has covariance exactly 0. Tied has
    // one covariance: every component empty.
    const empty = 1;
    if (type === 'Tied') {
      for (const a of [stats.nk, stats.sumX, stats.scatter]) a.fill(0);
    } else {
      stats.nk[empty] = 0;
      stats.sumX.fill(0, empty * d, (empty + 1) * d);
      const block = type === 'Full' ? d * d : d;
      stats.scatter.fill(0, empty * block, (empty + 1) * block);
    }
    const len = precCholLength(type, k, d);
    const inputs = {
      nk: stats.nk,
      sumX: stats.sumX,
      scatter: stats.scatter,
      means: p.means,
      cov: new Float64Array(len),
      precChol: new Float64Array(len),
    };
    const expected = type === 'Tied' ? 1 : empty + 1;
    for (const backend of BACKENDS) {
      expect(run(backend, inputs, mStep(type, d, k, 0), k, d).result, backend.name).toBe(expected);
    }
    // The empty component's mean is Σ r x / nk' = 0, as scikit-learn's.
    if (type !== 'Tied') {
      const ok = run(wasmBackend, inputs, mStep(type, d, k, 1e-6), k, d);
      expect(ok.result).toBe(0);
      expect(Array.from(ok.out.means.subarray(empty * d, (empty + 1) * d))).toEqual(new Array(d).fill(0));
    }
  });
});

describe('emStepTied: statistics through the row posteriors', () => {
  const [n, d, k] = [37, 5, 3];
  const tiedInputs = (x: Float64Array, rng: Random) => ({
    x,
    means: uniformArray(rng, k * d, -2, 2),
    precChol: precCholFor(rng, 'Tied', k, d),
    logWeights: logWeightsFor(rng, k),
    nk: new Float64Array(k),
    sumX: new Float64Array(k * d),
    scatter: new Float64Array(d * d),
  });
  const closeToScale = (a: Float64Array, b: Float64Array, tol: number): void => {
    const scale = Math.max(1, ...b.map(Math.abs));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]) / scale).toBeLessThanOrEqual(tol);
  };

  it('one outlying row among those the shift samples costs the other rows nothing', () => {
    const rng = new Random(41);
    const x = uniformArray(rng, n * d, -3, 3);
    x.fill(1e12, 2 * d, 3 * d); // row 2 is among the 32 rows the shift is taken from
    const inputs = tiedInputs(x, rng);
    const call = emStep('Tied', n, d, k);
    const a = run(wasmBackend, inputs, call, k, d);
    const b = run(jsBackend, inputs, call, k, d);
    expect(maxRelDiff(a.out.nk, b.out.nk), 'nk').toBeLessThanOrEqual(1e-12);
    closeToScale(a.out.sumX, b.out.sumX, 1e-12);
    closeToScale(a.out.scatter, b.out.scatter, 1e-12);
  });

  it('a subnormal sample weight gives finite statistics, as the twin', () => {
    const rng = new Random(42);
    const inputs = {
      ...tiedInputs(uniformArray(rng, n * d, -3, 3), rng),
      weights: new Float64Array(n).fill(1),
    };
    inputs.weights[5] = 1e-310;
    inputs.weights[6] = 5e-324;
    const call = emStep('Tied', n, d, k, 'x', 'weights');
    const a = run(wasmBackend, inputs, call, k, d);
    const b = run(jsBackend, inputs, call, k, d);
    expect(a.out.scatter.every(Number.isFinite)).toBe(true);
    expectClose(a, b, 1e-12);
  });

  // The tied kernel takes the scatter about each row's posterior mean plus Σ A_cc'(μ_c − μ_c')(…)ᵀ
  // and the log-densities from (x − s)·U − (μ_c − s)·U (fused-tied.ts). Far-apart means (sums of
  // 1e6·σ² between-component terms) and a common offset of 1e6 must not cost digits against the
  // plain per-component sums of the twin.
  it.each([
    [0, 1e3],
    [1e6, 4],
    [1e6, 1e4],
  ])('offset %d, separation %d σ: Wasm == TypeScript', (offset, separation) => {
    const [n, d, k] = [500, 6, 4];
    const rng = new Random(31);
    const means = new Float64Array(k * d);
    for (let i = 0; i < means.length; i++) means[i] = offset + separation * (rng.uniform() - 0.5);
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const c = i % k;
      for (let j = 0; j < d; j++)
        x[i * d + j] = means[c * d + j] + 0.3 * rng.normal() + (rng.uniform() - 0.5);
    }
    // Start with the means off their clusters (the statistics about them are not small), and one
    // row halfway between two far components, so the cross terms are not all zero.
    const start = means.map((v) => v + 0.5 * rng.normal());
    x.set(
      Array.from({ length: d }, (_, j) => 0.5 * (means[j] + means[d + j])),
      0,
    );
    const inputs = {
      x,
      means: start,
      precChol: precCholFor(rng, 'Tied', k, d).map((v) => v / 2),
      logWeights: logWeightsFor(rng, k),
      nk: new Float64Array(k),
      sumX: new Float64Array(k * d),
      scatter: new Float64Array(d * d),
    };
    const call = emStep('Tied', n, d, k);
    const a = run(wasmBackend, inputs, call, k, d);
    const b = run(jsBackend, inputs, call, k, d);
    expect(maxRelDiff([a.result], [b.result]), 'result').toBeLessThanOrEqual(1e-12);
    expect(maxRelDiff(a.out.nk, b.out.nk), 'nk').toBeLessThanOrEqual(1e-12);
    // Relative to each array's largest entry (the statistics about means far off are large).
    for (const name of ['sumX', 'scatter']) {
      const scale = Math.max(...b.out[name].map(Math.abs));
      const diff = Math.max(...a.out[name].map((v, i) => Math.abs(v - b.out[name][i])));
      expect(diff / scale, name).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('responsibilities (f64x2 exp)', () => {
  it.each([1, 2, 5, 8])('k=%i: NaN rows, all-NaN rows and −∞ rows as the TypeScript twin', (k) => {
    const n = 9;
    const rng = new Random(100 + k);
    const logProb = uniformArray(rng, n * k, -900, 3);
    logProb[1 * k] = NaN; // one NaN among finite values: the whole row is NaN
    for (let c = 0; c < k; c++) logProb[2 * k + c] = NaN; // all NaN: no maximum, so uniform and −∞
    for (let c = 0; c < k; c++) logProb[3 * k + c] = -Infinity;
    const inputs = { logProb, logWeights: logWeightsFor(rng, k), lse: new Float64Array(n) };
    const call: Call = (kern, h) => kern.responsibilities(h.logProb, n, k, h.logWeights, h.lse);
    const a = run(wasmBackend, inputs, call, k, 1);
    const b = run(jsBackend, inputs, call, k, 1);
    for (const name of ['logProb', 'lse']) {
      const x = a.out[name];
      const y = b.out[name];
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(y[i])) expect(x[i], `${name}[${i}]`).toBeNaN();
        else expect(maxRelDiff([x[i]], [y[i]]), `${name}[${i}]`).toBeLessThanOrEqual(1e-12);
      }
    }
    expect(b.out.lse[2]).toBe(-Infinity);
    expect(a.result).toBe(k > 1 ? NaN : -Infinity); // with k = 1 a NaN row is an all-NaN row
  });
});
