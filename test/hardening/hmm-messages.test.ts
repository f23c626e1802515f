import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GMMHMM, PoissonHMM } from '../../src/index';

describe('HMM messages name what the user did', () => {
  it('CategoricalHMM names the bad entry of a flat array, not X[0]', async () => {
    const fit = (X: unknown) => new CategoricalHMM({ nComponents: 2 }).fit(X as number[]);
    await expect(fit([0, 1, 'a', 0])).rejects.toThrow(
      /^X\[2\] must be a non-negative integer symbol, got "a"$/,
    );
    await expect(fit([0, 1, null, 0])).rejects.toThrow(
      /^X\[2\] must be a non-negative integer symbol, got null$/,
    );
    await expect(fit([0, 1, 2.5])).rejects.toThrow(
      /^X\[2\] must be a non-negative integer symbol, got 2\.5$/,
    );
    await expect(fit([0, [1], 2])).rejects.toThrow(
      /^X must be a flat array of symbols or an array of rows \(nSamples × 1\), but X\[1\] is a row and X\[0\] is 0$/,
    );
    await expect(fit([[0], [1], [-1]])).rejects.toThrow(
      /^X\[2\]\[0\] must be a non-negative integer symbol, got -1$/,
    );
  });

  it('a method called before fit names itself', () => {
    for (const model of [new GaussianHMM(), new GMMHMM(), new CategoricalHMM(), new PoissonHMM()]) {
      for (const method of ['predict', 'aic', 'bic', 'score', 'decode', 'predictProba'] as const) {
        expect(() => model[method]([[1]]), method).toThrow(
          new RegExp(`is not fitted yet: call \`await model\\.fit\\(X, lengths\\)\` before ${method}$`),
        );
      }
    }
  });
});
