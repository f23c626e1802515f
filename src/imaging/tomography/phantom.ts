import { requireInteger } from '../../util/errors.js';

/**
 * The modified Shepp–Logan phantom (Toft 1996), the one scikit-image's `shepp_logan_phantom`
 * draws: intensity, semi-axes a and b, centre (x, y), rotation in degrees, on the square
 * [−1, 1]² with y up. Intensities add where ellipses overlap.
 */
const ELLIPSES: readonly (readonly [number, number, number, number, number, number])[] = [
  [1, 0.69, 0.92, 0, 0, 0],
  [-0.8, 0.6624, 0.874, 0, -0.0184, 0],
  [-0.2, 0.11, 0.31, 0.22, 0, -18],
  [-0.2, 0.16, 0.41, -0.22, 0, 18],
  [0.1, 0.21, 0.25, 0, 0.35, 0],
  [0.1, 0.046, 0.046, 0, 0.1, 0],
  [0.1, 0.046, 0.046, 0, -0.1, 0],
  [0.1, 0.046, 0.023, -0.08, -0.605, 0],
  [0.1, 0.023, 0.023, 0, -0.606, 0],
  [0.1, 0.023, 0.046, 0.06, -0.605, 0],
];

/** Sub-samples per pixel side: each pixel is the mean of SUB² point samples (area resampling). */
const SUB = 4;

/**
 * The modified Shepp–Logan head phantom `(size × size)`, row-major, row 0 at the top, values in
 * [0, 1] (0 outside the head, 1 for the skull, 0.2 brain, 0.3–0.4 for the small features): the
 * ellipses of scikit-image's `shepp_logan_phantom`, drawn on the square [−1, 1]² and resampled to
 * `size` by averaging 4 × 4 point samples per pixel.
 */
export function sheppLogan(size: number): Float64Array {
  const n = requireInteger('size', size, 1, 16384);
  const out = new Float64Array(n * n);
  const prepared = ELLIPSES.map(([value, a, b, x0, y0, deg]) => {
    const phi = (deg * Math.PI) / 180;
    return { value, ia2: 1 / (a * a), ib2: 1 / (b * b), x0, y0, c: Math.cos(phi), s: Math.sin(phi) };
  });
  const step = 2 / (n * SUB);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let u = 0; u < SUB; u++) {
        const y = 1 - (i * SUB + u + 0.5) * step;
        for (let v = 0; v < SUB; v++) {
          const x = -1 + (j * SUB + v + 0.5) * step;
          for (const e of prepared) {
            const dx = x - e.x0;
            const dy = y - e.y0;
            const p = dx * e.c + dy * e.s;
            const q = dy * e.c - dx * e.s;
            if (p * p * e.ia2 + q * q * e.ib2 <= 1) sum += e.value;
          }
        }
      }
      // Rounding leaves sums like 0.2 − 0.2 a hair off 0: keep the phantom non-negative.
      out[i * n + j] = Math.max(0, sum / (SUB * SUB));
    }
  }
  return out;
}
