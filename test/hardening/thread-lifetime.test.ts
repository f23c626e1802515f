import { afterAll, describe, expect, it } from 'vitest';
import { acquireShared, idleWasmMemory, wasmBackend } from '../../src/backend/wasm';
import { dispose, GaussianMixture } from '../../src/index';
import { availableThreads, threadPool } from '../../src/threads/pool';
import { loadModule } from '../../src/wasm/module';
import { blobs } from '../helpers/data';

afterAll(() => dispose());

describe('dispose()', () => {
  it('every threaded fit after dispose() starts new workers and gives the same result (10 cycles)', async () => {
    const { X } = blobs(5, 3000, 3, 3);
    const options = { nComponents: 3, randomState: 1, maxIter: 20, threads: 2 };
    const reference = await new GaussianMixture(options).fit(X);
    for (let cycle = 0; cycle < 10; cycle++) {
      await dispose();
      expect(threadPool.size).toBe(0);
      const gm = await new GaussianMixture(options).fit(X);
      expect(gm.lowerBounds).toEqual(reference.lowerBounds);
    }
  });
});

describe('threads above the core count', () => {
  it('the pool stops at the cores besides the calling thread; the result is that of the same split', async () => {
    await dispose();
    const { X } = blobs(6, 2000, 2, 2);
    const many = await new GaussianMixture({ nComponents: 2, randomState: 3, threads: 64 }).fit(X);
    expect(threadPool.size).toBeLessThanOrEqual(Math.max(1, (await availableThreads()) - 1));
    expect(threadPool.size).toBeGreaterThanOrEqual(1);
    const again = await new GaussianMixture({ nComponents: 2, randomState: 3, threads: 64 }).fit(X);
    expect(again.lowerBounds).toEqual(many.lowerBounds);
  });
});

describe('idle Wasm memory is given back', () => {
  const MiB = 1024 * 1024;

  it('an instance that grew beyond the idle budget is dropped when released', async () => {
    await loadModule();
    const ws = wasmBackend.acquire();
    ws.allocF64((80 * MiB) / 8);
    ws.release();
    expect(Math.max(0, ...idleWasmMemory())).toBeLessThan(64 * MiB);
    expect(idleWasmMemory().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(64 * MiB);
  });

  it('a shared instance is dropped by the workers too', async () => {
    const ws = await acquireShared();
    const x = ws.allocF64((80 * MiB) / 8);
    await ws.parallel([
      { kernel: 'logProbSpherical', args: [x, 0, 1, x, x, 1, x] },
      { kernel: 'logProbSpherical', args: [x, 0, 1, x, x, 1, x] },
    ]);
    const attached = threadPool.attachments;
    expect(attached).toBeGreaterThanOrEqual(1);
    ws.release();
    expect(threadPool.attachments).toBe(attached - 1);
    expect(Math.max(0, ...idleWasmMemory())).toBeLessThan(64 * MiB);
  });

  it('room is made by letting go of the longest-idle instance, not the one just released', async () => {
    await loadModule();
    await dispose();
    const single = wasmBackend.acquire();
    single.allocF64((40 * MiB) / 8);
    single.release();
    const shared = await acquireShared();
    shared.allocF64((40 * MiB) / 8);
    shared.release();
    // Both do not fit the 64 MiB budget: the shared one, released last, is kept.
    expect(idleWasmMemory().filter((b) => b >= 40 * MiB)).toHaveLength(1);
    expect(await acquireShared()).toBe(shared);
    shared.release();
    const fresh = wasmBackend.acquire();
    expect(fresh).not.toBe(single);
    fresh.release();
  });

  it('a burst of 30 concurrent fits leaves a few idle instances, not 30', async () => {
    const { X } = blobs(7, 400, 2, 3);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => new GaussianMixture({ nComponents: 3, randomState: i }).fit(X)),
    );
    expect(idleWasmMemory().length).toBeLessThanOrEqual(8);
  });
});
