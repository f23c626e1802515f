import { beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js';
import type { Backend } from '../../src/backend/types';
import { wasmBackend } from '../../src/backend/wasm';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { maxRelDiff, uniformArray } from '../helpers/data';

beforeAll(async () => {
  await loadModule();
});

/** Symmetric positive-definite `(k × d × d)`: `A Aᵀ + I/2` for random `A`. */
function spdCovariances(rng: Random, k: number, d: number): Float64Array {
  const out = new Float64Array(k * d * d);
  for (let c = 0; c < k; c++) {
    const a = uniformArray(rng, d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = i === j ? 0.5 : 0;
        for (let q = 0; q < d; q++) s += a[i * d + q] * a[j * d + q];
        out[c * d * d + i * d + j] = s;
      }
    }
  }
  return out;
}

/** Patterns as `idx (P × d)` rows (observed ascending, then missing), with their observed counts. */
function patterns(rng: Random, d: number): { idx: Int32Array; nObs: number[] } {
  const masks: boolean[][] = [
    Array.from({ length: d }, () => true),
    Array.from({ length: d }, (_, j) => j === d - 1),
    Array.from({ length: d }, (_, j) => j === 0 || rng.uniform() < 0.5),
  ];
  const idx = new Int32Array(masks.length * d);
  const nObs: number[] = [];
  masks.forEach((mask, p) => {
    let at = p * d;
    for (let j = 0; j < d; j++) if (mask[j]) idx[at++] = j;
    nObs.push(at - p * d);
    for (let j = 0; j < d; j++) if (!mask[j]) idx[at++] = j;
  });
  return { idx, nObs };
}

interface Outputs {
  status: number[];
  totals: number[];
  factors: Float64Array[];
  arrays: Record<string, Float64Array>;
}

/**
 * Every pattern through `missingFactors` then `missingEStep` (all outputs on), on one backend.
 * Pattern p covers `counts[p]` rows, one pattern after another; `weights (n)` or null.
 */
function run(
  backend: Backend,
  x: Float64Array,
  counts: number[],
  d: number,
  k: number,
  cov: Float64Array,
  pat: { idx: Int32Array; nObs: number[] },
  means: Float64Array,
  logW: Float64Array,
  start: Record<string, Float64Array>,
  weights: Float64Array | null = null,
): Outputs {
  const ws = backend.acquire();
  try {
    const kern = ws.kernels;
    const n = x.length / d;
    const h = {
      x: ws.allocF64(x.length),
      cov: ws.allocF64(cov.length),
      idx: ws.allocI32(pat.idx.length),
      means: ws.allocF64(means.length),
      logW: ws.allocF64(k),
      factors: ws.allocF64(k * kern.missingFactorLength(d)),
      work: ws.allocF64(kern.missingWorkLength(k, d)),
      nk: ws.allocF64(k),
      sumX: ws.allocF64(k * d),
      scatter: ws.allocF64(k * d * d),
      resp: ws.allocF64(n * k),
      lse: ws.allocF64(n),
      xhat: ws.allocF64(n * d),
      sw: weights ? ws.allocF64(n) : 0,
    };
    if (weights) ws.f64(h.sw, n).set(weights);
    ws.f64(h.x, x.length).set(x);
    ws.f64(h.cov, cov.length).set(cov);
    ws.i32(h.idx, pat.idx.length).set(pat.idx);
    ws.f64(h.means, means.length).set(means);
    ws.f64(h.logW, k).set(logW);
    for (const name of ['nk', 'sumX', 'scatter'] as const)
      ws.f64(h[name], start[name].length).set(start[name]);
    const out: Outputs = { status: [], totals: [], factors: [], arrays: {} };
    const fl = k * kern.missingFactorLength(d);
    let first = 0;
    pat.nObs.forEach((o, p) => {
      out.status.push(kern.missingFactors(h.cov, k, d, h.idx, p, o, h.factors));
      out.factors.push(Float64Array.from(ws.f64(h.factors, fl)));
      out.totals.push(
        kern.missingEStep(
          h.x,
          first,
          counts[p],
          d,
          h.idx,
          p,
          o,
          h.means,
          h.factors,
          h.logW,
          k,
          h.nk,
          h.sumX,
          h.scatter,
          h.resp,
          h.lse,
          h.xhat,
          h.work,
          h.sw,
        ),
      );
      first += counts[p];
    });
    const sizes = { nk: k, sumX: k * d, scatter: k * d * d, resp: n * k, lse: n, xhat: n * d };
    for (const [name, len] of Object.entries(sizes)) {
      out.arrays[name] = Float64Array.from(ws.f64(h[name as keyof typeof sizes], len));
    }
    return out;
  } finally {
    ws.release();
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 2, 3],
  [7, 3, 2],
  [5, 5, 1],
  [9, 7, 3],
  [4, 10, 5],
];

/** Random patterns, rows (NaN in their missing entries), covariances, means, weights and start sums. */
function problem(rowsPer: number, d: number, k: number) {
  const rng = new Random(rowsPer * 100 + d * 10 + k);
  const pat = patterns(rng, d);
  const P = pat.nObs.length;
  const n = P * rowsPer;
  const x = uniformArray(rng, n * d, -3, 3);
  // Missing entries hold NaN: the kernels must not read them.
  for (let p = 0; p < P; p++) {
    for (let a = pat.nObs[p]; a < d; a++) {
      for (let r = 0; r < rowsPer; r++) x[(p * rowsPer + r) * d + pat.idx[p * d + a]] = NaN;
    }
  }
  const cov = spdCovariances(rng, k, d);
  const means = uniformArray(rng, k * d, -2, 2);
  const logW = uniformArray(rng, k, -2, 0);
  const start = {
    nk: uniformArray(rng, k, 0, 1),
    sumX: uniformArray(rng, k * d),
    scatter: uniformArray(rng, k * d * d),
  };
  const counts = new Array<number>(P).fill(rowsPer);
  return { rng, pat, P, n, x, cov, means, logW, start, counts };
}

function expectSameOutputs(a: Outputs, b: Outputs, P: number): void {
  expect(a.status).toEqual(new Array(P).fill(0));
  expect(b.status).toEqual(a.status);
  expect(maxRelDiff(a.totals, b.totals)).toBeLessThan(1e-12);
  for (let p = 0; p < P; p++)
    expect(maxRelDiff(a.factors[p], b.factors[p]), `factors ${p}`).toBeLessThan(1e-12);
  for (const name of Object.keys(a.arrays)) {
    expect(maxRelDiff(a.arrays[name], b.arrays[name]), name).toBeLessThan(1e-12);
  }
}

describe.each(SHAPES)('missing kernels, %i rows per pattern, d=%i k=%i', (rowsPer, d, k) => {
  it('Wasm equals the TypeScript twin (factors, densities, responsibilities, statistics, conditional means)', () => {
    const { pat, P, n, x, cov, means, logW, start, counts } = problem(rowsPer, d, k);
    const a = run(wasmBackend, x, counts, d, k, cov, pat, means, logW, start);
    const b = run(jsBackend, x, counts, d, k, cov, pat, means, logW, start);
    expectSameOutputs(a, b, P);
    for (let i = 0; i < n * d; i++) expect(Number.isFinite(a.arrays.xhat[i])).toBe(true);
  });

  it('with sample weights (some 0), Wasm equals the twin, and resp, lse, xhat stay unweighted', () => {
    const { rng, pat, P, n, x, cov, means, logW, start, counts } = problem(rowsPer, d, k);
    const weights = uniformArray(rng, n, 0, 3);
    for (let i = 0; i < n; i += 3) weights[i] = 0;
    const a = run(wasmBackend, x, counts, d, k, cov, pat, means, logW, start, weights);
    const b = run(jsBackend, x, counts, d, k, cov, pat, means, logW, start, weights);
    expectSameOutputs(a, b, P);
    const plain = run(wasmBackend, x, counts, d, k, cov, pat, means, logW, start);
    for (const name of ['resp', 'lse', 'xhat']) expect(a.arrays[name], name).toEqual(plain.arrays[name]);
    // The totals are Σ w·lse.
    let first = 0;
    for (let p = 0; p < P; p++) {
      let expected = 0;
      for (let i = first; i < first + counts[p]; i++) expected += weights[i] * plain.arrays.lse[i];
      expect(maxRelDiff([a.totals[p]], [expected])).toBeLessThan(1e-12);
      first += counts[p];
    }
  });

  it.each([
    ['wasm', wasmBackend],
    ['js', jsBackend],
  ] as const)('integer weights equal repeated rows (%s)', (_name, backend) => {
    const { rng, pat, P, x, cov, means, logW, start, counts } = problem(rowsPer, d, k);
    const weights = Float64Array.from({ length: x.length / d }, () => Math.floor(rng.uniform() * 4));
    const rows: number[] = [];
    const repeatedCounts = counts.map(() => 0);
    let first = 0;
    for (let p = 0; p < P; p++) {
      for (let i = first; i < first + counts[p]; i++) {
        for (let copy = 0; copy < weights[i]; copy++) rows.push(i);
        repeatedCounts[p] += weights[i];
      }
      first += counts[p];
    }
    const repeated = new Float64Array(rows.length * d);
    rows.forEach((i, r) => repeated.set(x.subarray(i * d, i * d + d), r * d));
    const a = run(backend, x, counts, d, k, cov, pat, means, logW, start, weights);
    const b = run(backend, repeated, repeatedCounts, d, k, cov, pat, means, logW, start);
    expect(maxRelDiff(a.totals, b.totals)).toBeLessThan(1e-12);
    for (const name of ['nk', 'sumX', 'scatter']) {
      expect(maxRelDiff(a.arrays[name], b.arrays[name]), name).toBeLessThan(1e-12);
    }
  });
});

describe('missing kernels: known answers', () => {
  it('missingFactors gives Σ_mo Σ_oo⁻¹, the conditional covariance and the marginal constant', () => {
    // d = 3, observed {0, 2}, missing {1}.
    const cov = Float64Array.from([4, 2, 1, 2, 3, 0.5, 1, 0.5, 2]);
    const idx = Int32Array.from([0, 2, 1]);
    for (const backend of [wasmBackend, jsBackend]) {
      const ws = backend.acquire();
      try {
        const h = {
          cov: ws.allocF64(9),
          idx: ws.allocI32(3),
          f: ws.allocF64(ws.kernels.missingFactorLength(3)),
        };
        ws.f64(h.cov, 9).set(cov);
        ws.i32(h.idx, 3).set(idx);
        expect(ws.kernels.missingFactors(h.cov, 1, 3, h.idx, 0, 2, h.f)).toBe(0);
        const f = ws.f64(h.f, 10);
        // Σ_oo = [[4, 1], [1, 2]], det 7, inverse [[2, -1], [-1, 4]] / 7; Σ_mo = [2, 0.5].
        const B = [(2 * 2 - 0.5) / 7, (-2 + 0.5 * 4) / 7];
        expect(f[4]).toBeCloseTo(B[0], 14);
        expect(f[5]).toBeCloseTo(B[1], 14);
        expect(f[6]).toBeCloseTo(3 - (B[0] * 2 + B[1] * 0.5), 14);
        expect(f[9]).toBeCloseTo(-Math.log(2 * Math.PI) - 0.5 * Math.log(7), 14);
      } finally {
        ws.release();
      }
    }
  });

  it('a non-positive-definite observed block returns c + 1', () => {
    const cov = Float64Array.from([1, 0, 0, 1, 1, 2, 2, 1]);
    for (const backend of [wasmBackend, jsBackend]) {
      const ws = backend.acquire();
      try {
        const h = {
          cov: ws.allocF64(8),
          idx: ws.allocI32(2),
          f: ws.allocF64(2 * ws.kernels.missingFactorLength(2)),
        };
        ws.f64(h.cov, 8).set(cov);
        ws.i32(h.idx, 2).set([0, 1]);
        expect(ws.kernels.missingFactors(h.cov, 2, 2, h.idx, 0, 2, h.f)).toBe(2);
      } finally {
        ws.release();
      }
    }
  });
});
