// The shared block posterior of the family kernels (assembly/families/block.ts): two rows per
// vector, its own vector log. Checked against m + Math.log(Σ exp(a − m)) row by row.
import { describe, expect, it } from 'vitest';
import { BLOCK_ROWS } from '../../src/util/special';
import { loadModule } from '../../src/wasm/module';

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  blockPosterior(l: number, stride: number, k: number, b: number, lse: number): number;
  blockRows(): number;
}

async function instance(): Promise<Exports> {
  const module = await loadModule();
  const inst = await WebAssembly.instantiate(module, { env: { abort: () => {} } });
  const ex = inst.exports as unknown as Exports;
  ex.memory.grow(64);
  return ex;
}

/** Runs blockPosterior on rows `a (b × k)` and returns the posteriors (b × k) and lse (b). */
function run(
  ex: Exports,
  a: number[][],
  k: number,
  rowsLse = true,
): { r: number[][]; lse: number[]; total: number } {
  const b = a.length;
  const stride = ((b + 1) & ~1) * 8 + 16;
  const l = (ex.heapBase() + 15) & ~15;
  const lse = l + k * stride;
  const view = new Float64Array(ex.memory.buffer, l, (k * stride) / 8 + b + 1);
  view.fill(NaN);
  a.forEach((row, i) => row.forEach((v, c) => (view[(c * stride) / 8 + i] = v)));
  const total = ex.blockPosterior(l, stride, k, b, rowsLse ? lse : 0);
  const out = new Float64Array(ex.memory.buffer, l, (k * stride) / 8 + b + 1);
  return {
    r: a.map((_, i) => Array.from({ length: k }, (_, c) => out[(c * stride) / 8 + i])),
    lse: Array.from({ length: b }, (_, i) => out[(k * stride) / 8 + i]),
    total,
  };
}

function reference(row: number[]): { r: number[]; lse: number } {
  const m = Math.max(...row);
  if (m === -Infinity) return { r: row.map(() => 0), lse: -Infinity };
  const s = row.reduce((t, v) => t + Math.exp(v - m), 0);
  return { r: row.map((v) => Math.exp(v - m) / s), lse: m + Math.log(s) };
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('blockPosterior', () => {
  it.each([
    [1, 5],
    [2, 64],
    [3, 7],
    [5, 64],
    [17, 33],
    [64, 9],
  ])('K = %i, %i rows: lse within 1e-15 relative, posteriors within 2e-15, rows sum to 1', async (k, b) => {
    const ex = await instance();
    const u = lcg(k * 1000 + b);
    for (const spread of [4, 1e3, 1e6]) {
      const a = Array.from({ length: b }, () =>
        Array.from({ length: k }, () => (u() < 0.05 ? -Infinity : -u() * spread + 50)),
      );
      const { r, lse } = run(ex, a, k);
      a.forEach((row, i) => {
        const ref = reference(row);
        if (ref.lse === -Infinity) expect(lse[i]).toBe(-Infinity);
        else expect(Math.abs(lse[i] - ref.lse)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(ref.lse)));
        r[i].forEach((v, c) => expect(Math.abs(v - ref.r[c])).toBeLessThanOrEqual(2e-15));
        if (ref.lse !== -Infinity) expect(Math.abs(r[i].reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-14);
      });
    }
  });

  it('an impossible row gets lse −∞ and zero posteriors; NaN propagates', async () => {
    const ex = await instance();
    const { r, lse } = run(
      ex,
      [
        [-Infinity, -Infinity],
        [0, NaN],
        [-1, -2],
      ],
      2,
    );
    expect(lse[0]).toBe(-Infinity);
    expect(r[0]).toEqual([0, 0]);
    expect(Number.isNaN(lse[1])).toBe(true);
    expect(lse[2]).toBeCloseTo(-1 + Math.log(1 + Math.exp(-1)), 15);
  });

  it('the vector log is within 1 ulp of Math.log over row sums in [1, 2^20]', async () => {
    // Two components with a_0 = 0 and a_1 = log(t − 1): the row sum is t, lse = log t.
    const ex = await instance();
    const u = lcg(99);
    const ts = [1, 1 + 2 ** -40, Math.SQRT2, 2, 3, 1023.5, 2 ** 20];
    for (let i = 0; i < 500; i++) ts.push(1 + u() * 2 ** (u() * 20));
    const { lse } = run(
      ex,
      ts.map((t) => [0, Math.log(t - 1)]),
      2,
    );
    ts.forEach((t, i) => {
      const s = 1 + Math.exp(Math.log(t - 1)); // the row sum the kernel sees
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(Math.log(s)) || 1)) - 52);
      expect(Math.abs(lse[i] - Math.log(s))).toBeLessThanOrEqual(2 * ulp);
    });
  });
});

describe("blockPosterior without rows' lse (a pass that needs only the bound)", () => {
  it.each([
    [1, 1],
    [2, 64],
    [3, 63],
    [5, 2],
    [17, 33],
  ])('K = %i, %i rows: the same posteriors, and the same total to 1e-15 per row', async (k, b) => {
    const ex = await instance();
    const u = lcg(k * 7 + b);
    for (const spread of [4, 1e3, 1e6]) {
      const a = Array.from({ length: b }, () => Array.from({ length: k }, () => -u() * spread + 50));
      const withRows = run(ex, a, k);
      const expected = withRows.lse.reduce((t, v) => t + v, 0);
      expect(Math.abs(withRows.total - expected)).toBeLessThanOrEqual(
        1e-15 * Math.max(1, Math.abs(expected)),
      );
      const sumOnly = run(ex, a, k, false);
      expect(Math.abs(sumOnly.total - expected)).toBeLessThanOrEqual(
        1e-15 * Math.max(1, Math.abs(expected)) * b,
      );
      expect(sumOnly.r).toEqual(withRows.r);
    }
  });

  it('a block with an impossible row sums to −∞ either way', async () => {
    const ex = await instance();
    const a = [
      [0, -Infinity],
      [-Infinity, -Infinity],
      [-1, 0],
    ];
    expect(run(ex, a, 2, false).total).toBe(-Infinity);
    expect(run(ex, a, 2, true).total).toBe(-Infinity);
    expect(
      run(
        ex,
        [
          [0, -1],
          [-2, -3],
          [-1, 0],
        ],
        2,
        false,
      ).total,
    ).toBeCloseTo(
      [
        [0, -1],
        [-2, -3],
        [-1, 0],
      ].reduce((t, [x, y]) => t + Math.max(x, y) + Math.log1p(Math.exp(-Math.abs(x - y))), 0),
      14,
    );
  });
});

it("the twins' BLOCK_ROWS (which sizes every family's work array) is the kernels'", async () => {
  expect((await instance()).blockRows()).toBe(BLOCK_ROWS);
});
