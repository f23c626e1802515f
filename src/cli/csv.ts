import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { Matrix } from '../index.js';
import { parseDecimal } from './args.js';
import { CliError, UsageError, fsError } from './errors.js';
import { plural } from './format.js';

/** The options every command that reads a CSV file shares. */
export const DATA_OPTIONS = {
  columns: { type: 'string' },
  delimiter: { type: 'string', short: 'd' },
  'no-header': { type: 'boolean' },
} as const;

export const DATA_HELP = `  --columns A,B,...    the numeric columns to use, in this order (default: every numeric
                       column; a column whose first value is not a number is skipped, with a note)
  -d, --delimiter C    the field separator: a character, or 'tab' (default: detected from the
                       first line among comma, tab and semicolon)
  --no-header          the first line is data; columns are named 1, 2, 3, ...`;

/** What to read from a CSV file. */
export interface ReadOptions {
  /** The field separator; undefined detects it from the first line. */
  delimiter?: string;
  /** False: the first record is data and columns are named '1', '2', …. */
  header: boolean;
  /** The numeric columns by name, in order; undefined takes every numeric column. */
  columns?: readonly string[];
  /** Where `columns` came from, for the error when one is missing (default: `--columns`). */
  columnsSource?: string;
  /** Columns kept as text, row by row (predict's pass-through id columns). */
  keep?: readonly string[];
  /** A column whose runs of equal values are sequences (an HMM's lengths). */
  sequence?: string;
}

/** A CSV file as read: its numeric columns as a matrix, the kept text columns, and notes. */
export interface DataTable {
  /** The path as the user gave it, or 'standard input'. */
  path: string;
  header: string[];
  /** The names of X's columns. */
  names: string[];
  X: Matrix;
  /** Per kept column (in `keep` order), its text row by row. */
  kept: string[][];
  /** The lengths of the runs of `sequence` (one sequence of every row when none was named). */
  lengths: number[];
  /** Columns left out because their first value is not a number. */
  skipped: string[];
}

/** Quoting, CRLF line ends and a UTF-8 byte-order mark are csv-parse's job; blank lines are skipped. */
const CSV_OPTIONS = { bom: true, skip_empty_lines: true, trim: true } as const;

/** The value of `--delimiter`: one character; 'tab' and '\t' for a tab. */
export function delimiterOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text === 'tab' || text === '\\t') return '\t';
  if ([...text].length !== 1 || text === '"' || text === '\n' || text === '\r') {
    throw new UsageError(`--delimiter must be one character (or 'tab'), got '${text}'`);
  }
  return text;
}

/**
 * The separator of a file from its first line: the most frequent of comma, tab and semicolon outside
 * quotes; a comma when none occurs.
 */
export function detectDelimiter(firstChunk: string): string {
  const counts = new Map([
    [',', 0],
    ['\t', 0],
    [';', 0],
  ]);
  let quoted = false;
  for (const ch of firstChunk) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [ch, n] of counts) if (n > counts.get(best)!) best = ch;
  return best;
}

/** Opens `path` for reading; '-' is standard input. */
function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}

/**
 * Reads a CSV file (`-`: standard input) in one streaming pass: the header, then each record's
 * chosen cells straight into a growing Float64Array. A ragged record, an unclosed quote or a cell
 * that is not a decimal number is an error naming its row, file line and column.
 */
export async function readData(path: string, options: ReadOptions): Promise<DataTable> {
  const where = path === '-' ? 'standard input' : path;
  const input = openInput(path);
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await chunks.next().catch((err: unknown) => {
    throw fsError('read', where, err);
  });
  const delimiter =
    options.delimiter ?? (first.done ? ',' : detectDelimiter(String(first.value).slice(0, 65536)));
  const reader = new RecordReader(where, options);
  const parser = new RecordSink({ ...CSV_OPTIONS, delimiter }, reader);
  try {
    await pipeline(async function* () {
      if (!first.done) yield first.value;
      for (;;) {
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    }, parser);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code && !code.startsWith('CSV_')) throw fsError('read', where, err);
    throw new CliError(`${where}: ${(err as Error).message}`);
  } finally {
    if (path !== '-') input.destroy();
  }
  return reader.finish();
}

/**
 * csv-parse's stream, with each record handed to `reader` as it is parsed, while the parser's line
 * count is that record's last line. (csv-parse's own per-record line info, `info` or `on_record`,
 * makes parsing 3–5× slower.)
 */
class RecordSink extends Parser {
  constructor(
    options: Options,
    private readonly reader: RecordReader,
  ) {
    super(options);
    this.resume();
  }

  override push(record: unknown): boolean {
    if (record === null) return super.push(null);
    this.reader.add(record as string[], this.info.lines);
    return true;
  }
}

/** Takes records one by one (header first), keeping only what the command asked for. */
class RecordReader {
  private header: string[] | null = null;
  private numeric: number[] = [];
  private keptAt: number[] = [];
  private sequenceAt = -1;
  private names: string[] = [];
  private skipped: string[] = [];
  private data = new Float64Array(0);
  private rows = 0;
  private readonly kept: string[][] = [];
  private readonly lengths: number[] = [];
  private lastSequence: string | undefined;

  constructor(
    private readonly where: string,
    private readonly options: ReadOptions,
  ) {}

  add(record: string[], line: number): void {
    if (this.header === null) {
      this.header = this.options.header ? record : record.map((_, j) => String(j + 1));
      this.checkHeader(this.header);
      if (this.options.header) return;
    }
    if (this.rows === 0) this.choose(record);
    const cols = this.numeric.length;
    if ((this.rows + 1) * cols > this.data.length) {
      const grown = new Float64Array(Math.max(1024, 2 * this.data.length));
      grown.set(this.data);
      this.data = grown;
    }
    const base = this.rows * cols;
    for (let c = 0; c < cols; c++) {
      const j = this.numeric[c];
      const text = record[j];
      const value = parseDecimal(text);
      if (value === undefined) {
        throw new CliError(
          `${this.where}: row ${this.rows + 1} (line ${line}), column '${this.header[j]}': ` +
            `${text === '' ? 'empty cell' : `'${text}' is not a number`}`,
        );
      }
      this.data[base + c] = value;
    }
    this.keptAt.forEach((j, c) => this.kept[c].push(record[j]));
    if (this.sequenceAt >= 0) {
      const id = record[this.sequenceAt];
      if (this.rows > 0 && id === this.lastSequence) this.lengths[this.lengths.length - 1]++;
      else this.lengths.push(1);
      this.lastSequence = id;
    }
    this.rows++;
  }

  /** One name per column: a header that names a column twice is refused, by every command alike. */
  private checkHeader(header: string[]): void {
    const first = new Map<string, number>();
    header.forEach((name, j) => {
      const seen = first.get(name);
      if (seen !== undefined) {
        throw new CliError(
          `${this.where}: the header names two columns '${name}' (columns ${seen + 1} and ${j + 1}); ` +
            'rename one, or pass --no-header',
        );
      }
      first.set(name, j);
    });
  }

  /** Picks the columns on the first data record, which also tells numeric columns from text ones. */
  private choose(record: string[]): void {
    const header = this.header!;
    const index = (name: string, source: string): number => {
      const j = header.indexOf(name);
      if (j < 0) {
        throw new UsageError(
          `${this.where} has no column '${name}', ${source}; its columns are ${header.join(', ')}`,
        );
      }
      return j;
    };
    const { columns, keep = [], sequence } = this.options;
    this.keptAt = keep.map((name) => index(name, 'named by --keep'));
    this.kept.push(...keep.map(() => []));
    this.sequenceAt = sequence === undefined ? -1 : index(sequence, 'named by --sequence');
    if (columns !== undefined) {
      const seen = new Set<string>();
      this.numeric = columns.map((name) => {
        if (seen.has(name)) throw new UsageError(`column '${name}' is listed twice`);
        seen.add(name);
        return index(name, this.options.columnsSource ?? 'named by --columns');
      });
    } else {
      const aside = new Set([...this.keptAt, this.sequenceAt]);
      for (let j = 0; j < header.length; j++) {
        if (aside.has(j)) continue;
        if (record[j] !== '' && parseDecimal(record[j]) === undefined) this.skipped.push(header[j]);
        else this.numeric.push(j);
      }
      if (this.numeric.length === 0) {
        throw new CliError(
          `${this.where}: no numeric columns (the first row's values are not numbers: ${this.skipped.join(', ')})`,
        );
      }
    }
    this.names = this.numeric.map((j) => header[j]);
  }

  finish(): DataTable {
    if (this.header === null) throw new CliError(`${this.where}: the file is empty (expected a header line)`);
    if (this.rows === 0) throw new CliError(`${this.where}: no data rows after the header`);
    const cols = this.numeric.length;
    return {
      path: this.where,
      header: this.header,
      names: this.names,
      X: { data: this.data.slice(0, this.rows * cols), rows: this.rows, cols },
      kept: this.kept,
      lengths: this.sequenceAt >= 0 ? this.lengths : [this.rows],
      skipped: this.skipped,
    };
  }
}

/** The note for skipped text columns, one line, or '' when none was skipped. */
export function skippedNote(table: DataTable): string {
  if (table.skipped.length === 0) return '';
  return (
    `skipped ${plural(table.skipped.length, 'non-numeric column')} (${table.skipped.join(', ')}); ` +
    'name the columns to use with --columns\n'
  );
}

/**
 * A comma-separated list of names (`--columns`, `--keep`), read as one CSV record, so a name that
 * holds a comma can be quoted (`--columns '"time, min",waiting'`).
 */
export function columnList(text: string | undefined, flag = '--columns'): string[] | undefined {
  if (text === undefined) return undefined;
  let records: string[][];
  try {
    records = parseSync(text, { trim: true });
  } catch (err) {
    throw new UsageError(`${flag} must be a comma-separated list of names: ${(err as Error).message}`);
  }
  if (records.length !== 1 || records[0].some((name) => name === '')) {
    throw new UsageError(`${flag} must be a comma-separated list of names, got '${text}'`);
  }
  return records[0];
}

/** A CSV cell as written: quoted when it holds the delimiter, a quote or a line break. */
export function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
