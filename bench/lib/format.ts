/** Plain-text table helpers. */

/** Milliseconds: whole numbers, with one decimal below 10 so small cases keep a digit. */
export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x >= 10 ? String(Math.round(x)) : x.toFixed(1);
}

export function fixed(x: number | null | undefined, digits: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x.toFixed(digits);
}

export function min(xs: readonly number[]): number {
  return xs.length ? Math.min(...xs) : NaN;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** (max − min) / min in percent: how far apart the repeats were. */
export function spreadPercent(xs: readonly number[]): number {
  return xs.length > 1 ? ((Math.max(...xs) - Math.min(...xs)) / Math.min(...xs)) * 100 : NaN;
}

/** Left-aligns the first `textColumns` columns and right-aligns the rest. */
export function renderTable(header: string[], rows: string[][], textColumns = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < textColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
