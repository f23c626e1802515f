import { parseArgs } from 'node:util';
import { plotSelection, selectModel, type CovarianceType, type SelectionCriterion } from '../index.js';
import { integerListOption, integerOption, parsingArgs, requirePositionals, wordListOption } from './args.js';
import { DATA_HELP, DATA_OPTIONS, columnList, delimiterOption, readData, skippedNote } from './csv.js';
import { checkStreams, writeOutput } from './io.js';
import { formatTotal, table } from './format.js';
import { inFlagTerms } from './library-errors.js';
import { CLI_FAMILIES, MIXTURE_HELP, MIXTURE_OPTIONS, familyOption, mixtureOptions } from './model.js';

export const SELECT_HELP = `Usage: emwasm select DATA.csv [options]

Fits a mixture (Gaussian unless --family says otherwise) for every number of components and
covariance type asked for, scores each
by a criterion (lower is better), prints the table and marks the best; optionally saves the best
model (JSON) and a chart of the criterion against the number of components (SVG).

Options:
  -k, --components LIST   candidate numbers of components, e.g. 1-6 or 2,4,8 (default 1-9)
  --family NAME           the mixture family (${Object.keys(CLI_FAMILIES).join(', ')}; default gaussian)
  --covariance LIST       candidate covariance types (default full,tied,diag,spherical)
  --criterion NAME        bic, icl, aic or cv (held-out log-likelihood) (default bic)
  --folds N               folds for --criterion cv (default 5)
${MIXTURE_HELP}
${DATA_HELP}
  --json FILE             save the best model as JSON, for emwasm predict
  --plot FILE             save an SVG chart of the criterion against the number of components
  -h, --help              show this help

Example:
  emwasm select examples/faithful.csv --components 1-6 --seed 0 --plot bic.svg --json best.json
`;

const OPTIONS = {
  components: { type: 'string', short: 'k' },
  family: { type: 'string' },
  covariance: { type: 'string' },
  criterion: { type: 'string' },
  folds: { type: 'string' },
  ...MIXTURE_OPTIONS,
  ...DATA_OPTIONS,
  json: { type: 'string' },
  plot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `emwasm select`: the selection table on stdout, the best model and the chart to files. */
export async function select(args: string[]): Promise<void> {
  const { values: v, positionals } = parsingArgs(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (v.help) {
    process.stdout.write(SELECT_HELP);
    return;
  }
  const [path] = requirePositionals(positionals, ['DATA.csv']);
  const report = checkStreams([path], { '--json': v.json, '--plot': v.plot })
    ? process.stderr
    : process.stdout;
  const { randomState, nInit, ...modelOptions } = mixtureOptions(v);
  const options = {
    family: familyOption(v.family),
    nComponents: integerListOption('--components', v.components),
    covarianceTypes: wordListOption(v.covariance) as CovarianceType[] | undefined,
    criterion: v.criterion as SelectionCriterion | undefined,
    nFolds: integerOption('--folds', v.folds),
    randomState,
    nInit,
    modelOptions,
  };
  const data = await readData(path, {
    delimiter: delimiterOption(v.delimiter),
    header: !v['no-header'],
    columns: columnList(v.columns),
  });
  process.stderr.write(skippedNote(data));
  const result = await inFlagTerms(() => selectModel(data.X, options));

  const name = result.bestRow.criterion.toUpperCase();
  const typed = result.bestRow.covarianceType !== undefined;
  const rows = [
    ['components', ...(typed ? ['covariance'] : []), name, 'parameters', ''],
    ...result.table.map((r) => [
      String(r.nComponents),
      ...(typed ? [r.covarianceType ?? ''] : []),
      Number.isFinite(r.score) ? formatTotal(r.score) : 'failed',
      String(r.nParameters),
      r === result.bestRow ? '<- best' : (r.error ?? ''),
    ]),
  ];
  const notes: string[] = [];
  if (v.json !== undefined) {
    writeOutput(
      v.json,
      JSON.stringify({ ...(result.best.toJSON() as object), columns: data.names }, null, 2) + '\n',
    );
    if (v.json !== '-') notes.push(`best model written to ${v.json}`);
  }
  if (v.plot !== undefined) {
    writeOutput(v.plot, plotSelection(result.table, { title: `${name}: ${data.path}` }));
    if (v.plot !== '-') notes.push(`plot written to ${v.plot}`);
  }
  report.write(
    `${data.path}: ${data.X.rows} rows × ${data.X.cols} columns (${data.names.join(', ')})\n` +
      `${table(rows)}\n` +
      `best: ${result.bestRow.nComponents} components` +
      (typed ? `, ${result.bestRow.covarianceType} covariance` : '') +
      '\n' +
      notes.map((n) => `${n}\n`).join(''),
  );
}
