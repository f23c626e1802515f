import type { Handle, Kernels } from '../backend/types.js';
import {
  invertLowerTriangular,
  precisionCholeskyFromCovariance,
  precisionCholeskyFromPrecision,
} from '../linalg/dense.js';
import type { Random } from '../util/random.js';

export const COVARIANCE_TYPES = ['full', 'tied', 'diag', 'spherical'] as const;

/** The shape of the covariance matrices (and of their precisions and Cholesky factors). */
export type CovarianceType = (typeof COVARIANCE_TYPES)[number];

/**
 * What differs between covariance types, as a table (scikit-learn's idea): the parameter shapes,
 * the kernels, the parameter count, and the conversions between covariances, precisions and their
 * Cholesky factors. Everything else in the Gaussian mixture is shared.
 */
export interface CovarianceKind {
  readonly type: CovarianceType;
  /** scikit-learn's shape of `covariances_` (also of `precisions_` and `precisions_cholesky_`). */
  shape(k: number, d: number): number[];
  /** Length of the diagonal or full scatter the M-step accumulates. */
  scatterLength(k: number, d: number): number;
  /** Free parameters of the covariances. */
  covarianceParameters(k: number, d: number): number;
  logProb(
    kern: Kernels,
    x: Handle,
    n: number,
    d: number,
    means: Handle,
    precChol: Handle,
    k: number,
    out: Handle,
  ): void;
  accumulateScatter(
    kern: Kernels,
    x: Handle,
    n: number,
    d: number,
    resp: Handle,
    k: number,
    means: Handle,
    out: Handle,
  ): void;
  /** The fused E-step kernel (log-densities, responsibilities and shifted statistics in one pass). */
  readonly emStep: 'emStepFull' | 'emStepTied' | 'emStepDiag' | 'emStepSpherical';
  /** The M-step kernel over the fused statistics; returns 0 or `c + 1` as `finalize`. */
  readonly mStep: 'mStepFull' | 'mStepTied' | 'mStepDiag' | 'mStepSpherical';
  /** Returns 0, or `c + 1` for the first component whose covariance is not positive definite. */
  finalize(
    kern: Kernels,
    scatter: Handle,
    nk: Handle,
    nkValues: Float64Array,
    k: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  /** `precisions = U Uᵀ` (or the square, for diagonal factors). */
  precisions(precChol: Float64Array, k: number, d: number): Float64Array;
  /** Factor of user-given precisions; `null` if a matrix is not positive definite. */
  precisionCholeskyFromPrecisions(precisions: Float64Array, k: number, d: number): Float64Array | null;
  covariancesFromPrecisionCholesky(precChol: Float64Array, k: number, d: number): Float64Array;
  /** Per component, a factor `L` with `Σ = L Lᵀ` (lower; a vector of std devs when diagonal). */
  samplingFactors(precChol: Float64Array, k: number, d: number): Float64Array;
  /** Entries per covariance block: a `(d × d)` matrix for full and tied, one variance for diag and spherical. */
  blockLength(d: number): number;
  /**
   * Checks saved precision Cholesky factors beyond their shape: upper triangular with a positive
   * diagonal (positive entries for diag and spherical). Returns an error text or null.
   */
  checkPrecisionCholesky(precChol: Float64Array, k: number, d: number): string | null;
  /** Checks user-given precisions beyond their shape: symmetric, positive. Returns an error text or null. */
  checkPrecisions(precisions: Float64Array, k: number, d: number): string | null;
  /**
   * `cov = scatter / denominator + reg·I` and its precision factor through the finalize kernels:
   * `denominators (count)` per Gaussian, except tied, which divides by `tiedDenominator`.
   * Returns 0, or `c + 1` for the first Gaussian whose covariance is not positive definite.
   */
  finalizeWith(
    kern: Kernels,
    scatter: Handle,
    denominators: Handle,
    tiedDenominator: number,
    count: number,
    d: number,
    reg: number,
    cov: Handle,
    precChol: Handle,
  ): number;
  /** Precision Cholesky factors of covariances in this type's shape; null if one is not positive definite. */
  precisionCholeskyFromCovariances(cov: Float64Array, count: number, d: number): Float64Array | null;
  /** Every component's covariance as a full `(k × d × d)` matrix into `out`. */
  toFull(cov: Float64Array, k: number, d: number, out: Float64Array): void;
  /**
   * Full per-component scatter `(k × d × d)` reduced to this type's scatter layout (the one the
   * fused E-step accumulates): full as is, tied summed over components, diag and spherical the
   * diagonals `(k × d)`. Returns the array that holds it (`full` itself for full, else `out`).
   */
  scatterFromFull(full: Float64Array, k: number, d: number, out: Float64Array): Float64Array;
  /** `out[offset + a] += (L_c z)_a` for a = 0 … d − 1, with `factors` from `samplingFactors`. */
  addScaled(
    factors: Float64Array,
    c: number,
    d: number,
    z: Float64Array,
    out: Float64Array,
    offset: number,
  ): void;
  /** Multiply-adds per row of one fused E+M pass (what `threads: 'auto'` weighs). */
  workPerRow(k: number, d: number): number;
}

/** `out += L z` for the lower triangular `L` at `factors[o …]`. */
function addTriangular(
  factors: Float64Array,
  o: number,
  d: number,
  z: Float64Array,
  out: Float64Array,
  offset: number,
): void {
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let b = 0; b <= a; b++) s += factors[o + a * d + b] * z[b];
    out[offset + a] += s;
  }
}

function triangularPrecisions(precChol: Float64Array, count: number, d: number): Float64Array {
  const out = new Float64Array(count * d * d);
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let m = Math.max(a, b); m < d; m++) s += precChol[o + a * d + m] * precChol[o + b * d + m];
        out[o + a * d + b] = s;
      }
    }
  }
  return out;
}

/** `L = (U⁻¹)ᵀ` for each upper `U`: lower, with `L Lᵀ = (U Uᵀ)⁻¹`. */
function triangularSamplingFactors(precChol: Float64Array, count: number, d: number): Float64Array {
  const out = new Float64Array(count * d * d);
  const ut = new Float64Array(d * d);
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) ut[a * d + b] = precChol[o + b * d + a];
    invertLowerTriangular(ut, d, out.subarray(o, o + d * d));
  }
  return out;
}

function triangularCovariances(precChol: Float64Array, count: number, d: number): Float64Array {
  const l = triangularSamplingFactors(precChol, count, d);
  const out = new Float64Array(count * d * d);
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let m = 0; m <= Math.min(a, b); m++) s += l[o + a * d + m] * l[o + b * d + m];
        out[o + a * d + b] = s;
      }
    }
  }
  return out;
}

function triangularFromPrecisions(p: Float64Array, count: number, d: number): Float64Array | null {
  const out = new Float64Array(count * d * d);
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    if (precisionCholeskyFromPrecision(p.subarray(o, o + d * d), d, out.subarray(o, o + d * d)) !== 0)
      return null;
  }
  return out;
}

function checkSymmetricPositive(p: Float64Array, count: number, d: number): string | null {
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) {
        const x = p[o + a * d + b];
        const y = p[o + b * d + a];
        if (Math.abs(x - y) > 1e-8 + 1e-5 * Math.abs(y)) {
          return `matrix ${c} is not symmetric ([${a}][${b}] = ${x} but [${b}][${a}] = ${y})`;
        }
      }
    }
  }
  if (!triangularFromPrecisions(p, count, d)) return 'a matrix is not positive definite';
  return null;
}

function checkPositive(p: Float64Array): string | null {
  for (let i = 0; i < p.length; i++) if (!(p[i] > 0)) return `entry ${i} is ${p[i]}, but must be > 0`;
  return null;
}

function triangularFromCovariances(cov: Float64Array, count: number, d: number): Float64Array | null {
  const out = new Float64Array(count * d * d);
  const scratch = new Float64Array(d * d);
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    const status = precisionCholeskyFromCovariance(
      cov.subarray(o, o + d * d),
      d,
      scratch,
      out.subarray(o, o + d * d),
    );
    if (status !== 0) return null;
  }
  return out;
}

function inverseSqrtPositive(cov: Float64Array): Float64Array | null {
  const out = new Float64Array(cov.length);
  for (let i = 0; i < cov.length; i++) {
    if (!(cov[i] > 0)) return null;
    out[i] = 1 / Math.sqrt(cov[i]);
  }
  return out;
}

/** Writes `value(c, a, b)` into each component's `(d × d)` block of `out` (zeros elsewhere). */
function fillFull(
  k: number,
  d: number,
  out: Float64Array,
  diagonalOnly: boolean,
  value: (c: number, a: number, b: number) => number,
): void {
  out.fill(0);
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      if (diagonalOnly) out[c * d * d + a * d + a] = value(c, a, a);
      else for (let b = 0; b < d; b++) out[c * d * d + a * d + b] = value(c, a, b);
    }
  }
}

function diagonalsOf(full: Float64Array, k: number, d: number, out: Float64Array): Float64Array {
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c * d + j] = full[c * d * d + j * d + j];
  return out;
}

function checkUpperTriangular(pc: Float64Array, count: number, d: number): string | null {
  for (let c = 0; c < count; c++) {
    const o = c * d * d;
    for (let a = 0; a < d; a++) {
      if (!(pc[o + a * d + a] > 0))
        return `matrix ${c} has diagonal entry [${a}][${a}] = ${pc[o + a * d + a]}, but must be > 0`;
      for (let b = 0; b < a; b++) {
        if (pc[o + a * d + b] !== 0)
          return `matrix ${c} is not upper triangular ([${a}][${b}] = ${pc[o + a * d + b]})`;
      }
    }
  }
  return null;
}

const squares = (p: Float64Array): Float64Array => p.map((v) => v * v);
const inverseSquares = (p: Float64Array): Float64Array => p.map((v) => 1 / (v * v));
const reciprocals = (p: Float64Array): Float64Array => p.map((v) => 1 / v);

const full: CovarianceKind = {
  type: 'full',
  emStep: 'emStepFull',
  mStep: 'mStepFull',
  shape: (k, d) => [k, d, d],
  scatterLength: (k, d) => k * d * d,
  covarianceParameters: (k, d) => (k * d * (d + 1)) / 2,
  logProb: (kern, ...a) => kern.logProbFull(...a),
  accumulateScatter: (kern, ...a) => kern.accumulateScatterFull(...a),
  finalize: (kern, scatter, nk, _nkv, k, d, reg, cov, pc) =>
    kern.finalizeFull(scatter, nk, k, d, reg, cov, pc),
  finalizeWith: (kern, scatter, den, _tied, count, d, reg, cov, pc) =>
    kern.finalizeFull(scatter, den, count, d, reg, cov, pc),
  precisionCholeskyFromCovariances: (cov, count, d) => triangularFromCovariances(cov, count, d),
  toFull: (cov, k, d, out) => fillFull(k, d, out, false, (c, a, b) => cov[c * d * d + a * d + b]),
  scatterFromFull: (full) => full,
  precisions: (pc, k, d) => triangularPrecisions(pc, k, d),
  precisionCholeskyFromPrecisions: (p, k, d) => triangularFromPrecisions(p, k, d),
  covariancesFromPrecisionCholesky: (pc, k, d) => triangularCovariances(pc, k, d),
  samplingFactors: (pc, k, d) => triangularSamplingFactors(pc, k, d),
  checkPrecisions: (p, k, d) => checkSymmetricPositive(p, k, d),
  checkPrecisionCholesky: (pc, k, d) => checkUpperTriangular(pc, k, d),
  blockLength: (d) => d * d,
  addScaled: (f, c, d, z, out, offset) => addTriangular(f, c * d * d, d, z, out, offset),
  workPerRow: (k, d) => k * d * (d + 1),
};

const tied: CovarianceKind = {
  type: 'tied',
  emStep: 'emStepTied',
  mStep: 'mStepTied',
  shape: (_k, d) => [d, d],
  scatterLength: (_k, d) => d * d,
  covarianceParameters: (_k, d) => (d * (d + 1)) / 2,
  logProb: (kern, ...a) => kern.logProbTied(...a),
  accumulateScatter: (kern, ...a) => kern.accumulateScatterTied(...a),
  finalize: (kern, scatter, _nk, nkv, _k, d, reg, cov, pc) =>
    kern.finalizeTied(
      scatter,
      nkv.reduce((s, v) => s + v, 0),
      d,
      reg,
      cov,
      pc,
    ),
  finalizeWith: (kern, scatter, _den, tied, _count, d, reg, cov, pc) =>
    kern.finalizeTied(scatter, tied, d, reg, cov, pc),
  precisionCholeskyFromCovariances: (cov, _count, d) => triangularFromCovariances(cov, 1, d),
  toFull: (cov, k, d, out) => fillFull(k, d, out, false, (_c, a, b) => cov[a * d + b]),
  scatterFromFull: (full, k, d, out) => {
    out.fill(0);
    for (let c = 0; c < k; c++) for (let e = 0; e < d * d; e++) out[e] += full[c * d * d + e];
    return out;
  },
  precisions: (pc, _k, d) => triangularPrecisions(pc, 1, d),
  precisionCholeskyFromPrecisions: (p, _k, d) => triangularFromPrecisions(p, 1, d),
  covariancesFromPrecisionCholesky: (pc, _k, d) => triangularCovariances(pc, 1, d),
  samplingFactors: (pc, _k, d) => triangularSamplingFactors(pc, 1, d),
  checkPrecisions: (p, _k, d) => checkSymmetricPositive(p, 1, d),
  checkPrecisionCholesky: (pc, _k, d) => checkUpperTriangular(pc, 1, d),
  blockLength: (d) => d * d,
  addScaled: (f, _c, d, z, out, offset) => addTriangular(f, 0, d, z, out, offset),
  // One rank update of (d + k)-long rows plus the distances to the transformed means.
  workPerRow: (k, d) => (d + k) ** 2 + 3 * k * d,
};

const diag: CovarianceKind = {
  type: 'diag',
  emStep: 'emStepDiag',
  mStep: 'mStepDiag',
  shape: (k, d) => [k, d],
  scatterLength: (k, d) => k * d,
  covarianceParameters: (k, d) => k * d,
  logProb: (kern, ...a) => kern.logProbDiag(...a),
  accumulateScatter: (kern, ...a) => kern.accumulateScatterDiag(...a),
  finalize: (kern, scatter, nk, _nkv, k, d, reg, cov, pc) =>
    kern.finalizeDiag(scatter, nk, k, d, reg, cov, pc),
  finalizeWith: (kern, scatter, den, _tied, count, d, reg, cov, pc) =>
    kern.finalizeDiag(scatter, den, count, d, reg, cov, pc),
  precisionCholeskyFromCovariances: inverseSqrtPositive,
  toFull: (cov, k, d, out) => fillFull(k, d, out, true, (c, a) => cov[c * d + a]),
  scatterFromFull: diagonalsOf,
  precisions: squares,
  precisionCholeskyFromPrecisions: (p) => p.map(Math.sqrt),
  covariancesFromPrecisionCholesky: inverseSquares,
  samplingFactors: reciprocals,
  checkPrecisions: checkPositive,
  checkPrecisionCholesky: checkPositive,
  blockLength: () => 1,
  addScaled: (f, c, d, z, out, offset) => {
    for (let a = 0; a < d; a++) out[offset + a] += f[c * d + a] * z[a];
  },
  workPerRow: (k, d) => k * (3 * d + 4),
};

const spherical: CovarianceKind = {
  ...diag,
  type: 'spherical',
  emStep: 'emStepSpherical',
  mStep: 'mStepSpherical',
  shape: (k) => [k],
  scatterLength: (k, d) => k * d,
  covarianceParameters: (k) => k,
  logProb: (kern, ...a) => kern.logProbSpherical(...a),
  finalize: (kern, scatter, nk, _nkv, k, d, reg, cov, pc) =>
    kern.finalizeSpherical(scatter, nk, k, d, reg, cov, pc),
  finalizeWith: (kern, scatter, den, _tied, count, d, reg, cov, pc) =>
    kern.finalizeSpherical(scatter, den, count, d, reg, cov, pc),
  toFull: (cov, k, d, out) => fillFull(k, d, out, true, (c) => cov[c]),
  addScaled: (f, c, d, z, out, offset) => {
    for (let a = 0; a < d; a++) out[offset + a] += f[c] * z[a];
  },
};

export const COVARIANCE_KINDS: Readonly<Record<CovarianceType, CovarianceKind>> = {
  full,
  tied,
  diag,
  spherical,
};

/**
 * A sampler of Gaussian `c` of `count` (mean `means[c]`, covariance from `precChol` in `kind`'s
 * shape; for tied every c shares the one matrix): x = μ_c + L_c z, z ~ N(0, I). Used by the
 * mixtures and the HMMs alike.
 */
export function gaussianSampler(
  kind: CovarianceKind,
  means: Float64Array,
  precChol: Float64Array,
  count: number,
  d: number,
): (c: number, rng: Random, out: Float64Array, offset: number) => void {
  const factors = kind.samplingFactors(precChol, count, d);
  const z = new Float64Array(d);
  return (c, rng, out, offset) => {
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    for (let a = 0; a < d; a++) out[offset + a] = means[c * d + a];
    kind.addScaled(factors, c, d, z, out, offset);
  };
}
