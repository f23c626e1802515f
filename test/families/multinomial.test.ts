import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOG_TINY } from '../../src/families/discrete';
import { MULTINOMIAL_KERNELS, paddedWidth, workLength } from '../../src/families/multinomial/kernels';
import { MultinomialMixture } from '../../src/families/multinomial/multinomial-mixture';
import { Random } from '../../src/util/random';
import { logFactorial, poisson } from '../../src/util/special';
import { maxScaledDiff, runKernel, type KernelArg } from '../helpers/kernel-table';
import { expectRowOrderFree } from '../helpers/row-order';

const BACKENDS = ['wasm', 'js'] as const;

function countRows(n: number, d: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => poisson(rng, 1 + (j % 3))));
}

/** log of the multinomial probability of `x` under θ. */
function logPmf(x: number[], theta: ArrayLike<number>, offset = 0): number {
  let total = 0;
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    total += x[j];
    s += (x[j] ? x[j] * Math.log(theta[offset + j]) : 0) - logFactorial(x[j]);
  }
  return s + logFactorial(total);
}

/** Count rows with every fifth row empty and, when `big`, one count and one total past the table. */
function kernelRows(n: number, d: number, seed: number, big: boolean): number[][] {
  const X = countRows(n, d, seed).map((r, i) => (i % 5 === 2 ? r.map(() => 0) : r));
  if (big) {
    X[n - 1][0] = 5000;
    if (n > 1) X[0] = X[0].map((v, j) => (j === d - 1 ? 4095 : v));
  }
  return X;
}

/** The compressed rows' column offsets as stored in `columns` (u16 pairs in the compact layout). */
function storedColumns(columns: Int32Array, compact: number): Int32Array | Uint16Array {
  return compact ? new Uint16Array(columns.buffer, columns.byteOffset, columns.length * 2) : columns;
}

/** The compressed rows' counts as stored in `counts` (f32 pairs in the compact layout). */
function storedCounts(counts: Float64Array, compact: number): Float64Array | Float32Array {
  return compact ? new Float32Array(counts.buffer, counts.byteOffset, counts.length * 2) : counts;
}

describe('multinomial kernels: Wasm == twin on odd shapes (blocks of 64 rows, K padded to even, rows in chunks of 64; compact and wide rows)', () => {
  for (const [n, d, k] of [
    [1, 1, 1],
    [37, 7, 5],
    [15, 33, 3],
    [63, 4, 2],
    [64, 9, 7],
    [65, 5, 1],
    [130, 11, 9],
    [130, 6, 4],
    [66, 3, 8],
    [129, 8, 13],
    // Rows of more than one 64-value chunk in the compression.
    [20, 64, 3],
    [21, 129, 6],
  ] as const) {
    for (const [weighted, compact] of [
      [false, 1],
      [true, 1],
      [false, 0],
      [true, 0],
    ] as const) {
      it(`n=${n} d=${d} k=${k}${weighted ? ', sample weights' : ''}, ${compact ? 'compact' : 'wide'}`, async () => {
        const rng = new Random(n * 1000 + d * 10 + k);
        const kp = paddedWidth(k);
        const X = kernelRows(n, d, n + d, weighted);
        const nonzeros = X.flat().filter((v) => v !== 0).length;

        for (const backend of ['wasm', 'js'] as const) {
          const starts = (x: Float64Array) =>
            runKernel(MULTINOMIAL_KERNELS, 'multinomialRowStarts', backend, [
              x,
              n,
              d,
              new Int32Array(n + 1),
              new Float64Array(1),
            ]);
          const counted = await starts(Float64Array.from(X.flat()));
          expect(counted.result).toBe(nonzeros);
          // The largest count, wherever it is (a row's odd tail included).
          expect((counted.arrays[4] as Float64Array)[0]).toBe(Math.max(0, ...X.flat()));
          for (const at of new Set([0, n * d - 1, d - 1])) {
            const x = Float64Array.from(X.flat());
            x[at] = 2 ** 30;
            expect(((await starts(x)).arrays[4] as Float64Array)[0]).toBe(2 ** 30);
          }
          let before = 0;
          X.forEach((r, i) => {
            expect((counted.arrays[3] as Int32Array)[i]).toBe(before);
            before += r.filter((v) => v !== 0).length;
          });
          expect((counted.arrays[3] as Int32Array)[n]).toBe(nonzeros);
          // A value that is not a finite non-negative integer, in the vector body or a row's
          // odd tail: −1.
          for (const bad of [-1, 2.5, NaN, Infinity, -Infinity, 1e-300]) {
            for (const at of new Set([0, Math.floor((n * d) / 2), n * d - 1, d - 1])) {
              const x = Float64Array.from(X.flat());
              x[at] = bad;
              expect((await starts(x)).result).toBe(-1);
            }
          }
          const signed = Float64Array.from(X.flat(), (v) => (v === 0 ? -0 : v));
          expect((await starts(signed)).result).toBe(nonzeros);
        }
        const rowStart = (
          await runKernel(MULTINOMIAL_KERNELS, 'multinomialRowStarts', 'wasm', [
            Float64Array.from(X.flat()),
            n,
            d,
            new Int32Array(n + 1),
            new Float64Array(1),
          ])
        ).arrays[3] as Int32Array;

        // Compression: both backends store the same arrays, the nonzeros as read off X, and each
        // row's log multinomial coefficient (NaN for a row past the table).
        const compressArgs = (): KernelArg[] => [
          Float64Array.from(X.flat()),
          n,
          d,
          kp,
          null,
          Int32Array.from(rowStart),
          new Int32Array(Math.max(1, nonzeros)),
          new Float64Array(Math.max(1, nonzeros)),
          new Float64Array(n),
          Float64Array.from({ length: 4096 }, (_, i) => logFactorial(i)),
          4096,
          compact,
        ];
        const wc = await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', 'wasm', compressArgs());
        const tc = await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', 'js', compressArgs());
        expect(wc.result).toBe(X.flat().reduce((a, b) => a + b, 0));
        expect(tc.result).toBe(wc.result);
        for (const a of [6, 7, 8]) expect(wc.arrays[a]).toEqual(tc.arrays[a]);
        const rawColumns = wc.arrays[6] as Int32Array;
        const rawCounts = wc.arrays[7] as Float64Array;
        const columns = Int32Array.from(storedColumns(rawColumns, compact).subarray(0, nonzeros));
        const counts = Float64Array.from(storedCounts(rawCounts, compact).subarray(0, nonzeros));
        const rowConst = wc.arrays[8] as Float64Array;
        X.forEach((r, i) => {
          const nz = r.flatMap((v, j) => (v !== 0 ? [j] : []));
          expect([...columns.subarray(rowStart[i], rowStart[i + 1])]).toEqual(nz.map((j) => j * kp));
          expect([...counts.subarray(rowStart[i], rowStart[i + 1])]).toEqual(nz.map((j) => r[j]));
          const total = r.reduce((a, b) => a + b, 0);
          if (Math.max(total, ...r) >= 4096) expect(rowConst[i]).toBeNaN();
          else expect(rowConst[i]).toBe(logPmf(r, new Float64Array(d).fill(1)));
        });
        // Positions that leave a row one nonzero short, or one too many: −1, and nothing stored
        // past the row's positions.
        const full = X.findIndex((r) => r.some((v) => v !== 0));
        if (full >= 0) {
          for (const backend of ['wasm', 'js'] as const) {
            for (const shift of [-1, 1]) {
              const wrong = compressArgs();
              const positions = Int32Array.from(rowStart);
              for (let i = full + 1; i <= n; i++) positions[i] += shift;
              wrong[5] = positions;
              wrong[6] = new Int32Array(Math.max(1, nonzeros + 1)).fill(-7);
              const r = await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', backend, wrong);
              expect(r.result).toBe(-1);
              const before = storedColumns(wrong[6] as Int32Array, compact);
              const after = storedColumns(r.arrays[6] as Int32Array, compact);
              for (let e = positions[full + 1]; e < after.length; e++) expect(after[e]).toBe(before[e]);
            }
          }
          // A slice of rows compresses into its own positions, as the whole does.
          const half = Math.floor(n / 2);
          if (half > 0) {
            const args = compressArgs();
            const slice = await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', 'js', [
              Float64Array.from(X.slice(half).flat()),
              n - half,
              d,
              kp,
              null,
              Int32Array.from(rowStart.subarray(half)),
              args[6],
              args[7],
              new Float64Array(n - half),
              args[9],
              4096,
              compact,
            ]);
            expect(slice.result).toBe(
              X.slice(half)
                .flat()
                .reduce((a, b) => a + b, 0),
            );
            const from = rowStart[half];
            expect([
              ...storedColumns(slice.arrays[6] as Int32Array, compact).subarray(from, nonzeros),
            ]).toEqual([...columns.subarray(from)]);
          }
        }

        // Rows stored in another order (`rank`: row i at place rank[i], here reversed, over
        // positions counted in that order): the arrays the reversed rows give in order.
        {
          const reversed = X.slice().reverse();
          const places = new Int32Array(n + 1);
          reversed.forEach((r, p) => (places[p + 1] = places[p] + r.filter((v) => v !== 0).length));
          const inOrder = compressArgs();
          inOrder[0] = Float64Array.from(reversed.flat());
          inOrder[5] = Int32Array.from(places);
          const expected = await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', 'js', inOrder);
          for (const backend of BACKENDS) {
            const ranked = compressArgs();
            ranked[4] = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
            ranked[5] = Int32Array.from(places);
            const r = await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', backend, ranked);
            expect(r.result).toBe(expected.result);
            for (const a of [6, 7, 8]) expect(r.arrays[a]).toEqual(expected.arrays[a]);
          }
        }

        const fixedRowConst = Float64Array.from(X, (r) => logPmf(r, new Float64Array(d).fill(1)));
        const logProbsT = new Float64Array(d * kp);
        for (let c = 0; c < k; c++) {
          const raw = Array.from({ length: d }, () => 0.1 + rng.uniform());
          const sum = raw.reduce((a, b) => a + b, 0);
          raw.forEach((v, j) => (logProbsT[j * kp + c] = Math.log(v / sum)));
        }
        const logWeights = Float64Array.from({ length: k }, () => Math.log((1 + rng.uniform()) / (2 * k)));
        const sw = weighted
          ? Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : rng.uniform() * 3))
          : null;
        const args = (stats: boolean): KernelArg[] => [
          rowStart,
          Int32Array.from(rawColumns),
          Float64Array.from(rawCounts),
          n,
          logProbsT,
          logWeights,
          k,
          stats ? new Float64Array(k) : null,
          stats ? new Float64Array(d * kp) : null,
          new Float64Array(n * k),
          new Float64Array(n),
          sw,
          fixedRowConst,
          0,
          new Float64Array(workLength(k)),
          compact,
        ];
        for (const stats of [true, false]) {
          const w = await runKernel(MULTINOMIAL_KERNELS, 'multinomialEStep', 'wasm', args(stats));
          const t = await runKernel(MULTINOMIAL_KERNELS, 'multinomialEStep', 'js', args(stats));
          expect(Math.abs(w.result - t.result)).toBeLessThan(1e-12 * Math.max(1, Math.abs(t.result)));
          for (const a of [7, 8, 9, 10]) {
            if (t.arrays[a])
              expect(maxScaledDiff(w.arrays[a] as Float64Array, t.arrays[a] as Float64Array)).toBeLessThan(
                1e-12,
              );
          }
          // Rows of responsibilities sum to 1; the statistics' pad column stays 0.
          const resp = w.arrays[9] as Float64Array;
          for (let i = 0; i < n; i++) {
            expect(resp.subarray(i * k, (i + 1) * k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
          }
          if (stats && kp > k) {
            const sumX = w.arrays[8] as Float64Array;
            for (let j = 0; j < d; j++) expect(sumX[j * kp + k]).toBe(0);
          }
        }
        // A fit's pass (no responsibilities, log p(x) or weights) takes the coefficients' sum as a
        // number: the same bound and statistics as reading them row by row.
        const fitArgs = (summed: boolean): KernelArg[] => {
          const a = args(true);
          a[9] = a[10] = a[11] = null;
          if (summed) {
            a[12] = null;
            a[13] = fixedRowConst.reduce((x, y) => x + y, 0);
          }
          return a;
        };
        const perRow = await runKernel(MULTINOMIAL_KERNELS, 'multinomialEStep', 'wasm', fitArgs(false));
        for (const backend of ['wasm', 'js'] as const) {
          const summed = await runKernel(MULTINOMIAL_KERNELS, 'multinomialEStep', backend, fitArgs(true));
          expect(Math.abs(summed.result - perRow.result)).toBeLessThan(
            1e-12 * Math.max(1, Math.abs(perRow.result)),
          );
          for (const a of [7, 8]) {
            expect(
              maxScaledDiff(summed.arrays[a] as Float64Array, perRow.arrays[a] as Float64Array),
            ).toBeLessThan(1e-12);
          }
        }
        const resp = Float64Array.from({ length: n * k }, () => rng.uniform());
        const accArgs = (): KernelArg[] => [
          rowStart,
          Int32Array.from(rawColumns),
          Float64Array.from(rawCounts),
          n,
          resp,
          null,
          k,
          new Float64Array(k),
          new Float64Array(d * kp),
          compact,
        ];
        const wa = await runKernel(MULTINOMIAL_KERNELS, 'multinomialAccumulate', 'wasm', accArgs());
        const ta = await runKernel(MULTINOMIAL_KERNELS, 'multinomialAccumulate', 'js', accArgs());
        for (const a of [7, 8])
          expect(maxScaledDiff(wa.arrays[a] as Float64Array, ta.arrays[a] as Float64Array)).toBe(0);
        // Row i's responsibilities at row order[i] of resp (here reversed): the same statistics as
        // the rows' own, reordered, responsibilities, to the bit.
        const order = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
        const reordered = accArgs();
        reordered[4] = Float64Array.from(
          { length: n * k },
          (_, at) => resp[order[Math.floor(at / k)] * k + (at % k)],
        );
        const expectedAcc = await runKernel(MULTINOMIAL_KERNELS, 'multinomialAccumulate', 'js', reordered);
        for (const backend of BACKENDS) {
          const ordered = accArgs();
          ordered[5] = order;
          const r = await runKernel(MULTINOMIAL_KERNELS, 'multinomialAccumulate', backend, ordered);
          for (const a of [7, 8]) expect(r.arrays[a]).toEqual(expectedAcc.arrays[a]);
        }
      });
    }
  }
});

describe('multinomial compression: the compact layout (u16 offsets, f32 counts) and its limits', () => {
  it('returns −2 for an offset past 65535 or a count of 2^24 or more, which the wide layout stores', async () => {
    const compress = (row: number[], width: number, compact: number) => {
      const nonzeros = row.filter((v) => v !== 0).length;
      return [
        Float64Array.from(row),
        1,
        row.length,
        width,
        null,
        Int32Array.from([0, nonzeros]),
        new Int32Array(nonzeros),
        new Float64Array(nonzeros),
        new Float64Array(1),
        Float64Array.from({ length: 4096 }, (_, i) => logFactorial(i)),
        4096,
        compact,
      ] as KernelArg[];
    };
    for (const backend of BACKENDS) {
      const run = async (row: number[], width: number, compact: number) =>
        await runKernel(MULTINOMIAL_KERNELS, 'multinomialCompress', backend, compress(row, width, compact));
      // The largest count and offset the compact layout holds, stored exactly.
      const top = await run([2 ** 24 - 1, 3], 65535, 1);
      expect(top.result).toBe(2 ** 24 + 2);
      expect([...storedColumns(top.arrays[6] as Int32Array, 1).subarray(0, 2)]).toEqual([0, 65535]);
      expect([...storedCounts(top.arrays[7] as Float64Array, 1).subarray(0, 2)]).toEqual([2 ** 24 - 1, 3]);
      expect((await run([3, 2 ** 24], 2, 1)).result).toBe(-2);
      expect((await run([1, 1], 65536, 1)).result).toBe(-2);
      const wide = await run([3, 2 ** 24 + 1], 65536, 0);
      expect(wide.result).toBe(2 ** 24 + 4);
      expect([...(wide.arrays[6] as Int32Array)]).toEqual([0, 65536]);
      expect([...(wide.arrays[7] as Float64Array)]).toEqual([3, 2 ** 24 + 1]);
    }
  });
});

const fixture = JSON.parse(readFileSync('test/fixtures/discrete/flexmix-discrete.json', 'utf8')) as {
  multinomial: {
    X: number[][];
    weightsInit: number[];
    probabilitiesInit: number[][];
    maxIter: number;
    weights: number[];
    probabilities: number[][];
    logLik: number;
    allLogLik: number[];
  };
};

describe.each(BACKENDS)('MultinomialMixture (%s)', (backend) => {
  it('alpha 0 matches mixtools multmixEM from the same start: parameters and every log-likelihood', async () => {
    const f = fixture.multinomial;
    const m = new MultinomialMixture({
      nComponents: 3,
      alpha: 0,
      weightsInit: f.weightsInit,
      probabilitiesInit: f.probabilitiesInit,
      maxIter: f.maxIter,
      tol: 0,
      backend,
    });
    await m.fit(f.X);
    const n = f.X.length;
    expect(maxScaledDiff(m.probabilities, f.probabilities.flat())).toBeLessThan(1e-6);
    expect(maxScaledDiff(m.weights, f.weights)).toBeLessThan(1e-6);
    expect(Math.abs(m.lowerBound * n - f.logLik)).toBeLessThan(1e-6 * Math.abs(f.logLik));
    expect(m.lowerBounds).toHaveLength(f.allLogLik.length);
    m.lowerBounds.forEach((b, t) =>
      expect(Math.abs(b * n - f.allLogLik[t])).toBeLessThan(1e-6 * Math.abs(f.allLogLik[t])),
    );
  });

  it('rows the compact layout cannot hold (offsets past 2^16, a count past 2^24) fit in the wide one, with the same results', async () => {
    // The same counts with 11,000 columns, 7 of them used (offsets j·6 past 65535): with alpha 0 the
    // empty columns get probability 0 and change neither the other parameters nor the bound.
    const small = countRows(40, 7, 11);
    const d = 11_000;
    const big = small.map((r) => [...new Array<number>(d - 7).fill(0), ...r]);
    const start = (width: number) =>
      Array.from({ length: 5 }, (_, c) => {
        const p = Array.from({ length: 7 }, (_, j) => 1 + ((c * 3 + j) % 5));
        const total = p.reduce((a, b) => a + b, 0);
        return [...new Array<number>(width - 7).fill(0), ...p.map((v) => v / total)];
      });
    const fit = async (X: number[][], width: number) =>
      await new MultinomialMixture({
        nComponents: 5,
        alpha: 0,
        weightsInit: [0.1, 0.2, 0.3, 0.15, 0.25],
        probabilitiesInit: start(width),
        maxIter: 5,
        tol: 0,
        backend,
      }).fit(X);
    const a = await fit(small, 7);
    const b = await fit(big, d);
    expect(Math.abs(b.lowerBound - a.lowerBound)).toBeLessThan(1e-12 * Math.abs(a.lowerBound));
    const tail = Float64Array.from(
      { length: 5 * 7 },
      (_, i) => b.probabilities[Math.floor(i / 7) * d + d - 7 + (i % 7)],
    );
    expect(maxScaledDiff(tail, a.probabilities)).toBeLessThan(1e-12);
    // A count past 2^24 (not an f32): K = 1's frequencies, exactly.
    const X = countRows(9, 4, 5);
    X[3][2] = 2 ** 24 + 1;
    const m = await new MultinomialMixture({ alpha: 0, backend, maxIter: 2, tol: 0 }).fit(X);
    const sums = Array.from({ length: 4 }, (_, j) => X.reduce((t, r) => t + r[j], 0));
    const grand = sums.reduce((t, v) => t + v, 0);
    expect(
      maxScaledDiff(
        m.probabilities,
        sums.map((v) => v / grand),
      ),
    ).toBeLessThan(1e-15);
    // (log 2^24! ≈ 2.6e8: the bound's rounding is about 1e-9.)
    const ll = X.reduce(
      (t, r) =>
        t +
        logPmf(
          r,
          sums.map((v) => v / grand),
        ),
      0,
    );
    expect(Math.abs(m.lowerBound - ll / 9)).toBeLessThan(1e-8);
  });

  it('a fit does not depend on the rows’ order (it stores them by their nonzero counts): weighted, threaded, from respInit', async () => {
    // 1,000 rows (several sorting windows) of 3–40 nonzeros, shuffled: every output of the fit
    // (parameters, bound trace) agrees to 1e-10 with the fit of the rows in their first order.
    const rng = new Random(17);
    const d = 40;
    const X = Array.from({ length: 1000 }, (_, i) =>
      Array.from({ length: d }, (_, j) => (j < 3 + (i % 38) ? poisson(rng, 1 + ((i + j) % 4)) : 0)),
    );
    await expectRowOrderFree(
      (o) => new MultinomialMixture(o),
      X,
      3,
      backend,
      (i, c) => 1 + ((i * 7 + c * 3) % 5),
      (i) => 0.5 + (i % 3),
    );
  });

  it('K = 1: smoothed category frequencies; the bound is the mean log-likelihood plus the log-prior', async () => {
    const X = countRows(29, 6, 4);
    const n = X.length;
    for (const alpha of [0, 1, 0.3]) {
      const m = await new MultinomialMixture({ alpha, backend, maxIter: 3, tol: 0 }).fit(X);
      const sums = Array.from({ length: 6 }, (_, j) => X.reduce((s, r) => s + r[j], 0));
      const grand = sums.reduce((a, b) => a + b, 0);
      const theta = sums.map((s) => (s + alpha) / (grand + 6 * alpha));
      expect(maxScaledDiff(m.probabilities, theta)).toBeLessThan(1e-14);
      expect(m.rowTotals[0]).toBeCloseTo(grand / n, 12);
      const ll = X.reduce((s, r) => s + logPmf(r, theta), 0);
      const prior = alpha * theta.reduce((s, t) => s + Math.log(t), 0);
      expect(m.lowerBound).toBeCloseTo((ll + prior) / n, 12);
      expect(
        maxScaledDiff(
          m.scoreSamples(X),
          X.map((r) => logPmf(r, theta)),
        ),
      ).toBeLessThan(1e-12);
      expect(m.bic(X)).toBeCloseTo(-2 * ll + 5 * Math.log(n), 8);
    }
  });

  it('a row of zeros has probability 1 under every component; a zero probability costs log(5e-324) per count', () => {
    const m = new MultinomialMixture({
      nComponents: 2,
      alpha: 0,
      probabilitiesInit: [
        [0.5, 0.5, 0],
        [0.2, 0.3, 0.5],
      ],
      rowTotalsInit: [3, 3],
      weightsInit: [1, 0],
      maxIter: 0,
      backend,
    });
    expect(m.scoreSamples([[0, 0, 0]])[0]).toBe(0);
    expect(m.scoreSamples([[1, 0, 2]])[0]).toBeCloseTo(Math.log(3) + Math.log(0.5) + 2 * LOG_TINY, 9);
    expect(m.predictProba([[1, 0, 2]])).toEqual(Float64Array.from([1, 0]));
  });

  it('sample: row totals follow rowTotals, counts follow the probabilities', () => {
    const m = new MultinomialMixture({
      nComponents: 2,
      probabilitiesInit: [
        [0.7, 0.2, 0.1],
        [0.1, 0.1, 0.8],
      ],
      rowTotalsInit: [10, 40],
      weightsInit: [0.5, 0.5],
      maxIter: 0,
      randomState: 3,
      backend,
    });
    const { X, labels } = m.sample(2000);
    const totals = [0, 0];
    const firsts = [0, 0];
    const counts = [0, 0];
    labels.forEach((c, i) => {
      counts[c]++;
      totals[c] += X[i * 3] + X[i * 3 + 1] + X[i * 3 + 2];
      firsts[c] += X[i * 3];
    });
    expect(totals[0] / counts[0]).toBeCloseTo(10, 0);
    expect(totals[1] / counts[1] / 40).toBeCloseTo(1, 1);
    expect(firsts[0] / totals[0]).toBeCloseTo(0.7, 1);
    expect(X.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });
});

describe('MultinomialMixture bad input', () => {
  it('names the parameter, what is expected and the value given', async () => {
    await expect(new MultinomialMixture().fit([[1, -1]])).rejects.toThrow(
      /X\[0\]\[1\] must be a non-negative integer count for a MultinomialMixture, got -1/,
    );
    await expect(new MultinomialMixture().fit([[1, 2.5]])).rejects.toThrow(/X\[0\]\[1\] .*got 2\.5/);
    // A typed X is scanned once by the count check; a non-finite value is still the one named first.
    const typed = (...v: number[]) => ({ data: Float64Array.from(v), rows: 1, cols: v.length });
    await expect(new MultinomialMixture().fit(typed(-1, NaN))).rejects.toThrow(
      /X\[0\]\[1\] must be a finite number, got NaN/,
    );
    await expect(new MultinomialMixture().fit(typed(1, Infinity))).rejects.toThrow(
      /X\[0\]\[1\] must be a finite number, got Infinity/,
    );
    await expect(new MultinomialMixture().fit(typed(3, -2))).rejects.toThrow(
      /X\[0\]\[1\] must be a non-negative integer count for a MultinomialMixture, got -2/,
    );
    // The fit and the scoring calls check X in Wasm (and the JavaScript check names the entry),
    // in both backends.
    for (const backend of BACKENDS) {
      const fitted = await new MultinomialMixture({ nComponents: 2, backend, randomState: 0 }).fit([
        [1, 2, 0],
        [3, 0, 1],
        [0, 4, 2],
      ]);
      const bad = { data: Float64Array.from([1, 2, 0, 3, NaN, 1]), rows: 2, cols: 3 };
      expect(() => fitted.predict(bad)).toThrow(/X\[1\]\[1\] must be a finite number, got NaN/);
      expect(() => fitted.scoreSamples([[1, 2.5, 0]])).toThrow(
        /X\[0\]\[1\] must be a non-negative integer count for a MultinomialMixture, got 2\.5/,
      );
      expect(() => fitted.score([[1, 2, -1]])).toThrow(/X\[0\]\[2\] must be a non-negative integer count/);
      for (const [bad, message] of [
        [7.5, /X\[4\]\[6\] must be a non-negative integer count for a MultinomialMixture, got 7\.5/],
        [-Infinity, /X\[4\]\[6\] must be a finite number, got -Infinity/],
      ] as const) {
        const data = Float64Array.from({ length: 9 * 11 }, (_, i) => i % 3);
        data[4 * 11 + 6] = bad;
        await expect(
          new MultinomialMixture({ nComponents: 2, backend }).fit({ data, rows: 9, cols: 11 }),
        ).rejects.toThrow(message);
      }
    }
    expect(() => new MultinomialMixture({ alpha: -0.5 })).toThrow(
      /alpha must be a finite number >= 0, got -0.5/,
    );
    expect(
      () =>
        new MultinomialMixture({
          nComponents: 2,
          probabilitiesInit: [
            [0.5, 0.4],
            [0.5, 0.5],
          ],
        }),
    ).toThrow(/probabilitiesInit\[0\] must sum to 1, got a sum of 0.9/);
    expect(
      () =>
        new MultinomialMixture({
          nComponents: 2,
          maxIter: 0,
          probabilitiesInit: [
            [0.5, 0.5],
            [0.5, 0.5],
          ],
          rowTotalsInit: [1, -2],
        }),
    ).toThrow(/rowTotalsInit\[1\] must be >= 0, got -2/);
    await expect(
      new MultinomialMixture({ nComponents: 1, probabilitiesInit: [[0.2, 0.3, 0.5]] }).fit([[1, 2]]),
    ).rejects.toThrow(/probabilitiesInit must have shape \(1 × 2\)/);
  });
});
