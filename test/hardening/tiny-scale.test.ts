import { describe, expect, it } from 'vitest';
import { DegenerateCovarianceError, GaussianMixture, type CovarianceType } from '../../src/index';
import { blobs } from '../helpers/data';
import { BACKENDS, runKernel } from '../hmm/helpers';

describe('data scaled by 1e-150 … 1e-160, regCovar 0', () => {
  const { X } = blobs(1, 500, 3, 3);
  const scaled = (scale: number) => ({ ...X, data: X.data.map((v) => v * scale) });
  const TYPES: CovarianceType[] = ['spherical', 'diag'];

  it.each(TYPES)('%s: where the precisions are representable, score agrees with the bound', async (type) => {
    for (const backend of BACKENDS) {
      const data = scaled(1e-150);
      const gm = await new GaussianMixture({
        nComponents: 3,
        covarianceType: type,
        regCovar: 0,
        randomState: 0,
        backend,
      }).fit(data);
      expect(Number.isFinite(gm.score(data))).toBe(true);
      expect(gm.score(data)).toBeCloseTo(gm.lowerBound, 3);
      expect([...gm.precisions].every(Number.isFinite)).toBe(true);
    }
  });

  it.each(TYPES)('%s: below, a DegenerateCovarianceError that says to rescale', async (type) => {
    for (const backend of BACKENDS) {
      for (const scale of [1e-155, 1e-160]) {
        const fit = new GaussianMixture({
          nComponents: 3,
          covarianceType: type,
          regCovar: 0,
          randomState: 0,
          backend,
        }).fit(scaled(scale));
        await expect(fit).rejects.toBeInstanceOf(DegenerateCovarianceError);
        await expect(fit).rejects.toThrow(/precision is too large to represent.*rescale the data/);
      }
    }
  });

  it.each(BACKENDS)('logProbSpherical does not overflow where the squared precision does (%s)', (backend) => {
    const p = 1e155;
    const x = Float64Array.from([3e-155, -1e-155, 2e-155, 0, 1e-155, 5e-155]);
    const means = new Float64Array(3);
    const run = (kernel: 'logProbSpherical' | 'logProbDiag', precChol: Float64Array) =>
      runKernel(backend, { x, means, precChol, out: new Float64Array(2) }, (kern, h) =>
        kern[kernel](h.x, 2, 3, h.means, h.precChol, 1, h.out),
      ).out.out as Float64Array;
    const spherical = run('logProbSpherical', Float64Array.of(p));
    const diag = run('logProbDiag', Float64Array.of(p, p, p));
    expect([...spherical].every(Number.isFinite)).toBe(true);
    for (let i = 0; i < 2; i++) expect(spherical[i]).toBeCloseTo(diag[i], 10);
  });
});
