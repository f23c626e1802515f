import { beforeAll, describe, expect, it } from 'vitest';
import { ParallelBeamProjector } from '../../src/imaging/tomography/projector';
import { acquireTomographyWorkspace } from '../../src/imaging/tomography/workspace';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { maxRelDiff, uniformArray } from '../helpers/data';

beforeAll(async () => {
  await loadModule();
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Odd and even sizes, more or fewer detectors than pixels, angles on and off the diagonals. */
const GEOMETRIES = [
  { size: 7, detectors: 9, angles: [0, 30, 45, 90, 135, 179.5] },
  { size: 8, detectors: 5, angles: [-20, 44.9, 45.1, 100, 270, 361] },
  { size: 13, detectors: 13, angles: 11 },
  { size: 16, detectors: 23, angles: 4 },
];

describe('parallel-beam projector', () => {
  it.each(GEOMETRIES)(
    'Wasm equals its TypeScript twin bit for bit (size $size, detectors $detectors)',
    (g) => {
      const rng = new Random(1);
      const image = uniformArray(rng, g.size * g.size, 0, 1);
      const wasm = new ParallelBeamProjector({ ...g, backend: 'wasm' });
      const js = new ParallelBeamProjector({ ...g, backend: 'js' });
      const sino = wasm.forward(image);
      expect(sino.length).toBe(wasm.nAngles * g.detectors);
      expect(maxRelDiff(sino, js.forward(image))).toBe(0);
      const weights = uniformArray(rng, sino.length, -1, 1);
      expect(maxRelDiff(wasm.back(weights), js.back(weights))).toBe(0);
    },
  );

  it.each(GEOMETRIES)(
    'back leaves out zero rays as its twin does, bit for bit (size $size, detectors $detectors)',
    (g) => {
      const rng = new Random(4);
      const wasm = new ParallelBeamProjector({ ...g, backend: 'wasm' });
      const js = new ParallelBeamProjector({ ...g, backend: 'js' });
      // Zeros at the ends of each view, in runs and alone inside, and one view all zero.
      const weights = uniformArray(rng, wasm.rows, 0, 1).map((v, r) => {
        const k = r % g.detectors;
        const view = Math.floor(r / g.detectors);
        return view === 1 || k < 1 || k >= g.detectors - 2 || k % 5 === 2 || v < 0.2 ? 0 : v;
      });
      const back = wasm.back(weights);
      expect(maxRelDiff(back, js.back(weights))).toBe(0);
      expect(back.some((v) => v > 0)).toBe(true);
    },
  );

  it.each(GEOMETRIES)('back is the adjoint of forward (size $size, detectors $detectors)', (g) => {
    const rng = new Random(2);
    const p = new ParallelBeamProjector(g);
    for (let trial = 0; trial < 3; trial++) {
      const x = uniformArray(rng, p.cols, -1, 1);
      const y = uniformArray(rng, p.rows, -1, 1);
      const lhs = dot(p.forward(x), y);
      const rhs = dot(x, p.back(y));
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-13 * (Math.abs(lhs) + 1));
    }
  });

  it('adjoint to rounding at 256 × 256 with 180 angles', () => {
    const rng = new Random(3);
    const p = new ParallelBeamProjector({ size: 256, angles: 180 });
    const x = uniformArray(rng, p.cols, 0, 1);
    const y = uniformArray(rng, p.rows, 0, 1);
    const lhs = dot(p.forward(x), y);
    const rhs = dot(x, p.back(y));
    expect(Math.abs(lhs - rhs) / lhs).toBeLessThan(1e-13);
  });

  it('takes line integrals: a uniform disc projects to its chord lengths at every angle', () => {
    const size = 64;
    const radius = 20;
    const c = size >> 1;
    const disc = new Float64Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) if ((j - c) ** 2 + (c - i) ** 2 <= radius ** 2) disc[i * size + j] = 1;
    }
    const p = new ParallelBeamProjector({ size, angles: [0, 17, 45, 90, 123] });
    const sino = p.forward(disc);
    for (let a = 0; a < 5; a++) {
      for (const t of [-15, -5, 0, 8, 16]) {
        const chord = 2 * Math.sqrt(radius ** 2 - t ** 2);
        expect(Math.abs(sino[a * size + c + t] - chord)).toBeLessThan(1.5);
      }
    }
  });

  it('a single pixel projects onto the detector at x·cos θ + y·sin θ', () => {
    const size = 33;
    const c = 16;
    const image = new Float64Array(size * size);
    image[(c - 5) * size + (c + 9)] = 1; // x = 9, y = 5
    const p = new ParallelBeamProjector({ size, angles: [0, 90, 180] });
    const sino = p.forward(image);
    const peak = (a: number): number => {
      let best = 0;
      for (let k = 1; k < size; k++) if (sino[a * size + k] > sino[a * size + best]) best = k;
      return best - c;
    };
    expect([peak(0), peak(1), peak(2)]).toEqual([9, 5, -9]);
  });

  it('toCSR is the same matrix: A·x and Aᵀ·y match forward and back', () => {
    const rng = new Random(4);
    for (const g of GEOMETRIES) {
      const p = new ParallelBeamProjector(g);
      const A = p.toCSR();
      expect(A.rows).toBe(p.rows);
      expect(A.cols).toBe(p.cols);
      expect(A.rowsPerView).toBe(g.detectors);
      const x = uniformArray(rng, p.cols, 0, 1);
      const y = uniformArray(rng, p.rows, 0, 1);
      const ax = new Float64Array(A.rows);
      const aty = new Float64Array(A.cols);
      for (let r = 0; r < A.rows; r++) {
        for (let e = A.indptr[r]; e < A.indptr[r + 1]; e++) {
          ax[r] += A.data[e] * x[A.indices[e]];
          aty[A.indices[e]] += A.data[e] * y[r];
        }
        for (let e = A.indptr[r] + 1; e < A.indptr[r + 1]; e++)
          expect(A.indices[e]).toBeGreaterThan(A.indices[e - 1]);
      }
      expect(maxRelDiff(ax, p.forward(x))).toBeLessThan(1e-12);
      expect(maxRelDiff(aty, p.back(y))).toBeLessThan(1e-12);
    }
  });
});

describe('EM kernels', () => {
  it.each(GEOMETRIES)(
    'tomoForward with keep projects only the kept rays, as its twin does (size $size, detectors $detectors)',
    (g) => {
      const p = new ParallelBeamProjector(g);
      const rng = new Random(5);
      const image = uniformArray(rng, p.cols, 0, 1);
      const full = p.forward(image);
      const keep = uniformArray(rng, p.rows, 0, 1).map((v, r) =>
        r % g.detectors === 0 || Math.floor(r / g.detectors) === 2 || v < 0.3 ? 0 : v,
      );
      const [wasm, js] = (['wasm', 'js'] as const).map((backend) => {
        const ws = acquireTomographyWorkspace(backend);
        try {
          const k = ws.kernels;
          const n = g.size;
          const hImage = ws.allocF64(p.cols);
          const hPad = ws.allocF64(k.tomoPadLength(n));
          const hTrig = ws.allocF64(2 * p.nAngles);
          const hAngles = ws.allocI32(p.nAngles);
          const hSino = ws.allocF64(p.rows);
          const hKeep = ws.allocF64(p.rows);
          const hWork = ws.allocF64(k.tomoWorkLength(g.detectors));
          ws.f64(hImage, p.cols).set(image);
          const trig = ws.f64(hTrig, 2 * p.nAngles);
          p.theta.forEach((deg, a) => {
            trig[2 * a] = Math.cos((deg * Math.PI) / 180);
            trig[2 * a + 1] = Math.sin((deg * Math.PI) / 180);
          });
          ws.i32(hAngles, p.nAngles).set(p.theta.map((_, a) => a));
          ws.f64(hKeep, p.rows).set(keep);
          ws.f64(hSino, p.rows).fill(7);
          k.tomoPad(hImage, n, hPad);
          k.tomoForward(hPad, n, hTrig, hAngles, p.nAngles, g.detectors, hSino, hWork, hKeep);
          return ws.f64(hSino, p.rows).slice();
        } finally {
          ws.release();
        }
      });
      expect(maxRelDiff(wasm, js)).toBe(0);
      for (let r = 0; r < p.rows; r++) expect(wasm[r]).toBe(keep[r] === 0 ? 0 : full[r]);
    },
  );

  it('csrForward, csrBack, mlemRatio and mlemUpdate in Wasm equal their TypeScript twins', () => {
    const A = new ParallelBeamProjector({ size: 9, detectors: 11, angles: 7 }).toCSR();
    const width = 11;
    const ws = acquireTomographyWorkspace('wasm');
    const twin = acquireTomographyWorkspace('js');
    try {
      const results = [ws, twin].map((w) => {
        const k = w.kernels;
        const indptr = w.allocI32(A.rows + 1);
        const indices = w.allocI32(A.indices.length);
        const data = w.allocF64(A.data.length);
        const blocks = w.allocI32(3);
        const x = w.allocF64(A.cols);
        const y = w.allocF64(A.rows);
        const bg = w.allocF64(A.rows);
        const proj = w.allocF64(A.rows);
        const ratio = w.allocF64(A.rows);
        const back = w.allocF64(A.cols);
        const sens = w.allocF64(A.cols);
        w.i32(indptr, A.rows + 1).set(A.indptr);
        w.i32(indices, A.indices.length).set(A.indices);
        w.f64(data, A.data.length).set(A.data);
        w.i32(blocks, 3).set([6, 1, 3]);
        const r = new Random(6);
        w.f64(x, A.cols).set(uniformArray(r, A.cols, 0, 2));
        const counts = w.f64(y, A.rows);
        for (let i = 0; i < A.rows; i++) counts[i] = r.int(4);
        w.f64(bg, A.rows).set(uniformArray(r, A.rows, 0.1, 0.5));
        const sensView = w.f64(sens, A.cols);
        sensView.set(uniformArray(r, A.cols, 0.5, 1));
        sensView[4] = 0;
        k.csrForward(indptr, indices, data, blocks, 3, width, x, proj);
        const ll = k.mlemRatio(y, proj, bg, blocks, 3, width, ratio);
        const llNoBg = k.mlemRatio(y, proj, 0, blocks, 2, width, ratio);
        k.csrBack(indptr, indices, data, blocks, 3, width, ratio, A.cols, back);
        k.mlemUpdate(x, back, sens, A.cols);
        const rows = [6, 1, 3].flatMap((b) => Array.from({ length: width }, (_, i) => b * width + i));
        return {
          ll,
          llNoBg,
          proj: rows.map((i) => w.f64(proj, A.rows)[i]),
          ratio: rows.map((i) => w.f64(ratio, A.rows)[i]),
          back: w.f64(back, A.cols).slice(),
          x: w.f64(x, A.cols).slice(),
        };
      });
      const [got, want] = results;
      expect(maxRelDiff(got.proj, want.proj)).toBeLessThan(1e-14);
      expect(maxRelDiff(got.ratio, want.ratio)).toBeLessThan(1e-14);
      expect(maxRelDiff(got.back, want.back)).toBeLessThan(1e-14);
      expect(maxRelDiff(got.x, want.x)).toBeLessThan(1e-14);
      expect(got.x[4]).toBe(0);
      expect(Math.abs(got.ll - want.ll)).toBeLessThan(1e-12 * Math.abs(want.ll));
      expect(Math.abs(got.llNoBg - want.llNoBg)).toBeLessThan(1e-12 * Math.abs(want.llNoBg));
    } finally {
      ws.release();
      twin.release();
    }
  });
});
