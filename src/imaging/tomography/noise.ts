import { show } from '../../util/errors.js';
import { Random } from '../../util/random.js';
import { logGamma } from './log-gamma.js';

/**
 * Poisson counts for an image of expected values: the image is scaled so that its total is
 * `counts` (the expected total number of counts), then each entry is an independent Poisson draw
 * with that mean, from a generator seeded by `seed` (the same counts in Node and every browser).
 *
 * @param image - any shape (a sinogram `(nAngles × detectors)`, an image), finite, ≥ 0, not all 0.
 * @returns the counts, same length as `image`; divide by `counts / Σ image` to return to its units.
 */
export function poissonNoise(image: ArrayLike<number>, counts: number, seed: number): Float64Array {
  const ok = Array.isArray(image) || (ArrayBuffer.isView(image) && !(image instanceof DataView));
  if (!ok) throw new TypeError(`image must be an array or typed array of numbers, got ${show(image)}`);
  if (typeof counts !== 'number' || !Number.isFinite(counts) || counts < 0) {
    throw new RangeError(`counts must be a finite number >= 0, got ${show(counts)}`);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new RangeError(`seed must be an integer, got ${show(seed)}`);
  }
  let total = 0;
  for (let i = 0; i < image.length; i++) {
    const v = image[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`image[${i}] must be a finite number >= 0, got ${show(v)}`);
    }
    total += v;
  }
  if (!(total > 0))
    throw new RangeError('image must have a positive sum to be scaled to counts, got all zeros');
  const scale = counts / total;
  const rng = new Random(seed);
  const out = new Float64Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = poisson(rng, image[i] * scale);
  return out;
}

/**
 * One Poisson(λ) draw: Knuth's product of uniforms below λ = 10, Hörmann's transformed rejection
 * (PTRS, 1993) above, which needs about 1.1 pairs of uniforms whatever λ.
 */
export function poisson(rng: Random, lambda: number): number {
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.uniform();
    while (p > limit) {
      k++;
      p *= rng.uniform();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.uniform() - 0.5;
    const v = rng.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * loglam - logGamma(k + 1)
    ) {
      return k;
    }
  }
}
