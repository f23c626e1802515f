import type { CovarianceType } from '../mixture/covariance.js';
import { show } from '../util/errors.js';
import type { SelectionRow } from './select-model.js';

/** Options of `plotSelection`. */
export interface PlotSelectionOptions {
  /** Pixels. Default 640. */
  width?: number;
  /** Pixels. Default 400. */
  height?: number;
  /** Default: the criterion's name. */
  title?: string;
}

const COLORS: Record<CovarianceType, string> = {
  full: '#1f77b4',
  tied: '#ff7f0e',
  diag: '#2ca02c',
  spherical: '#d62728',
};

const LABELS: Record<string, string> = {
  bic: 'BIC',
  icl: 'ICL',
  aic: 'AIC',
  cv: '−(mean held-out log-likelihood)',
};

/**
 * An SVG line chart of a `selectModel` table: the criterion (lower is better) against the number of
 * components, one polyline with markers per covariance type, with axes, ticks and a legend. Failed
 * fits (infinite scores) are left out of their line. Returns the SVG document as a string.
 */
export function plotSelection(table: readonly SelectionRow[], options: PlotSelectionOptions = {}): string {
  if (!Array.isArray(table) || table.length === 0) {
    throw new RangeError(`table must be a non-empty selectModel table, got ${show(table)}`);
  }
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const criterion = table[0].criterion;
  const title =
    options.title ?? `${LABELS[criterion] ?? criterion} by number of components (lower is better)`;
  const margin = { left: 80, right: 120, top: 36, bottom: 52 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  const types: CovarianceType[] = [];
  for (const row of table) {
    const series = row.covarianceType ?? row.family ?? '';
    if (!types.includes(series)) types.push(series);
  }
  const ks = [...new Set(table.map((r) => r.nComponents))].sort((a, b) => a - b);
  const finite = table.filter((r) => Number.isFinite(r.score)).map((r) => r.score);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  const yTicks = niceTicks(lo, hi, 5);
  lo = Math.min(lo, yTicks[0]);
  hi = Math.max(hi, yTicks[yTicks.length - 1]);
  const kLo = ks[0];
  const kHi = ks[ks.length - 1];
  const x = (k: number): number =>
    margin.left + (kHi === kLo ? plotW / 2 : ((k - kLo) / (kHi - kLo)) * plotW);
  const y = (v: number): number => margin.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const f = (v: number): string => v.toFixed(2);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<title>${escapeXml(title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  parts.push(
    `<text x="${f(width / 2)}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  );
  const axisY = margin.top + plotH;
  parts.push(`<g class="axes" stroke="black" fill="none">`);
  parts.push(`<line x1="${margin.left}" y1="${axisY}" x2="${margin.left + plotW}" y2="${axisY}"/>`);
  parts.push(`<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${axisY}"/>`);
  parts.push(`</g>`);
  parts.push(`<g class="x-ticks" text-anchor="middle">`);
  for (const k of ks) {
    parts.push(`<line x1="${f(x(k))}" y1="${axisY}" x2="${f(x(k))}" y2="${axisY + 5}" stroke="black"/>`);
    parts.push(`<text x="${f(x(k))}" y="${axisY + 18}">${k}</text>`);
  }
  parts.push(`</g>`);
  parts.push(`<g class="y-ticks" text-anchor="end">`);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${margin.left - 5}" y1="${f(y(t))}" x2="${margin.left}" y2="${f(y(t))}" stroke="black"/>`,
    );
    parts.push(`<text x="${margin.left - 8}" y="${f(y(t) + 4)}">${escapeXml(formatTick(t))}</text>`);
  }
  parts.push(`</g>`);
  parts.push(
    `<text x="${f(margin.left + plotW / 2)}" y="${height - 12}" text-anchor="middle">number of components</text>`,
  );
  parts.push(
    `<text x="16" y="${f(margin.top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${f(margin.top + plotH / 2)})">${escapeXml(LABELS[criterion] ?? criterion)}</text>`,
  );
  for (const type of types) {
    const rows = table
      .filter((r) => (r.covarianceType ?? r.family ?? '') === type && Number.isFinite(r.score))
      .sort((a, b) => a.nComponents - b.nComponents);
    const color = COLORS[type] ?? 'black';
    const points = rows.map((r) => `${f(x(r.nComponents))},${f(y(r.score))}`).join(' ');
    parts.push(`<g class="series" data-covariance-type="${escapeXml(type)}">`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`);
    for (const r of rows) {
      parts.push(`<circle cx="${f(x(r.nComponents))}" cy="${f(y(r.score))}" r="3" fill="${color}"/>`);
    }
    parts.push(`</g>`);
  }
  parts.push(`<g class="legend">`);
  types.forEach((type, i) => {
    const ly = margin.top + 10 + i * 20;
    const lx = margin.left + plotW + 16;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${COLORS[type] ?? 'black'}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${lx + 30}" y="${ly + 4}">${escapeXml(type)}</text>`);
  });
  parts.push(`</g>`);
  parts.push(`</svg>`);
  return parts.join('\n');
}

/** About `count` round tick values covering [lo, hi]. */
function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) as number;
  const ticks: number[] = [];
  for (let t = Math.floor(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(t);
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(6)));
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
