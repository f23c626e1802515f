import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GaussianMixture, type GaussianMixtureJSON } from '../index.js';
import { parsingArgs, requirePositionals } from './args.js';
import { columnIndices, columnList, numericMatrix, readTable } from './csv.js';
import { CliError, UsageError, fsError } from './errors.js';
import { plural } from './format.js';

export const PREDICT_HELP = `Usage: emwasm predict MODEL.json DATA.csv [options]

Labels each row of a CSV file (with a header line) by its most likely component under a model saved
by \`emwasm fit --json\`, and writes CSV: a header, then per row the label (0-based component) and
the probability of each component.

Options:
  --columns A,B,...   the data columns, in the model's feature order
                      (default: the columns the model was fitted on, else all)
  -o, --out FILE      write to FILE instead of standard output
  -h, --help          show this help

Example:
  emwasm predict model.json examples/faithful.csv --out labels.csv
`;

const OPTIONS = {
  columns: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A model file: `GaussianMixture.toJSON()`, plus the CSV columns it was fitted on when `emwasm fit` wrote it. */
interface ModelFile {
  columns?: unknown;
}

/** `emwasm predict`: loads the model, reads the CSV, writes labels and probabilities. */
export async function predict(args: string[]): Promise<void> {
  const { values: v, positionals } = parsingArgs(() =>
    parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (v.help) {
    process.stdout.write(PREDICT_HELP);
    return;
  }
  const [modelPath, dataPath] = requirePositionals(positionals, ['MODEL.json', 'DATA.csv']);
  const columns = columnList(v.columns);

  let text: string;
  try {
    text = readFileSync(modelPath, 'utf8');
  } catch (err) {
    throw fsError('read', modelPath, err);
  }
  let json: ModelFile;
  try {
    json = JSON.parse(text) as ModelFile;
  } catch (err) {
    throw new CliError(`${modelPath} is not valid JSON: ${(err as Error).message}`);
  }
  let gm: GaussianMixture;
  try {
    gm = GaussianMixture.fromJSON(json as GaussianMixtureJSON);
  } catch (err) {
    throw new CliError(`${modelPath}: ${(err as Error).message}`);
  }

  const table = readTable(dataPath);
  const saved = Array.isArray(json.columns) && json.columns.every((c) => typeof c === 'string');
  const selected =
    columns || !saved
      ? columnIndices(table, columns)
      : columnIndices(table, json.columns as string[], `which ${modelPath} was fitted on`);
  if (selected.length !== gm.nFeatures) {
    throw new UsageError(
      `${modelPath} was fitted on ${plural(gm.nFeatures, 'column')}, but ${plural(selected.length, 'column')} ` +
        `of ${dataPath} ${selected.length === 1 ? 'is' : 'are'} selected; choose them with --columns`,
    );
  }
  const X = numericMatrix(table, selected);
  const labels = gm.predict(X);
  const proba = gm.predictProba(X);

  const k = gm.nComponents;
  const lines = [['label', ...Array.from({ length: k }, (_, c) => `p${c}`)].join(',')];
  for (let i = 0; i < X.rows; i++) {
    lines.push([labels[i], ...proba.subarray(i * k, i * k + k)].join(','));
  }
  const csv = lines.join('\n') + '\n';
  if (v.out === undefined) {
    process.stdout.write(csv);
    return;
  }
  try {
    writeFileSync(v.out, csv);
  } catch (err) {
    throw fsError('write', v.out, err);
  }
}
