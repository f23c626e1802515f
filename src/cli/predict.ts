import { parseArgs } from 'node:util';
import { modelFromJSON, type CliModel } from './model.js';
import { parsingArgs, requirePositionals } from './args.js';
import { DATA_OPTIONS, columnList, delimiterOption, readData, type DataTable } from './csv.js';
import { CliError, UsageError } from './errors.js';
import { plural } from './format.js';
import { checkStreams, readJSON } from './io.js';
import { formatOption, writeRows } from './rows.js';

export const PREDICT_HELP = `Usage: emwasm predict MODEL.json DATA.csv [options]

Labels each row of a CSV file (- for standard input) by its most likely component under a model
saved by \`emwasm fit --json\`, and writes per row the kept columns, the label (0-based component)
and the probability of each component, as CSV (default) or JSON.

Options:
  --columns A,B,...   the data columns, in the model's feature order
                      (default: the columns the model was fitted on, else all)
  --keep A,B,...      copy these columns (ids, names) to the output, before the label
  -d, --delimiter C   the input's field separator: a character, or 'tab' (default: detected)
  --no-header         the first line is data; columns are named 1, 2, 3, ...
  --format FORMAT     csv or json (default csv); json is an array of
                      { ...kept, label, probabilities }
  -o, --out FILE      write to FILE instead of standard output (- is standard output)
  -h, --help          show this help

Examples:
  emwasm predict model.json examples/faithful.csv --out labels.csv
  emwasm predict model.json examples/iris-species.csv --keep species --format json
`;

const OPTIONS = {
  ...DATA_OPTIONS,
  keep: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  checkStreams([modelPath, dataPath], { '--out': v.out });
  const format = formatOption(v.format);
  const columns = columnList(v.columns);
  const keep = columnList(v.keep, '--keep') ?? [];
  const delimiter = delimiterOption(v.delimiter);

  const json = await readJSON(modelPath);
  let gm: CliModel;
  try {
    gm = modelFromJSON(json);
  } catch (err) {
    throw new CliError(`${modelPath}: ${(err as Error).message}`);
  }
  const saved = Array.isArray(json.columns) && json.columns.every((c) => typeof c === 'string');
  const table = await readData(dataPath, {
    delimiter,
    header: !v['no-header'],
    keep,
    ...(columns || !saved
      ? { columns }
      : { columns: json.columns as string[], columnsSource: `which ${modelPath} was fitted on` }),
  });
  checkWidth(table, gm.nFeatures, modelPath);
  const { X } = table;
  const labels = gm.predict(X);
  const proba = gm.predictProba(X);
  const k = gm.nComponents;
  writeRows(v.out ?? '-', format, {
    kept: keep.map((name, c) => ({ name, values: table.kept[c] })),
    rows: X.rows,
    label: { name: 'label', values: labels },
    probabilities: { prefix: 'p', k, values: proba },
  });
}

function checkWidth(table: DataTable, nFeatures: number, modelPath: string): void {
  const n = table.names.length;
  if (n !== nFeatures) {
    throw new UsageError(
      `${modelPath} was fitted on ${plural(nFeatures, 'column')}, but ${plural(n, 'column')} ` +
        `of ${table.path} ${n === 1 ? 'is' : 'are'} selected; choose them with --columns`,
    );
  }
}
