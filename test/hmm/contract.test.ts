// The EM contract for HMMs (the checks of test/em/contract.test.ts over (X, lengths) data): what
// every registered HMM family guarantees on both backends. A new HMM family gets it by adding its
// case to contract-cases.ts.
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/em/registry';
import { maxScaledDiff } from '../helpers/kernel-table';
import { HMM_CASES, type HMMContractCase } from './contract-cases';

const BACKENDS = ['wasm', 'js'] as const;

it('every registered HMM family has a contract case', () => {
  const covered = new Set(HMM_CASES.map((c) => c.family));
  for (const family of Object.keys(FAMILIES)) if (family.endsWith('HMM')) expect(covered).toContain(family);
});

describe.each(HMM_CASES.flatMap((c) => BACKENDS.map((b) => [`${c.family} (${b})`, c, b] as const)))(
  '%s',
  (_name, c: HMMContractCase, backend) => {
    const base = { ...c.fixed, nComponents: c.nComponents, backend, randomState: 0 };
    const { X, lengths } = c;

    it('the bound never decreases with default options (warmStart, nIter 1, step by step)', async () => {
      const m = c.make({ ...base, warmStart: true, nIter: 1 });
      const bounds: number[] = [];
      for (let step = 0; step < 20; step++) {
        await m.fit(X, lengths);
        bounds.push(m.lowerBound);
      }
      for (let i = 1; i < bounds.length; i++) {
        expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-9 * Math.abs(bounds[i - 1]));
      }
      expect(bounds[bounds.length - 1]).toBeGreaterThan(bounds[0]);
    });

    it('warm start continues step by step: 6 + 6 iterations equal 12', async () => {
      const whole = c.make({ ...base, ...c.start, tol: 0, nIter: 12 });
      await whole.fit(X, lengths);
      const parts = c.make({ ...base, ...c.start, tol: 0, nIter: 6, warmStart: true });
      await parts.fit(X, lengths);
      await parts.fit(X, lengths);
      expect(Math.abs(parts.lowerBound - whole.lowerBound)).toBeLessThan(1e-9);
      expect(maxScaledDiff(parts.predictProba(X, lengths), whole.predictProba(X, lengths))).toBeLessThan(
        1e-9,
      );
    });

    it('JSON round trip: the restored model scores identically and warm-starts', async () => {
      const m = c.make({ ...base, nIter: 5 });
      await m.fit(X, lengths);
      const text = JSON.stringify(m);
      const saved = JSON.parse(text);
      expect(saved).toMatchObject({ format: 'emwasm', version: 1, family: c.family });
      const again = c.restore(text, { backend });
      expect(again.scoreSamples(X, lengths)).toEqual(m.scoreSamples(X, lengths));
      expect(again.lowerBounds).toEqual(m.lowerBounds);
      expect(JSON.stringify(again)).toBe(text);
      expect(() => c.restore(JSON.stringify({ ...saved, family: 'SomethingElse' }))).toThrow(/SomethingElse/);
      expect(() => c.restore(JSON.stringify({ ...saved, version: 99 }))).toThrow(/version/);
      const warm = c.restore(text, { backend, warmStart: true });
      await warm.fit(X, lengths);
      expect(warm.lowerBounds[0]).toBeGreaterThanOrEqual(m.lowerBound - 1e-9 * Math.abs(m.lowerBound));
    });

    it('a fit with nIter 0 round-trips its −∞ bound through JSON', async () => {
      const m = c.make({ ...base, nIter: 0 });
      await m.fit(X, lengths);
      expect(m.lowerBound).toBe(-Infinity);
      const again = c.restore(JSON.stringify(m), { backend });
      expect(again.lowerBound).toBe(-Infinity);
      expect(again.nIter).toBe(0);
    });

    it('nIter 0 with every *Init gives a usable model without fitting', () => {
      const m = c.make({ ...base, ...c.start, nIter: 0 });
      expect(m.nIter).toBe(0);
      expect(Number.isFinite(m.score(X, lengths))).toBe(true);
      expect(m.predict(X, lengths)).toEqual(m.decode(X, lengths).states);
      expect(m.sample(10, 1).states).toHaveLength(10);
      expect(m.nFeatures).toBe(c.family === 'CategoricalHMM' ? 3 : X.cols);
    });

    it('posterior rows sum to 1; predict is the Viterbi path', async () => {
      const m = c.make({ ...base, nIter: 5 });
      await m.fit(X, lengths);
      const p = m.predictProba(X, lengths);
      const k = c.nComponents;
      let worst = 0;
      for (let t = 0; t < X.rows; t++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += p[t * k + j];
        worst = Math.max(worst, Math.abs(s - 1));
      }
      expect(worst).toBeLessThan(1e-12);
      expect(m.predict(X, lengths)).toEqual(m.decode(X, lengths).states);
    });

    it('an aborted signal rejects the fit, before and during', async () => {
      const ctrl = new AbortController();
      ctrl.abort();
      await expect(c.make({ ...base, signal: ctrl.signal }).fit(X, lengths)).rejects.toThrow(/abort/i);
      await expect(c.make(base).fit(X, lengths, { signal: ctrl.signal })).rejects.toThrow(/abort/i);
      const late = new AbortController();
      const m = c.make({
        ...base,
        tol: 0,
        nIter: 100000,
        signal: late.signal,
        onIteration: ({ iter }: { iter: number }) => iter === 3 && late.abort(),
      });
      await expect(m.fit(X, lengths)).rejects.toThrow(/abort/i);
    });

    it('an unknown option is rejected with the valid ones listed', () => {
      expect(() => c.make({ ...base, maxIters: 5 })).toThrow(
        new RegExp(`${c.family} has no option 'maxIters'.*valid options: nComponents, nIter, tol`),
      );
      expect(() => c.make({ ...base, nIters: 5 })).toThrow(/no option 'nIters' \(did you mean 'nIter'\?\)/);
      expect(() => c.make({ ...base, nIter: 'abc' })).toThrow(/nIter must be an integer >= 0, got "abc"/);
      expect(() => c.make({ ...base, tol: -1 })).toThrow(/tol must be a finite number >= 0, got -1/);
      expect(() => c.make({ ...base, signal: 'stop' })).toThrow(/signal must be an AbortSignal, got "stop"/);
    });

    if (backend === 'wasm') {
      it('a fit in a worker equals the fit on this thread, also a warm start', async () => {
        const here = c.make({ ...base, nIter: 6, tol: 0 });
        await here.fit(X, lengths);
        const there = c.make({ ...base, nIter: 6, tol: 0, worker: true });
        await there.fit(X, lengths);
        expect(there.lowerBounds).toEqual(here.lowerBounds);
        expect(there.scoreSamples(X, lengths)).toEqual(here.scoreSamples(X, lengths));
        const warmHere = c.restore(JSON.stringify(here), { warmStart: true });
        await warmHere.fit(X, lengths);
        const warmThere = c.restore(JSON.stringify(here), { warmStart: true, worker: true });
        await warmThere.fit(X, lengths);
        expect(warmThere.lowerBounds).toEqual(warmHere.lowerBounds);
      });
    }
  },
);
