import type { Handle } from '../backend/types.js';
import type { ImagingWorkspace } from './workspace.js';

/** How a convolution is computed: by FFT, directly, or whichever `convolutionCost` finds cheaper. */
export type ConvolutionMethod = 'auto' | 'fft' | 'direct';

type Axes = [number, number, number];

const prod = (a: readonly number[]): number => a.reduce((x, y) => x * y, 1);

/** The smallest n' ≥ n whose prime factors are 2, 3 and 5 (the lengths `fftAxis` transforms). */
export function fastLength(n: number): number {
  for (let m = Math.max(1, n); ; m++) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/**
 * The FFT lengths for a 'same' convolution of an n-long axis with an m-long kernel: the output
 * keeps entries s … s+n−1 of the full convolution, s = ⌊(m−1)/2⌋, and a circular convolution of
 * length L leaves those unaliased when L ≥ n + m − 1 − s.
 */
export function fftLengths(image: Axes, psf: Axes): Axes {
  return image.map((n, a) => fastLength(n + psf[a] - 1 - ((psf[a] - 1) >> 1))) as Axes;
}

/*
 * Estimated seconds per convolution, in the form of SciPy's `_fftconv_faster` (a constant times the
 * direct method's multiply-adds against a constant times L·log2 L for the transforms), with the
 * constants fitted to these kernels: each convolution here is one forward and one inverse real FFT
 * (the PSF's spectrum is computed once), where SciPy's counts three.
 */
const DIRECT_SECONDS_PER_MAC = 0.4e-9;
const FFT_SECONDS_PER_POINT_LOG = 1.1e-9;

/** Estimated time of one 'same' convolution by each method. */
export function convolutionCost(image: Axes, psf: Axes): { fft: number; direct: number } {
  const l = prod(fftLengths(image, psf));
  return {
    direct: DIRECT_SECONDS_PER_MAC * prod(image) * prod(psf),
    fft: FFT_SECONDS_PER_POINT_LOG * l * Math.log2(Math.max(2, l)),
  };
}

/** The method `auto` resolves to for this image and PSF shape. */
export function chooseMethod(image: Axes, psf: Axes): 'fft' | 'direct' {
  const cost = convolutionCost(image, psf);
  return cost.fft < cost.direct ? 'fft' : 'direct';
}

/**
 * 'same' convolutions of (n0 × n1 × n2) images with one fixed PSF and with its mirror image, as
 * `scipy.signal.convolve(x, psf, mode='same')` and `…(x, flip(psf), mode='same')` compute them.
 * All arrays live in the workspace and are allocated here, once; `run` allocates nothing.
 */
export interface SameConvolver {
  readonly method: 'fft' | 'direct';
  /** `dst = conv(src, mirror ? flip(psf) : psf)`, both (n0 × n1 × n2) arrays of the workspace. */
  run(src: Handle, dst: Handle, mirror: boolean): void;
}

export function createConvolver(
  ws: ImagingWorkspace,
  image: Axes,
  psf: Float64Array,
  psfAxes: Axes,
  method: 'fft' | 'direct',
): SameConvolver {
  return method === 'fft' ? fftConvolver(ws, image, psf, psfAxes) : directConvolver(ws, image, psf, psfAxes);
}

function directConvolver(ws: ImagingWorkspace, n: Axes, psf: Float64Array, m: Axes): SameConvolver {
  const k = ws.kernels;
  const p = n.map((v, a) => v + m[a] - 1) as Axes;
  const offset = m.map((v) => v - 1 - ((v - 1) >> 1)) as Axes;
  const size = prod(m);
  const padded = ws.allocF64(prod(p));
  // conv(x, h)[i] = Σ_k x[i + k − offset]·flip(h)[k] and conv(x, flip(h))[i] = Σ_k x[i + k − offset]·h[k].
  const flipped = ws.allocF64(size);
  const straight = ws.allocF64(size);
  ws.f64(straight, size).set(psf);
  ws.f64(flipped, size).set(psf.slice().reverse());
  const rows = n[0] * n[1];
  return {
    method: 'direct',
    run(src, dst, mirror) {
      k.padImage(src, n[0], n[1], n[2], padded, p[0], p[1], p[2], offset[0], offset[1], offset[2]);
      k.correlatePadded(
        padded,
        p[1],
        p[2],
        mirror ? straight : flipped,
        m[0],
        m[1],
        m[2],
        dst,
        n[1],
        n[2],
        0,
        rows,
      );
    },
  };
}

/** exp(−2πi·j/len) for j < len, interleaved (re, im). */
function twiddles(len: number): Float64Array {
  const t = new Float64Array(2 * len);
  for (let j = 0; j < len; j++) {
    const angle = (2 * Math.PI * j) / len;
    t[2 * j] = Math.cos(angle);
    t[2 * j + 1] = -Math.sin(angle);
  }
  return t;
}

function fftConvolver(ws: ImagingWorkspace, n: Axes, psf: Float64Array, m: Axes): SameConvolver {
  const k = ws.kernels;
  const l = fftLengths(n, m);
  const h = (l[2] >> 1) + 1;
  const specLength = l[0] * l[1] * h;
  const work = ws.allocF64(
    Math.max(k.realFftWorkLength(l[2]), k.fftWorkLength(l[1], h), k.fftWorkLength(l[0], l[1] * h)),
  );
  const spec = ws.allocF64(2 * specLength);
  const psfSpec = ws.allocF64(2 * specLength);
  const mirrorSpec = ws.allocF64(2 * specLength);
  // The PSF is placed in `spec` (2·specLength ≥ Π l f64s) while its spectra are computed.
  const placed = spec;
  const tw = l.map((len) => {
    const handle = ws.allocF64(2 * len);
    ws.f64(handle, 2 * len).set(twiddles(len));
    return handle;
  });
  const scale = 1 / prod(l);

  /** Real (a0 × a1 × a2) `src` → the half spectrum of its zero-padded (l0 × l1 × l2) in `out (l0 × l1 × h)`. */
  const forward = (src: Handle, a0: number, a1: number, a2: number, out: Handle): void => {
    k.realFftRows(src, a0, a1, a2, l[2], tw[2], work, out, l[0], l[1]);
    k.fftAxis(out, a0, l[1], h, h, tw[1], work, 0);
    if (l[0] > 1) k.fftAxis(out, 1, l[0], l[1] * h, l[1] * h, tw[0], work, 0);
  };

  // The kernel h'[d] = h[d + s] for d in [−s, m − 1 − s], wrapped modulo L (and its mirror image).
  const s = m.map((v) => (v - 1) >> 1);
  const place = (mirror: boolean): void => {
    const view = ws.f64(placed, prod(l));
    view.fill(0);
    for (let j0 = 0; j0 < m[0]; j0++) {
      for (let j1 = 0; j1 < m[1]; j1++) {
        for (let j2 = 0; j2 < m[2]; j2++) {
          const src = mirror
            ? ((m[0] - 1 - j0) * m[1] + (m[1] - 1 - j1)) * m[2] + (m[2] - 1 - j2)
            : (j0 * m[1] + j1) * m[2] + j2;
          const d0 = (j0 - s[0] + l[0]) % l[0];
          const d1 = (j1 - s[1] + l[1]) % l[1];
          const d2 = (j2 - s[2] + l[2]) % l[2];
          view[(d0 * l[1] + d1) * l[2] + d2] = psf[src];
        }
      }
    }
  };
  place(false);
  forward(placed, l[0], l[1], l[2], psfSpec);
  place(true);
  forward(placed, l[0], l[1], l[2], mirrorSpec);

  // The outermost axis is transformed, filtered and transformed back in one pass (fftFilterAxis).
  const outerAxis = l[0] > 1 ? 0 : 1;
  const outerStride = outerAxis === 0 ? l[1] * h : h;
  return {
    method: 'fft',
    run(src, dst, mirror) {
      k.realFftRows(src, n[0], n[1], n[2], l[2], tw[2], work, spec, l[0], l[1]);
      if (outerAxis === 0) k.fftAxis(spec, n[0], l[1], h, h, tw[1], work, 0);
      const filter = mirror ? mirrorSpec : psfSpec;
      k.fftFilterAxis(spec, l[outerAxis], outerStride, outerStride, tw[outerAxis], work, filter);
      if (outerAxis === 0) k.fftAxis(spec, n[0], l[1], h, h, tw[1], work, 1);
      k.realIfftRows(spec, n[0], n[1], l[1], l[2], tw[2], work, n[2], scale, dst);
    },
  };
}
