import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendName, Handle } from '../../src/backend/types';
import type { HmmCalls, HmmWorkspace } from '../../src/hmm/kernels';
import { Random } from '../../src/util/random';
import { loadModule } from '../../src/wasm/module';
import { maxRelDiff, uniformArray } from '../helpers/data';
import { BACKENDS, enumeratePaths, maxAbs, runKernel, stochastic } from './helpers';

beforeAll(async () => {
  await loadModule();
});

/**
 * Forward then backward with every statistic. The lattice between them is each implementation's
 * own, so it and the scratch are allocated here rather than compared. `xiSum` and `startCounts`
 * accumulate onto what their handles hold (0: not asked for).
 */
function forwardBackward(
  kern: HmmCalls,
  h: Record<string, Handle>,
  ws: HmmWorkspace,
  nSeq: number,
  n: number,
  k: number,
): number {
  const lattice = ws.allocF64(n * kern.hmmLatticeStride(k));
  const work = ws.allocF64(kern.hmmWorkLength(k));
  const ll = kern.hmmForward(h.logB, h.lengths, nSeq, k, h.startProb, h.transMat, lattice, work);
  kern.hmmBackward(
    h.logB,
    h.lengths,
    nSeq,
    k,
    h.transMat,
    lattice,
    h.post,
    h.xiSum ?? 0,
    h.startCounts ?? 0,
    work,
  );
  return ll;
}

/** Forward, then backward with every statistic, on one backend. */
function smooth(
  backend: BackendName,
  logB: Float64Array,
  lengths: Int32Array,
  k: number,
  startProb: Float64Array,
  transMat: Float64Array,
) {
  const n = logB.length / k;
  const inputs = {
    logB,
    lengths,
    startProb,
    transMat,
    post: new Float64Array(n * k),
    xiSum: new Float64Array(k * k),
    startCounts: new Float64Array(k),
  };
  const { result, out } = runKernel(backend, inputs, (kern, h, ws) =>
    forwardBackward(kern, h, ws, lengths.length, n, k),
  );
  return { logLikelihood: result as number, ...out } as {
    logLikelihood: number;
    post: Float64Array;
    xiSum: Float64Array;
    startCounts: Float64Array;
  };
}

function viterbi(
  backend: BackendName,
  logB: Float64Array,
  lengths: Int32Array,
  k: number,
  startProb: Float64Array,
  transMat: Float64Array,
): { logProb: number; states: Int32Array } {
  const n = logB.length / k;
  const { result, out } = runKernel(
    backend,
    {
      logB,
      lengths,
      logStart: startProb.map(Math.log),
      logTrans: transMat.map(Math.log),
      lattice: new Float64Array(n * k),
      states: new Int32Array(n),
    },
    (kern, h) =>
      kern.hmmViterbi(h.logB, h.lengths, lengths.length, k, h.logStart, h.logTrans, h.lattice, h.states),
  );
  return { logProb: result as number, states: out.states as Int32Array };
}

// The umbrella example of Wikipedia's "Forward–backward algorithm" article (as hmmlearn's tests use it):
// states rain / no rain, observations umbrella, umbrella, no umbrella, umbrella, umbrella.
const wiki = {
  startProb: Float64Array.of(0.5, 0.5),
  transMat: Float64Array.of(0.7, 0.3, 0.3, 0.7),
  logB: Float64Array.from([0.9, 0.2, 0.9, 0.2, 0.1, 0.8, 0.9, 0.2, 0.9, 0.2], Math.log),
  lengths: Int32Array.of(5),
};

describe.each(BACKENDS)('known answers (%s)', (backend) => {
  it("forward-backward reproduces Wikipedia's umbrella example", () => {
    const r = smooth(backend, wiki.logB, wiki.lengths, 2, wiki.startProb, wiki.transMat);
    expect(r.logLikelihood).toBeCloseTo(-3.3725, 4);
    // The forward table's row sums (of entries rounded to 4 decimals) are the prefixes' likelihoods.
    const prefixes = [0.55, 0.3515, 0.1205, 0.0558, 0.0344];
    prefixes.forEach((p, t) => {
      const prefix = smooth(
        backend,
        wiki.logB.subarray(0, 2 * t + 2),
        Int32Array.of(t + 1),
        2,
        wiki.startProb,
        wiki.transMat,
      );
      expect(Math.abs(Math.exp(prefix.logLikelihood) - p)).toBeLessThan(1.1e-4);
    });
    const smoothed = [0.8673, 0.1327, 0.8204, 0.1796, 0.3075, 0.6925, 0.8204, 0.1796, 0.8673, 0.1327];
    expect(maxAbs(r.post, smoothed)).toBeLessThan(1e-4);
    // Σ over the 4 transitions of p(z_t, z_{t+1} | x) sums to 4; each row sum equals Σ_{t<4} γ_t.
    expect(r.xiSum.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
    expect(r.xiSum[0] + r.xiSum[1]).toBeCloseTo(0.8673 + 0.8204 + 0.3075 + 0.8204, 3);
  });

  it('Viterbi on the umbrella example: rain, rain, dry, rain, rain', () => {
    const r = viterbi(backend, wiki.logB, wiki.lengths, 2, wiki.startProb, wiki.transMat);
    expect([...r.states]).toEqual([0, 0, 1, 0, 0]);
    // 0.5·0.9 · 0.7·0.9 · 0.3·0.8 · 0.3·0.9 · 0.7·0.9 by hand:
    expect(r.logProb).toBeCloseTo(Math.log(0.5 * 0.9 * 0.7 * 0.9 * 0.3 * 0.8 * 0.3 * 0.9 * 0.7 * 0.9), 12);
    expect(r.logProb).toBeCloseTo(-4.459, 3);
  });

  it('Viterbi breaks ties toward the lower state', () => {
    const k = 3;
    const logB = new Float64Array(4 * k).fill(Math.log(1 / 3));
    const uniform = new Float64Array(k * k).fill(1 / 3);
    const r = viterbi(backend, logB, Int32Array.of(4), k, new Float64Array(k).fill(1 / 3), uniform);
    expect([...r.states]).toEqual([0, 0, 0, 0]);
  });

  it('matches enumeration of every path (several sequences, one of length 1)', () => {
    const rng = new Random(11);
    const k = 3;
    const lengths = Int32Array.of(6, 1, 5);
    const n = 12;
    const logB = uniformArray(rng, n * k, -6, 0);
    const startProb = stochastic(rng, 1, k);
    const transMat = stochastic(rng, k, k);
    const r = smooth(backend, logB, lengths, k, startProb, transMat);
    const v = viterbi(backend, logB, lengths, k, startProb, transMat);
    let start = 0;
    let total = 0;
    let best = 0;
    const xi = new Float64Array(k * k);
    const starts = new Float64Array(k);
    for (const T of lengths) {
      const e = enumeratePaths(logB.subarray(start * k, (start + T) * k), T, k, startProb, transMat);
      total += e.logLikelihood;
      best += e.bestLogProb;
      expect(maxAbs(r.post.subarray(start * k, (start + T) * k), e.posteriors)).toBeLessThan(1e-12);
      expect([...v.states.subarray(start, start + T)]).toEqual([...e.bestPath]);
      for (let c = 0; c < k * k; c++) xi[c] += e.xiSum[c];
      for (let c = 0; c < k; c++) starts[c] += e.posteriors[c];
      start += T;
    }
    expect(r.logLikelihood).toBeCloseTo(total, 10);
    expect(v.logProb).toBeCloseTo(best, 10);
    expect(maxAbs(r.xiSum, xi)).toBeLessThan(1e-11);
    expect(maxAbs(r.startCounts, starts)).toBeLessThan(1e-12);
  });

  it('stays in log space where a shifted sum underflows (structural zeros, a 1000-nat gap)', () => {
    // Only state 1 can explain the last sample and only state 1 leads to it, but after the first
    // sample state 1 is 1000 nats less likely than state 0.
    const logB = Float64Array.of(0, -1000, 0, 0, -Infinity, 0);
    const identity = Float64Array.of(1, 0, 0, 1);
    const r = smooth(backend, logB, Int32Array.of(3), 2, Float64Array.of(0.5, 0.5), identity);
    expect(r.logLikelihood).toBeCloseTo(Math.log(0.5) - 1000, 10);
    expect([...r.post]).toEqual([0, 1, 0, 1, 0, 1]);
    expect([...r.xiSum]).toEqual([0, 0, 0, 2]);
    const tiny = Float64Array.of(1 - 1e-300, 1e-300, 1e-300, 1 - 1e-300);
    const e = enumeratePaths(logB, 3, 2, Float64Array.of(0.5, 0.5), tiny);
    const t = smooth(backend, logB, Int32Array.of(3), 2, Float64Array.of(0.5, 0.5), tiny);
    expect(t.logLikelihood).toBeCloseTo(e.logLikelihood, 10);
    expect(maxAbs(t.post, e.posteriors)).toBeLessThan(1e-12);
    expect(maxAbs(t.xiSum, e.xiSum)).toBeLessThan(1e-12);
  });

  it('an impossible sequence gives −∞, uniform posteriors and no transitions', () => {
    const logB = Float64Array.of(0, 0, -Infinity, -Infinity, 0, 0);
    const r = smooth(
      backend,
      logB,
      Int32Array.of(3),
      2,
      Float64Array.of(0.5, 0.5),
      Float64Array.of(0.5, 0.5, 0.5, 0.5),
    );
    expect(r.logLikelihood).toBe(-Infinity);
    expect([...r.post]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect([...r.xiSum]).toEqual([0, 0, 0, 0]);
  });
});

describe('a 1,000,000-step sequence', () => {
  it.each(BACKENDS)('keeps a finite likelihood and posteriors that sum to 1 (%s)', (backend) => {
    const rng = new Random(5);
    const k = 2;
    const n = 1_000_000;
    const logB = uniformArray(rng, n * k, -4, -1);
    const startProb = Float64Array.of(0.5, 0.5);
    const transMat = Float64Array.of(0.95, 0.05, 0.1, 0.9);
    const r = smooth(backend, logB, Int32Array.of(n), k, startProb, transMat);
    // An independent scaled forward pass: the likelihood is the product of the per-step normalisers.
    let alpha = [startProb[0] * Math.exp(logB[0]), startProb[1] * Math.exp(logB[1])];
    let scaled = 0;
    for (let t = 0; t < n; t++) {
      if (t > 0) {
        const b0 = Math.exp(logB[t * 2]);
        const b1 = Math.exp(logB[t * 2 + 1]);
        alpha = [(alpha[0] * 0.95 + alpha[1] * 0.1) * b0, (alpha[0] * 0.05 + alpha[1] * 0.9) * b1];
      }
      const c = alpha[0] + alpha[1];
      scaled += Math.log(c);
      alpha = [alpha[0] / c, alpha[1] / c];
    }
    expect(Number.isFinite(r.logLikelihood)).toBe(true);
    expect(Math.abs(r.logLikelihood - scaled) / Math.abs(scaled)).toBeLessThan(1e-10);
    let worst = 0;
    let negative = 0;
    for (let t = 0; t < n; t++) {
      const p0 = r.post[t * 2];
      const p1 = r.post[t * 2 + 1];
      if (!(p0 >= 0 && p1 >= 0)) negative++;
      worst = Math.max(worst, Math.abs(p0 + p1 - 1));
    }
    expect(negative).toBe(0);
    expect(worst).toBeLessThan(1e-12);
    expect(r.xiSum.reduce((a, b) => a + b, 0)).toBeCloseTo(n - 1, 4);
  });
});

describe('Wasm equals the TypeScript reference', () => {
  const SHAPES: [k: number, lengths: number[]][] = [
    [1, [7]],
    [2, [1, 9, 4]],
    [3, [25]],
    [5, [3, 1, 17, 8]],
    [8, [40, 33]],
    [9, [11, 2, 30]],
  ];

  function expectSame(
    inputs: Record<string, Float64Array | Int32Array>,
    call: Parameters<typeof runKernel>[2],
    tol = 1e-12,
  ): void {
    const a = runKernel('wasm', inputs, call);
    const b = runKernel('js', inputs, call);
    // A kernel that returns nothing gives undefined from Wasm (the twin binding's 0 is not compared).
    if (typeof a.result === 'number')
      expect(maxRelDiff([a.result], [b.result as number])).toBeLessThanOrEqual(tol);
    // Scratch arrays hold whatever each implementation left there.
    for (const name of Object.keys(inputs).filter((key) => key !== 'work' && key !== 'lattice')) {
      expect(maxRelDiff(a.out[name], b.out[name]), `array ${name}`).toBeLessThanOrEqual(tol);
    }
  }

  describe.each(SHAPES)('k=%i lengths=%j', (k, lengthList) => {
    const lengths = Int32Array.from(lengthList);
    const n = lengthList.reduce((a, b) => a + b, 0);
    const seed = k * 100 + n;

    it('hmmForward and hmmBackward, with and without the statistics', () => {
      const rng = new Random(seed);
      const logB = uniformArray(rng, n * k, -30, 2);
      // A zero transition and a zero start probability exercise −∞ in the lattices.
      const transMat = stochastic(rng, k, k);
      const startProb = stochastic(rng, 1, k);
      if (k > 2) {
        transMat[1] = 0;
        const s = transMat[0] + transMat.subarray(2, k).reduce((a, b) => a + b, 0);
        for (let j = 0; j < k; j++) transMat[j] /= s;
        startProb[k - 1] = 0;
        const t = startProb.reduce((a, b) => a + b, 0);
        for (let j = 0; j < k; j++) startProb[j] /= t;
      }
      const base = { logB, lengths, startProb, transMat, post: new Float64Array(n * k) };
      expectSame(
        { ...base, xiSum: uniformArray(rng, k * k, 0, 1), startCounts: uniformArray(rng, k, 0, 1) },
        (kern, h, ws) => forwardBackward(kern, h, ws, lengths.length, n, k),
        1e-11,
      );
      expectSame(base, (kern, h, ws) => forwardBackward(kern, h, ws, lengths.length, n, k), 1e-11);
    });

    it('hmmForward and hmmBackward where emissions differ by hundreds of nats or are impossible', () => {
      const rng = new Random(seed + 3);
      const logB = uniformArray(rng, n * k, -2000, 0);
      // Some impossible emissions, never a whole row (that sequence would be impossible).
      if (k > 1) for (let t = 0; t < n; t += 3) logB[t * k + (t % k)] = -Infinity;
      const base = { logB, lengths, startProb: stochastic(rng, 1, k), transMat: stochastic(rng, k, k) };
      expectSame(
        {
          ...base,
          post: new Float64Array(n * k),
          xiSum: new Float64Array(k * k),
          startCounts: new Float64Array(k),
        },
        (kern, h, ws) => forwardBackward(kern, h, ws, lengths.length, n, k),
        1e-10,
      );
    });

    it('hmmViterbi', () => {
      const rng = new Random(seed + 1);
      const transMat = stochastic(rng, k, k);
      expectSame(
        {
          logB: uniformArray(rng, n * k, -10, 0),
          lengths,
          logStart: stochastic(rng, 1, k).map(Math.log),
          logTrans: transMat.map(Math.log),
          lattice: new Float64Array(n * k),
          states: new Int32Array(n),
        },
        (kern, h) =>
          kern.hmmViterbi(h.logB, h.lengths, lengths.length, k, h.logStart, h.logTrans, h.lattice, h.states),
        0,
      );
    });

    it('categorical, Poisson, multinomial and mixture emission kernels', () => {
      const rng = new Random(seed + 2);
      const m = 4;
      const symbols = Int32Array.from({ length: n }, () => rng.int(m));
      expectSame(
        { symbols, logE: uniformArray(rng, k * m, -5, 0), out: new Float64Array(n * k) },
        (kern, h) => kern.categoricalLogProb(h.symbols, n, h.logE, k, m, h.out),
        0,
      );
      expectSame(
        { symbols, post: stochastic(rng, n, k), counts: uniformArray(rng, k * m, 0, 1) },
        (kern, h) => kern.accumulateCategorical(h.symbols, n, h.post, k, m, h.counts),
        1e-15,
      );
      const d = 3;
      const x = Float64Array.from({ length: n * d }, () => rng.int(6));
      const lambdas = uniformArray(rng, k * d, 0.1, 5);
      lambdas[0] = 0;
      expectSame(
        {
          x,
          lambdas,
          logFactorials: uniformArray(rng, n, 0, 4),
          out: new Float64Array(n * k),
          work: new Float64Array(k * d),
        },
        (kern, h) => kern.poissonLogProb(h.x, n, d, h.lambdas, k, h.logFactorials, h.out, h.work),
        1e-14,
      );
      const logP = stochastic(rng, k, d).map(Math.log);
      logP[0] = -Infinity;
      x[0] = 0;
      expectSame(
        { x, logP, rowConst: uniformArray(rng, n, -4, 4), out: new Float64Array(n * k) },
        (kern, h) => kern.multinomialLogProb(h.x, n, d, h.logP, k, h.rowConst, h.out),
        1e-14,
      );
      const logProb = uniformArray(rng, n * k * m, -900, 5);
      for (let q = 0; q < m; q++) logProb[q] = -Infinity;
      expectSame(
        { logProb, logWeights: stochastic(rng, k, m).map(Math.log), out: new Float64Array(n * k) },
        (kern, h) => kern.mixtureStateLogProb(h.logProb, n, k, m, h.logWeights, h.out),
        1e-14,
      );
      expectSame(
        { resp: stochastic(rng, n * k, m), post: stochastic(rng, n, k) },
        (kern, h) => kern.weightMixturePosteriors(h.resp, n, k, m, h.post),
        0,
      );
    });
  });
});
