import { describe, expect, it } from 'vitest';
import { GaussianMixture, selectModel, type SelectionRow } from '../../src/index';
import type { Matrix } from '../../src/util/matrix';
import { Random } from '../../src/util/random';

/**
 * 3 well separated 2-D Gaussians with different, strongly correlated covariances (so the generating
 * model is K = 3 with full covariances), `n` rows.
 */
function threeTiltedClusters(seed: number, n: number): Matrix {
  const rng = new Random(seed);
  const centres = [
    [0, 0],
    [12, 2],
    [4, 12],
  ];
  // Lower-triangular factors L (Σ = L Lᵀ): different scales and opposite tilts.
  const factors = [
    [1.5, 0, 1.2, 0.4],
    [0.6, 0, -0.9, 1.0],
    [2.0, 0, 0.0, 0.5],
  ];
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const z0 = rng.normal();
    const z1 = rng.normal();
    const [l00, , l10, l11] = factors[c];
    data[2 * i] = centres[c][0] + l00 * z0;
    data[2 * i + 1] = centres[c][1] + l10 * z0 + l11 * z1;
  }
  return { data, rows: n, cols: 2 };
}

const X = threeTiltedClusters(11, 600);
const grid = { nComponents: [1, 2, 3, 4, 5, 6], randomState: 0 };

const best = (table: SelectionRow[]): SelectionRow => table.reduce((a, b) => (b.score < a.score ? b : a));

describe('selectModel', () => {
  it('BIC picks the generating model (K = 3, full) and returns it fitted', async () => {
    const { table, best: model, bestRow } = await selectModel(X, { ...grid, criterion: 'bic' });
    expect(table).toHaveLength(24);
    expect(bestRow).toBe(best(table));
    expect([bestRow.nComponents, bestRow.covarianceType]).toEqual([3, 'full']);
    expect(model).toBeInstanceOf(GaussianMixture);
    expect(model.nComponents).toBe(3);
    expect(model.covarianceType).toBe('full');
    expect(model.bic(X)).toBe(bestRow.score);
  });

  it('ICL and AIC rows follow their definitions', async () => {
    const opts = { nComponents: [2, 3], covarianceTypes: ['full', 'diag'] as const, randomState: 2 };
    const bic = await selectModel(X, { ...opts, criterion: 'bic' });
    const icl = await selectModel(X, { ...opts, criterion: 'icl' });
    const aic = await selectModel(X, { ...opts, criterion: 'aic' });
    for (let i = 0; i < bic.table.length; i++) {
      // The entropy is >= 0, and tiny for well separated clusters.
      expect(icl.table[i].score).toBeGreaterThanOrEqual(bic.table[i].score);
      const p = bic.table[i].nParameters;
      expect(aic.table[i].score - bic.table[i].score).toBeCloseTo(2 * p - p * Math.log(X.rows), 6);
    }
    expect([icl.bestRow.nComponents, icl.bestRow.covarianceType]).toEqual([3, 'full']);
    // mclust's ICL: BIC plus −2·Σ ln of each row's largest responsibility (the hard assignment's).
    const proba = icl.best.predictProba(X);
    let logMax = 0;
    for (let i = 0; i < X.rows; i++) logMax += Math.log(Math.max(...proba.subarray(i * 3, i * 3 + 3)));
    expect(logMax).toBeLessThan(0);
    expect(icl.bestRow.score).toBeCloseTo(icl.best.bic(X) - 2 * logMax, 8);
  });

  it('cross-validation picks the generating model too', async () => {
    const { bestRow, best: model } = await selectModel(X, {
      nComponents: [1, 2, 3, 4, 5],
      criterion: 'cv',
      nFolds: 5,
      randomState: 0,
    });
    expect([bestRow.nComponents, bestRow.covarianceType]).toEqual([3, 'full']);
    // The score is minus a mean held-out log-likelihood: close to minus the in-sample score.
    expect(Math.abs(bestRow.score + model.score(X))).toBeLessThan(0.1);
  });

  it('the same seed gives the same table; progress reports every combination', async () => {
    const seen: number[] = [];
    const opts = { nComponents: [1, 2, 3, 4], criterion: 'cv' as const, nFolds: 3, randomState: 9 };
    const a = await selectModel(X, { ...opts, onProgress: (p) => seen.push(p.done / p.total) });
    const b = await selectModel(X, opts);
    expect(b.table).toEqual(a.table);
    expect(b.best.means).toEqual(a.best.means);
    expect(seen).toEqual(Array.from({ length: 16 }, (_, i) => (i + 1) / 16));
    const c = await selectModel(X, { ...opts, randomState: 10 });
    expect(c.table.map((r) => r.score)).not.toEqual(a.table.map((r) => r.score));
  });

  it('a collapsed fit is a row with an error, not a failure of the whole selection', async () => {
    const tiny = { data: Float64Array.from([0, 0, 0, 0, 1, 1, 5, 5, 5, 5, 6, 6]), rows: 6, cols: 2 };
    const { table } = await selectModel(tiny, {
      nComponents: [1, 4],
      covarianceTypes: ['full'],
      randomState: 0,
      modelOptions: { regCovar: 0 },
    });
    const failed = table.find((r) => r.nComponents === 4) as SelectionRow;
    expect(failed.score).toBe(Infinity);
    expect(failed.error).toMatch(/not positive definite/);
    expect(Number.isFinite(table[0].score)).toBe(true);
  });
});

describe('selectModel validation', () => {
  it.each([
    [{ criterion: 'dic' }, /criterion must be one of 'bic', 'icl', 'aic', 'cv', got "dic"/],
    [{ nComponents: [] }, /nComponents must not be empty, got \[\]/],
    [{ nComponents: [0, 2] }, /nComponents must be an integer in \[1, 600\], got 0/],
    [{ nComponents: [2, 2] }, /nComponents must not repeat a value, got 2 twice/],
    [{ nComponents: 3 }, /nComponents must be an array, got 3/],
    [
      { covarianceTypes: ['full', 'VVV'] },
      /covarianceTypes must be one of 'full', 'tied', 'diag', 'spherical', got "VVV"/,
    ],
    [{ covarianceTypes: [] }, /covarianceTypes must not be empty/],
    [{ criterion: 'cv', nFolds: 1 }, /nFolds must be an integer in \[2, 600\], got 1/],
    [{ nFolds: 2.5 }, /nFolds must be an integer in \[2, 600\], got 2.5/],
    [{ nInit: 0 }, /nInit must be an integer >= 1, got 0/],
    [{ randomState: -1 }, /randomState must be an integer in \[0, 4294967295\], got -1/],
    [{ onProgress: 'yes' }, /onProgress must be a function, got "yes"/],
    [
      { modelOptions: { prior: { shrinkage: -0.5 } } },
      /prior\.shrinkage must be a finite number >= 0, got -0.5/,
    ],
    [{ modelOptions: { prior: { dof: 0.5 } } }, /prior\.dof must be > nFeatures − 1 = 1, got 0.5/],
  ])('%j is rejected', async (options, message) => {
    await expect(selectModel(X, options as never)).rejects.toThrow(message);
  });
});

describe('selectModel over other families', () => {
  it('chooses K for a Poisson mixture by BIC, rows naming the family and no covariance type', async () => {
    const rng = new Random(4);
    const rates = [
      [1, 12, 3],
      [9, 2, 6],
      [20, 5, 0.5],
    ];
    const data = new Float64Array(600 * 3);
    for (let i = 0; i < 600; i++) {
      for (let j = 0; j < 3; j++) {
        // Poisson by inversion: enough for a test's small rates.
        const lambda = rates[i % 3][j];
        let k = 0;
        let p = Math.exp(-lambda);
        let cdf = p;
        const u = rng.uniform();
        while (u > cdf) {
          k++;
          p *= lambda / k;
          cdf += p;
        }
        data[i * 3 + j] = k;
      }
    }
    const X = { data, rows: 600, cols: 3 };
    const { table, bestRow, best } = await selectModel(X, {
      family: 'PoissonMixture',
      nComponents: [1, 2, 3, 4, 5],
      randomState: 0,
      nInit: 2,
    });
    expect(table).toHaveLength(5);
    expect(table.every((r) => r.family === 'PoissonMixture' && r.covarianceType === undefined)).toBe(true);
    expect(bestRow.nComponents).toBe(3);
    expect(table[2].nParameters).toBe(3 * 3 + 2);
    expect(best.bic(X)).toBeCloseTo(bestRow.score, 8);
  });

  it('rejects covariance types for a family without them, and unknown families', async () => {
    const X = [[1], [2], [3], [4], [5], [6]];
    await expect(selectModel(X, { family: 'PoissonMixture', covarianceTypes: ['full'] })).rejects.toThrow(
      'covarianceTypes does not apply to PoissonMixture',
    );
    await expect(selectModel(X, { family: 'Banana' })).rejects.toThrow(
      /Unknown model family "Banana"; known: /,
    );
  });
});
