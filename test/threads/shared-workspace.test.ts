import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireShared, wasmBackend } from '../../src/backend/wasm';
import { threadPool } from '../../src/threads/pool';
import { WORKER_SPIN_MS } from '../../src/threads/worker-source';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { uniformArray } from '../helpers/data';

afterAll(() => threadPool.dispose());

describe('shared-memory workspace', () => {
  it('a kernel split over row blocks on worker threads equals one call on the main thread', async () => {
    await loadModule();
    const n = 1001;
    const d = 3;
    const k = 4;
    const rng = new Random(1);
    const X = uniformArray(rng, n * d, -2, 2);
    const means = uniformArray(rng, k * d);
    const prec = uniformArray(rng, k * d, 0.5, 2);

    const single = wasmBackend.acquire();
    const hs = [
      single.allocF64(n * d),
      single.allocF64(k * d),
      single.allocF64(k * d),
      single.allocF64(n * k),
    ];
    single.f64(hs[0], n * d).set(X);
    single.f64(hs[1], k * d).set(means);
    single.f64(hs[2], k * d).set(prec);
    single.kernels.logProbDiag(hs[0], n, d, hs[1], hs[2], k, hs[3]);
    const expected = Float64Array.from(single.f64(hs[3], n * k));
    single.release();

    const ws = await acquireShared();
    const x = ws.allocF64(n * d);
    const m = ws.allocF64(k * d);
    const p = ws.allocF64(k * d);
    const out = ws.allocF64(n * k);
    ws.f64(x, n * d).set(X);
    ws.f64(m, k * d).set(means);
    ws.f64(p, k * d).set(prec);
    const threads = 3;
    const rows = Math.ceil(n / threads);
    const jobs = Array.from({ length: threads }, (_, t) => {
      const start = t * rows;
      const count = Math.min(rows, n - start);
      return {
        kernel: 'logProbDiag' as const,
        args: [x + start * d * 8, count, d, m, p, k, out + start * k * 8],
      };
    });
    await ws.parallel(jobs);
    expect(Array.from(ws.f64(out, n * k))).toEqual(Array.from(expected));
    ws.release();
  });
});

describe('jobs handed to a polling worker through its control block', () => {
  // Polls long enough that no pause of a loaded machine ends it, except where a test stops it.
  beforeEach(() => threadPool.setPolling(60_000));
  afterEach(() => threadPool.setPolling(WORKER_SPIN_MS));

  /** A diagonal-Gaussian log-density pass over 2 slices, and the same pass on this thread alone. */
  async function setup() {
    await loadModule();
    const n = 2001;
    const d = 3;
    const k = 2;
    const rng = new Random(5);
    const ws = await acquireShared();
    const x = ws.allocF64(n * d);
    const m = ws.allocF64(k * d);
    const p = ws.allocF64(k * d);
    const out = ws.allocF64(n * k);
    ws.f64(x, n * d).set(uniformArray(rng, n * d, -2, 2));
    ws.f64(m, k * d).set(uniformArray(rng, k * d));
    ws.f64(p, k * d).set(uniformArray(rng, k * d, 0.5, 2));
    ws.kernels.logProbDiag(x, n, d, m, p, k, out);
    const expected = Float64Array.from(ws.f64(out, n * k));
    const half = Math.ceil(n / 2);
    const jobs = [0, 1].map((t) => ({
      kernel: 'logProbDiag' as const,
      args: [x + t * half * d * 8, t ? n - half : half, d, m, p, k, out + t * half * k * 8],
    }));
    const pass = async () => {
      ws.f64(out, n * k).fill(0);
      await ws.parallel(jobs);
      return Array.from(ws.f64(out, n * k));
    };
    return { ws, pass, expected: Array.from(expected), spare: ws.allocF64(16) };
  }

  it('back-to-back passes are handed over and give the main thread’s result', async () => {
    const { ws, pass, expected } = await setup();
    await pass();
    const before = threadPool.handedOver;
    const results: number[][] = [];
    for (let r = 0; r < 20; r++) results.push(await pass());
    // The worker polls between passes: each goes through the block.
    expect(threadPool.handedOver - before).toBe(20);
    for (const r of results) expect(r).toEqual(expected);
    ws.release();
  });

  it('a worker that does not poll gets its job as a message', async () => {
    const { ws, pass, expected } = await setup();
    threadPool.setPolling(0);
    await pass();
    await pass();
    const before = threadPool.handedOver;
    expect(await pass()).toEqual(expected);
    expect(threadPool.handedOver).toBe(before);
    ws.release();
  });

  it('a kernel that traps in a handed-over job rejects with its message; the next pass works', async () => {
    const { ws, pass, expected, spare } = await setup();
    await pass();
    const before = threadPool.handedOver;
    const bad = ws.parallel([
      { kernel: 'logProbDiag', args: [spare, 1, 3, spare, spare, 1, spare] },
      { kernel: 'logProbDiag', args: [2 ** 31, 1000, 3, spare, spare, 1, 2 ** 31] },
    ]);
    await expect(bad).rejects.toThrow(/emwasm worker: .*out of bounds/);
    expect(threadPool.handedOver).toBe(before + 1);
    expect(await pass()).toEqual(expected);
    ws.release();
  });
});
