// The vector exp of assembly/util/simd.ts (F64x2Math.exp, through the expInto export), which every
// posterior, Gaussian responsibility and HMM lattice step goes through. Checked against a
// reference in 200-bit BigInt fixed point, so the bound pinned here is on the error itself, not on
// the distance to another libm.
import { describe, expect, it } from 'vitest';
import { loadModule } from '../../src/wasm/module';

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  expInto(a: number, out: number, count: number): void;
}

async function instance(): Promise<Exports> {
  const module = await loadModule();
  const inst = await WebAssembly.instantiate(module, { env: { abort: () => {} } });
  const ex = inst.exports as unknown as Exports;
  ex.memory.grow(4);
  return ex;
}

/** exp of every value through the kernel (an odd count is padded with a 0 lane). */
function wasmExp(ex: Exports, xs: number[]): number[] {
  const count = (xs.length + 1) & ~1;
  const a = (ex.heapBase() + 15) & ~15;
  const input = new Float64Array(ex.memory.buffer, a, count);
  input.fill(0);
  input.set(xs);
  ex.expInto(a, a + count * 8, count);
  return Array.from(new Float64Array(ex.memory.buffer, a + count * 8, xs.length));
}

const P = 200n;
const ONE = 1n << P;
// ln 2 = Σ_{k ≥ 1} 1 / (k·2^k); 240 terms leave less than 2^-240, each truncation costs 2^-200.
const LN2 = (() => {
  let s = 0n;
  for (let k = 1n; k <= 240n; k++) s += ONE / (k << k);
  return s;
})();

/** The exact value of the f64 `x` in units of 2^-200 (exact for |x| ≥ 2^-147). */
function toFixed(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = (bits >> 52n) & 0x7ffn;
  const mantissa = (bits & ((1n << 52n) - 1n)) | (biased ? 1n << 52n : 0n);
  const shift = (biased ? biased - 1075n : -1074n) + P;
  const v = shift >= 0n ? mantissa << shift : mantissa >> -shift;
  return bits >> 63n ? -v : v;
}

/** |y − e^x| in ulps of e^x: e^x = 2^n·e^r with |r| ≤ ln2/2, e^r by its Taylor series to 2^-200. */
function ulpError(x: number, y: number): number {
  const xf = toFixed(x);
  let n = xf / LN2;
  let r = xf - n * LN2;
  while (2n * r > LN2) ((n += 1n), (r -= LN2));
  while (2n * r < -LN2) ((n -= 1n), (r += LN2));
  let er = ONE;
  let term = ONE;
  for (let k = 1n; term !== 0n; k++) {
    term = (term * r) / (k * ONE);
    er += term;
  }
  // y = m·2^q exactly; in units of 2^(n − 200), where e^x is er.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, y);
  const bits = view.getBigUint64(0);
  const m = (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  const q = ((bits >> 52n) & 0x7ffn) - 1075n;
  const scaled = m << (q - n + P);
  const ulp = 1n << (er >= ONE ? P - 52n : P - 53n);
  return Math.abs(Number(scaled - er)) / Number(ulp);
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('F64x2Math.exp', () => {
  it('the reference is right where the answer is known', () => {
    // Correctly rounded values (mpmath, 50 digits): each within half an ulp, its neighbour not.
    const known: [number, number][] = [
      [0, 1],
      [1, Math.E],
      [-0.5, 0.6065306597126334],
      [1e-10, 1.0000000001],
      [100, 2.6881171418161356e43],
      [709.78, 1.7928227943945155e308],
      [-708.39, 2.2394014988804677e-308],
    ];
    for (const [x, y] of known) {
      expect(ulpError(x, y)).toBeLessThanOrEqual(0.5);
      expect(ulpError(x, y * (1 + 2 ** -52))).toBeGreaterThan(0.5);
    }
  });

  it('is within 0.52 ulp of e^x across [−708.39, 709.78], near 0 and at every table boundary', async () => {
    const ex = await instance();
    const u = lcg(2026);
    const xs = [0, -0, 1, -1, 709.78, -708.39, 2 ** -30, -(2 ** -60), 1e-300];
    for (let i = 0; i < 4000; i++) xs.push(-708.39 + u() * (709.78 + 708.39));
    for (let i = 0; i < 1000; i++) xs.push(2 * u() - 1);
    for (let i = 0; i < 500; i++) xs.push((u() < 0.5 ? -1 : 1) * 10 ** (-20 * u()));
    // Halfway between two table points, |r| is largest (and the rounding of n is decided).
    for (let j = -640; j < 640; j++) xs.push(((j + 0.5) * Math.LN2) / 128);
    const ys = wasmExp(ex, xs);
    let worst = 0;
    xs.forEach((x, i) => (worst = Math.max(worst, ulpError(x, ys[i]))));
    expect(worst).toBeLessThan(0.52);
    expect(wasmExp(ex, [0, -0, 1])).toEqual([1, 1, Math.E]);
  });

  it('is exactly 0 below the smallest normal result, including −∞; NaN gives NaN', async () => {
    const ex = await instance();
    const below = [-708.3900000000001, -708.4, -745.2, -746, -1e300, -Number.MAX_VALUE, -Infinity];
    expect(wasmExp(ex, below)).toEqual(below.map(() => 0));
    expect(wasmExp(ex, [-708.39])[0]).toBeGreaterThanOrEqual(2 ** -1022);
    const negativeNaN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0];
    expect(wasmExp(ex, [NaN, negativeNaN, 0 / 0]).every(Number.isNaN)).toBe(true);
  });
});
