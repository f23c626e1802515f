import type { GaussianMixture, Matrix } from '../index.js';
import { plural } from './format.js';
import { scatterSvg, type PlaneComponent } from './svg.js';

/** Beyond this many points the scatter shows an even subsample, so the SVG stays a few MB at most. */
const MAX_POINTS = 20_000;

/**
 * Each component's marginal on features `i` and `j`: the mean's two entries and the 2 × 2 block of
 * its covariance (a Gaussian's marginal is the Gaussian with that block).
 */
export function planeComponents(gm: GaussianMixture, i: number, j: number): PlaneComponent[] {
  const k = gm.nComponents;
  const d = gm.nFeatures;
  const { weights, means, covariances: cov } = gm;
  const entry = (c: number, a: number, b: number): number => {
    switch (gm.covarianceType) {
      case 'full':
        return cov[c * d * d + a * d + b];
      case 'tied':
        return cov[a * d + b];
      case 'diag':
        return a === b ? cov[c * d + a] : 0;
      case 'spherical':
        return a === b ? cov[c] : 0;
    }
  };
  return Array.from({ length: k }, (_, c) => ({
    mean: [means[c * d + i], means[c * d + j]] as const,
    cov: [entry(c, i, i), entry(c, i, j), entry(c, j, j)] as const,
    weight: weights[c],
  }));
}

/** The SVG scatter of the first two columns of `X`, coloured by `labels`, with the components' ellipses. */
export function mixturePlot(
  gm: GaussianMixture,
  X: Matrix,
  names: readonly string[],
  labels: Int32Array,
  source: string,
): string {
  const stride = Math.ceil(X.rows / MAX_POINTS);
  const n = Math.ceil(X.rows / stride);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const shown = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    x[s] = X.data[s * stride * X.cols];
    y[s] = X.data[s * stride * X.cols + 1];
    shown[s] = labels[s * stride];
  }
  const sample = stride > 1 ? `, 1 in ${stride} of ${X.rows} points shown` : '';
  return scatterSvg({
    title: `${source}: ${plural(gm.nComponents, 'component')}, ${gm.covarianceType} covariance${sample}`,
    xLabel: names[0],
    yLabel: names[1],
    x,
    y,
    labels: shown,
    components: planeComponents(gm, 0, 1),
  });
}
