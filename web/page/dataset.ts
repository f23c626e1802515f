/** A table of numbers the page can fit and plot. */
export interface Dataset {
  /** What the page calls it, e.g. the file name. */
  name: string;
  /** Names of the numeric columns, in the order of `X`'s columns. */
  columns: string[];
  /** `(rows × columns.length)`, row-major. */
  X: Float64Array;
  rows: number;
  /** Header names of columns left out because they are not numeric (e.g. a species label). */
  skipped: string[];
}

/** The chosen columns of `data` as a row-major `(rows × columns.length)` matrix. */
export function selectColumns(data: Dataset, columns: readonly number[]): Float64Array {
  const d = data.columns.length;
  const m = columns.length;
  const out = new Float64Array(data.rows * m);
  for (let i = 0; i < data.rows; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = data.X[i * d + columns[j]];
  }
  return out;
}
