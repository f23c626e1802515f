import { describe, expect, it } from 'vitest';
import { GaussianMixture, type GaussianIterationInfo } from '../../src/index';
import { runBundled } from '../helpers/bundle';
import { blobs, loadExample } from '../helpers/data';

describe('progress', () => {
  it('onIteration gets the parameters after each M-step', async () => {
    const faithful = loadExample('faithful');
    const seen: GaussianIterationInfo[] = [];
    const gm = await new GaussianMixture({
      nComponents: 2,
      randomState: 0,
      onIteration: (i) => seen.push(i),
    }).fit(faithful);
    expect(seen.length).toBe(gm.nIter);
    const last = seen[seen.length - 1];
    expect(Array.from(last.means)).toEqual(Array.from(gm.means));
    expect(Array.from(last.covariances)).toEqual(Array.from(gm.covariances));
    expect(Array.from(last.weights)).toEqual(Array.from(gm.weights));
    expect(last.lowerBound).toBe(gm.lowerBound);
  });
});

describe('AbortSignal on the calling thread', () => {
  it('an already aborted signal rejects before any work', async () => {
    const faithful = loadExample('faithful');
    await expect(
      new GaussianMixture({ nComponents: 2 }).fit(faithful, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborting during a long fit rejects with AbortError and leaves the model unfitted', async () => {
    const { X } = blobs(1, 100_000, 4, 6, 3);
    const controller = new AbortController();
    let iterations = 0;
    const gm = new GaussianMixture({
      nComponents: 6,
      tol: 0,
      maxIter: 100_000,
      threads: 1,
      signal: controller.signal,
      // A timer, not a direct call: the abort can only happen if the loop yields to the event loop.
      onIteration: () => {
        if (++iterations === 1) setTimeout(() => controller.abort(), 0);
      },
    });
    await expect(gm.fit(X)).rejects.toMatchObject({ name: 'AbortError' });
    expect(iterations).toBeGreaterThan(0);
    expect(iterations).toBeLessThan(100_000);
    expect(() => gm.means).toThrow(/not fitted yet/);
  });

  it('rejects a signal that is not an AbortSignal', () => {
    expect(() => new GaussianMixture({ signal: {} as AbortSignal })).toThrow(/signal must be an AbortSignal/);
  });
});

describe('worker: true (bundled, in a fresh Node process)', () => {
  it('fits off the main thread with progress, equal to the same fit in-process', async () => {
    const stdout = await runBundled(`
      import { GaussianMixture } from 'emwasm';
      const X = Array.from({ length: 3000 }, (_, i) => [Math.sin(i) * (i % 3) * 4, Math.cos(i * 7) + (i % 3) * 5]);
      const options = { nComponents: 3, covarianceType: 'full', nInit: 2, randomState: 7 };
      let progress = 0;
      const remote = await new GaussianMixture({ ...options, worker: true, onIteration: (info) => {
        if (info.means.length !== 6) throw new Error('no means in progress');
        progress++;
      } }).fit(X);
      const local = await new GaussianMixture(options).fit(X);
      const same = JSON.stringify(Array.from(remote.scoreSamples(X))) === JSON.stringify(Array.from(local.scoreSamples(X)));
      console.log(JSON.stringify({ same, progress, nIter: remote.nIter, lb: remote.lowerBound === local.lowerBound }));`);
    const r = JSON.parse(stdout.trim());
    expect(r.same).toBe(true);
    expect(r.lb).toBe(true);
    expect(r.progress).toBeGreaterThanOrEqual(r.nIter);
  });

  it('the worker gets the compiled kernels by message: with threads: 2 in it, the same fit as in-process', async () => {
    const stdout = await runBundled(`
      import { GaussianMixture } from 'emwasm';
      const X = Array.from({ length: 4000 }, (_, i) => [Math.sin(i) * (i % 3) * 4, Math.cos(i * 7) + (i % 3) * 5, (i % 5) - 2]);
      const options = { nComponents: 3, covarianceType: 'tied', randomState: 3, threads: 2 };
      const remote = await new GaussianMixture({ ...options, worker: true }).fit(X);
      const local = await new GaussianMixture(options).fit(X);
      console.log(JSON.stringify({ lb: remote.lowerBound === local.lowerBound, nIter: remote.nIter === local.nIter }));`);
    expect(JSON.parse(stdout.trim())).toEqual({ lb: true, nIter: true });
    // The inlined worker program carries no wasm of its own ('AGFzbQ' is base64 for '\0asm').
    const { readFileSync } = await import('node:fs');
    const workerProgram = readFileSync(new URL('../../build/fit-worker.src', import.meta.url), 'utf8');
    expect(workerProgram.length).toBeGreaterThan(1000);
    expect(workerProgram.includes('AGFzbQ')).toBe(false);
  });

  it('warmStart continues in the worker; errors come back with their name and message', async () => {
    const stdout = await runBundled(`
      import { GaussianMixture } from 'emwasm';
      const X = Array.from({ length: 500 }, (_, i) => [i % 10, (i * 3) % 7]);
      const remote = new GaussianMixture({ nComponents: 2, maxIter: 1, warmStart: true, randomState: 1, worker: true });
      const local = new GaussianMixture({ nComponents: 2, maxIter: 1, warmStart: true, randomState: 1 });
      for (let i = 0; i < 5; i++) { await remote.fit(X); await local.fit(X); }
      let error = null;
      try {
        await new GaussianMixture({ nComponents: 2, regCovar: 0, worker: true }).fit([[0, 0], [0, 0], [1, 1], [1, 1]]);
      } catch (e) { error = e.name + ': ' + e.message; }
      console.log(JSON.stringify({ same: remote.lowerBound === local.lowerBound, error }));`);
    const r = JSON.parse(stdout.trim());
    expect(r.same).toBe(true);
    expect(r.error).toMatch(/^DegenerateCovarianceError: .*Increase regCovar/);
  });

  it('an aborted worker fit rejects with AbortError and leaves no worker running', async () => {
    const stdout = await runBundled(`
      import { GaussianMixture } from 'emwasm';
      const n = 300000, X = { data: new Float64Array(n * 3).map((_, i) => Math.sin(i * 0.37) * (i % 5)), rows: n, cols: 3 };
      const controller = new AbortController();
      let iterations = 0;
      const fit = new GaussianMixture({ nComponents: 8, tol: 0, maxIter: 100000, worker: true, signal: controller.signal,
        onIteration: () => { if (++iterations === 2) controller.abort(); } }).fit(X);
      try { await fit; console.log('not aborted'); } catch (e) { console.log(e.name, iterations >= 2); }`);
    // The process printed and then exited on its own: no worker was left running.
    expect(stdout.trim()).toBe('AbortError true');
  });
});
