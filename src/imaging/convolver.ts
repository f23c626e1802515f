import type { Handle } from '../backend/types.js';
import type { ImagingKernels } from './kernels.js';
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
 * All arrays live in the workspace and are allocated here, once; `run` allocates nothing. With
 * `threads` > 1 (a shared-memory workspace) each pass is split over the threads: rows for the
 * direct method, row pairs and spectrum columns for the FFT; every element is computed by the same
 * operations whatever the split, so the results do not depend on the thread count.
 */
export interface SameConvolver {
  readonly method: 'fft' | 'direct';
  /** `dst = conv(src, mirror ? flip(psf) : psf)`, both (n0 × n1 × n2) arrays of the workspace. */
  run(src: Handle, dst: Handle, mirror: boolean): Promise<void>;
}

type Job = { kernel: keyof ImagingKernels; args: number[] };

/** Runs the jobs: one on this thread directly, several through the workspace's threads. */
async function runJobs(ws: ImagingWorkspace, jobs: Job[]): Promise<void> {
  if (jobs.length === 1) {
    (ws.kernels[jobs[0].kernel] as (...args: number[]) => number)(...jobs[0].args);
    return;
  }
  await (ws.parallel as NonNullable<ImagingWorkspace['parallel']>)(jobs);
}

/** [0, count) in at most `parts` contiguous non-empty ranges, inner boundaries multiples of `align`. */
export function splitRange(count: number, parts: number, align: number): [number, number][] {
  const ranges: [number, number][] = [];
  const step = Math.ceil(count / parts / align) * align;
  for (let start = 0; start < count; start += step) ranges.push([start, Math.min(count, start + step)]);
  return ranges;
}

/** Byte offset of complex element `index` past handle `h` (Wasm handles are byte offsets). */
const complexAt = (h: Handle, index: number): Handle => h + 16 * index;

export async function createConvolver(
  ws: ImagingWorkspace,
  image: Axes,
  psf: Float64Array,
  psfAxes: Axes,
  method: 'fft' | 'direct',
  threads: number,
): Promise<SameConvolver> {
  return method === 'fft'
    ? fftConvolver(ws, image, psf, psfAxes, threads)
    : directConvolver(ws, image, psf, psfAxes, threads);
}

function directConvolver(
  ws: ImagingWorkspace,
  n: Axes,
  psf: Float64Array,
  m: Axes,
  threads: number,
): SameConvolver {
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
  const rowShares = splitRange(n[0] * n[1], threads, 1);
  return {
    method: 'direct',
    async run(src, dst, mirror) {
      k.padImage(src, n[0], n[1], n[2], padded, p[0], p[1], p[2], offset[0], offset[1], offset[2]);
      const w = mirror ? straight : flipped;
      await runJobs(
        ws,
        rowShares.map(([r0, r1]) => ({
          kernel: 'correlatePadded',
          args: [padded, p[1], p[2], w, m[0], m[1], m[2], dst, n[1], n[2], r0, r1],
        })),
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

/** Rows and columns go to threads in whole tiles of the kernels (16 row pairs or columns). */
const TILE = 16;

async function fftConvolver(
  ws: ImagingWorkspace,
  n: Axes,
  psf: Float64Array,
  m: Axes,
  threads: number,
): Promise<SameConvolver> {
  const k = ws.kernels;
  const l = fftLengths(n, m);
  const h = (l[2] >> 1) + 1;
  const specLength = l[0] * l[1] * h;
  const workLength = Math.max(
    k.realFftWorkLength(l[2]),
    k.fftWorkLength(l[1], h),
    k.fftWorkLength(l[0], l[1] * h),
  );
  const work = Array.from({ length: threads }, () => ws.allocF64(workLength));
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
  // The outermost axis is transformed, filtered and transformed back in one pass (fftFilterAxis).
  const outerAxis = l[0] > 1 ? 0 : 1;
  const outerStride = outerAxis === 0 ? l[1] * h : h;
  const columnShares = (columns: number) => splitRange(columns, threads, TILE);
  const pairShares = (rows: number) => splitRange((rows + 1) >> 1, threads, TILE);

  /** Real (a0 × a1 × a2) `src` → the half spectrum of its zero-padded (l0 × l1 × l2) in `out (l0 × l1 × h)`. */
  const rowsForward = (src: Handle, a0: number, a1: number, a2: number, out: Handle): Promise<void> => {
    k.zeroSpecPadding(out, a0, a1, h, l[0], l[1]);
    return runJobs(
      ws,
      pairShares(a0 * a1).map(([p0, p1], t) => ({
        kernel: 'realFftRows',
        args: [src, a0, a1, a2, l[2], tw[2], work[t], out, l[1], p0, p1],
      })),
    );
  };
  /** The FFT along axis 1 of the slabs i0 < a0 of `data (l0 × l1 × h)`. */
  const axis1 = (data: Handle, a0: number, inverse: number): Promise<void> =>
    runJobs(
      ws,
      columnShares(h).map(([c0, c1], t) => ({
        kernel: 'fftAxis',
        args: [complexAt(data, c0), a0, l[1], c1 - c0, h, tw[1], work[t], inverse],
      })),
    );

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
  for (const [mirror, out] of [
    [false, psfSpec],
    [true, mirrorSpec],
  ] as const) {
    place(mirror);
    await rowsForward(placed, l[0], l[1], l[2], out);
    await axis1(out, l[0], 0);
    if (l[0] > 1) k.fftAxis(out, 1, l[0], l[1] * h, l[1] * h, tw[0], work[0], 0);
  }

  return {
    method: 'fft',
    async run(src, dst, mirror) {
      await rowsForward(src, n[0], n[1], n[2], spec);
      if (outerAxis === 0) await axis1(spec, n[0], 0);
      const filter = mirror ? mirrorSpec : psfSpec;
      await runJobs(
        ws,
        columnShares(outerStride).map(([c0, c1], t) => ({
          kernel: 'fftFilterAxis',
          args: [
            complexAt(spec, c0),
            l[outerAxis],
            c1 - c0,
            outerStride,
            tw[outerAxis],
            work[t],
            complexAt(filter, c0),
          ],
        })),
      );
      if (outerAxis === 0) await axis1(spec, n[0], 1);
      await runJobs(
        ws,
        pairShares(n[0] * n[1]).map(([p0, p1], t) => ({
          kernel: 'realIfftRows',
          args: [spec, n[0], n[1], l[1], l[2], tw[2], work[t], n[2], scale, dst, p0, p1],
        })),
      );
    },
  };
}
