// The TypeScript twins of assembly/imaging/tomography*.ts: the test oracle and the 'js' backend.
// Same arithmetic in the same order as the Wasm kernels (see the geometry notes there).
import { rayOf, rayRange } from './geometry.js';

export function tomoPadLength(n: number): number {
  return 2 * (n + 2) * (n + 2);
}

/** The twins go ray by ray and need no scratch; the Wasm kernels keep per-ray starts in `work`. */
export function tomoWorkLength(nDet: number): number {
  return 4 * nDet + 1;
}

export function tomoPad(image: Float64Array, n: number, pad: Float64Array): void {
  const m = n + 2;
  pad.fill(0, 0, 2 * m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = image[i * n + j];
      pad[(i + 1) * m + j + 1] = v;
      pad[m * m + (j + 1) * m + i + 1] = v;
    }
  }
}

export function tomoUnpad(pad: Float64Array, n: number, out: Float64Array, accumulate: number): void {
  const m = n + 2;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = pad[(i + 1) * m + j + 1] + pad[m * m + (j + 1) * m + i + 1];
      if (accumulate !== 0) v += out[i * n + j];
      out[i * n + j] = v;
    }
  }
}

export function tomoForward(
  pad: Float64Array,
  n: number,
  trig: Float64Array,
  angles: Int32Array,
  count: number,
  nDet: number,
  sino: Float64Array,
  keep: Float64Array | null,
): void {
  const m = n + 2;
  for (let a = 0; a < count; a++) {
    const angle = angles[a];
    for (let k = 0; k < nDet; k++) {
      if (keep && keep[angle * nDet + k] === 0) {
        sino[angle * nDet + k] = 0;
        continue;
      }
      const { byColumns, f0, df, w } = rayOf(trig[2 * angle], trig[2 * angle + 1], n, nDet, k);
      const base = byColumns ? m * m : 0;
      const [lo, hi] = rayRange(f0, df, n);
      let acc = 0;
      for (let s = lo; s <= hi; s++) {
        const f = f0 + s * df;
        const i0 = Math.trunc(f);
        const fr = f - i0;
        const p = base + (s + 1) * m + i0;
        const a0 = pad[p];
        acc += a0 + fr * (pad[p + 1] - a0);
      }
      sino[angle * nDet + k] = acc * w;
    }
  }
}

export function tomoBack(
  sino: Float64Array,
  n: number,
  trig: Float64Array,
  angles: Int32Array,
  count: number,
  nDet: number,
  pad: Float64Array,
): void {
  const m = n + 2;
  pad.fill(0, 0, 2 * m * m);
  for (let a = 0; a < count; a++) {
    const angle = angles[a];
    // Even detectors, then odd ones: the Wasm kernel's order, so that the rounding is the same.
    for (const first of [0, 1]) {
      for (let k = first; k < nDet; k += 2) {
        const { byColumns, f0, df, w } = rayOf(trig[2 * angle], trig[2 * angle + 1], n, nDet, k);
        const v = sino[angle * nDet + k] * w;
        if (v === 0) continue;
        const base = byColumns ? m * m : 0;
        const [lo, hi] = rayRange(f0, df, n);
        for (let s = lo; s <= hi; s++) {
          const f = f0 + s * df;
          const i0 = Math.trunc(f);
          const fr = f - i0;
          const p = base + (s + 1) * m + i0;
          const b = fr * v;
          pad[p] += v - b;
          pad[p + 1] += b;
        }
      }
    }
  }
}

export function csrForward(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  blocks: Int32Array,
  count: number,
  width: number,
  x: Float64Array,
  out: Float64Array,
): void {
  for (let b = 0; b < count; b++) {
    const first = blocks[b] * width;
    for (let r = first; r < first + width; r++) {
      let acc = 0;
      for (let e = indptr[r]; e < indptr[r + 1]; e++) acc += data[e] * x[indices[e]];
      out[r] = acc;
    }
  }
}

export function csrBack(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  blocks: Int32Array,
  count: number,
  width: number,
  v: Float64Array,
  cols: number,
  out: Float64Array,
): void {
  out.fill(0, 0, cols);
  for (let b = 0; b < count; b++) {
    const first = blocks[b] * width;
    for (let r = first; r < first + width; r++) {
      const vr = v[r];
      if (vr === 0) continue;
      for (let e = indptr[r]; e < indptr[r + 1]; e++) out[indices[e]] += data[e] * vr;
    }
  }
}

export function mlemRatio(
  y: Float64Array,
  proj: Float64Array,
  background: Float64Array | null,
  blocks: Int32Array,
  count: number,
  width: number,
  ratio: Float64Array,
): number {
  let total = 0;
  for (let b = 0; b < count; b++) {
    const first = blocks[b] * width;
    for (let r = first; r < first + width; r++) {
      const yr = y[r];
      if (yr > 0) {
        let q = proj[r];
        if (background) q += background[r];
        total += yr * Math.log(q) - q;
        ratio[r] = yr / q;
      } else {
        if (background) total -= background[r];
        ratio[r] = 0;
      }
    }
  }
  return total;
}

export function mlemUpdate(x: Float64Array, back: Float64Array, sensitivity: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const s = sensitivity[j];
    x[j] = s > 0 ? (x[j] * back[j]) / s : 0;
  }
}
