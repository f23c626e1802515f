import { version } from '../../package.json';
import { DECONVOLVE_HELP, deconvolve } from './deconvolve.js';
import { UsageError } from './errors.js';
import { FIT_HELP, fit } from './fit.js';
import { HMM_HELP, hmm } from './hmm.js';
import { PREDICT_HELP, predict } from './predict.js';
import { SELECT_HELP, select } from './select.js';

const HELP = `emwasm ${version}: mixture models, hidden Markov models and image reconstruction by EM, with WebAssembly kernels

Usage:
  emwasm fit DATA.csv [--components K] [--covariance TYPE] [--seed N] [--json FILE] [--plot FILE] ...
  emwasm predict MODEL.json DATA.csv [--keep COLUMNS] [--format csv|json] [--out FILE]
  emwasm select DATA.csv [--components 1-9] [--criterion bic|icl|aic|cv] [--plot FILE] ...
  emwasm hmm fit DATA.csv --states K [--sequence COLUMN] [--json FILE] ...
  emwasm hmm decode MODEL.json DATA.csv [--out FILE]
  emwasm deconvolve IN.png --psf gaussian:SIGMA|motion:LENGTH,ANGLE [--iterations N] -o OUT.png
  emwasm COMMAND --help      all options of a command
  emwasm --version

Commands:
  fit       fit a mixture (Gaussian, or --family poisson, bernoulli, …) to the numeric columns of a
            CSV file; print a summary, save the model and a plot
  predict   label the rows of a CSV file with a saved model; write labels and probabilities
  select    choose the number of components and the covariance type by BIC, ICL, AIC or
            cross-validation; print the table, save the best model and a chart
  hmm       fit a hidden Markov model (fit), or write the most likely states under a saved one (decode)
  deconvolve  restore a blurred PNG by Richardson–Lucy deconvolution with a Gaussian or motion PSF

Files: DATA.csv is comma-, tab- or semicolon-separated with a header line (or --no-header); - reads
standard input, and an output FILE of - writes standard output.

Examples (the CSV files ship in the package's examples/ folder):
  emwasm fit examples/faithful.csv --components 2 --seed 0 --json model.json --plot plot.svg
  emwasm predict model.json examples/faithful.csv > labels.csv
  emwasm select examples/iris.csv --components 1-6 --seed 0 --plot bic.svg
`;

interface Command {
  run(args: string[]): Promise<void>;
  help: string;
}

const COMMANDS = new Map<string, Command>([
  ['fit', { run: fit, help: FIT_HELP }],
  ['predict', { run: predict, help: PREDICT_HELP }],
  ['deconvolve', { run: deconvolve, help: DECONVOLVE_HELP }],
  ['select', { run: select, help: SELECT_HELP }],
  ['hmm', { run: hmm, help: HMM_HELP }],
]);

/** Runs one command line; returns the exit status. Every failure is reported as one line on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (name === 'help') {
    process.stdout.write(COMMANDS.get(args[0])?.help ?? HELP);
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS.get(name);
  if (!command) {
    const problem = name === undefined ? 'missing command' : `unknown command '${name}'`;
    return report('emwasm', new UsageError(`${problem}, expected ${[...COMMANDS.keys()].join(', ')}`));
  }
  try {
    await command.run(args);
    return 0;
  } catch (err) {
    return report(`emwasm ${name}`, err);
  }
}

function report(where: string, err: unknown): number {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
  if (err instanceof UsageError) {
    process.stderr.write(`${where}: ${message} (see '${where} --help')\n`);
    return 2;
  }
  process.stderr.write(`${where}: ${message}\n`);
  return 1;
}

// A reader that stops early (`emwasm predict ... | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

process.exitCode = await main(process.argv.slice(2));
