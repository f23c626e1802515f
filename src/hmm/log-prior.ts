import type { CovarianceType } from '../mixture/covariance.js';

/**
 * The log-prior densities, up to additive constants, whose MAP updates are hmmlearn's M-steps; the
 * HMM bound adds them to the log-likelihood, so the bound is the objective EM increases.
 */

/**
 * `Σ (α − 1)·log p` over rows of Dirichlet-distributed probabilities `p` with concentrations `α`
 * (the objective of `dirichletUpdate`). Entries that are 0 are outside the support EM keeps (a
 * structural zero stays 0) and add nothing.
 */
export function dirichletLogPrior(probabilities: Float64Array, prior: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    if (prior[i] !== 1 && probabilities[i] > 0) sum += (prior[i] - 1) * Math.log(probabilities[i]);
  }
  return sum;
}

/** The prior of Gaussian emissions, in hmmlearn's parameters. */
export interface GaussianPrior {
  covarianceType: CovarianceType;
  /** `μ₀`: the mean of the normal prior on each mean. */
  meansPrior: number;
  /** `w`: each mean is `N(μ₀, Σ/w)`; 0 is no prior. */
  meansWeight: number;
  /** `ψ`: the scale `ψ·I` of the inverse-gamma / inverse-Wishart prior on the covariances. */
  covarsPrior: number;
  /** `a`: the prior's weight on `log|Σ|`: `max(covarsWeight − 1, 0)` (diag, spherical) or `max(covarsWeight − D, 0)`. */
  logDetWeight: number;
}

/**
 * `Σ_c [−(a/2)·log|Σ_c| − (ψ/2)·tr(Σ_c⁻¹)] − (w/2)·Σ_c (μ_c − μ₀)ᵀ Σ_c⁻¹ (μ_c − μ₀)` over `count`
 * Gaussians, from the means `(count × D)` and the precision Cholesky factors shaped by type
 * (spherical `(count)`, diag `(count × D)`, full `(count × D × D)` upper triangular with
 * `Σ⁻¹ = U Uᵀ`; tied: one `(D × D)` factor shared by every Gaussian, whose `log|Σ|` and trace
 * terms count once). Maximising the expected complete log-likelihood plus this gives hmmlearn's
 * GaussianHMM update: `μ = (w·μ₀ + Σγx)/(w + Σγ)`, `Σ = (ψ·I + S + w·(μ − μ₀)(μ − μ₀)ᵀ)/(a + Σγ)`.
 */
export function gaussianLogPrior(
  p: GaussianPrior,
  means: Float64Array,
  precChol: Float64Array,
  count: number,
  d: number,
): number {
  const { covarianceType: type, meansPrior: m0, meansWeight: w, covarsPrior: psi, logDetWeight: a } = p;
  if (w === 0 && psi === 0 && a === 0) return 0;
  let sum = 0;
  if (type === 'diag' || type === 'spherical') {
    for (let c = 0; c < count; c++) {
      for (let j = 0; j < d; j++) {
        const u = type === 'diag' ? precChol[c * d + j] : precChol[c];
        const precision = u * u;
        const diff = means[c * d + j] - m0;
        sum += a * Math.log(u) - 0.5 * psi * precision - 0.5 * w * precision * diff * diff;
      }
    }
    return sum;
  }
  const dd = d * d;
  const matrices = type === 'tied' ? 1 : count;
  for (let m = 0; m < matrices; m++) {
    for (let i = 0; i < d; i++) {
      sum += a * Math.log(precChol[m * dd + i * d + i]);
      for (let j = i; j < d; j++) sum -= 0.5 * psi * precChol[m * dd + i * d + j] ** 2;
    }
  }
  if (w === 0) return sum;
  for (let c = 0; c < count; c++) {
    const o = type === 'tied' ? 0 : c * dd;
    // (μ − μ₀)ᵀ U Uᵀ (μ − μ₀) = ‖Uᵀ(μ − μ₀)‖², U upper triangular.
    for (let b = 0; b < d; b++) {
      let v = 0;
      for (let i = 0; i <= b; i++) v += precChol[o + i * d + b] * (means[c * d + i] - m0);
      sum -= 0.5 * w * v * v;
    }
  }
  return sum;
}
