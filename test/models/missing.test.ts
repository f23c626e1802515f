import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../../src/index';
import type { Matrix } from '../../src/util/matrix';
import { initialData } from '../../src/mixture/missing-em';
import { Random } from '../../src/util/random';
import { blobs, maxAbsDiff, maxRelDiff } from '../helpers/data';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** A copy of X with each entry NaN with probability `rate`; every row keeps at least one entry. */
function removeAtRandom(X: Matrix, rate: number, seed: number): Matrix {
  const rng = new Random(seed);
  const { rows: n, cols: d } = X;
  const data = Float64Array.from(X.data);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (rng.uniform() < rate) data[i * d + j] = NaN;
    const keep = Math.floor(rng.uniform() * d);
    let observed = 0;
    for (let j = 0; j < d; j++) if (!Number.isNaN(data[i * d + j])) observed++;
    if (observed === 0) data[i * d + keep] = X.data[i * d + keep];
  }
  return { data, rows: n, cols: d };
}

function meanImputed(X: Matrix): Matrix {
  const { rows: n, cols: d } = X;
  const data = Float64Array.from(X.data);
  for (let j = 0; j < d; j++) {
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = X.data[i * d + j];
      if (!Number.isNaN(v)) {
        s += v;
        m++;
      }
    }
    for (let i = 0; i < n; i++) if (Number.isNaN(data[i * d + j])) data[i * d + j] = s / m;
  }
  return { data, rows: n, cols: d };
}

/** The components of `b` matched to those of `a` by nearest mean (greedy), as indices into `b`. */
function matchComponents(a: Float64Array, b: Float64Array, k: number, d: number): number[] {
  const used = new Set<number>();
  const perm: number[] = [];
  for (let c = 0; c < k; c++) {
    let best = -1;
    let bestDist = Infinity;
    for (let e = 0; e < k; e++) {
      if (used.has(e)) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (a[c * d + j] - b[e * d + j]) ** 2;
      if (s < bestDist) [best, bestDist] = [e, s];
    }
    used.add(best);
    perm.push(best);
  }
  return perm;
}

/** Mean and covariance errors of `gm` against `ref` (components matched by their means). */
function parameterError(
  gm: GaussianMixture,
  ref: GaussianMixture,
  type: CovarianceType,
): { means: number; cov: number } {
  const k = ref.nComponents;
  const d = ref.nFeatures;
  const perm = matchComponents(ref.means, gm.means, k, d);
  let means = 0;
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) means += (ref.means[c * d + j] - gm.means[perm[c] * d + j]) ** 2;
  const per = type === 'tied' ? 0 : ref.covariances.length / k;
  let cov = 0;
  if (type === 'tied') {
    for (let e = 0; e < d * d; e++) cov += (ref.covariances[e] - gm.covariances[e]) ** 2;
  } else {
    for (let c = 0; c < k; c++) {
      for (let e = 0; e < per; e++)
        cov += (ref.covariances[c * per + e] - gm.covariances[perm[c] * per + e]) ** 2;
    }
  }
  return { means: Math.sqrt(means), cov: Math.sqrt(cov) };
}

const full4 = blobs(7, 900, 4, 3, 6).X;
const holey4 = removeAtRandom(full4, 0.2, 11);

describe.each(TYPES)('missing values, %s covariance', (covarianceType) => {
  it('with no NaN, marginalize is the plain fit exactly', async () => {
    const options = { nComponents: 3, covarianceType, randomState: 4, tol: 1e-6 };
    const plain = await new GaussianMixture(options).fit(full4);
    const marg = await new GaussianMixture({ ...options, missing: 'marginalize' }).fit(full4);
    expect(marg.lowerBounds).toEqual(plain.lowerBounds);
    expect(marg.means).toEqual(plain.means);
    expect(marg.covariances).toEqual(plain.covariances);
    expect(marg.scoreSamples(full4)).toEqual(plain.scoreSamples(full4));
  });

  it('with NaN, lowerBounds never decreases', async () => {
    const gm = await new GaussianMixture({
      nComponents: 3,
      covarianceType,
      missing: 'marginalize',
      initParams: 'random_from_data',
      tol: 0,
      maxIter: 60,
      randomState: 2,
    }).fit(holey4);
    const lb = gm.lowerBounds;
    expect(lb.length).toBe(60);
    for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-12);
    expect(lb[lb.length - 1] - lb[0]).toBeGreaterThan(0.01);
  });

  it('warmStart maxIter 1 steps never lower the bound, which is the observed-data score before the step', async () => {
    const gm = new GaussianMixture({
      nComponents: 3,
      covarianceType,
      missing: 'marginalize',
      warmStart: true,
      maxIter: 1,
      initParams: 'random',
      randomState: 8,
    });
    const bounds: number[] = [];
    let before = NaN;
    for (let step = 0; step < 30; step++) {
      await gm.fit(holey4);
      bounds.push(gm.lowerBound);
      if (step > 0) expect(maxRelDiff([gm.lowerBound], [before])).toBeLessThan(1e-10);
      before = gm.score(holey4);
    }
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThanOrEqual(bounds[i - 1] - 1e-12);
  });

  it('with 20% missing, the fit is closer to the full-data fit than mean imputation then fit', async () => {
    const options = { nComponents: 3, covarianceType, randomState: 0, tol: 1e-6, nInit: 3 };
    const reference = await new GaussianMixture(options).fit(full4);
    const marg = await new GaussianMixture({ ...options, missing: 'marginalize' }).fit(holey4);
    const imputed = await new GaussianMixture(options).fit(meanImputed(holey4));
    const a = parameterError(marg, reference, covarianceType);
    const b = parameterError(imputed, reference, covarianceType);
    // Measured: about 20 times closer for the means and 10 to 100 times for the covariances.
    expect(a.means).toBeLessThan(b.means / 4);
    expect(a.cov).toBeLessThan(b.cov / 4);
  });

  it('predict, predictProba, scoreSamples, score, bic, aic and impute accept NaN', async () => {
    const gm = await new GaussianMixture({
      nComponents: 3,
      covarianceType,
      missing: 'marginalize',
      randomState: 1,
    }).fit(holey4);
    const n = holey4.rows;
    const p = gm.predictProba(holey4);
    const labels = gm.predict(holey4);
    for (let i = 0; i < n; i++) {
      let s = 0;
      let best = 0;
      for (let c = 0; c < 3; c++) {
        s += p[i * 3 + c];
        if (p[i * 3 + c] > p[i * 3 + best]) best = c;
      }
      expect(Math.abs(s - 1)).toBeLessThan(1e-12);
      expect(labels[i]).toBe(best);
    }
    const ll = gm.scoreSamples(holey4);
    expect(ll.every(Number.isFinite)).toBe(true);
    const mean = ll.reduce((a, b) => a + b, 0) / n;
    expect(gm.score(holey4)).toBeCloseTo(mean, 12);
    expect(gm.bic(holey4)).toBeCloseTo(-2 * n * mean + gm.nParameters() * Math.log(n), 8);
    expect(gm.aic(holey4)).toBeCloseTo(-2 * n * mean + 2 * gm.nParameters(), 8);
    // Rows without NaN score as in the ordinary path.
    const complete: number[][] = [];
    for (let i = 0; i < n && complete.length < 20; i++) {
      const row = Array.from(holey4.data.subarray(i * 4, i * 4 + 4));
      if (row.every((v) => !Number.isNaN(v))) complete.push(row);
    }
    const restored = GaussianMixture.fromJSON(gm.toJSON());
    expect(maxRelDiff(gm.scoreSamples(complete), restored.scoreSamples(complete))).toBe(0);
    const filled = gm.impute(holey4);
    for (let e = 0; e < filled.length; e++) {
      if (Number.isNaN(holey4.data[e])) expect(Number.isFinite(filled[e])).toBe(true);
      else expect(filled[e]).toBe(holey4.data[e]);
    }
  });

  it('the Wasm and JavaScript backends agree on a fit with NaN', async () => {
    const options = {
      nComponents: 3,
      covarianceType,
      missing: 'marginalize' as const,
      randomState: 5,
      tol: 0,
      maxIter: 15,
    };
    const w = await new GaussianMixture(options).fit(holey4);
    const j = await new GaussianMixture({ ...options, backend: 'js' }).fit(holey4);
    expect(maxRelDiff(w.lowerBounds, j.lowerBounds)).toBeLessThan(1e-11);
    expect(maxAbsDiff(w.means, j.means)).toBeLessThan(1e-9);
    expect(maxAbsDiff(w.covariances, j.covariances)).toBeLessThan(1e-9);
    expect(maxAbsDiff(w.impute(holey4), j.impute(holey4))).toBeLessThan(1e-9);
  });
});

describe('missing values, closed forms for K = 1', () => {
  /** Solves `A y = b` for a small symmetric positive-definite `A (m × m)` by Gaussian elimination. */
  function solve(A: number[][], b: number[]): number[] {
    const m = b.length;
    const M = A.map((row, i) => [...row, b[i]]);
    for (let c = 0; c < m; c++) {
      for (let r = c + 1; r < m; r++) {
        const f = M[r][c] / M[c][c];
        for (let q = c; q <= m; q++) M[r][q] -= f * M[c][q];
      }
    }
    const y = new Array<number>(m).fill(0);
    for (let r = m - 1; r >= 0; r--) {
      let s = M[r][m];
      for (let q = r + 1; q < m; q++) s -= M[r][q] * y[q];
      y[r] = s / M[r][r];
    }
    return y;
  }

  it.each(['wasm', 'js'] as const)(
    'impute and scoreSamples match μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o) (%s)',
    async (backend) => {
      const rng = new Random(3);
      const d = 5;
      const n = 400;
      const data = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const z = Array.from({ length: d }, () => rng.normal());
        for (let j = 0; j < d; j++) data[i * d + j] = z[j] + 0.8 * z[(j + 1) % d] + 0.3 * j;
      }
      const X = removeAtRandom({ data, rows: n, cols: d }, 0.25, 9);
      const gm = await new GaussianMixture({ missing: 'marginalize', backend, tol: 1e-10, maxIter: 500 }).fit(
        X,
      );
      const mu = gm.means;
      const S = gm.covariances;
      const filled = gm.impute(X);
      const ll = gm.scoreSamples(X);
      for (let i = 0; i < n; i++) {
        const row = X.data.subarray(i * d, i * d + d);
        const obs = [...Array(d).keys()].filter((j) => !Number.isNaN(row[j]));
        const mis = [...Array(d).keys()].filter((j) => Number.isNaN(row[j]));
        const Soo = obs.map((a) => obs.map((b) => S[a * d + b]));
        const r = obs.map((a) => row[a] - mu[a]);
        const y = solve(Soo, r);
        for (const m of mis) {
          let e = mu[m];
          obs.forEach((a, t) => (e += S[m * d + a] * y[t]));
          expect(Math.abs(filled[i * d + m] - e)).toBeLessThan(1e-10);
        }
        // The marginal log-density over the observed coordinates.
        let logDet = 0;
        const U = Soo.map((rowO) => [...rowO]);
        for (let c = 0; c < obs.length; c++) {
          logDet += Math.log(U[c][c]);
          for (let q = c + 1; q < obs.length; q++) {
            const f = U[q][c] / U[c][c];
            for (let t = c; t < obs.length; t++) U[q][t] -= f * U[c][t];
          }
        }
        let quad = 0;
        r.forEach((v, t) => (quad += v * y[t]));
        const expected = -0.5 * (obs.length * Math.log(2 * Math.PI) + logDet + quad);
        expect(Math.abs(ll[i] - expected)).toBeLessThan(1e-10);
      }
    },
  );

  it('the K = 1 fit is the observed-data maximum likelihood: a fixed point of the closed-form EM update', async () => {
    // At a fixed point, the mean equals the average of the completed rows.
    const X = removeAtRandom(blobs(2, 300, 3, 1).X, 0.3, 4);
    const gm = await new GaussianMixture({ missing: 'marginalize', tol: 0, maxIter: 400, regCovar: 0 }).fit(
      X,
    );
    const filled = gm.impute(X);
    const d = 3;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < X.rows; i++) s += filled[i * d + j];
      expect(Math.abs(s / X.rows - gm.means[j])).toBeLessThan(1e-9);
    }
  });
});

describe('missing values: initialisation', () => {
  it('uses the complete rows when there are at least nComponents of them, else mean-imputed data', () => {
    const complete = initialData(holey4, 3);
    expect(complete.rows).toBeLessThan(holey4.rows);
    expect(complete.data.every((v) => !Number.isNaN(v))).toBe(true);
    // Every row has one NaN: no complete row, so all rows, with column means in the holes.
    const X = removeAtRandom(full4, 0, 1);
    for (let i = 0; i < X.rows; i++) X.data[i * 4 + (i % 4)] = NaN;
    const imputed = initialData(X, 3);
    expect(imputed.rows).toBe(X.rows);
    expect(imputed.data.every((v) => !Number.isNaN(v))).toBe(true);
  });

  it.each(TYPES)(
    'fits from mean-imputed data when fewer than nComponents rows are complete (%s)',
    async (covarianceType) => {
      const X = removeAtRandom(full4, 0, 1);
      for (let i = 0; i < X.rows; i++) X.data[i * 4 + (i % 4)] = NaN;
      const gm = await new GaussianMixture({
        nComponents: 3,
        covarianceType,
        missing: 'marginalize',
        randomState: 0,
        tol: 0,
        maxIter: 30,
      }).fit(X);
      const lb = gm.lowerBounds;
      for (let i = 1; i < lb.length; i++) expect(lb[i]).toBeGreaterThanOrEqual(lb[i - 1] - 1e-12);
      expect(gm.impute(X).every(Number.isFinite)).toBe(true);
    },
  );
});

describe('missing values: errors', () => {
  it('a row with every entry NaN is rejected, naming the row', async () => {
    const X = [
      [1, 2],
      [NaN, NaN],
      [3, 1],
    ];
    await expect(new GaussianMixture({ missing: 'marginalize' }).fit(X)).rejects.toThrow(
      /X\[1\] has no observed value \(every entry is NaN\)/,
    );
  });

  it("NaN with missing: 'error' (the default) still errors, naming the entry", async () => {
    const X = [
      [1, 2],
      [3, NaN],
      [0, 1],
    ];
    await expect(new GaussianMixture().fit(X)).rejects.toThrow(
      /X\[1\]\[1\] must be a finite number, got NaN/,
    );
    await expect(new GaussianMixture({ missing: 'error' }).fit(X)).rejects.toThrow(/X\[1\]\[1\]/);
    const gm = await new GaussianMixture().fit([
      [1, 2],
      [3, 4],
      [0, 1],
    ]);
    expect(() => gm.predict(X)).toThrow(/X\[1\]\[1\] must be a finite number, got NaN/);
    expect(() => gm.impute(X)).toThrow(/impute needs a GaussianMixture created with missing: 'marginalize'/);
  });

  it('Infinity is still rejected with marginalize, and the option is checked', async () => {
    const X = [
      [1, 2],
      [Infinity, 0],
    ];
    await expect(new GaussianMixture({ missing: 'marginalize' }).fit(X)).rejects.toThrow(
      /X\[1\]\[0\] must be a finite number or NaN \(missing\), got Infinity/,
    );
    expect(() => new GaussianMixture({ missing: 'drop' as never })).toThrow(
      /missing must be one of 'error', 'marginalize', got "drop"/,
    );
  });
});
