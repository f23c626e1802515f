import { afterAll, describe, expect, it } from 'vitest';
import { acquireShared, wasmBackend } from '../../src/backend/wasm';
import { threadPool } from '../../src/threads/pool';
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
