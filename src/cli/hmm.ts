import { parseArgs } from 'node:util';
import {
  CategoricalHMM,
  GaussianHMM,
  PoissonHMM,
  type CovarianceType,
  type DecodeAlgorithm,
  type Matrix,
} from '../index.js';
import { integerOption, numberOption, parsingArgs, requirePositionals } from './args.js';
import { DATA_HELP, DATA_OPTIONS, columnList, delimiterOption, readData, skippedNote } from './csv.js';
import { CliError, UsageError } from './errors.js';
import { formatNumber, formatTotal, plural, table } from './format.js';
import { checkStreams, readJSON, writeOutput } from './io.js';
import { inFlagTerms } from './library-errors.js';
import { formatOption, writeRows } from './rows.js';

type HMM = GaussianHMM | PoissonHMM | CategoricalHMM;

/** The emission families the CLI offers: how to make one from flags, and how to load a saved one. */
const EMISSIONS = {
  gaussian: {
    create: (o: HMMFlagOptions, covariance: string | undefined) =>
      new GaussianHMM({ ...o, covarianceType: covariance as CovarianceType | undefined }),
    load: (json: unknown) => GaussianHMM.fromJSON(json as never),
    format: 'emwasm.GaussianHMM',
  },
  poisson: {
    create: (o: HMMFlagOptions) => new PoissonHMM(o),
    load: (json: unknown) => PoissonHMM.fromJSON(json as never),
    format: 'emwasm.PoissonHMM',
  },
  categorical: {
    create: (o: HMMFlagOptions) => new CategoricalHMM(o),
    load: (json: unknown) => CategoricalHMM.fromJSON(json as never),
    format: 'emwasm.CategoricalHMM',
  },
} as const;

type Emission = keyof typeof EMISSIONS;

interface HMMFlagOptions {
  nComponents?: number;
  nIter?: number;
  tol?: number;
  nInit?: number;
  randomState?: number;
}

const HMM_FLAGS: Readonly<Record<string, string>> = {
  nComponents: '--states',
  covarianceType: '--covariance',
  randomState: '--seed',
  nInit: '--n-init',
  nIter: '--n-iter',
  tol: '--tol',
  algorithm: '--algorithm',
};

export const HMM_HELP = `Usage: emwasm hmm fit DATA.csv [options]
       emwasm hmm decode MODEL.json DATA.csv [options]

fit: fits a hidden Markov model by EM (Baum-Welch) to the numeric columns of a CSV file
(- for standard input), one row per time step; prints a summary and optionally saves the model.
decode: writes the most likely hidden state of each row under a saved model, with the posterior
probability of each state, as CSV (default) or JSON.

Options of fit:
  -k, --states K        number of hidden states (default 1)
  --emission NAME       gaussian, poisson (counts) or categorical (one column of symbols 0, 1, ...)
                        (default gaussian)
  --covariance TYPE     gaussian: full, tied, diag or spherical (default diag)
  --seed N              integer seed (default: a fresh seed)
  --n-init N            initializations; the best log-likelihood wins (default 1)
  --n-iter N            EM iterations per initialization (default 10)
  --tol X               stop when the log-likelihood changes by less than X (default 1e-2)
  --json FILE           save the model as JSON (- is standard output)
Options of decode:
  --algorithm NAME      viterbi (the most likely path) or map (each row's most likely state)
                        (default: the model's, viterbi)
  --keep A,B,...        copy these columns (ids, times) to the output, before the state
  --format FORMAT       csv or json (default csv)
  -o, --out FILE        write to FILE instead of standard output
Both:
  --sequence COLUMN     a column whose runs of equal values are separate sequences
                        (default: all rows are one sequence)
${DATA_HELP}
  -h, --help            show this help

Examples:
  emwasm hmm fit steps.csv --states 3 --seed 0 --sequence walk --json hmm.json
  emwasm hmm decode hmm.json steps.csv --keep walk,time > states.csv
`;

const OPTIONS = {
  states: { type: 'string', short: 'k' },
  emission: { type: 'string' },
  covariance: { type: 'string' },
  seed: { type: 'string' },
  'n-init': { type: 'string' },
  'n-iter': { type: 'string' },
  tol: { type: 'string' },
  json: { type: 'string' },
  algorithm: { type: 'string' },
  keep: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  sequence: { type: 'string' },
  ...DATA_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  return parsingArgs(() => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
}

/** `emwasm hmm fit|decode`. */
export async function hmm(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(args);
  if (v.help) {
    process.stdout.write(HMM_HELP);
    return;
  }
  const [action, ...rest] = positionals;
  const only = (allowed: string[], what: string): void => {
    const given = Object.keys(OPTIONS).filter(
      (name) => v[name as keyof Values] !== undefined && !allowed.includes(name) && !(name in DATA_OPTIONS),
    );
    if (given.length > 0) throw new UsageError(`--${given[0]} is not an option of ${what}`);
  };
  if (action === 'fit') {
    only(
      ['states', 'emission', 'covariance', 'seed', 'n-init', 'n-iter', 'tol', 'json', 'sequence'],
      'hmm fit',
    );
    return fitHMM(requirePositionals(rest, ['DATA.csv'])[0], v);
  }
  if (action === 'decode') {
    only(['algorithm', 'keep', 'format', 'out', 'sequence'], 'hmm decode');
    const [model, data] = requirePositionals(rest, ['MODEL.json', 'DATA.csv']);
    return decodeHMM(model, data, v);
  }
  throw new UsageError(
    action === undefined ? 'missing fit or decode' : `unknown action '${action}', expected fit or decode`,
  );
}

function emissionOption(text: string | undefined): Emission {
  if (text === undefined) return 'gaussian';
  if (text in EMISSIONS) return text as Emission;
  throw new UsageError(`--emission must be one of ${Object.keys(EMISSIONS).join(', ')}, got '${text}'`);
}

async function fitHMM(path: string, v: Values): Promise<void> {
  const report = checkStreams([path], { '--json': v.json }) ? process.stderr : process.stdout;
  const emission = emissionOption(v.emission);
  if (v.covariance !== undefined && emission !== 'gaussian') {
    throw new UsageError('--covariance applies to --emission gaussian only');
  }
  const options: HMMFlagOptions = {
    nComponents: integerOption('--states', v.states),
    nIter: integerOption('--n-iter', v['n-iter']),
    tol: numberOption('--tol', v.tol),
    nInit: integerOption('--n-init', v['n-init']),
    randomState: integerOption('--seed', v.seed),
  };
  const model: HMM = await inFlagTerms(() => EMISSIONS[emission].create(options, v.covariance), HMM_FLAGS);
  const data = await readData(path, {
    delimiter: delimiterOption(v.delimiter),
    header: !v['no-header'],
    columns: columnList(v.columns),
    sequence: v.sequence,
  });
  process.stderr.write(skippedNote(data));
  const { X, lengths } = data;
  if (emission === 'categorical' && X.cols !== 1) {
    throw new UsageError(
      `--emission categorical reads one column of symbols, but ${data.path} has ${X.cols} numeric columns ` +
        `(${data.names.join(', ')}); name one with --columns`,
    );
  }
  await inFlagTerms<unknown>(() => model.fit(X, lengths), HMM_FLAGS);
  if (v.json !== undefined) {
    const saved = { ...model.toJSON(), columns: data.names, ...(v.sequence ? { sequence: v.sequence } : {}) };
    writeOutput(v.json, JSON.stringify(saved, null, 2) + '\n');
  }
  report.write(
    hmmSummary(model, X, lengths, data.names, data.path) +
      (v.json !== undefined && v.json !== '-' ? `model written to ${v.json}\n` : ''),
  );
}

/** The fit as a person reads it: data, convergence, log-likelihood with BIC/AIC, start and transitions. */
function hmmSummary(model: HMM, X: Matrix, lengths: number[], names: string[], source: string): string {
  const k = model.nComponents;
  const logLik = model.score(X, lengths);
  const states = Array.from({ length: k }, (_, c) => `state ${c}`);
  const emission = emissionTable(model, names);
  return [
    `${source}: ${plural(X.rows, 'row')} × ${plural(X.cols, 'column')} (${names.join(', ')}), ` +
      `${plural(lengths.length, 'sequence')}`,
    `${modelName(model)}: ${plural(k, 'state')}, ` +
      (model.converged
        ? `converged after ${plural(model.nIter, 'iteration')}`
        : `did not converge within ${plural(model.nIter, 'iteration')}; raise --n-iter or --tol`),
    table([
      ['log-likelihood', formatTotal(logLik)],
      ['BIC', formatTotal(model.bic(X, lengths))],
      ['AIC', formatTotal(model.aic(X, lengths))],
    ]),
    '',
    table([
      ['from \\ to', ...states, 'start'],
      ...states.map((s, i) => [
        s,
        ...Array.from(model.transMat.subarray(i * k, i * k + k), (p) => p.toFixed(4)),
        model.startProb[i].toFixed(4),
      ]),
    ]),
    '',
    table(emission),
    '',
  ].join('\n');
}

function modelName(model: HMM): string {
  if (model instanceof GaussianHMM) return `Gaussian HMM (${model.covarianceType} covariance)`;
  return model instanceof PoissonHMM ? 'Poisson HMM' : 'categorical HMM';
}

/** Per state: the means (gaussian), the rates (poisson) or the symbol probabilities (categorical). */
function emissionTable(model: HMM, names: string[]): string[][] {
  const k = model.nComponents;
  const d = model.nFeatures;
  const rows = (head: string, values: Float64Array, labels: string[]) => [
    [head, ...labels],
    ...Array.from({ length: k }, (_, c) => [
      `state ${c}`,
      ...Array.from(values.subarray(c * d, c * d + d), formatNumber),
    ]),
  ];
  if (model instanceof GaussianHMM) return rows('mean', model.means, names);
  if (model instanceof PoissonHMM) return rows('rate', model.lambdas, names);
  const symbols = Array.from({ length: d }, (_, s) => `p(${s})`);
  return rows('emission', model.emissionProb, symbols);
}

async function decodeHMM(modelPath: string, dataPath: string, v: Values): Promise<void> {
  checkStreams([modelPath, dataPath], { '--out': v.out });
  const format = formatOption(v.format);
  const json = await readJSON(modelPath);
  const family = Object.values(EMISSIONS).find((e) => e.format === json.format);
  if (!family) {
    throw new CliError(
      `${modelPath} is not a saved HMM (format ${JSON.stringify(json.format)}); ` +
        `emwasm hmm decode reads ${Object.values(EMISSIONS)
          .map((e) => e.format)
          .join(', ')}`,
    );
  }
  let model: HMM;
  try {
    model = family.load(json);
  } catch (err) {
    throw new CliError(`${modelPath}: ${(err as Error).message}`);
  }
  const savedColumns = Array.isArray(json.columns) && json.columns.every((c) => typeof c === 'string');
  const columns = columnList(v.columns);
  const keep = columnList(v.keep, '--keep') ?? [];
  const sequence = v.sequence ?? (typeof json.sequence === 'string' ? json.sequence : undefined);
  const data = await readData(dataPath, {
    delimiter: delimiterOption(v.delimiter),
    header: !v['no-header'],
    keep,
    sequence,
    ...(columns || !savedColumns
      ? { columns }
      : { columns: json.columns as string[], columnsSource: `which ${modelPath} was fitted on` }),
  });
  if (data.X.cols !== model.nFeatures && !(model instanceof CategoricalHMM)) {
    throw new UsageError(
      `${modelPath} was fitted on ${plural(model.nFeatures, 'column')}, but ${plural(data.X.cols, 'column')} ` +
        `of ${data.path} are selected; choose them with --columns`,
    );
  }
  const { X, lengths } = data;
  const algorithm = v.algorithm as DecodeAlgorithm | undefined;
  const { states } = await inFlagTerms(() => model.decode(X, lengths, algorithm), HMM_FLAGS);
  writeRows(v.out ?? '-', format, {
    kept: keep.map((name, c) => ({ name, values: data.kept[c] })),
    rows: X.rows,
    label: { name: 'state', values: states },
    probabilities: { prefix: 'p', k: model.nComponents, values: model.predictProba(X, lengths) },
  });
}
