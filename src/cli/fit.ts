import { parseArgs } from 'node:util';
import { parsingArgs, requirePositionals } from './args.js';
import { DATA_HELP, DATA_OPTIONS, columnList, delimiterOption, readData, skippedNote } from './csv.js';
import { UsageError } from './errors.js';
import { checkStreams, writeOutput } from './io.js';
import { inFlagTerms } from './library-errors.js';
import { GaussianMixture } from '../index.js';
import {
  FAMILY_HELP,
  MIXTURE_HELP,
  MIXTURE_OPTIONS,
  buildMixture,
  familyOption,
  mixtureOptions,
} from './model.js';
import { mixturePlot } from './plot.js';
import { progressBar, type Progress } from './progress.js';
import { fitSummary } from './summary.js';

export const FIT_HELP = `Usage: emwasm fit DATA.csv [options]

Fits a mixture by EM (Gaussian unless --family says otherwise) to the numeric columns of a CSV
file (- for standard input) whose
first line is a header, prints a summary, and optionally saves the model (JSON) and a scatter
plot (SVG). An output FILE of - is standard output (the summary then goes to standard error).

Options:
  -k, --components K   number of mixture components (default 1)
${FAMILY_HELP}
  --covariance TYPE    full, tied, diag or spherical (default full; student: full or diag)
${MIXTURE_HELP}
${DATA_HELP}
  --json FILE          save the model as JSON, for emwasm predict and the family's fromJSON
  --plot FILE          save an SVG scatter of the first two columns with 1- and 2-sd ellipses
                       (gaussian only)
  -h, --help           show this help

A progress bar is shown on standard error when it is a terminal and the fit takes a while.

Examples:
  emwasm fit examples/faithful.csv --components 2 --seed 0 --json model.json --plot plot.svg
  cat examples/iris.csv | emwasm fit - -k 3 --seed 1 --json - > iris-model.json
  emwasm fit counts.csv --family poisson -k 3 --seed 0
`;

const OPTIONS = {
  components: { type: 'string', short: 'k' },
  family: { type: 'string' },
  covariance: { type: 'string' },
  ...MIXTURE_OPTIONS,
  ...DATA_OPTIONS,
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
  const stdoutTaken = checkStreams([path], { '--json': v.json, '--plot': v.plot });
  const report = stdoutTaken ? process.stderr : process.stdout;
  const columns = columnList(v.columns);
  const delimiter = delimiterOption(v.delimiter);
  let progress: Progress | null = null;
  const family = familyOption(v.family);
  if (v.plot !== undefined && family !== 'GaussianMixture') {
    throw new UsageError('--plot draws covariance ellipses: it is available with --family gaussian only');
  }
  const gm = await buildMixture(family, v, (info) => progress?.onIteration(info));

  const table = await readData(path, { delimiter, header: !v['no-header'], columns });
  process.stderr.write(skippedNote(table));
  const { X, names } = table;
  if (v.plot !== undefined && names.length < 2) {
    throw new UsageError(`--plot needs at least two columns, got ${names.length} (${names.join(', ')})`);
  }

  // The library's defaults where the flags are absent (every family shares them).
  const { nInit = 1, maxIter = 100 } = mixtureOptions(v);
  progress = progressBar(process.stderr, nInit, maxIter);
  try {
    await inFlagTerms(() => gm.fit(X));
  } finally {
    progress?.finish();
  }
  const labels = gm.predict(X);

  const notes: string[] = [];
  if (v.json !== undefined) {
    writeOutput(v.json, JSON.stringify({ ...gm.toJSON(), columns: names }, null, 2) + '\n');
    if (v.json !== '-') notes.push(`model written to ${v.json}`);
  }
  if (v.plot !== undefined) {
    writeOutput(v.plot, mixturePlot(gm as GaussianMixture, X, names, labels, table.path));
    if (v.plot !== '-') notes.push(`plot written to ${v.plot}`);
  }
  report.write(fitSummary(gm, X, names, labels, table.path) + notes.map((n) => `${n}\n`).join(''));
}
