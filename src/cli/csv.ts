import { readFileSync } from 'node:fs';
import { parse, type Info } from 'csv-parse/sync';
import type { Matrix } from '../index.js';
import { CliError, UsageError, fsError } from './errors.js';

/** A CSV file as read: the header's names, then the data records. */
export interface Table {
  path: string;
  header: string[];
  records: string[][];
  /** The file line on which data record `i` (0-based) ends, for error messages. */
  lineOf(i: number): number;
}

/** Quoting, CRLF line ends and a UTF-8 byte-order mark are csv-parse's job; blank lines are skipped. */
const CSV_OPTIONS = { bom: true, skip_empty_lines: true, trim: true } as const;

/**
 * Reads a CSV file whose first record is a header. A ragged record or an unclosed quote is an
 * error naming the line.
 */
export function readTable(path: string): Table {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fsError('read', path, err);
  }
  let rows: string[][];
  try {
    rows = parse(bytes, CSV_OPTIONS);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new CliError(`${path}: the file is empty (expected a header line)`);
  const [header, ...records] = rows;
  if (records.length === 0) throw new CliError(`${path}: no data rows after the header`);
  return {
    path,
    header,
    records,
    // csv-parse's per-record line info slows parsing about 2.5×; an error message can pay for it.
    lineOf(i) {
      const upTo = parse(bytes, { ...CSV_OPTIONS, info: true, to: i + 2 }) as unknown as { info: Info }[];
      return upTo[i + 1].info.lines;
    },
  };
}

/**
 * The value of `--columns`: names separated by commas, read as one CSV record, so a name that holds
 * a comma can be quoted (`--columns '"time, min",waiting'`).
 */
export function columnList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  let records: string[][];
  try {
    records = parse(text, { trim: true });
  } catch (err) {
    throw new UsageError(`--columns must be a comma-separated list of names: ${(err as Error).message}`);
  }
  if (records.length !== 1 || records[0].some((name) => name === '')) {
    throw new UsageError(`--columns must be a comma-separated list of names, got '${text}'`);
  }
  return records[0];
}

/**
 * Indices of the named columns (all columns when `names` is undefined). Names must be in the header,
 * once each; `source` says where the names came from, for the error.
 */
export function columnIndices(
  table: Table,
  names: string[] | undefined,
  source = 'named by --columns',
): number[] {
  if (names === undefined) return table.header.map((_, j) => j);
  const seen = new Set<string>();
  return names.map((name) => {
    if (seen.has(name)) throw new UsageError(`column '${name}' is listed twice`);
    seen.add(name);
    const j = table.header.indexOf(name);
    if (j < 0) {
      throw new UsageError(
        `${table.path} has no column '${name}', ${source}; its columns are ${table.header.join(', ')}`,
      );
    }
    if (table.header.lastIndexOf(name) !== j) {
      throw new CliError(`${table.path}: the header has more than one column named '${name}'`);
    }
    return j;
  });
}

/**
 * The chosen columns as a row-major matrix `(nRows × columns.length)`. A cell that is not a finite
 * number is an error naming its data row, file line and column.
 */
export function numericMatrix(table: Table, columns: number[]): Matrix {
  const rows = table.records.length;
  const cols = columns.length;
  const data = new Float64Array(rows * cols);
  table.records.forEach((cells, i) => {
    columns.forEach((j, c) => {
      const text = cells[j];
      const value = text === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) {
        throw new CliError(
          `${table.path}: row ${i + 1} (line ${table.lineOf(i)}), column '${table.header[j]}': ` +
            `${text === '' ? 'empty cell' : `'${text}' is not a number`}`,
        );
      }
      data[i * cols + c] = value;
    });
  });
  return { data, rows, cols };
}
