import { beforeAll, describe, expect, it } from 'vitest';
import { chooseMethod, fastLength, fftLengths } from '../../src/imaging/convolver';
import type { Image } from '../../src/imaging/image';
import { richardsonLucy } from '../../src/imaging/richardson-lucy';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { uniformArray } from '../helpers/data';

beforeAll(async () => {
  await loadModule();
});

function gaussianPsf(shape: number[], sigma: number): Image {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    let rest = i;
    let r2 = 0;
    for (let a = shape.length - 1; a >= 0; a--) {
      const c = (rest % shape[a]) - (shape[a] - 1) / 2;
      rest = Math.floor(rest / shape[a]);
      r2 += c * c;
    }
    sum += data[i] = Math.exp(-r2 / (2 * sigma * sigma));
  }
  return { data: data.map((v) => v / sum), shape };
}

function randomImage(seed: number, shape: number[]): Image {
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: uniformArray(new Random(seed), size, 0.1, 1), shape };
}

const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);

/** Σ |u[i+1] − u[i]| along the rows and the columns. */
function totalVariation(u: Float64Array, rows: number, cols: number): number {
  let tv = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (c + 1 < cols) tv += Math.abs(u[r * cols + c + 1] - u[r * cols + c]);
      if (r + 1 < rows) tv += Math.abs(u[(r + 1) * cols + c] - u[r * cols + c]);
    }
  return tv;
}

describe('richardsonLucy known answers', () => {
  for (const backend of ['wasm', 'js'] as const) {
    for (const method of ['fft', 'direct'] as const) {
      it(`a delta PSF (1×1, 3×3, 3×5) leaves the image unchanged (${method}, ${backend})`, async () => {
        const image = randomImage(1, [9, 14]);
        for (const [shape, at] of [
          [[1, 1], 0],
          [[3, 3], 4],
          [[3, 5], 7],
        ] as const) {
          const data = new Float64Array(shape[0] * shape[1]);
          data[at] = 1;
          const out = await richardsonLucy(
            image,
            { data, shape: [...shape] },
            { iterations: 5, method, backend },
          );
          for (let i = 0; i < image.data.length; i++) expect(out.data[i]).toBeCloseTo(image.data[i], 10);
        }
      });

      it(`preserves the flux Σu = Σimage every iteration for an odd normalised PSF, 2D and 3D (${method}, ${backend})`, async () => {
        for (const [shape, psfShape] of [
          [
            [17, 12],
            [5, 3],
          ],
          [
            [5, 6, 7],
            [3, 3, 5],
          ],
        ]) {
          const image = randomImage(2, shape);
          const total = sum(image.data);
          const seen: number[] = [];
          await richardsonLucy(image, gaussianPsf(psfShape, 1), {
            iterations: 6,
            clip: false,
            method,
            backend,
            onIteration: ({ estimate }) => seen.push(sum(estimate().data)),
          });
          expect(seen).toHaveLength(6);
          for (const s of seen) expect(Math.abs(s - total) / total).toBeLessThan(1e-9);
        }
      });
    }
  }

  it('gives the same result, bit for bit, on 1, 2 and 3 threads (FFT and direct, 2D and 3D)', async () => {
    for (const [shape, psfShape] of [
      [
        [70, 45],
        [9, 8],
      ],
      [
        [6, 37, 11],
        [3, 4, 5],
      ],
    ]) {
      const image = randomImage(10, shape);
      const psf = gaussianPsf(psfShape, 1.4);
      for (const method of ['fft', 'direct'] as const) {
        const one = await richardsonLucy(image, psf, { iterations: 4, clip: false, method });
        for (const threads of [2, 3]) {
          const many = await richardsonLucy(image, psf, { iterations: 4, clip: false, method, threads });
          expect(Array.from(many.data)).toEqual(Array.from(one.data));
        }
      }
    }
  });

  it('FFT and direct paths agree, and auto picks direct for a 3×3 PSF and the FFT for 15×15 on 512×512', async () => {
    const image = randomImage(3, [21, 18]);
    const psf = gaussianPsf([6, 5], 1.3);
    const a = await richardsonLucy(image, psf, { iterations: 8, clip: false, method: 'fft' });
    const b = await richardsonLucy(image, psf, { iterations: 8, clip: false, method: 'direct' });
    for (let i = 0; i < a.data.length; i++)
      expect(Math.abs(a.data[i] - b.data[i]) / b.data[i]).toBeLessThan(1e-12);
    expect(chooseMethod([1, 512, 512], [1, 3, 3])).toBe('direct');
    expect([1, 7, 11, 519, 543].map(fastLength)).toEqual([1, 8, 12, 540, 576]);
    // L ≥ n + m − 1 − ⌊(m − 1)/2⌋ per axis: the 'same' output is then free of wrap-around.
    expect(fftLengths([1, 512, 512], [1, 15, 63])).toEqual([1, 540, 576]);
    expect(chooseMethod([1, 512, 512], [1, 15, 15])).toBe('fft');
  });

  it('takes nested rows for a 2D image and PSF; 0 iterations give 0.5 everywhere', async () => {
    const image = randomImage(4, [6, 7]);
    const rows = Array.from({ length: 6 }, (_, r) => Array.from(image.data.subarray(r * 7, r * 7 + 7)));
    const psf = [
      [0.1, 0.2, 0.1],
      [0.05, 0.3, 0.25],
    ];
    const flatPsf = { data: psf.flat(), shape: [2, 3] };
    const a = await richardsonLucy(rows, psf, { iterations: 4 });
    const b = await richardsonLucy(image, flatPsf, { iterations: 4 });
    expect(a.shape).toEqual([6, 7]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const none = await richardsonLucy(image, flatPsf, { iterations: 0 });
    expect(Array.from(none.data)).toEqual(new Array(42).fill(0.5));
  });

  it('onIteration sees each iteration, and its estimate equals a run of that many iterations', async () => {
    const image = randomImage(5, [11, 10]);
    const psf = gaussianPsf([3, 3], 0.8);
    const iterations: number[] = [];
    let third: Float64Array | null = null;
    await richardsonLucy(image, psf, {
      iterations: 5,
      onIteration: ({ iteration, estimate }) => {
        iterations.push(iteration);
        if (iteration === 3) third = estimate().data;
      },
    });
    expect(iterations).toEqual([1, 2, 3, 4, 5]);
    const three = await richardsonLucy(image, psf, { iterations: 3, clip: false });
    expect(Array.from(third as unknown as Float64Array)).toEqual(Array.from(three.data));
  });

  it('clip bounds the result to [−1, 1]', async () => {
    const image = { data: uniformArray(new Random(6), 64, 1.5, 3), shape: [8, 8] };
    const psf = gaussianPsf([3, 3], 0.7);
    const clipped = await richardsonLucy(image, psf, { iterations: 3 });
    const raw = await richardsonLucy(image, psf, { iterations: 3, clip: false });
    expect(Math.max(...raw.data)).toBeGreaterThan(1);
    for (let i = 0; i < 64; i++) expect(clipped.data[i]).toBe(Math.min(1, raw.data[i]));
  });

  it('an abort before or during the run rejects with an AbortError', async () => {
    const image = randomImage(7, [16, 16]);
    const psf = gaussianPsf([5, 5], 1);
    const before = new AbortController();
    before.abort();
    await expect(richardsonLucy(image, psf, { signal: before.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    const during = new AbortController();
    const seen: number[] = [];
    const run = richardsonLucy(image, psf, {
      iterations: 50,
      signal: during.signal,
      onIteration: ({ iteration }) => {
        seen.push(iteration);
        if (iteration === 3) during.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('total-variation regularisation: Wasm == twin, tv 0 is plain Richardson–Lucy, tv > 0 gives a smoother result', async () => {
    const rng = new Random(8);
    const [rows, cols] = [24, 20];
    const sharp = new Float64Array(rows * cols).fill(0.2);
    for (let r = 6; r < 18; r++) for (let c = 5; c < 15; c++) sharp[r * cols + c] = 0.8;
    const noisy = sharp.map((v) => Math.max(0, v + 0.05 * (rng.uniform() - 0.5)));
    const image = { data: noisy, shape: [rows, cols] };
    const psf = gaussianPsf([5, 5], 1.2);
    const plain = await richardsonLucy(image, psf, { iterations: 20, clip: false });
    const zero = await richardsonLucy(image, psf, { iterations: 20, clip: false, regularization: { tv: 0 } });
    expect(Array.from(zero.data)).toEqual(Array.from(plain.data));
    const tv = await richardsonLucy(image, psf, {
      iterations: 20,
      clip: false,
      regularization: { tv: 0.02 },
    });
    const tvJs = await richardsonLucy(image, psf, {
      iterations: 20,
      clip: false,
      regularization: { tv: 0.02 },
      backend: 'js',
    });
    expect(Array.from(tvJs.data)).toEqual(Array.from(tv.data));
    expect(totalVariation(tv.data, rows, cols)).toBeLessThan(totalVariation(plain.data, rows, cols));
    for (const v of tv.data) expect(v).toBeGreaterThan(0);
  });
});

describe('richardsonLucy bad input', () => {
  const image = randomImage(9, [5, 6]);
  const psf = gaussianPsf([3, 3], 1);
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      'data length ≠ Π shape',
      () => richardsonLucy({ data: new Float64Array(29), shape: [5, 6] }, psf),
      /image\.data must have 30 values for shape \[5, 6\], got a Float64Array of length 29/,
    ],
    [
      'a 1D shape',
      () => richardsonLucy({ data: [1, 2], shape: [2] }, psf),
      /image\.shape must be \[rows, cols\] or \[planes, rows, cols\], got \[2\]/,
    ],
    [
      'a shape with 0',
      () => richardsonLucy({ data: [], shape: [0, 3] }, psf),
      /image\.shape must hold integers >= 1, got \[0, 3\]/,
    ],
    [
      'a PSF of other dimensions',
      () => richardsonLucy(image, { data: [1, 1, 1], shape: [1, 1, 3] }),
      /psf must have as many dimensions as image \(2\), got shape \[1, 1, 3\]/,
    ],
    [
      'a negative PSF value',
      () => richardsonLucy(image, { data: [0.5, -0.1, 0.6], shape: [1, 3] }),
      /psf\.data\[1\] must be >= 0, got -0\.1/,
    ],
    [
      'an all-zero PSF',
      () => richardsonLucy(image, { data: [0, 0], shape: [1, 2] }),
      /psf must have a positive sum/,
    ],
    [
      'NaN in the image',
      () =>
        richardsonLucy(
          { data: [...image.data.slice(0, 7), NaN, ...image.data.slice(8)], shape: [5, 6] },
          psf,
        ),
      /image\.data\[7\] must be a finite number, got NaN/,
    ],
    [
      'Infinity in nested rows',
      () =>
        richardsonLucy(
          [
            [1, 2],
            [3, Infinity],
          ],
          [[1]],
        ),
      /image\[1\]\[1\] must be a finite number, got Infinity/,
    ],
    [
      'ragged nested rows',
      () =>
        richardsonLucy(
          [
            [1, 2],
            [3, 4, 5],
          ],
          [[1]],
        ),
      /image\[1\] must be an array of 2 numbers like image\[0\], got an array of length 3/,
    ],
    [
      'iterations 2.5',
      () => richardsonLucy(image, psf, { iterations: 2.5 }),
      /iterations must be an integer >= 0, got 2\.5/,
    ],
    [
      'iterations −1',
      () => richardsonLucy(image, psf, { iterations: -1 }),
      /iterations must be an integer >= 0, got -1/,
    ],
    [
      'filterEpsilon −1',
      () => richardsonLucy(image, psf, { filterEpsilon: -1 }),
      /filterEpsilon must be a finite number >= 0 or null, got -1/,
    ],
    [
      'tv too large for 2D',
      () => richardsonLucy(image, psf, { regularization: { tv: 0.3 } }),
      /regularization\.tv must be a number in \[0, 0\.25\) for a 2D image, got 0\.3/,
    ],
    [
      'threads 0',
      () => richardsonLucy(image, psf, { threads: 0 }),
      /threads must be an integer in \[1, 256\], got 0/,
    ],
    [
      'threads with the js backend',
      () => richardsonLucy(image, psf, { threads: 2, backend: 'js' }),
      /threads must be 1 with backend 'js' \(threads run Wasm kernels\), got 2/,
    ],
    [
      "method 'fast'",
      () => richardsonLucy(image, psf, { method: 'fast' as 'fft' }),
      /method must be one of 'auto', 'fft', 'direct', got "fast"/,
    ],
    [
      'an unknown option',
      () => richardsonLucy(image, psf, { iteration: 3 } as object),
      /unknown option "iteration"; known options: iterations, clip/,
    ],
  ];
  for (const [name, call, message] of cases) {
    it(`${name}: an error that names the parameter and the value`, async () => {
      await expect(call()).rejects.toThrow(message);
    });
  }
});
