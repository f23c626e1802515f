// The EM contract: what every registered family guarantees, checked on both backends. A new
// family gets this suite by adding its case to cases.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/em/registry';
import { threadPool } from '../../src/threads/pool';
import { maxScaledDiff } from '../helpers/kernel-table';
import { CASES, type ContractCase, type ContractModel } from './cases';

afterAll(() => threadPool.dispose());

const BACKENDS = ['wasm', 'js'] as const;

type Proba = ContractModel & {
  predict(...a: unknown[]): Int32Array;
  predictProba(...a: unknown[]): Float64Array;
  fitPredict(...a: unknown[]): Promise<Int32Array>;
};

it('every registered family but the Gaussian mixture (its own suites) has a contract case', () => {
  const covered = new Set(CASES.map((c) => c.family));
  for (const family of Object.keys(FAMILIES))
    if (family !== 'GaussianMixture') expect(covered).toContain(family);
});

describe.each(CASES.flatMap((c, i) => BACKENDS.map((b) => [`${c.family} #${i} (${b})`, c, b] as const)))(
  '%s',
  (_name, c: ContractCase, backend) => {
    const base = { nComponents: c.nComponents, backend, randomState: 0 };

    it('the bound never decreases (warmStart, maxIter 1, step by step)', async () => {
      const m = c.make({ ...base, warmStart: true, maxIter: 1, initParams: 'random' });
      const bounds: number[] = [];
      for (let step = 0; step < 25; step++) {
        await m.fit(...c.data);
        bounds.push(m.lowerBound);
      }
      for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-12);
      expect(bounds[bounds.length - 1]).toBeGreaterThan(bounds[0]);
    });

    it('warm start continues step by step: 6 + 6 iterations equal 12', async () => {
      const whole = c.make({ ...base, ...c.start, tol: 0, maxIter: 12 });
      await whole.fit(...c.data);
      const parts = c.make({ ...base, ...c.start, tol: 0, maxIter: 6, warmStart: true });
      await parts.fit(...c.data);
      await parts.fit(...c.data);
      expect(Math.abs(parts.lowerBound - whole.lowerBound)).toBeLessThan(1e-10);
      expect(maxScaledDiff(parts.scoreSamples(...c.data), whole.scoreSamples(...c.data))).toBeLessThan(1e-10);
    });

    it('JSON round trip: the restored model scores identically and warm-starts', async () => {
      const m = c.make({ ...base, maxIter: 5 });
      await m.fit(...c.data);
      const text = JSON.stringify(m);
      const again = c.restore(text, { backend });
      expect(again.scoreSamples(...c.data)).toEqual(m.scoreSamples(...c.data));
      expect(again.lowerBounds).toEqual(m.lowerBounds);
      expect(JSON.stringify(again)).toBe(text);
      const other = { ...JSON.parse(text), family: 'SomethingElse' };
      expect(() => c.restore(JSON.stringify(other))).toThrow(/SomethingElse/);
      const newer = { ...JSON.parse(text), version: 99 };
      expect(() => c.restore(JSON.stringify(newer))).toThrow(/version/);
    });

    it('a fit with maxIter 0 round-trips its −∞ bound through JSON', async () => {
      const m = c.make({ ...base, maxIter: 0 });
      await m.fit(...c.data);
      expect(m.lowerBound).toBe(-Infinity);
      expect(c.restore(JSON.stringify(m), { backend }).lowerBound).toBe(-Infinity);
    });

    it('maxIter 0 with every *Init gives a usable model without fitting', () => {
      const m = c.make({ ...base, ...c.start, maxIter: 0 });
      const ll = m.scoreSamples(...c.data);
      expect(ll.every(Number.isFinite)).toBe(true);
      expect(m.nIter).toBe(0);
    });

    it('an aborted signal rejects the fit with an AbortError', async () => {
      const ctrl = new AbortController();
      ctrl.abort();
      await expect(c.make({ ...base, signal: ctrl.signal }).fit(...c.data)).rejects.toThrow(/abort/i);
      const late = new AbortController();
      const m = c.make({
        ...base,
        tol: 0,
        maxIter: 100000,
        signal: late.signal,
        onIteration: ({ iter }: { iter: number }) => iter === 3 && late.abort(),
      });
      await expect(m.fit(...c.data)).rejects.toThrow(/abort/i);
    });

    it('integer sampleWeight equals repeated rows', async () => {
      const counts = Array.from({ length: c.n }, (_, i) => (i * 7) % 4);
      const weighted = c.make({ ...base, ...c.start, tol: 0, maxIter: 8 });
      await weighted.fit(...c.data, { sampleWeight: counts });
      const repeated = c.make({ ...base, ...c.start, tol: 0, maxIter: 8 });
      await repeated.fit(...c.repeated(counts));
      expect(Math.abs(weighted.lowerBound - repeated.lowerBound)).toBeLessThan(1e-12);
      expect(maxScaledDiff(weighted.scoreSamples(...c.data), repeated.scoreSamples(...c.data))).toBeLessThan(
        1e-12,
      );
    });

    it('an unknown option is rejected with the valid ones listed', () => {
      expect(() => c.make({ ...base, maxIters: 5 })).toThrow(
        /no option 'maxIters' \(did you mean 'maxIter'\?\)/,
      );
      expect(() => c.make({ ...base, tol: -1 })).toThrow(/tol must be a finite number >= 0, got -1/);
    });

    if (c.labels) {
      it('fitPredict equals fit then predict; posterior rows sum to 1', async () => {
        const a = c.make({ ...base }) as Proba;
        const labels = await a.fitPredict(...c.data);
        const b = c.make({ ...base }) as Proba;
        await b.fit(...c.data);
        expect(b.predict(...c.data)).toEqual(labels);
        const p = b.predictProba(...c.data);
        for (let i = 0; i < c.n; i++) {
          let s = 0;
          for (let k = 0; k < c.nComponents; k++) s += p[i * c.nComponents + k];
          expect(Math.abs(s - 1)).toBeLessThan(1e-12);
        }
      });
    }

    if (backend === 'wasm') {
      it('1, 2 and 3 threads agree to 1e-12', async () => {
        const fits = [];
        for (const threads of [1, 2, 3]) {
          const m = c.make({ ...base, ...c.start, tol: 0, maxIter: 10, threads });
          await m.fit(...c.data);
          fits.push(m);
        }
        for (const m of fits.slice(1)) {
          expect(Math.abs(m.lowerBound - fits[0].lowerBound)).toBeLessThan(
            1e-12 * Math.max(1, Math.abs(fits[0].lowerBound)),
          );
          expect(maxScaledDiff(m.scoreSamples(...c.data), fits[0].scoreSamples(...c.data))).toBeLessThan(
            1e-12,
          );
        }
      });

      it('a fit in a worker equals the fit on this thread', async () => {
        const here = c.make({ ...base, maxIter: 10 });
        await here.fit(...c.data);
        const there = c.make({ ...base, maxIter: 10, worker: true });
        await there.fit(...c.data);
        expect(there.lowerBound).toBe(here.lowerBound);
        expect(there.scoreSamples(...c.data)).toEqual(here.scoreSamples(...c.data));
      });
    }
  },
);
