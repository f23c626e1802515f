import { show } from '../util/errors.js';
import type { Image } from './image.js';

function requirePositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${show(value)}`);
  }
  return value;
}

/**
 * A 2D Gaussian point-spread function of standard deviation `sigma` pixels, sampled on an odd
 * (size × size) grid centred on the middle pixel, size = 2·⌈3·sigma⌉ + 1, normalised to sum 1.
 */
export function gaussianPsf(sigma: number): Image {
  requirePositive('sigma', sigma);
  const half = Math.ceil(3 * sigma);
  const size = 2 * half + 1;
  const data = new Float64Array(size * size);
  let sum = 0;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const d2 = (r - half) ** 2 + (c - half) ** 2;
      sum += data[r * size + c] = Math.exp(-d2 / (2 * sigma * sigma));
    }
  for (let i = 0; i < data.length; i++) data[i] /= sum;
  return { data, shape: [size, size] };
}

/**
 * A 2D linear-motion point-spread function: a segment of `length` pixels through the centre of an
 * odd (size × size) grid, at `angle` degrees counter-clockwise from the x axis (rows grow
 * downwards), drawn with bilinear weights and normalised to sum 1.
 */
export function motionPsf(length: number, angle: number): Image {
  requirePositive('length', length);
  if (typeof angle !== 'number' || !Number.isFinite(angle)) {
    throw new RangeError(`angle must be a finite number of degrees, got ${show(angle)}`);
  }
  const half = Math.ceil(length / 2) + 1;
  const size = 2 * half + 1;
  const data = new Float64Array(size * size);
  const theta = (angle * Math.PI) / 180;
  const [dx, dy] = [Math.cos(theta), -Math.sin(theta)];
  const steps = Math.max(2, Math.ceil(8 * length));
  for (let s = 0; s <= steps; s++) {
    const t = (s / steps - 0.5) * length;
    const x = half + t * dx;
    const y = half + t * dy;
    const [x0, y0] = [Math.floor(x), Math.floor(y)];
    const [fx, fy] = [x - x0, y - y0];
    data[y0 * size + x0] += (1 - fx) * (1 - fy);
    data[y0 * size + x0 + 1] += fx * (1 - fy);
    data[(y0 + 1) * size + x0] += (1 - fx) * fy;
    data[(y0 + 1) * size + x0 + 1] += fx * fy;
  }
  const sum = data.reduce((a, b) => a + b, 0);
  for (let i = 0; i < data.length; i++) data[i] /= sum;
  return { data, shape: [size, size] };
}
