import { describe, expect, it } from 'vitest';
import {
  mlem,
  osem,
  ParallelBeamProjector,
  poissonNoise,
  sheppLogan,
  validateSystemMatrix,
} from '../../src/index';

const p = new ParallelBeamProjector({ size: 4, angles: 3 });
const y = new Float64Array(p.rows).fill(1);
const csr = { indptr: [0, 2, 3], indices: [0, 2, 1], data: [0.5, 1, 2], rows: 2, cols: 3 };

describe('bad input is reported with the parameter and the value', () => {
  it('ParallelBeamProjector', () => {
    expect(() => new ParallelBeamProjector({ size: 0, angles: 3 })).toThrow(
      'size must be an integer in [1, 16384], got 0',
    );
    expect(() => new ParallelBeamProjector({ size: 2.5, angles: 3 })).toThrow('got 2.5');
    expect(() => new ParallelBeamProjector({ size: 4, angles: 0 })).toThrow('angles must be an integer');
    expect(() => new ParallelBeamProjector({ size: 4, angles: [] })).toThrow(
      'angles must hold at least one angle',
    );
    expect(() => new ParallelBeamProjector({ size: 4, angles: [0, NaN] })).toThrow(
      'angles[1] must be a finite angle in degrees, got NaN',
    );
    expect(() => new ParallelBeamProjector({ size: 4, angles: 3, detectors: -1 })).toThrow(
      'detectors must be an integer',
    );
    expect(() => new ParallelBeamProjector({ size: 4, angles: 3, backend: 'gpu' as 'js' })).toThrow(
      `backend must be one of 'wasm', 'js', got "gpu"`,
    );
    expect(() => new ParallelBeamProjector({ size: 4, angles: 3, angels: 2 } as never)).toThrow(
      'Unknown ParallelBeamProjector option "angels"',
    );
    expect(() => p.forward(new Float64Array(15))).toThrow('image must have size² = 4² = 16 entries, got 15');
    expect(() => p.forward([...new Array(15).fill(0), Infinity])).toThrow(
      'image[15] must be a finite number, got Infinity',
    );
    expect(() => p.back(new Float64Array(5))).toThrow(
      'sinogram must have nAngles × detectors = 3 × 4 = 12 entries, got 5',
    );
  });

  it('validateSystemMatrix', () => {
    expect(validateSystemMatrix(csr).indices).toEqual(new Int32Array([0, 2, 1]));
    expect(() => validateSystemMatrix({ ...csr, indptr: [0, 2] })).toThrow(
      'A.indptr must have rows + 1 = 3 entries, got 2',
    );
    expect(() => validateSystemMatrix({ ...csr, indptr: [1, 2, 3] })).toThrow('A.indptr[0] must be 0, got 1');
    expect(() => validateSystemMatrix({ ...csr, indptr: [0, 2, 4] })).toThrow(
      'A.indptr[2] must equal the number of entries 3, got 4',
    );
    expect(() => validateSystemMatrix({ ...csr, indptr: [0, 4, 3] })).toThrow(
      'A.indptr must be non-decreasing',
    );
    expect(() => validateSystemMatrix({ ...csr, indices: [0, 3, 1] })).toThrow(
      'A.indices[1] must be an integer in [0, cols=3), got 3',
    );
    expect(() => validateSystemMatrix({ ...csr, indices: [2, 0, 1] })).toThrow(
      'A.indices must increase strictly within each row, got 2 then 0 in row 0',
    );
    expect(() => validateSystemMatrix({ ...csr, indices: [0, 1.5, 1] })).toThrow(
      'A.indices[1] must be an integer in [0, cols=3), got 1.5',
    );
    expect(() => validateSystemMatrix({ ...csr, data: [0.5, -1, 2] })).toThrow(
      'A.data[1] must be a finite number >= 0, got -1',
    );
    expect(() => validateSystemMatrix({ ...csr, data: [0.5, NaN, 2] })).toThrow(
      'A.data[1] must be a finite number >= 0, got NaN',
    );
    expect(() => validateSystemMatrix({ ...csr, data: [1, 2] })).toThrow(
      'A.data must have as many entries as A.indices (3), got 2',
    );
    expect(() => validateSystemMatrix({ ...csr, cols: 0 })).toThrow('A.cols must be an integer >= 1, got 0');
    expect(() => validateSystemMatrix({ ...csr, rowsPerView: 3 })).toThrow(
      'A.rowsPerView must divide A.rows=2, got 3',
    );
    expect(() => validateSystemMatrix({ ...csr, shape: [2, 3] } as never)).toThrow(
      'A has an unknown member "shape"',
    );
  });

  it('mlem and osem', async () => {
    await expect(mlem(new Float64Array(5), p)).rejects.toThrow(
      'y must have the system matrix rows = 12 entries, got 5',
    );
    await expect(
      mlem(
        y.map((v, i) => (i === 3 ? -1 : v)),
        p,
      ),
    ).rejects.toThrow('y[3] must be >= 0, got -1');
    await expect(
      mlem(
        y.map((v, i) => (i === 2 ? NaN : v)),
        p,
      ),
    ).rejects.toThrow('y[2] must be a finite number, got NaN');
    await expect(mlem(y, p, { iterations: -1 })).rejects.toThrow(
      'iterations must be an integer >= 0, got -1',
    );
    await expect(mlem(y, p, { iters: 3 } as never)).rejects.toThrow('Unknown mlem option "iters"');
    await expect(mlem(y, p, { init: 0 })).rejects.toThrow('init must be a number > 0 or an image, got 0');
    await expect(mlem(y, p, { init: new Float64Array(3) })).rejects.toThrow(
      'init must have the system matrix columns = 16 entries, got 3',
    );
    await expect(mlem(y, p, { background: -2 })).rejects.toThrow(
      'background must be a finite number >= 0 or an array, got -2',
    );
    await expect(mlem(y, p, { sensitivity: new Float64Array(16).fill(-1) })).rejects.toThrow(
      'sensitivity[0] must be >= 0, got -1',
    );
    await expect(mlem(y, p, { threads: 0 })).rejects.toThrow('threads must be an integer in [1, 256], got 0');
    await expect(mlem(y, p, { threads: 2, backend: 'js' })).rejects.toThrow(
      "threads must be 1 with backend 'js'",
    );
    await expect(mlem(y, p, { onIteration: 3 as never })).rejects.toThrow(
      'onIteration must be a function, got 3',
    );
    await expect(mlem([1, 2], { ...csr, indices: [0, 3, 1] })).rejects.toThrow(
      'A.indices[1] must be an integer in [0, cols=3)',
    );
    expect(() => osem(y, p, { subsets: 4 })).toThrow('subsets must be an integer in [1, 3], got 4');
    await expect(osem(y, p, { subsets: 2, iterations: 1.5 })).rejects.toThrow(
      'iterations must be an integer >= 0, got 1.5',
    );
  });

  it('counts that the model cannot explain', async () => {
    // Row 1 of this matrix is empty: a count there has no source without a background.
    const A = { indptr: [0, 2, 2], indices: [0, 1], data: [1, 1], rows: 2, cols: 2 };
    await expect(mlem([3, 1], A)).rejects.toThrow('y[1] = 1 counts, but the model expects none there');
    const ok = await mlem([3, 1], A, { background: [0, 1], iterations: 5 });
    expect(ok.logLikelihoods.every(Number.isFinite)).toBe(true);
  });

  it('sheppLogan and poissonNoise', () => {
    expect(() => sheppLogan(0)).toThrow('size must be an integer in [1, 16384], got 0');
    expect(() => poissonNoise([1, 2], -1, 0)).toThrow('counts must be a finite number >= 0, got -1');
    expect(() => poissonNoise([1, 2], 10, 0.5)).toThrow('seed must be an integer, got 0.5');
    expect(() => poissonNoise([1, -2], 10, 0)).toThrow('image[1] must be a finite number >= 0, got -2');
    expect(() => poissonNoise([0, 0], 10, 0)).toThrow('image must have a positive sum');
  });
});
