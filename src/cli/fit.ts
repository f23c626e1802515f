import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GaussianMixture, type CovarianceType, type InitParams } from '../index.js';
import { numberOption, parsingArgs, requirePositionals } from './args.js';
import { columnIndices, columnList, numericMatrix, readTable } from './csv.js';
import { UsageError, fsError } from './errors.js';
import { inFlagTerms } from './library-errors.js';
import { mixturePlot } from './plot.js';
import { progressBar, type Progress } from './progress.js';
import { fitSummary } from './summary.js';

export const FIT_HELP = `Usage: emwasm fit DATA.csv [options]

Fits a Gaussian mixture by EM to the numeric columns of a CSV file whose first line is a header,
prints a summary, and optionally saves the model (JSON) and a scatter plot (SVG).

Options:
  -k, --components K   number of mixture components (default 1)
  --covariance TYPE    full, tied, diag or spherical (default full)
  --seed N             integer seed: the same seed gives the same fit (default: a fresh seed)
  --n-init N           initializations; the run with the best log-likelihood wins (default 1)
  --max-iter N         EM iterations per initialization (default 100)
  --tol X              stop when the mean log-likelihood changes by less than X (default 1e-3)
  --reg-covar X        added to the covariance diagonals (default 1e-6)
  --init METHOD        kmeans, k-means++, random or random_from_data (default kmeans)
  --columns A,B,...    fit these columns, in this order (default: all)
  --json FILE          save the model as JSON, for emwasm predict and GaussianMixture.fromJSON
  --plot FILE          save an SVG scatter of the first two columns with 1- and 2-sd ellipses
  -h, --help           show this help

A progress bar is shown on standard error when it is a terminal and the fit takes a while.

Example:
  emwasm fit examples/faithful.csv --components 2 --seed 0 --json model.json --plot plot.svg
`;

const OPTIONS = {
  components: { type: 'string', short: 'k' },
  covariance: { type: 'string' },
  seed: { type: 'string' },
  'n-init': { type: 'string' },
  'max-iter': { type: 'string' },
  tol: { type: 'string' },
  'reg-covar': { type: 'string' },
  init: { type: 'string' },
  columns: { type: 'string' },
  json: { type: 'string' },
  plot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `emwasm fit`: reads the CSV, fits, prints the summary, writes the model and the plot. */
export async function fit(args: string[]): Promise<void> {
  const { values: v, positionals } = parsingArgs(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (v.help) {
    process.stdout.write(FIT_HELP);
    return;
  }
  const [path] = requirePositionals(positionals, ['DATA.csv']);
  const options = {
    nComponents: numberOption('--components', v.components),
    covarianceType: v.covariance as CovarianceType | undefined,
    randomState: numberOption('--seed', v.seed),
    nInit: numberOption('--n-init', v['n-init']),
    maxIter: numberOption('--max-iter', v['max-iter']),
    tol: numberOption('--tol', v.tol),
    regCovar: numberOption('--reg-covar', v['reg-covar']),
    initParams: v.init as InitParams | undefined,
  };
  const columns = columnList(v.columns);
  let progress: Progress | null = null;
  const gm = await inFlagTerms(
    () => new GaussianMixture({ ...options, onIteration: (info) => progress?.onIteration(info) }),
  );

  const table = readTable(path);
  const selected = columnIndices(table, columns);
  const names = selected.map((j) => table.header[j]);
  if (v.plot !== undefined && names.length < 2) {
    throw new UsageError(`--plot needs at least two columns, got ${names.length} (${names.join(', ')})`);
  }
  const X = numericMatrix(table, selected);

  progress = progressBar(process.stderr, gm.nInit, gm.maxIter);
  try {
    await inFlagTerms(() => gm.fit(X));
  } finally {
    progress?.finish();
  }
  const labels = gm.predict(X);

  const notes: string[] = [];
  if (v.json !== undefined) {
    write(v.json, JSON.stringify({ ...gm.toJSON(), columns: names }, null, 2) + '\n');
    notes.push(`model written to ${v.json}`);
  }
  if (v.plot !== undefined) {
    write(v.plot, mixturePlot(gm, X, names, labels, path));
    notes.push(`plot written to ${v.plot}`);
  }
  process.stdout.write(fitSummary(gm, X, names, labels, path) + notes.map((n) => `${n}\n`).join(''));
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw fsError('write', path, err);
  }
}
