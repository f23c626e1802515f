import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mlem, ParallelBeamProjector, poissonNoise, sheppLogan } from '../../src/index';

/**
 * The quality bar: the Shepp–Logan phantom at 256 × 256, 180 angles, 1e6 expected counts.
 * The noisy sinogram is made here (seeded) and stored in test/fixtures/tomography/ with the phantom
 * (rewritten when EMWASM_UPDATE_TOMOGRAPHY=1), so that make_tomography_fixtures.py reconstructs the
 * same counts with scikit-image's iradon (FBP) and iradon_sart and stores their best RMSEs in
 * skimage-256.json; CI needs no Python.
 */
const DIR = join(__dirname, '../fixtures/tomography');
const SIZE = 256;
const ANGLES = 180;
const COUNTS = 1e6;
const SEED = 20240613;
/** MLEM stops here: beyond it, noise grows faster than the image sharpens (no regulariser). */
const ITERATIONS = 20;

interface SkimageFixture {
  size: number;
  angles: number;
  counts: number;
  scale: number;
  fbpRamp: { rmse: number; interpolation: string; clipped: boolean };
  fbpBestFilter: { rmse: number; filter: string; interpolation: string; clipped: boolean };
  sart: { rmse: number; relaxation: number; iterations: number; clipped: boolean };
  phantomMatchesSkimage: { fractionDiffering: number };
}

function rmse(image: Float64Array, truth: Float64Array, scale: number): number {
  let e = 0;
  for (let i = 0; i < image.length; i++) e += (image[i] / scale - truth[i]) ** 2;
  return Math.sqrt(e / image.length);
}

describe('quality on the Shepp–Logan phantom (256 × 256, 180 angles, 1e6 counts)', () => {
  const phantom = sheppLogan(SIZE);
  const projector = new ParallelBeamProjector({ size: SIZE, angles: ANGLES });
  const clean = projector.forward(phantom);
  const scale = COUNTS / clean.reduce((a, b) => a + b, 0);
  const counts = poissonNoise(clean, COUNTS, SEED);

  if (process.env.EMWASM_UPDATE_TOMOGRAPHY === '1') {
    writeFileSync(join(DIR, 'phantom-256.f64.gz'), gzipSync(Buffer.from(phantom.buffer)));
    writeFileSync(join(DIR, 'sinogram-256.u16.gz'), gzipSync(Buffer.from(Uint16Array.from(counts).buffer)));
    writeFileSync(
      join(DIR, 'sinogram-256.json'),
      JSON.stringify({ size: SIZE, angles: ANGLES, counts: COUNTS, seed: SEED, scale }, null, 2) + '\n',
    );
  }
  const fixture = JSON.parse(readFileSync(join(DIR, 'skimage-256.json'), 'utf8')) as SkimageFixture;

  it('the stored counts and phantom are the ones made here', () => {
    const stored = new Uint16Array(
      gunzipSync(readFileSync(join(DIR, 'sinogram-256.u16.gz'))).buffer.slice(0),
    );
    expect(Float64Array.from(stored)).toEqual(counts);
    const storedPhantom = new Float64Array(
      gunzipSync(readFileSync(join(DIR, 'phantom-256.f64.gz'))).buffer.slice(0),
    );
    expect(storedPhantom).toEqual(phantom);
    expect(fixture.scale).toBeCloseTo(scale, 9);
    // The ellipse table draws scikit-image's own phantom (400 × 400 PNG) but for edge pixels.
    expect(fixture.phantomMatchesSkimage.fractionDiffering).toBeLessThan(0.02);
  });

  it(`MLEM (${ITERATIONS} iterations) beats scikit-image's FBP (ramp) and SART at their best`, async () => {
    const result = await mlem(counts, projector, { iterations: ITERATIONS });
    const error = rmse(result.image, phantom, scale);
    expect(error).toBeLessThan(fixture.fbpRamp.rmse);
    expect(error).toBeLessThan(fixture.sart.rmse);
  });
});
