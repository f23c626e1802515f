import { DECONVOLVE_HELP, deconvolve } from './deconvolve.js';
import { UsageError } from './errors.js';
import { FIT_HELP, fit } from './fit.js';
import { PREDICT_HELP, predict } from './predict.js';

const HELP = `emwasm: Gaussian mixtures fitted by EM, with WebAssembly kernels

Usage:
  emwasm fit DATA.csv [--components K] [--covariance TYPE] [--seed N] [--json FILE] [--plot FILE] ...
  emwasm predict MODEL.json DATA.csv [--out FILE]
  emwasm COMMAND --help      all options of a command

Commands:
  fit       fit a mixture to the numeric columns of a CSV file; print a summary, save the model and a plot
  predict   label the rows of a CSV file with a saved model; write labels and probabilities as CSV

Examples:
  emwasm fit examples/faithful.csv --components 2 --seed 0 --json model.json --plot plot.svg
  emwasm predict model.json examples/faithful.csv > labels.csv
`;

interface Command {
  run(args: string[]): Promise<void>;
  help: string;
}

const COMMANDS = new Map<string, Command>([
  ['fit', { run: fit, help: FIT_HELP }],
  ['predict', { run: predict, help: PREDICT_HELP }],
  ['deconvolve', { run: deconvolve, help: DECONVOLVE_HELP }],
]);

/** Runs one command line; returns the exit status. Every failure is reported as one line on stderr. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (name === 'help') {
    process.stdout.write(COMMANDS.get(args[0])?.help ?? HELP);
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS.get(name);
  if (!command) {
    const problem = name === undefined ? 'missing command' : `unknown command '${name}'`;
    return report('emwasm', new UsageError(`${problem}, expected fit or predict`));
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
