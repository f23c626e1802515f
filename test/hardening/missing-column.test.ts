import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index';
import { Random } from '../../src/util/random';
import { BACKENDS } from '../hmm/helpers';

/** 200 rows of two clusters in 3 columns, with some NaN in column 0. */
function data(seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: 200 }, (_, i) => {
    const c = i % 2;
    const row = [c * 5 + rng.normal(), 10 + c * 3 + rng.normal(), -c * 4 + rng.normal()];
    if (i % 7 === 0) row[0] = NaN;
    return row;
  });
}

describe("missing: 'marginalize' with a column that is NaN in every row", () => {
  it.each(BACKENDS)(
    'fit names the column instead of inventing its mean and variance (%s)',
    async (backend) => {
      const X = data(1).map((row) => [row[0], NaN, row[2]]);
      const fit = new GaussianMixture({
        nComponents: 2,
        missing: 'marginalize',
        randomState: 0,
        backend,
      }).fit(X);
      await expect(fit).rejects.toBeInstanceOf(RangeError);
      await expect(fit).rejects.toThrow(
        /^X column 1 \(0-based\) is NaN in every row: with missing: 'marginalize' each column needs at least one observed value .*drop the column/,
      );
      const two = data(2).map((row) => [NaN, row[1], NaN]);
      await expect(
        new GaussianMixture({ nComponents: 2, missing: 'marginalize', backend }).fitPredict(two),
      ).rejects.toThrow(/^X column 0 \(0-based; also 2\) is NaN in every row/);
    },
  );

  it('impute of new rows whose column is all NaN fills the conditional means the fitted model gives', async () => {
    const gm = await new GaussianMixture({ nComponents: 2, missing: 'marginalize', randomState: 0 }).fit(
      data(3),
    );
    const rows = [
      [NaN, 10, 0],
      [NaN, 13, -4],
    ];
    const filled = gm.impute(rows);
    // Column 0 given the others: near the cluster means 0 and 5, not an invented 0 for both.
    expect(filled[0]).toBeCloseTo(0, 0);
    expect(filled[3]).toBeCloseTo(5, 0);
  });
});
