import { describe, expect, it } from 'vitest';
import { DegenerateCovarianceError } from '../../src/index';
import { COVARIANCE_KINDS } from '../../src/mixture/covariance';
import { deserializeError, serializeError } from '../../src/worker/errors';
import { runBundled } from '../helpers/bundle';

/** Through the structured clone a worker message goes through. */
const across = (e: unknown): Error => deserializeError(structuredClone(serializeError(e)));

describe('errors keep their class across the worker boundary', () => {
  it('the classes, names, messages and stacks survive a structured clone', () => {
    const degenerate = new DegenerateCovarianceError(1, COVARIANCE_KINDS.full, 0);
    const back = across(degenerate);
    expect(back).toBeInstanceOf(DegenerateCovarianceError);
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe('DegenerateCovarianceError');
    expect(back.message).toBe(degenerate.message);
    expect(back.stack).toBe(degenerate.stack);
    for (const Class of [RangeError, TypeError, SyntaxError, Error]) {
      const e = across(new Class('bad value'));
      expect(e).toBeInstanceOf(Class);
      expect(e.constructor).toBe(Class);
      expect([e.name, e.message]).toEqual([Class.name, 'bad value']);
    }
    const abort = across(new DOMException('stopped', 'AbortError'));
    expect(abort).toBeInstanceOf(DOMException);
    expect([abort.name, abort.message]).toEqual(['AbortError', 'stopped']);
    const custom = Object.assign(new Error('odd'), { name: 'OddError' });
    expect([across(custom).name, across(custom).message]).toEqual(['OddError', 'odd']);
    expect(across('a string').message).toBe('a string');
  });

  it('worker: true rejects with the same classes as in-process; selectModel records a degenerate fit', async () => {
    const stdout = await runBundled(`
      import { GaussianMixture, DegenerateCovarianceError, selectModel } from 'emwasm';
      const collapsed = [[0, 0], [0, 0], [1, 1], [1, 1]];
      const outcome = async (promise) => {
        try { await promise; return 'resolved'; } catch (e) {
          return { name: e.name, degenerate: e instanceof DegenerateCovarianceError, range: e instanceof RangeError,
            type: e instanceof TypeError, error: e instanceof Error };
        }
      };
      const degenerate = await outcome(new GaussianMixture({ nComponents: 2, regCovar: 0, worker: true }).fit(collapsed));
      const range = await outcome(new GaussianMixture({ nComponents: 5, worker: true }).fit(collapsed));
      const rangeLocal = await outcome(new GaussianMixture({ nComponents: 5 }).fit(collapsed));
      const controller = new AbortController();
      const X = Array.from({ length: 200000 }, (_, i) => [Math.sin(i), Math.cos(i * 3)]);
      const aborted = new GaussianMixture({ nComponents: 6, tol: 0, maxIter: 100000, worker: true, signal: controller.signal,
        onIteration: () => controller.abort() }).fit(X);
      const abort = await outcome(aborted);
      const data = [[0, 0], [0, 0], [0, 0], [1, 1], [1, 1], [1, 1], [5, 5.5], [6, 5], [5.5, 6]];
      const select = async (modelOptions) => {
        const r = await selectModel(data, { nComponents: [1, 2, 3], covarianceTypes: ['full'], randomState: 0, modelOptions });
        return r.table.map((row) => [row.nComponents, Boolean(row.error), row.score]);
      };
      const selection = [await select({ regCovar: 0 }), await select({ regCovar: 0, worker: true })];
      console.log(JSON.stringify({ degenerate, range, rangeLocal, abort, selection }));`);
    const r = JSON.parse(stdout.trim());
    expect(r.degenerate).toMatchObject({ name: 'DegenerateCovarianceError', degenerate: true, error: true });
    expect(r.range).toEqual(r.rangeLocal);
    expect(r.range).toMatchObject({ name: 'RangeError', range: true });
    expect(r.abort).toMatchObject({ name: 'AbortError' });
    const [local, remote] = r.selection;
    expect(remote).toEqual(local);
    expect(local.some((row: [number, boolean, number]) => row[1])).toBe(true);
  });
});
