import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendName, Handle } from '../../src/backend/types';
import type { ImagingKernels } from '../../src/imaging/kernels';
import { acquireImagingWorkspace } from '../../src/imaging/workspace';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { uniformArray } from '../helpers/data';

beforeAll(async () => {
  await loadModule();
});

/**
 * Runs `call` on a fresh workspace of `backend` with `inputs` copied in (and `outputs` allocated,
 * filled with NaN so that an entry a kernel forgets to write shows); returns every array after the call.
 */
function runKernel(
  backend: BackendName,
  inputs: Record<string, Float64Array>,
  outputs: Record<string, number>,
  call: (k: ImagingKernels, h: Record<string, Handle>) => number | void,
): { arrays: Record<string, Float64Array>; result: number | void } {
  const ws = acquireImagingWorkspace(backend);
  try {
    const h: Record<string, Handle> = {};
    const lengths: Record<string, number> = {};
    for (const [name, a] of Object.entries(inputs)) {
      h[name] = ws.allocF64(a.length);
      lengths[name] = a.length;
    }
    for (const [name, n] of Object.entries(outputs)) {
      h[name] = ws.allocF64(n);
      lengths[name] = n;
    }
    for (const [name, a] of Object.entries(inputs)) ws.f64(h[name], a.length).set(a);
    for (const name of Object.keys(outputs)) ws.f64(h[name], lengths[name]).fill(NaN);
    const result = call(ws.kernels, h);
    const arrays: Record<string, Float64Array> = {};
    for (const name of Object.keys(h)) arrays[name] = ws.f64(h[name], lengths[name]).slice();
    return { arrays, result };
  } finally {
    ws.release();
  }
}

/** Runs a kernel on both backends; they must agree exactly on the named arrays and the result. */
function bothAgree(
  inputs: Record<string, Float64Array>,
  outputs: Record<string, number>,
  compare: string[],
  call: (k: ImagingKernels, h: Record<string, Handle>) => number | void,
): Record<string, Float64Array> {
  const w = runKernel('wasm', inputs, outputs, call);
  const j = runKernel('js', inputs, outputs, call);
  expect(w.result).toEqual(j.result);
  for (const name of compare) expect(Array.from(w.arrays[name]), name).toEqual(Array.from(j.arrays[name]));
  return w.arrays;
}

function twiddles(len: number): Float64Array {
  const t = new Float64Array(2 * len);
  for (let j = 0; j < len; j++) {
    t[2 * j] = Math.cos((2 * Math.PI * j) / len);
    t[2 * j + 1] = -Math.sin((2 * Math.PI * j) / len);
  }
  return t;
}

/** The DFT along the middle axis of a complex (outer × len × stride) array, first `inner` columns, by definition. */
function naiveDft(x: Float64Array, outer: number, len: number, inner: number, stride: number, sign: number) {
  const out = x.slice();
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < inner; c++)
      for (let k = 0; k < len; k++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < len; j++) {
          const a = (sign * 2 * Math.PI * ((j * k) % len)) / len;
          const q = 2 * ((o * len + j) * stride + c);
          re += x[q] * Math.cos(a) - x[q + 1] * Math.sin(a);
          im += x[q] * Math.sin(a) + x[q + 1] * Math.cos(a);
        }
        const q = 2 * ((o * len + k) * stride + c);
        out[q] = re;
        out[q + 1] = im;
      }
  return out;
}

const WORK = (len: number, inner: number) => 4 * len * Math.min(inner, 16);

describe('fftAxis', () => {
  const lengths = [
    1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 18, 20, 25, 27, 30, 45, 60, 64, 75, 81, 96, 100, 125,
  ];
  for (const len of lengths) {
    for (const [outer, inner, stride] of [
      [1, 1, 1],
      [2, 3, 5],
      [1, 19, 19],
      [2, 17, 18],
    ]) {
      it(`len ${len}, outer ${outer}, inner ${inner}, stride ${stride}: Wasm == twin == the DFT, inverse ∘ forward = len·identity`, () => {
        const rng = new Random(len * 100 + inner);
        const data = uniformArray(rng, 2 * outer * len * stride);
        const tw = twiddles(len);
        for (const inverse of [0, 1]) {
          const a = bothAgree({ data, tw }, { work: WORK(len, inner) }, ['data'], (k, h) =>
            k.fftAxis(h.data, outer, len, inner, stride, h.tw, h.work, inverse),
          );
          const expected = naiveDft(data, outer, len, inner, stride, inverse ? 1 : -1);
          let worst = 0;
          for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - expected[i]));
          expect(worst).toBeLessThan(1e-12 * len);
        }
        const round = runKernel('wasm', { data, tw }, { work: WORK(len, inner) }, (k, h) => {
          k.fftAxis(h.data, outer, len, inner, stride, h.tw, h.work, 0);
          k.fftAxis(h.data, outer, len, inner, stride, h.tw, h.work, 1);
        }).arrays.data;
        for (let i = 0; i < data.length; i++) {
          const transformed = (i >> 1) % stride < inner;
          if (transformed) expect(round[i] / len).toBeCloseTo(data[i], 13);
          else expect(round[i]).toBe(data[i]);
        }
      });
    }
  }

  it('fftWorkLength and realFftWorkLength: Wasm == twin', () => {
    for (const backend of ['wasm', 'js'] as const) {
      const r = runKernel(backend, {}, {}, (k) => k.fftWorkLength(540, 271) + 1e6 * k.fftWorkLength(12, 5));
      expect(r.result).toBe(4 * 540 * 16 + 1e6 * 4 * 12 * 5);
      expect(runKernel(backend, {}, {}, (k) => k.realFftWorkLength(540)).result).toBe(6 * 540 * 16);
    }
  });

  it('returns −1 for a length with a prime factor above 5', () => {
    for (const backend of ['wasm', 'js'] as const) {
      const r = runKernel(
        backend,
        { data: new Float64Array(28), tw: twiddles(14) },
        { work: WORK(14, 1) },
        (k, h) => k.fftAxis(h.data, 1, 14, 1, 1, h.tw, h.work, 0),
      );
      expect(r.result).toBe(-1);
      const rows = runKernel(
        backend,
        { x: new Float64Array(14), tw: twiddles(14) },
        { work: 6 * 14 * 16, spec: 16 },
        (k, h) => k.realFftRows(h.x, 1, 1, 14, 14, h.tw, h.work, h.spec, 1, 0, 1),
      );
      expect(rows.result).toBe(-1);
    }
  });
});

describe('fftFilterAxis', () => {
  it('equals forward fftAxis, complexMultiply, inverse fftAxis (Wasm == twin)', () => {
    const rng = new Random(7);
    const [len, inner, stride] = [45, 37, 39];
    const data = uniformArray(rng, 2 * len * stride);
    const filter = uniformArray(rng, 2 * len * stride);
    const tw = twiddles(len);
    const fused = bothAgree({ data, tw, filter }, { work: WORK(len, inner) }, ['data'], (k, h) =>
      k.fftFilterAxis(h.data, len, inner, stride, h.tw, h.work, h.filter),
    ).data;
    const apart = runKernel('js', { data, tw, filter }, { work: WORK(len, inner) }, (k, h) => {
      k.fftAxis(h.data, 1, len, inner, stride, h.tw, h.work, 0);
      k.complexMultiply(h.data, h.filter, len * stride);
      k.fftAxis(h.data, 1, len, inner, stride, h.tw, h.work, 1);
    }).arrays.data;
    for (let r = 0; r < len; r++)
      for (let c = 0; c < 2 * inner; c++) expect(fused[2 * r * stride + c]).toBe(apart[2 * r * stride + c]);
  });
});

describe('realFftRows and realIfftRows', () => {
  // Odd and even row counts and lengths; more than 16 row pairs, so more than one tile, the last partial.
  for (const [n0, n1, n2, l0, l1, len] of [
    [1, 7, 9, 1, 10, 12],
    [1, 6, 5, 1, 8, 9],
    [3, 5, 4, 4, 6, 5],
    [1, 37, 9, 1, 40, 12],
    [3, 13, 4, 4, 14, 15],
  ]) {
    it(`(${n0} × ${n1} × ${n2}) in (${l0} × ${l1} × ${len}): each row's half spectrum (Wasm == twin == the DFT); the inverse restores the rows`, () => {
      const rng = new Random(n0 * 100 + n1 * 10 + n2);
      const rows = n0 * n1;
      const pairs = (rows + 1) >> 1;
      const h = (len >> 1) + 1;
      const work = 6 * len * 16;
      const x = uniformArray(rng, rows * n2);
      const tw = twiddles(len);
      // Each transform in two calls over parts of the row pairs, the first ending inside a tile, as
      // two threads split them.
      const split = Math.min(pairs, 9);
      const spec = bothAgree({ x, tw }, { work, spec: 2 * l0 * l1 * h }, ['spec'], (k, hd) => {
        k.zeroSpecPadding(hd.spec, n0, n1, h, l0, l1);
        k.realFftRows(hd.x, n0, n1, n2, len, hd.tw, hd.work, hd.spec, l1, 0, split);
        k.realFftRows(hd.x, n0, n1, n2, len, hd.tw, hd.work, hd.spec, l1, split, pairs);
      }).spec;
      for (let i0 = 0; i0 < l0; i0++)
        for (let i1 = 0; i1 < l1; i1++) {
          const row = new Float64Array(2 * len);
          if (i0 < n0 && i1 < n1) for (let c = 0; c < n2; c++) row[2 * c] = x[(i0 * n1 + i1) * n2 + c];
          const dft = naiveDft(row, 1, len, 1, 1, -1);
          const at = 2 * (i0 * l1 + i1) * h;
          for (let k = 0; k < 2 * h; k++) expect(spec[at + k]).toBeCloseTo(dft[k], 12);
        }
      const back = bothAgree({ spec, tw }, { work, out: rows * n2 }, ['out'], (k, hd) => {
        k.realIfftRows(hd.spec, n0, n1, l1, len, hd.tw, hd.work, n2, 1 / len, hd.out, 0, split);
        k.realIfftRows(hd.spec, n0, n1, l1, len, hd.tw, hd.work, n2, 1 / len, hd.out, split, pairs);
      }).out;
      for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 13);
    });
  }
});

describe('direct convolution and the Richardson–Lucy steps', () => {
  it('padImage and correlatePadded (odd shapes, a row range): Wasm == twin == the sum', () => {
    const rng = new Random(11);
    const [n0, n1, n2, m0, m1, m2] = [3, 5, 13, 2, 3, 4];
    const [p0, p1, p2] = [n0 + m0 - 1, n1 + m1 - 1, n2 + m2 - 1];
    const x = uniformArray(rng, n0 * n1 * n2);
    const w = uniformArray(rng, m0 * m1 * m2);
    const out = bothAgree(
      { x, w },
      { padded: p0 * p1 * p2, out: n0 * n1 * n2 },
      ['padded', 'out'],
      (k, h) => {
        k.padImage(h.x, n0, n1, n2, h.padded, p0, p1, p2, 1, 1, 2);
        k.correlatePadded(h.padded, p1, p2, h.w, m0, m1, m2, h.out, n1, n2, 2, 13);
      },
    ).out;
    const at = (i0: number, i1: number, i2: number) =>
      i0 >= 0 && i0 < n0 && i1 >= 0 && i1 < n1 && i2 >= 0 && i2 < n2 ? x[(i0 * n1 + i1) * n2 + i2] : 0;
    for (let r = 0; r < n0 * n1; r++) {
      const [i0, i1] = [Math.floor(r / n1), r % n1];
      for (let i2 = 0; i2 < n2; i2++) {
        const got = out[r * n2 + i2];
        if (r < 2 || r >= 13) {
          expect(got).toBeNaN();
          continue;
        }
        let sum = 0;
        for (let k0 = 0; k0 < m0; k0++)
          for (let k1 = 0; k1 < m1; k1++)
            for (let k2 = 0; k2 < m2; k2++)
              sum += at(i0 + k0 - 1, i1 + k1 - 1, i2 + k2 - 2) * w[(k0 * m1 + k1) * m2 + k2];
        expect(got).toBeCloseTo(sum, 13);
      }
    }
  });

  it('rlRatio (with and without filterEpsilon), rlUpdate (with and without a denominator): Wasm == twin', () => {
    const rng = new Random(12);
    const count = 23;
    const image = uniformArray(rng, count, 0, 2);
    const conv = uniformArray(rng, count, 0, 0.2);
    conv[3] = 0;
    for (const fe of [0, 0.05]) {
      const r = bothAgree({ image, conv }, { out: count }, ['out'], (k, h) =>
        k.rlRatio(h.image, h.conv, count, fe, h.out),
      ).out;
      for (let i = 0; i < count; i++) {
        const c = conv[i] + 1e-12;
        expect(r[i]).toBe(fe > 0 && c < fe ? 0 : image[i] / c);
      }
    }
    const u = uniformArray(rng, count, 0, 1);
    const denominator = uniformArray(rng, count, 0.5, 1.5);
    for (const withDenominator of [false, true]) {
      const r = bothAgree({ u, conv, denominator }, {}, ['u'], (k, h) =>
        k.rlUpdate(h.u, h.conv, withDenominator ? h.denominator : 0, count),
      ).u;
      for (let i = 0; i < count; i++)
        expect(r[i]).toBe(withDenominator ? (u[i] * conv[i]) / denominator[i] : u[i] * conv[i]);
    }
  });

  it('tvDenominator: Wasm == twin; 1 on a constant image, within (1 − 2λ·ndim, 1 + 2λ·ndim)', () => {
    const rng = new Random(13);
    for (const [n0, n1, n2] of [
      [1, 7, 9],
      [3, 4, 5],
    ]) {
      const count = n0 * n1 * n2;
      const lambda = 0.05;
      const u = uniformArray(rng, count, 0, 1);
      const out = bothAgree({ u }, { unit: 3 * count, out: count }, ['out'], (k, h) =>
        k.tvDenominator(h.u, n0, n1, n2, lambda, h.unit, h.out),
      ).out;
      const ndim = n0 > 1 ? 3 : 2;
      for (const v of out) {
        expect(v).toBeGreaterThan(1 - 2 * lambda * ndim);
        expect(v).toBeLessThan(1 + 2 * lambda * ndim);
      }
      const flat = runKernel(
        'wasm',
        { u: new Float64Array(count).fill(0.3) },
        { unit: 3 * count, out: count },
        (k, h) => k.tvDenominator(h.u, n0, n1, n2, lambda, h.unit, h.out),
      ).arrays.out;
      expect(Array.from(flat)).toEqual(new Array(count).fill(1));
    }
  });
});
