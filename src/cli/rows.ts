import { csvCell } from './csv.js';
import { UsageError } from './errors.js';
import { writeOutput } from './io.js';

export type RowFormat = 'csv' | 'json';

/** The value of `--format`. */
export function formatOption(text: string | undefined): RowFormat {
  if (text === undefined || text === 'csv' || text === 'json') return text ?? 'csv';
  throw new UsageError(`--format must be csv or json, got '${text}'`);
}

/** Per-row results: text columns passed through, one integer column, and per-row probabilities. */
export interface RowResults {
  kept: { name: string; values: string[] }[];
  rows: number;
  label: { name: string; values: Int32Array };
  /** `k` probabilities per row, row-major `(rows × k)`, as columns `${prefix}0`…; JSON: `probabilities`. */
  probabilities: { prefix: string; k: number; values: Float64Array };
}

/**
 * Writes results as CSV (a header, then one line per row) or as a JSON array of one object per row
 * `{ ...kept, [label.name]: n, probabilities: [...] }`, to `path` ('-' is standard output).
 */
export function writeRows(path: string, format: RowFormat, r: RowResults): void {
  const { k, values: p, prefix } = r.probabilities;
  const lines: string[] = [];
  if (format === 'csv') {
    const names = [
      ...r.kept.map((c) => c.name),
      r.label.name,
      ...Array.from({ length: k }, (_, c) => `${prefix}${c}`),
    ];
    lines.push(names.map(csvCell).join(','));
    for (let i = 0; i < r.rows; i++) {
      const cells = [
        ...r.kept.map((c) => csvCell(c.values[i])),
        r.label.values[i],
        ...p.subarray(i * k, i * k + k),
      ];
      lines.push(cells.join(','));
    }
    writeOutput(path, lines.join('\n') + '\n');
    return;
  }
  for (let i = 0; i < r.rows; i++) {
    const row: Record<string, unknown> = {};
    for (const c of r.kept) row[c.name] = c.values[i];
    row[r.label.name] = r.label.values[i];
    row.probabilities = Array.from(p.subarray(i * k, i * k + k));
    lines.push(JSON.stringify(row));
  }
  writeOutput(path, `[\n${lines.join(',\n')}\n]\n`);
}
