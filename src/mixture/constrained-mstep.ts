import type { Handle, Workspace } from '../backend/types.js';
import { show } from '../util/errors.js';
import type { CovarianceKind, CovarianceType } from './covariance.js';
import { EPS } from './params.js';
import { logPrior, type Prior } from './prior.js';

/** Parameters that keep their starting values through the fit. */
export interface FixedParameters {
  /** Keep the weights at their starting values. */
  weights?: boolean;
  /** Keep the means at their starting values. */
  means?: boolean;
  /** Keep the covariances (precisions) at their starting values. */
  covariances?: boolean;
}

export function checkFixed(fixed: unknown): Required<FixedParameters> {
  const out = { weights: false, means: false, covariances: false };
  if (fixed === undefined || fixed === null) return out;
  if (typeof fixed !== 'object' || Array.isArray(fixed)) {
    throw new TypeError(`fixed must be an object { weights?, means?, covariances? }, got ${show(fixed)}`);
  }
  for (const [key, value] of Object.entries(fixed)) {
    if (!(key in out)) {
      throw new RangeError(`fixed has an unknown field ${show(key)} (allowed: weights, means, covariances)`);
    }
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`fixed.${key} must be a boolean, got ${show(value)}`);
    }
    out[key as keyof FixedParameters] = value === true;
  }
  return out;
}

/**
 * The M-step from the fused statistics of one E-step (`nk (K)`, `sumX (K × D)` shifted by the current
 * means, `scatter` about the current means in the `emStep` layout: upper triangle for full and tied,
 * diagonal `(K × D)` for diag and spherical), when some parameters are fixed or a prior is set.
 * Writes the new means into `means` (unless fixed) and, unless covariances are fixed, the covariance
 * estimate without `regCovar` into `target`, in the layout `finalize*` reads with unit counts
 * (full `(K × D × D)` and tied `(D × D)` both triangles, diag `(K × D)`, spherical `(K × D)` with
 * σ²_c repeated in each row).
 *
 * With `n'_c = n_c + 10·eps`, new means `μ'_c = (s_c + n_c·μ_c + κ·m)/(n'_c + κ)` (κ = 0 without a
 * prior; scikit-learn's update), or `μ'_c = μ_c` when means are fixed (δ = 0, so the scatter stays
 * centred on the fixed means). With `W_c` the scatter about `μ'_c` and `B_c = κ(μ'_c − m)(μ'_c − m)ᵀ`:
 * without a prior `W_c / n'_c` (tied `Σ W_c / Σ n'_c`); with mclust's conjugate prior (scale Λ, dof ν)
 * full `(Λ + W_c + B_c)/(n'_c + ν + D + 2)`, tied `(Λ + Σ_c(W_c + B_c))/(Σ n'_c + ν + D + 1 + K)`,
 * diag `(Λ_j + W_cjj + B_cjj)/(n'_c + ν + 3)`, spherical `(Λ + tr(W_c + B_c))/(ν + (n'_c + 1)·D + 2)`.
 * These are the maximisers given the fixed parameters, so EM stays a (generalised) EM.
 */
export function constrainedEstimates(
  type: CovarianceType,
  k: number,
  d: number,
  nk: Float64Array,
  sumX: Float64Array,
  scatter: Float64Array,
  means: Float64Array,
  fixedMeans: boolean,
  prior: Prior | null,
  target: Float64Array | null,
): void {
  const kappa = prior ? prior.shrinkage : 0;
  const m0 = prior ? prior.mean : null;
  const newMeans = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const n1 = nk[c] + 10 * EPS;
    for (let j = 0; j < d; j++) {
      const o = c * d + j;
      newMeans[o] = fixedMeans
        ? means[o]
        : (sumX[o] + nk[c] * means[o] + (m0 ? kappa * m0[j] : 0)) / (n1 + kappa);
    }
  }
  if (target) {
    const delta = new Float64Array(d);
    const v = new Float64Array(d);
    target.fill(0);
    let nTotal = 0;
    for (let c = 0; c < k; c++) {
      const n = nk[c];
      const n1 = n + 10 * EPS;
      nTotal += n1;
      for (let j = 0; j < d; j++) {
        delta[j] = newMeans[c * d + j] - means[c * d + j];
        v[j] = m0 ? newMeans[c * d + j] - m0[j] : 0;
      }
      const s = sumX.subarray(c * d, c * d + d);
      if (type === 'full' || type === 'tied') {
        const so = type === 'full' ? c * d * d : 0;
        for (let a = 0; a < d; a++) {
          for (let b = a; b < d; b++) {
            // Tied: one scatter summed over the components, counted once.
            const base = type === 'full' || c === 0 ? scatter[so + a * d + b] : 0;
            const w =
              base - s[a] * delta[b] - delta[a] * s[b] + n * delta[a] * delta[b] + kappa * v[a] * v[b];
            if (type === 'full') {
              const value = prior ? (prior.scale[a * d + b] + w) / (n1 + prior.dof + d + 2) : w / n1;
              target[so + a * d + b] = target[so + b * d + a] = value;
            } else {
              target[a * d + b] += w;
            }
          }
        }
      } else {
        let trace = 0;
        for (let j = 0; j < d; j++) {
          const w = scatter[c * d + j] - delta[j] * (2 * s[j] - n * delta[j]) + kappa * v[j] * v[j];
          if (type === 'diag') {
            target[c * d + j] = prior ? (prior.scale[j] + w) / (n1 + prior.dof + 3) : w / n1;
          }
          trace += w;
        }
        if (type === 'spherical') {
          const value = prior ? (prior.scale[0] + trace) / (prior.dof + (n1 + 1) * d + 2) : trace / (n1 * d);
          target.fill(value, c * d, c * d + d);
        }
      }
    }
    if (type === 'tied') {
      const denominator = prior ? nTotal + prior.dof + d + 1 + k : nTotal;
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          const value = ((prior ? prior.scale[a * d + b] : 0) + target[a * d + b]) / denominator;
          target[a * d + b] = target[b * d + a] = value;
        }
      }
    }
  }
  if (!fixedMeans) means.set(newMeans);
}

/**
 * The M-step of a fit with fixed parameters or a prior (the plain fit uses the `mStep*` kernel):
 * the estimates of `constrainedEstimates` in TypeScript (K·D² work), then the `finalize*` kernels
 * for `regCovar` and the precision Cholesky factors.
 */
export class ConstrainedMStep {
  private readonly target: Handle;
  private readonly ones: Handle;
  private readonly targetLength: number;

  constructor(
    private readonly ws: Workspace,
    private readonly k: number,
    private readonly d: number,
    private readonly kind: CovarianceKind,
    private readonly regCovar: number,
    readonly fixed: Required<FixedParameters>,
    readonly prior: Prior | null,
  ) {
    this.targetLength = kind.scatterLength(k, d);
    this.target = ws.allocF64(this.targetLength);
    this.ones = ws.allocF64(k);
  }

  /**
   * Updates `means`, `weights` (unless fixed) and the covariances behind the handles `cov` and
   * `precChol` from the statistics. Returns 0, or `c + 1` as `finalize*`.
   */
  run(
    nk: Float64Array,
    sumX: Float64Array,
    scatter: Float64Array,
    means: Float64Array,
    cov: Handle,
    precChol: Handle,
    weights: Float64Array,
  ): number {
    const { k, d, kind, fixed, ws } = this;
    const target = fixed.covariances ? null : ws.f64(this.target, this.targetLength);
    constrainedEstimates(kind.type, k, d, nk, sumX, scatter, means, fixed.means, this.prior, target);
    if (!fixed.weights) {
      let total = 0;
      for (let c = 0; c < k; c++) total += nk[c] + 10 * EPS;
      for (let c = 0; c < k; c++) weights[c] = (nk[c] + 10 * EPS) / total;
    }
    return fixed.covariances ? 0 : this.finalize(cov, precChol);
  }

  /**
   * The initial M-step (from explicit responsibilities) with nothing fixed: `nk (K)` the counts Σr,
   * `sumX (K × D)` and `scatter` about `means` as `run` takes them. Updates `means` and the
   * covariances behind `cov` and `precChol`; returns 0, or `c + 1` as `finalize*`.
   */
  initial(
    nk: Float64Array,
    sumX: Float64Array,
    scatter: Float64Array,
    means: Float64Array,
    cov: Handle,
    precChol: Handle,
  ): number {
    const { k, d, kind, ws } = this;
    const target = ws.f64(this.target, this.targetLength);
    constrainedEstimates(kind.type, k, d, nk, sumX, scatter, means, false, this.prior, target);
    return this.finalize(cov, precChol);
  }

  /** `regCovar` and the precision Cholesky factors for the estimates in `target` (unit counts). */
  private finalize(cov: Handle, precChol: Handle): number {
    const { k, d, kind, ws } = this;
    ws.f64(this.ones, k).fill(1);
    return kind.finalizeWith(ws.kernels, this.target, this.ones, 1, k, d, this.regCovar, cov, precChol);
  }

  /** The log-prior of the parameters (0 without a prior): added to the bound. */
  logPrior(means: Float64Array, precChol: Float64Array): number {
    return this.prior ? logPrior(this.prior, this.kind.type, this.k, this.d, means, precChol) : 0;
  }
}
