import * as ref from '../reference/index.js';
import type { Backend, Handle, Kernels, Workspace } from './types.js';

/**
 * The plain-TypeScript backend: the same kernels (src/reference) over ordinary typed arrays. It is
 * the baseline the benchmarks compare against and a second implementation the tests run the whole
 * model on.
 */
class JsWorkspace implements Workspace {
  // Index 0 is never handed out, so handle 0 means "no array" as it does for Wasm.
  private arrays: (Float64Array | Int32Array | null)[] = [null];
  readonly kernels: Kernels;

  constructor() {
    const f = (h: Handle): Float64Array => this.arrays[h] as Float64Array;
    const fOrNull = (h: Handle): Float64Array | null => (h === 0 ? null : f(h));
    const i = (h: Handle): Int32Array => this.arrays[h] as Int32Array;
    this.kernels = {
      logProbFull: (x, n, d, m, p, k, o) => ref.logProbFull(f(x), n, d, f(m), f(p), k, f(o)),
      logProbTied: (x, n, d, m, p, k, o) => ref.logProbTied(f(x), n, d, f(m), f(p), k, f(o)),
      logProbDiag: (x, n, d, m, p, k, o) => ref.logProbDiag(f(x), n, d, f(m), f(p), k, f(o)),
      logProbSpherical: (x, n, d, m, p, k, o) => ref.logProbSpherical(f(x), n, d, f(m), f(p), k, f(o)),
      responsibilities: (lp, n, k, lw, lse) => ref.responsibilities(f(lp), n, k, f(lw), fOrNull(lse)),
      accumulateMoments: (x, n, d, r, k, nk, s) => ref.accumulateMoments(f(x), n, d, f(r), k, f(nk), f(s)),
      accumulateScatterFull: (x, n, d, r, k, m, o) =>
        ref.accumulateScatterFull(f(x), n, d, f(r), k, f(m), f(o)),
      accumulateScatterTied: (x, n, d, r, k, m, o) =>
        ref.accumulateScatterTied(f(x), n, d, f(r), k, f(m), f(o)),
      accumulateScatterDiag: (x, n, d, r, k, m, o) =>
        ref.accumulateScatterDiag(f(x), n, d, f(r), k, f(m), f(o)),
      finalizeFull: (s, nk, k, d, reg, c, p) => ref.finalizeFull(f(s), f(nk), k, d, reg, f(c), f(p)),
      finalizeTied: (s, nt, d, reg, c, p) => ref.finalizeTied(f(s), nt, d, reg, f(c), f(p)),
      finalizeDiag: (s, nk, k, d, reg, c, p) => ref.finalizeDiag(f(s), f(nk), k, d, reg, f(c), f(p)),
      finalizeSpherical: (s, nk, k, d, reg, c, p) =>
        ref.finalizeSpherical(f(s), f(nk), k, d, reg, f(c), f(p)),
      cholesky: (a, d, o) => ref.cholesky(f(a), d, f(o)),
      precisionCholeskyFromPrecision: (p, d, o) => ref.precisionCholeskyFromPrecision(f(p), d, f(o)),
      kmeansWorkLength: (m, d) => ref.kmeansWorkLength(m, d),
      kmeansStep: (x, n, d, c, k, l, s, cnt, md) =>
        ref.kmeansStep(f(x), n, d, f(c), k, i(l), f(s), f(cnt), f(md)),
      minSqDistMany: (x, n, d, p, m, dist, o, t) =>
        ref.minSqDistMany(f(x), n, d, f(p), m, f(dist), f(o), f(t)),
      emStepWorkLength: (k, d) => ref.emStepWorkLength(k, d),
      emStepFull: (x, n, d, m, p, lw, k, nk, s, sc, w, sw) =>
        ref.emStepFull(f(x), n, d, f(m), f(p), f(lw), k, f(nk), f(s), f(sc), f(w), fOrNull(sw)),
      emStepTied: (x, n, d, m, p, lw, k, nk, s, sc, w, sw) =>
        ref.emStepTied(f(x), n, d, f(m), f(p), f(lw), k, f(nk), f(s), f(sc), f(w), fOrNull(sw)),
      emStepDiag: (x, n, d, m, p, lw, k, nk, s, sc, w, sw) =>
        ref.emStepDiag(f(x), n, d, f(m), f(p), f(lw), k, f(nk), f(s), f(sc), f(w), fOrNull(sw)),
      emStepSpherical: (x, n, d, m, p, lw, k, nk, s, sc, w, sw) =>
        ref.emStepSpherical(f(x), n, d, f(m), f(p), f(lw), k, f(nk), f(s), f(sc), f(w), fOrNull(sw)),
      mStepFull: (nk, s, sc, m, k, d, reg, c, p) =>
        ref.mStepFull(f(nk), f(s), f(sc), f(m), k, d, reg, f(c), f(p)),
      mStepTied: (nk, s, sc, m, k, d, reg, c, p) =>
        ref.mStepTied(f(nk), f(s), f(sc), f(m), k, d, reg, f(c), f(p)),
      mStepDiag: (nk, s, sc, m, k, d, reg, c, p) =>
        ref.mStepDiag(f(nk), f(s), f(sc), f(m), k, d, reg, f(c), f(p)),
      mStepSpherical: (nk, s, sc, m, k, d, reg, c, p) =>
        ref.mStepSpherical(f(nk), f(s), f(sc), f(m), k, d, reg, f(c), f(p)),
      missingFactorLength: (d) => ref.missingFactorLength(d),
      missingWorkLength: (k, d) => ref.missingWorkLength(k, d),
      missingFactors: (c, k, d, ix, p, o, fa) => ref.missingFactors(f(c), k, d, i(ix), p, o, f(fa)),
      missingEStep: (x, first, n, d, ix, p, o, m, fa, lw, k, nk, s, sc, r, lse, xh, w, sw) =>
        ref.missingEStep(
          f(x),
          first,
          n,
          d,
          i(ix),
          p,
          o,
          f(m),
          f(fa),
          f(lw),
          k,
          fOrNull(nk),
          fOrNull(s),
          fOrNull(sc),
          fOrNull(r),
          fOrNull(lse),
          fOrNull(xh),
          f(w),
          fOrNull(sw),
        ),
    };
  }

  allocF64(length: number): Handle {
    return this.arrays.push(new Float64Array(length)) - 1;
  }

  allocI32(length: number): Handle {
    return this.arrays.push(new Int32Array(length)) - 1;
  }

  f64(h: Handle, length: number): Float64Array {
    return (this.arrays[h] as Float64Array).subarray(0, length);
  }

  i32(h: Handle, length: number): Int32Array {
    return (this.arrays[h] as Int32Array).subarray(0, length);
  }

  release(): void {
    this.arrays = [null];
  }
}

export const jsBackend: Backend = {
  name: 'js',
  acquire: () => new JsWorkspace(),
};
