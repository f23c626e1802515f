import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { richardsonLucy } from '../../src/imaging/richardson-lucy';
import { loadModule } from '../../src/wasm/module';

interface Case {
  name: string;
  shape: number[];
  image: number[];
  psfShape: number[];
  psf: number[];
  iterations: number;
  clip: boolean;
  filterEpsilon: number | null;
  scipyMethod: string;
  expected: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/skimage/richardson-lucy.json', import.meta.url), 'utf8'),
) as { skimageVersion: string; cases: Case[] };

/** max |a − b| / max(|b|, 1e-300) over the entries. */
function maxRelError(a: Float64Array, b: number[]): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return worst;
}

beforeAll(async () => {
  await loadModule();
});

describe(`Richardson–Lucy equals scikit-image ${fixture.skimageVersion}`, () => {
  for (const c of fixture.cases) {
    for (const backend of ['wasm', 'js'] as const) {
      for (const method of ['fft', 'direct', 'auto'] as const) {
        it(`${c.name}, ${method}, ${backend}`, async () => {
          const out = await richardsonLucy(
            { data: c.image, shape: c.shape },
            { data: c.psf, shape: c.psfShape },
            { iterations: c.iterations, clip: c.clip, filterEpsilon: c.filterEpsilon, method, backend },
          );
          expect(out.shape).toEqual(c.shape);
          expect(maxRelError(out.data, c.expected)).toBeLessThan(1e-9);
        });
      }
    }
  }
});
