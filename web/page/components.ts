import type { CovarianceType } from '../../src/index';

/** Mixture parameters in scikit-learn's shapes, as `onIteration` and a fitted model give them. */
export interface Components {
  covarianceType: CovarianceType;
  /** `(K)` */
  weights: Float64Array;
  /** `(K × D)` */
  means: Float64Array;
  /** full `(K × D × D)`, tied `(D × D)`, diag `(K × D)`, spherical `(K)` */
  covariances: Float64Array;
}

/** One component seen in the plane of two features: its mean and 2×2 covariance. */
export interface Projected {
  mean: [number, number];
  /** `[σxx, σxy, σyy]` */
  cov: [number, number, number];
}

/**
 * Each component's marginal over features `i` and `j` (a sub-vector of the mean and a 2×2 block of
 * the covariance, whatever the covariance type).
 */
export function project(p: Components, i: number, j: number): Projected[] {
  const k = p.weights.length;
  const d = p.means.length / k;
  const entry = (c: number, a: number, b: number): number => {
    switch (p.covarianceType) {
      case 'full':
        return p.covariances[c * d * d + a * d + b];
      case 'tied':
        return p.covariances[a * d + b];
      case 'diag':
        return a === b ? p.covariances[c * d + a] : 0;
      case 'spherical':
        return a === b ? p.covariances[c] : 0;
    }
  };
  return Array.from({ length: k }, (_, c) => ({
    mean: [p.means[c * d + i], p.means[c * d + j]],
    cov: [entry(c, i, i), entry(c, i, j), entry(c, j, j)],
  }));
}

/**
 * Points on the `r`-standard-deviation ellipse `{μ + r·L·(cos t, sin t)}` with `L Lᵀ` the 2×2
 * covariance: the Cholesky factor maps the unit circle onto it, so no eigen-decomposition is needed
 * and the plot's unequal x and y scales apply afterwards.
 */
export function ellipse(p: Projected, r: number, steps = 96): [number, number][] {
  const [sxx, sxy, syy] = p.cov;
  const l11 = Math.sqrt(Math.max(sxx, 0));
  const l21 = l11 > 0 ? sxy / l11 : 0;
  const l22 = Math.sqrt(Math.max(syy - l21 * l21, 0));
  const out: [number, number][] = [];
  for (let s = 0; s <= steps; s++) {
    const t = (2 * Math.PI * s) / steps;
    const [u, v] = [r * Math.cos(t), r * Math.sin(t)];
    out.push([p.mean[0] + l11 * u, p.mean[1] + l21 * u + l22 * v]);
  }
  return out;
}
