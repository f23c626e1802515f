import { beforeAll, describe, expect, it } from 'vitest';
import {
  mlem,
  osem,
  ParallelBeamProjector,
  poissonNoise,
  sheppLogan,
  type MLEMIterationInfo,
} from '../../src/index';
import { logGamma } from '../../src/imaging/tomography/log-gamma';
import { loadModule } from '../../src/wasm/module';
import { maxRelDiff } from '../helpers/data';

beforeAll(async () => {
  await loadModule();
});

const SIZE = 32;
const projector = new ParallelBeamProjector({ size: SIZE, angles: 40 });
const phantom = sheppLogan(SIZE);
const clean = projector.forward(phantom);
const total = clean.reduce((a, b) => a + b, 0);
/** Counts per unit of the phantom's sinogram: the noisy data are Poisson(scale · A·phantom). */
const COUNTS = 2e5;
const scale = COUNTS / total;
const noisy = poissonNoise(clean, COUNTS, 7);

function rmse(image: Float64Array, s = scale): number {
  let e = 0;
  for (let i = 0; i < image.length; i++) e += (image[i] / s - phantom[i]) ** 2;
  return Math.sqrt(e / image.length);
}

function nonDecreasing(values: ArrayLike<number>): void {
  for (let i = 1; i < values.length; i++) {
    expect(values[i] - values[i - 1]).toBeGreaterThanOrEqual(-1e-9 * Math.abs(values[i]));
  }
}

describe('mlem', () => {
  it('on noiseless data converges towards the phantom: the RMSE falls', async () => {
    const y = clean.map((v) => v * scale);
    const errors: number[] = [];
    await mlem(y, projector, {
      iterations: 60,
      onIteration: (info) => {
        if (info.iteration % 10 === 0) errors.push(rmse(info.image()));
      },
    });
    for (let i = 1; i < errors.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]);
    expect(errors[errors.length - 1]).toBeLessThan(0.5 * errors[0]);
  });

  it.each(['wasm', 'js'] as const)('never lowers the log-likelihood (%s)', async (backend) => {
    const result = await mlem(noisy, projector, { iterations: 25, backend });
    expect(result.logLikelihoods.length).toBe(26);
    expect(result.logLikelihood).toBe(result.logLikelihoods[25]);
    nonDecreasing(result.logLikelihoods);
    expect(result.logLikelihoods[25]).toBeGreaterThan(result.logLikelihoods[0]);
  });

  it('reports the Poisson log-likelihood Σ y·log(Ax + b) − (Ax + b) − log y!', async () => {
    // Bins without counts enter as x · Aᵀ[y = 0] (their projections are skipped): have some.
    expect(noisy.filter((v) => v === 0).length).toBeGreaterThan(10);
    for (const background of [0, 0.5]) {
      for (const A of [projector, projector.toCSR()]) {
        const result = await mlem(noisy, A, { iterations: 3, background });
        const q = projector.forward(result.image);
        let want = 0;
        for (let r = 0; r < q.length; r++) {
          const mean = q[r] + background;
          if (noisy[r] > 0) want += noisy[r] * Math.log(mean);
          want -= mean + logGamma(noisy[r] + 1);
        }
        expect(Math.abs(result.logLikelihood - want)).toBeLessThan(1e-12 * Math.abs(want));
      }
    }
  });

  it('the JavaScript backend gives the Wasm result', async () => {
    const a = await mlem(noisy, projector, { iterations: 10, backend: 'wasm' });
    const b = await mlem(noisy, projector, { iterations: 10, backend: 'js' });
    expect(maxRelDiff(a.image, b.image)).toBeLessThan(1e-12);
  });

  it('two threads give the one-thread result (to rounding)', async () => {
    const a = await mlem(noisy, projector, { iterations: 8 });
    const b = await mlem(noisy, projector, { iterations: 8, threads: 2 });
    expect(maxRelDiff(a.image, b.image)).toBeLessThan(1e-10);
    const A = projector.toCSR();
    const c = await osem(noisy, A, { iterations: 2, subsets: 4, threads: 2 });
    const d = await osem(noisy, A, { iterations: 2, subsets: 4 });
    expect(maxRelDiff(c.image, d.image)).toBeLessThan(1e-10);
  });

  it('a CSR matrix gives the projector result (toCSR), for MLEM and OSEM', async () => {
    const A = projector.toCSR();
    const a = await mlem(noisy, projector, { iterations: 10 });
    const b = await mlem(noisy, A, { iterations: 10 });
    expect(maxRelDiff(a.image, b.image)).toBeLessThan(1e-10);
    const c = await osem(noisy, projector, { iterations: 3, subsets: 5 });
    const d = await osem(noisy, A, { iterations: 3, subsets: 5 });
    expect(maxRelDiff(c.image, d.image)).toBeLessThan(1e-10);
    const e = await osem(noisy, A, { iterations: 3, subsets: 5, backend: 'js' });
    expect(maxRelDiff(d.image, e.image)).toBeLessThan(1e-12);
  });

  it('uses a known background: better images than underestimating it, and the bound still rises', async () => {
    const background = new Float64Array(clean.length);
    for (let r = 0; r < background.length; r++) background[r] = 60 + 30 * Math.sin(r / 17);
    // Noiseless counts (their expectation): the background's effect is not hidden by noise.
    const y = clean.map((v, r) => v * scale + background[r]);
    const withBg = await mlem(y, projector, { iterations: 100, background });
    // Bins beyond the image's edge have no background-free explanation: underestimate it, 10×.
    const without = await mlem(y, projector, { iterations: 100, background: background.map((b) => b / 10) });
    nonDecreasing(withBg.logLikelihoods);
    expect(rmse(withBg.image)).toBeLessThan(0.5 * rmse(without.image));
    const scalar = await mlem(y, projector, { iterations: 5, background: 4 });
    const array = await mlem(y, projector, { iterations: 5, background: new Float64Array(y.length).fill(4) });
    expect(scalar.image).toEqual(array.image);
  });

  it('starts from init, and a given sensitivity replaces Aᵀ1', async () => {
    const ones = new Float64Array(projector.rows).fill(1);
    const sensitivity = projector.back(ones);
    const a = await mlem(noisy, projector, { iterations: 4, init: 2 });
    const b = await mlem(noisy, projector, {
      iterations: 4,
      init: new Float64Array(SIZE * SIZE).fill(2),
      sensitivity,
    });
    expect(maxRelDiff(a.image, b.image)).toBeLessThan(1e-13);
    const zero = await mlem(noisy, projector, { iterations: 0, init: 2 });
    expect(zero.image).toEqual(new Float64Array(SIZE * SIZE).fill(2));
    expect(zero.logLikelihoods.length).toBe(1);
  });

  it('onIteration sees each iteration, its log-likelihood and the current image', async () => {
    const seen: MLEMIterationInfo[] = [];
    const images: Float64Array[] = [];
    const result = await mlem(noisy, projector, {
      iterations: 4,
      onIteration: (info) => {
        seen.push(info);
        images.push(info.image());
      },
    });
    expect(seen.map((s) => s.iteration)).toEqual([1, 2, 3, 4]);
    expect(seen.map((s) => s.logLikelihood)).toEqual(Array.from(result.logLikelihoods.slice(1)));
    expect(images[3]).toEqual(result.image);
    expect(images[0]).not.toEqual(result.image);
  });

  it('aborts with an AbortError', async () => {
    const controller = new AbortController();
    const run = mlem(noisy, projector, {
      iterations: 1000,
      signal: controller.signal,
      onIteration: (info) => {
        if (info.iteration === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const already = new AbortController();
    already.abort();
    await expect(mlem(noisy, projector, { signal: already.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('osem', () => {
  it('with one subset is MLEM', async () => {
    const a = await mlem(noisy, projector, { iterations: 7 });
    const b = await osem(noisy, projector, { iterations: 7, subsets: 1 });
    expect(b.image).toEqual(a.image);
    expect(b.logLikelihoods).toEqual(a.logLikelihoods);
  });

  it('gets as far in a few passes as MLEM in many', async () => {
    const fast = await osem(noisy, projector, { iterations: 3, subsets: 8 });
    const slow = await mlem(noisy, projector, { iterations: 3 });
    const long = await mlem(noisy, projector, { iterations: 24 });
    expect(fast.logLikelihood).toBeGreaterThan(slow.logLikelihood);
    expect(rmse(fast.image)).toBeLessThan(rmse(slow.image));
    expect(Math.abs(rmse(fast.image) - rmse(long.image))).toBeLessThan(0.1 * rmse(long.image));
  });
});

describe('sheppLogan and poissonNoise', () => {
  it("draws the modified Shepp–Logan phantom's regions", () => {
    const n = 128;
    const p = sheppLogan(n);
    const at = (x: number, y: number): number =>
      p[Math.floor(((1 - y) / 2) * n) * n + Math.floor(((x + 1) / 2) * n)];
    expect(at(0, 0.9)).toBe(1); // skull
    expect(at(0, -0.3)).toBeCloseTo(0.2, 12); // brain
    expect(at(0.22, 0)).toBe(0); // right ventricle
    expect(at(0, 0.35)).toBeCloseTo(0.3, 12); // the ellipse above the ventricles
    expect(at(0.95, 0.95)).toBe(0); // outside the head
    expect(Math.min(...p)).toBe(0);
    expect(Math.max(...p)).toBe(1);
  });

  it('scales to the expected total, reproducibly by seed', () => {
    const a = poissonNoise(clean, 1e5, 3);
    expect(poissonNoise(clean, 1e5, 3)).toEqual(a);
    expect(poissonNoise(clean, 1e5, 4)).not.toEqual(a);
    const sum = a.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum - 1e5)).toBeLessThan(5 * Math.sqrt(1e5));
    for (const v of a) expect(Number.isInteger(v) && v >= 0).toBe(true);
  });

  it.each([0.3, 4, 25, 400])('draws Poisson counts: mean and variance λ (λ = %s)', (lambda) => {
    const n = 40000;
    const draws = poissonNoise(new Float64Array(n).fill(1), lambda * n, 5);
    let mean = 0;
    for (const v of draws) mean += v / n;
    let variance = 0;
    for (const v of draws) variance += (v - mean) ** 2 / (n - 1);
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
  });
});
