import type { GaussianMixture, Matrix } from '../index.js';
import { formatNumber, formatTotal, plural, table } from './format.js';

/**
 * The fit as a person reads it: the data, the settings, convergence, the log-likelihood with BIC and
 * AIC, then one table row per component (weight, predicted size, mean of each column).
 */
export function fitSummary(
  gm: GaussianMixture,
  X: Matrix,
  names: readonly string[],
  labels: Int32Array,
  source: string,
): string {
  const k = gm.nComponents;
  const d = X.cols;
  const meanLogLik = gm.score(X);
  const seed =
    gm.randomState === undefined ? 'no seed (pass --seed to repeat this fit)' : `seed ${gm.randomState}`;
  const convergence = gm.converged
    ? `converged after ${plural(gm.nIter, 'iteration')}`
    : `did not converge within ${plural(gm.nIter, 'iteration')} (tol ${gm.tol}); raise --max-iter or --tol`;
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]++;
  const { weights, means } = gm;
  const rows = [
    ['component', 'weight', 'size', ...names],
    ...sizes.map((size, c) => [
      String(c),
      weights[c].toFixed(4),
      String(size),
      ...Array.from(means.subarray(c * d, c * d + d), formatNumber),
    ]),
  ];
  return [
    `${source}: ${plural(X.rows, 'row')} × ${plural(d, 'column')} (${names.join(', ')})`,
    `Gaussian mixture: ${plural(k, 'component')}, ${gm.covarianceType} covariance, ` +
      `${plural(gm.nInit, 'initialization')}, ${seed}`,
    convergence,
    table([
      ['log-likelihood', formatTotal(meanLogLik * X.rows), `(${meanLogLik.toFixed(6)} per row)`],
      ['BIC', formatTotal(gm.bic(X)), ''],
      ['AIC', formatTotal(gm.aic(X)), ''],
    ]),
    '',
    table(rows),
    '',
  ].join('\n');
}
