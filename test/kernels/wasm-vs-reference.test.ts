import { beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js';
import type { Backend, Handle, Kernels, Workspace } from '../../src/backend/types';
import { wasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { maxRelDiff, uniformArray } from '../helpers/data';

/**
 * Each Wasm kernel against its TypeScript twin on the same random inputs, over shapes that include
 * D = 1, odd D and K, and K = 1. Inputs are copied into each backend's workspace; every output
 * array is compared.
 */
type Arrays = Record<string, Float64Array | Int32Array>;
type Call = (kern: Kernels, h: Record<string, Handle>) => number | void;

function run(backend: Backend, inputs: Arrays, call: Call): { result: number | void; out: Arrays } {
  const ws: Workspace = backend.acquire();
  try {
    const h: Record<string, Handle> = {};
    for (const [name, a] of Object.entries(inputs)) {
      h[name] = a instanceof Int32Array ? ws.allocI32(a.length) : ws.allocF64(a.length);
    }
    for (const [name, a] of Object.entries(inputs)) {
      if (a instanceof Int32Array) ws.i32(h[name], a.length).set(a);
      else ws.f64(h[name], a.length).set(a);
    }
    const result = call(ws.kernels, h);
    const out: Arrays = {};
    for (const [name, a] of Object.entries(inputs)) {
      out[name] =
        a instanceof Int32Array
          ? Int32Array.from(ws.i32(h[name], a.length))
          : Float64Array.from(ws.f64(h[name], a.length));
    }
    return { result, out };
  } finally {
    ws.release();
  }
}

function expectSame(inputs: Arrays, call: Call, tol = 1e-12): void {
  const a = run(wasmBackend, inputs, call);
  const b = run(jsBackend, inputs, call);
  if (typeof b.result === 'number') {
    expect(maxRelDiff([a.result as number], [b.result])).toBeLessThanOrEqual(tol);
  }
  for (const name of Object.keys(inputs)) {
    if (name === 'work') continue; // scratch: the twins leave theirs untouched
    const x = a.out[name];
    const y = b.out[name];
    const diff = maxRelDiff(x, y);
    expect(diff, `array ${name}`).toBeLessThanOrEqual(tol);
  }
}

/** Upper-triangular factors with positive diagonals (below-diagonal garbage must be ignored). */
function upperFactors(rng: Random, count: number, d: number): Float64Array {
  const u = uniformArray(rng, count * d * d, -0.5, 0.5);
  for (let c = 0; c < count; c++) for (let j = 0; j < d; j++) u[c * d * d + j * d + j] = 0.5 + rng.uniform();
  return u;
}

function responsibilitiesFor(rng: Random, n: number, k: number): Float64Array {
  const r = uniformArray(rng, n * k, 0, 1);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += r[i * k + c];
    for (let c = 0; c < k; c++) r[i * k + c] /= s;
  }
  // Exact zeros exercise the kernels' skip of rows with no responsibility.
  if (n > 2) r[k] = 0;
  return r;
}

const SHAPES: [n: number, d: number, k: number][] = [
  [1, 1, 1],
  [7, 1, 3],
  [13, 2, 2],
  [31, 3, 5],
  [64, 5, 4],
  [101, 8, 7],
  [40, 13, 3],
];

beforeAll(async () => {
  await loadModule();
});

describe.each(SHAPES)('n=%i d=%i k=%i', (n, d, k) => {
  const seed = n * 1000 + d * 10 + k;

  it.each(['Full', 'Tied', 'Diag', 'Spherical'] as const)('logProb%s', (type) => {
    const rng = new Random(seed);
    const count = { Full: k * d * d, Tied: d * d, Diag: k * d, Spherical: k }[type];
    const precChol =
      type === 'Full'
        ? upperFactors(rng, k, d)
        : type === 'Tied'
          ? upperFactors(rng, 1, d)
          : uniformArray(rng, count, 0.3, 2);
    const inputs = {
      x: uniformArray(rng, n * d, -3, 3),
      means: uniformArray(rng, k * d, -2, 2),
      precChol,
      out: new Float64Array(n * k),
    };
    expectSame(inputs, (kern, h) => kern[`logProb${type}`](h.x, n, d, h.means, h.precChol, k, h.out));
  });

  it('responsibilities (with and without lse, with an all −∞ row)', () => {
    const rng = new Random(seed + 1);
    const logProb = uniformArray(rng, n * k, -800, 5);
    if (n > 1) for (let c = 0; c < k; c++) logProb[k + c] = -Infinity;
    const logWeights = uniformArray(rng, k, -3, 0);
    expectSame({ logProb, logWeights, lse: new Float64Array(n) }, (kern, h) =>
      kern.responsibilities(h.logProb, n, k, h.logWeights, h.lse),
    );
    expectSame({ logProb: logProb.map((v) => (v === -Infinity ? -5 : v)), logWeights }, (kern, h) =>
      kern.responsibilities(h.logProb, n, k, h.logWeights, 0),
    );
  });

  it('accumulateMoments and every scatter (accumulating onto non-zero outputs)', () => {
    const rng = new Random(seed + 2);
    const base = {
      x: uniformArray(rng, n * d, -3, 3),
      resp: responsibilitiesFor(rng, n, k),
      means: uniformArray(rng, k * d, -1, 1),
    };
    const sym = (count: number): Float64Array => {
      const s = new Float64Array(count * d * d);
      for (let c = 0; c < count; c++)
        for (let a = 0; a < d; a++)
          for (let b = 0; b <= a; b++) s[c * d * d + a * d + b] = s[c * d * d + b * d + a] = rng.uniform();
      return s;
    };
    expectSame({ ...base, nk: uniformArray(rng, k, 0, 1), sumX: uniformArray(rng, k * d) }, (kern, h) =>
      kern.accumulateMoments(h.x, n, d, h.resp, k, h.nk, h.sumX),
    );
    expectSame({ ...base, out: sym(k) }, (kern, h) =>
      kern.accumulateScatterFull(h.x, n, d, h.resp, k, h.means, h.out),
    );
    expectSame({ ...base, out: sym(1) }, (kern, h) =>
      kern.accumulateScatterTied(h.x, n, d, h.resp, k, h.means, h.out),
    );
    expectSame({ ...base, out: uniformArray(rng, k * d, 0, 1) }, (kern, h) =>
      kern.accumulateScatterDiag(h.x, n, d, h.resp, k, h.means, h.out),
    );
  });

  it('finalize kernels and the Cholesky helpers', () => {
    const rng = new Random(seed + 3);
    const spd = (count: number): Float64Array => {
      const out = new Float64Array(count * d * d);
      for (let c = 0; c < count; c++) {
        const a = uniformArray(rng, d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) {
            let s = i === j ? d : 0;
            for (let m = 0; m < d; m++) s += a[i * d + m] * a[j * d + m];
            out[c * d * d + i * d + j] = s;
          }
      }
      return out;
    };
    const nk = uniformArray(rng, k, 1, 20);
    const reg = 1e-6;
    expectSame(
      { scatter: spd(k), nk, cov: new Float64Array(k * d * d), pc: new Float64Array(k * d * d) },
      (kern, h) => kern.finalizeFull(h.scatter, h.nk, k, d, reg, h.cov, h.pc),
    );
    expectSame({ scatter: spd(1), cov: new Float64Array(d * d), pc: new Float64Array(d * d) }, (kern, h) =>
      kern.finalizeTied(h.scatter, 17.5, d, reg, h.cov, h.pc),
    );
    const diagScatter = uniformArray(rng, k * d, 0, 5);
    expectSame(
      { scatter: diagScatter, nk, cov: new Float64Array(k * d), pc: new Float64Array(k * d) },
      (kern, h) => kern.finalizeDiag(h.scatter, h.nk, k, d, reg, h.cov, h.pc),
    );
    expectSame({ scatter: diagScatter, nk, cov: new Float64Array(k), pc: new Float64Array(k) }, (kern, h) =>
      kern.finalizeSpherical(h.scatter, h.nk, k, d, reg, h.cov, h.pc),
    );
    expectSame({ a: spd(1), out: new Float64Array(d * d) }, (kern, h) => kern.cholesky(h.a, d, h.out));
    expectSame({ p: spd(1), out: new Float64Array(d * d) }, (kern, h) =>
      kern.precisionCholeskyFromPrecision(h.p, d, h.out),
    );
    // Failures: both report a failure for the same non-positive-definite input.
    const bad = new Float64Array(d * d);
    bad[0] = -1;
    const status = (b: Backend): number =>
      run(b, { a: bad, out: new Float64Array(d * d) }, (kern, h) => kern.cholesky(h.a, d, h.out))
        .result as number;
    expect(status(wasmBackend)).toBe(1);
    expect(status(jsBackend)).toBe(1);
    const failing = (b: Backend): number =>
      run(
        b,
        {
          s: new Float64Array(k * d * d),
          nk,
          cov: new Float64Array(k * d * d),
          pc: new Float64Array(k * d * d),
        },
        (kern, h) => kern.finalizeFull(h.s, h.nk, k, d, 0, h.cov, h.pc),
      ).result as number;
    expect(failing(wasmBackend)).toBe(1);
    expect(failing(jsBackend)).toBe(1);
  });

  it('kmeansStep and minSqDistMany: bit-identical', () => {
    const rng = new Random(seed + 4);
    const x = uniformArray(rng, n * d, -3, 3);
    const centers = uniformArray(rng, k * d, -3, 3);
    // A duplicated center makes ties, which must go to the lower index in both.
    if (k > 1) centers.copyWithin(d, 0, d);
    const probe = wasmBackend.acquire();
    const work = new Float64Array(Math.max(1, probe.kernels.kmeansWorkLength(k + 3, d)));
    probe.release();
    expectSame(
      {
        x,
        centers,
        labels: new Int32Array(n),
        sums: uniformArray(rng, k * d),
        counts: uniformArray(rng, k, 0, 3),
        minDist: new Float64Array(n),
        work,
      },
      (kern, h) => kern.kmeansStep(h.x, n, d, h.centers, k, h.labels, h.sums, h.counts, h.minDist, h.work),
      0,
    );
    // 1, an odd and an even number of candidates; one candidate equal to a row (distance 0).
    for (const m of [1, k + 2, k + 3]) {
      const points = uniformArray(rng, m * d, -3, 3);
      points.set(x.subarray(0, d), 0);
      expectSame(
        {
          x,
          points,
          dist: uniformArray(rng, n, 0, 20),
          out: new Float64Array(m * n),
          totals: new Float64Array(m),
          work,
        },
        (kern, h) => kern.minSqDistMany(h.x, n, d, h.points, m, h.dist, h.out, h.totals, h.work),
        0,
      );
    }
  });
});
