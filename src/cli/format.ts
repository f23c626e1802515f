/** `1 component`, `3 components`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A number for a table: four decimals at everyday magnitudes, otherwise scientific. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  return a === 0 || (a >= 1e-3 && a < 1e7) ? v.toFixed(4) : v.toExponential(4);
}

/**
 * A total such as a log-likelihood, BIC or AIC: four decimals at any magnitude, so that values that
 * differ by a few units stay apart at a million rows (where they reach 10⁷).
 */
export function formatTotal(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

/** Rows of cells as text columns: the first left-aligned, the rest right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows
    .map((r) =>
      r
        .map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
