import { cholesky } from '../linalg/dense.js';
import { show } from '../util/errors.js';
import { toArray, type Matrix } from '../util/matrix.js';
import type { CovarianceType } from './covariance.js';

/**
 * mclust's conjugate prior (Fraley & Raftery, 2007): each mean is normal around `mean` with the
 * component's covariance divided by `shrinkage`, and each covariance is inverse-Wishart (full,
 * tied) or inverse-gamma per variance (diag, spherical) with `dof` degrees of freedom and `scale`.
 * A field left out takes mclust's default (`defaultPrior`).
 */
export interface PriorOptions {
  /** κ ≥ 0, the prior's weight on `mean` in units of samples. Default 0.01. */
  shrinkage?: number;
  /** `(D)` prior mean. Default: the data mean. */
  mean?: readonly number[] | Float64Array;
  /** ν > D − 1. Default D + 2. */
  dof?: number;
  /**
   * Full and tied: a `(D × D)` symmetric positive definite matrix or a number `s` for `s·I`; diag: a
   * number or `(D)` positive values; spherical: a positive number. Default (K components):
   * `var(X)/K^(2/D)` (the sample covariance; its diagonal when nSamples ≤ D) for full and tied,
   * `mean_j var(X_j)/K^(2/D)` for diag and spherical.
   */
  scale?: number | readonly number[] | readonly (readonly number[])[] | Float64Array;
}

/** `'default'` is mclust's `priorControl()`: every field at its default. */
export type PriorInput = 'default' | PriorOptions;

/** `PriorInput` as plain JSON (typed arrays become arrays), as `GaussianMixture.toJSON` saves it. */
export type PriorJSON =
  | 'default'
  | {
      /** `PriorOptions.shrinkage`. */
      shrinkage?: number;
      /** `PriorOptions.mean`, `(D)`. */
      mean?: number[];
      /** `PriorOptions.dof`. */
      dof?: number;
      /** `PriorOptions.scale`, nested as given. */
      scale?: number | number[] | number[][];
    };

/** The prior as given, in plain JSON (`null` without a prior); `checkPriorOptions` accepts it back. */
export function priorToJSON(prior: PriorInput | null): PriorJSON | null {
  if (prior === null || prior === 'default') return prior;
  const { shrinkage, mean, dof, scale } = prior;
  const out: Exclude<PriorJSON, 'default'> = {};
  if (shrinkage !== undefined) out.shrinkage = shrinkage;
  if (mean !== undefined) out.mean = Array.from(mean);
  if (dof !== undefined) out.dof = dof;
  if (scale !== undefined) {
    out.scale =
      typeof scale === 'number'
        ? scale
        : (Array.from(scale as ArrayLike<number | ArrayLike<number>>, (v) =>
            typeof v === 'number' ? v : Array.from(v),
          ) as number[] | number[][]);
  }
  return out;
}

/** A prior resolved for one fit: `scale` is `(D × D)` for full and tied, `(D)` for diag, `(1)` for spherical. */
export interface Prior {
  shrinkage: number;
  mean: Float64Array;
  dof: number;
  scale: Float64Array;
}

/** Checks what can be checked without the data; returns the prior as given. */
export function checkPriorOptions(prior: unknown): PriorInput | null {
  if (prior === undefined || prior === null) return null;
  if (prior === 'default') return 'default';
  if (typeof prior !== 'object' || Array.isArray(prior)) {
    throw new TypeError(
      `prior must be 'default' or an object { shrinkage, mean, dof, scale }, got ${show(prior)}`,
    );
  }
  const p = prior as PriorOptions;
  for (const key of Object.keys(p)) {
    if (!['shrinkage', 'mean', 'dof', 'scale'].includes(key)) {
      throw new RangeError(`prior has an unknown field ${show(key)} (allowed: shrinkage, mean, dof, scale)`);
    }
  }
  if (
    p.shrinkage !== undefined &&
    !(typeof p.shrinkage === 'number' && Number.isFinite(p.shrinkage) && p.shrinkage >= 0)
  ) {
    throw new RangeError(`prior.shrinkage must be a finite number >= 0, got ${show(p.shrinkage)}`);
  }
  if (p.dof !== undefined && !(typeof p.dof === 'number' && Number.isFinite(p.dof))) {
    throw new RangeError(`prior.dof must be a finite number > nFeatures − 1, got ${show(p.dof)}`);
  }
  return { ...p };
}

/**
 * The prior for data `X` and `k` components: the user's fields, mclust's defaults for the rest. With
 * `sampleWeight (nSamples)` the defaults use the weighted mean and covariance, as if each row were
 * repeated its weight times (nSamples becomes the total weight); where X has NaN, the moments of the
 * observed entries (`sampleMoments`).
 */
export function resolvePrior(
  input: PriorInput,
  X: Matrix,
  k: number,
  type: CovarianceType,
  sampleWeight: Float64Array | null = null,
): Prior {
  const p: PriorOptions = input === 'default' ? {} : input;
  const d = X.cols;
  const shrinkage = p.shrinkage ?? 0.01;
  const dof = p.dof ?? d + 2;
  if (!(dof > d - 1)) {
    throw new RangeError(`prior.dof must be > nFeatures − 1 = ${d - 1}, got ${show(dof)}`);
  }
  // The data's moments (over the observed entries where X has NaN) only for the fields not given.
  const moments = p.mean === undefined || p.scale === undefined ? sampleMoments(X, sampleWeight) : null;
  const n = sampleWeight ? sampleWeight.reduce((a, b) => a + b, 0) : X.rows;
  const cov = moments?.cov ?? new Float64Array(d * d);
  const mean = p.mean === undefined ? (moments?.mean as Float64Array) : toArray(p.mean, 'prior.mean', [d]);
  const fac = Math.pow(1 / k, 2 / d);
  let scale: Float64Array;
  if (type === 'full' || type === 'tied') {
    if (p.scale === undefined) {
      scale = new Float64Array(d * d);
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          if (n > d || a === b) scale[a * d + b] = fac * cov[a * d + b];
        }
      }
    } else if (typeof p.scale === 'number') {
      requirePositive(p.scale);
      scale = new Float64Array(d * d);
      for (let a = 0; a < d; a++) scale[a * d + a] = p.scale;
    } else {
      scale = toArray(p.scale, 'prior.scale', [d, d]);
      if (!isSymmetric(scale, d) || cholesky(scale, d, new Float64Array(d * d)) !== 0) {
        throw new RangeError('prior.scale must be a symmetric positive definite (D × D) matrix');
      }
    }
  } else {
    let trace = 0;
    for (let j = 0; j < d; j++) trace += cov[j * d + j];
    const fallback = (fac * trace) / d;
    if (type === 'spherical') {
      const s = p.scale ?? fallback;
      if (typeof s !== 'number') {
        throw new TypeError(`prior.scale must be a number for spherical covariances, got ${show(s)}`);
      }
      requirePositive(s);
      scale = Float64Array.of(s);
    } else {
      const s = p.scale ?? fallback;
      scale = typeof s === 'number' ? new Float64Array(d).fill(s) : toArray(s, 'prior.scale', [d]);
      for (const v of scale) requirePositive(v);
    }
  }
  return { shrinkage, mean, dof, scale };
}

function requirePositive(v: number): void {
  if (!(Number.isFinite(v) && v > 0))
    throw new RangeError(`prior.scale must be positive and finite, got ${show(v)}`);
}

function isSymmetric(m: Float64Array, d: number): boolean {
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) {
      if (Math.abs(m[a * d + b] - m[b * d + a]) > 1e-10 * (Math.abs(m[a * d + b]) + Math.abs(m[b * d + a])))
        return false;
    }
  }
  return true;
}

/**
 * Column means `(D)` over each column's observed (non-NaN) entries and the covariance `(D × D)`
 * `S_ab = Σ_{i: a, b observed} (x_ia − m_a)(x_ib − m_b) / √((n_a − 1)(n_b − 1))` (`n_a` the
 * observed count of column a): the sample covariance with the n − 1 divisor when nothing is missing;
 * with NaN the observed variances on the diagonal, and positive semidefinite (the Gram matrix of the
 * zero-filled centred columns scaled by `1/√(n_a − 1)`). With `w (nSamples)` every sum and count is
 * weighted (an integer weight counts as repeated rows). Throws when a column has no observed entry.
 */
function sampleMoments(X: Matrix, w: Float64Array | null): { mean: Float64Array; cov: Float64Array } {
  const { rows: n, cols: d, data } = X;
  const mean = new Float64Array(d);
  const count = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      if (!Number.isNaN(v)) {
        mean[j] += wi * v;
        count[j] += wi;
      }
    }
  }
  for (let j = 0; j < d; j++) {
    if (count[j] === 0) {
      throw new RangeError(
        `X[·][${j}] has no observed value, so the default prior is undefined: give prior.mean and prior.scale`,
      );
    }
    mean[j] /= count[j];
  }
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    for (let a = 0; a < d; a++) {
      const va = wi * (data[i * d + a] - mean[a]);
      if (Number.isNaN(va)) continue;
      for (let b = 0; b <= a; b++) {
        const vb = data[i * d + b] - mean[b];
        if (!Number.isNaN(vb)) cov[a * d + b] += va * vb;
      }
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      const na = Math.max(1, count[a] - 1);
      const nb = Math.max(1, count[b] - 1);
      const div = na === nb ? na : Math.sqrt(na * nb);
      cov[a * d + b] = cov[b * d + a] = cov[a * d + b] / div;
    }
  }
  return { mean, cov };
}

/**
 * The log-prior density of the parameters, up to an additive constant: the normal density of each
 * mean and the inverse-Wishart (full, tied) or inverse-gamma (diag, spherical) density of the
 * covariances. In terms of `Σ⁻¹ = U Uᵀ` (the precision Cholesky factors `precChol`), with
 * `v_c = μ_c − mean`, κ = shrinkage, ν = dof, Λ = scale:
 *
 * - full: `Σ_c −½[(ν + D + 2)·log|Σ_c| + κ·v_cᵀΣ_c⁻¹v_c + tr(Λ Σ_c⁻¹)]`
 * - tied: `−½[(ν + D + 1 + K)·log|Σ| + κ·Σ_c v_cᵀΣ⁻¹v_c + tr(Λ Σ⁻¹)]`
 * - diag: `Σ_c Σ_j −½[(ν + 3)·log σ²_cj + (Λ_j + κ·v_cj²)/σ²_cj]`
 * - spherical: `Σ_c −½[(ν + D + 2)·log σ²_c + (Λ + κ·‖v_c‖²)/σ²_c]`
 *
 * The MAP M-step maximises the expected complete-data log-likelihood plus exactly this, so the bound
 * `(log-likelihood + logPrior)/n` never decreases.
 */
export function logPrior(
  prior: Prior,
  type: CovarianceType,
  k: number,
  d: number,
  means: Float64Array,
  precChol: Float64Array,
): number {
  const { shrinkage: kappa, mean: m0, dof: nu, scale } = prior;
  const v = new Float64Array(d);
  let total = 0;
  if (type === 'full' || type === 'tied') {
    const factors = type === 'full' ? k : 1;
    const logDetCoef = type === 'full' ? nu + d + 2 : nu + d + 1 + k;
    for (let f = 0; f < factors; f++) {
      const o = f * d * d;
      let logDetPrec = 0;
      for (let j = 0; j < d; j++) logDetPrec += 2 * Math.log(precChol[o + j * d + j]);
      let tr = 0;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          let p = 0;
          for (let m = Math.max(a, b); m < d; m++) p += precChol[o + a * d + m] * precChol[o + b * d + m];
          tr += scale[a * d + b] * p;
        }
      }
      let quad = 0;
      const comps = type === 'full' ? [f] : Array.from({ length: k }, (_, c) => c);
      for (const c of comps) {
        for (let j = 0; j < d; j++) v[j] = means[c * d + j] - m0[j];
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let i = 0; i <= j; i++) s += v[i] * precChol[o + i * d + j];
          quad += s * s;
        }
      }
      total -= 0.5 * (-logDetCoef * logDetPrec + kappa * quad + tr);
    }
  } else {
    for (let c = 0; c < k; c++) {
      if (type === 'diag') {
        for (let j = 0; j < d; j++) {
          const prec = precChol[c * d + j] ** 2;
          const vj = means[c * d + j] - m0[j];
          total -= 0.5 * (-(nu + 3) * Math.log(prec) + (scale[j] + kappa * vj * vj) * prec);
        }
      } else {
        const prec = precChol[c] ** 2;
        let ss = 0;
        for (let j = 0; j < d; j++) ss += (means[c * d + j] - m0[j]) ** 2;
        total -= 0.5 * (-(nu + d + 2) * Math.log(prec) + (scale[0] + kappa * ss) * prec);
      }
    }
  }
  return total;
}
