import { GaussianMixture, type Matrix } from '../index.js';
import { formatNumber, formatTotal, plural, table } from './format.js';
import { familyShortName, type CliModel } from './model.js';

/**
 * Each component's centre, `(K × D)`: the means of a Gaussian mixture, otherwise the column means
 * weighted by the responsibilities (a Poisson mixture's rates, a Bernoulli mixture's probabilities).
 */
function centres(model: CliModel, X: Matrix): Float64Array {
  if (model instanceof GaussianMixture) return model.means;
  const k = model.nComponents;
  const d = X.cols;
  const resp = model.predictProba(X);
  const sums = new Float64Array(k * d);
  const totals = new Float64Array(k);
  for (let i = 0; i < X.rows; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      totals[c] += r;
      for (let j = 0; j < d; j++) sums[c * d + j] += r * X.data[i * d + j];
    }
  }
  return sums.map((v, i) => v / totals[Math.floor(i / d)]);
}

/**
 * The fit as a person reads it: the data, the settings, convergence, the log-likelihood with BIC and
 * AIC, then one table row per component (weight, predicted size, its centre in each column).
 */
export function fitSummary(
  gm: CliModel,
  X: Matrix,
  names: readonly string[],
  labels: Int32Array,
  source: string,
): string {
  const k = gm.nComponents;
  const d = X.cols;
  const meanLogLik = gm.score(X);
  const { family, options } = gm.toJSON();
  const seed =
    options.randomState === undefined
      ? 'no seed (pass --seed to repeat this fit)'
      : `seed ${options.randomState}`;
  const convergence = gm.converged
    ? `converged after ${plural(gm.nIter, 'iteration')}`
    : `did not converge within ${plural(gm.nIter, 'iteration')} (tol ${options.tol}); raise --max-iter or --tol`;
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]++;
  const weights = gm.weights;
  const means = centres(gm, X);
  const shape =
    options.covarianceType === undefined ? '' : `, ${options.covarianceType as string} covariance`;
  const kind = family === 'GaussianMixture' ? 'Gaussian' : familyShortName(family);
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
    `${kind} mixture: ${plural(k, 'component')}${shape}, ` +
      `${plural(options.nInit as number, 'initialization')}, ${seed}`,
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
