import { parse } from 'csv-parse/browser/esm/sync';
import type { Dataset } from './dataset';

/** Quoting, CRLF line ends and a byte-order mark are csv-parse's job; blank lines are skipped. */
const CSV_OPTIONS = { bom: true, skip_empty_lines: true, trim: true } as const;

/**
 * Reads CSV text whose first record is a header. A column is numeric when its first data cell is a
 * number; other columns (labels such as a species) are skipped. A numeric column with a cell that is
 * not a finite number is an error naming the row and the column.
 */
export function parseCsv(text: string, name: string): Dataset {
  let records: string[][];
  try {
    records = parse(text, CSV_OPTIONS) as string[][];
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new Error(`${name} is empty (expected a header line)`);
  const [header, ...rows] = records;
  if (rows.length === 0) throw new Error(`${name} has no data rows after the header`);
  const numeric = header.flatMap((_, j) => (isNumber(rows[0][j]) ? [j] : []));
  if (numeric.length === 0)
    throw new Error(`${name} has no numeric columns (its first row is ${rows[0].join(', ')})`);
  const d = numeric.length;
  const X = new Float64Array(rows.length * d);
  rows.forEach((cells, i) => {
    numeric.forEach((j, c) => {
      const cell = cells[j];
      if (!isNumber(cell)) {
        throw new Error(
          `${name}: row ${i + 1}, column '${header[j]}': ${cell === '' ? 'empty cell' : `'${cell}' is not a number`}`,
        );
      }
      X[i * d + c] = Number(cell);
    });
  });
  return {
    name,
    columns: numeric.map((j) => header[j]),
    X,
    rows: rows.length,
    skipped: header.filter((_, j) => !numeric.includes(j)),
  };
}

function isNumber(cell: string | undefined): cell is string {
  return cell !== undefined && cell !== '' && Number.isFinite(Number(cell));
}
