/** One component as seen in the plotted plane: its mean and 2 × 2 covariance. */
export interface PlaneComponent {
  mean: readonly [number, number];
  /** `[var x, cov xy, var y]`. */
  cov: readonly [number, number, number];
  weight: number;
}

/** What the scatter shows: points `(n)` in two coordinates, each coloured by its label. */
export interface Scatter {
  title: string;
  xLabel: string;
  yLabel: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  labels: ArrayLike<number>;
  components: readonly PlaneComponent[];
}

const WIDTH = 820;
const HEIGHT = 540;
const MARGIN = { left: 72, right: 190, top: 44, bottom: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
/** Tableau 10: distinguishable, and readable for most colour-blind viewers. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const SD_LEVELS = [1, 2] as const;

const color = (c: number): string => PALETTE[c % PALETTE.length];
/** The component's colour at 55% brightness: its ellipses stay visible over a dense cloud of its points. */
const dark = (c: number): string =>
  '#' +
  [1, 3, 5]
    .map((i) =>
      Math.round(parseInt(color(c).slice(i, i + 2), 16) * 0.55)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('');
const px = (v: number): string => v.toFixed(2);
/** 1 sd solid, 2 sd dashed. */
const dash = (level: number): string => (level === 1 ? '' : ' stroke-dasharray="6 4"');

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string,
  );
}

/** A round step near `span / count`: 1, 2 or 5 times a power of ten. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return power * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  decimals: number;
}

/** A range covering `[min, max]` with a little room, widened to whole tick steps. */
function axis(min: number, max: number): Axis {
  const pad = (max - min) * 0.02 || Math.abs(min) * 0.1 || 1;
  min -= pad;
  max += pad;
  const step = niceStep(max - min, 6);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.push(lo + i * step);
  return { lo, hi, ticks, decimals: Math.max(0, -Math.floor(Math.log10(step))) };
}

/** The extent of the points and of every component's outermost ellipse, along one coordinate. */
function extent(values: ArrayLike<number>, components: readonly PlaneComponent[], coord: 0 | 1) {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const outer = SD_LEVELS[SD_LEVELS.length - 1];
  for (const { mean, cov } of components) {
    const half = outer * Math.sqrt(coord === 0 ? cov[0] : cov[2]);
    min = Math.min(min, mean[coord] - half);
    max = Math.max(max, mean[coord] + half);
  }
  return [min, max] as const;
}

/**
 * The ellipse `{p : (p − μ)ᵀ Σ⁻¹ (p − μ) = s²}` in pixels. The data-to-pixel map scales x by `sx` and
 * y by `−sy`, so the pixel covariance is `S Σ S`; its eigenvectors give the axes.
 */
function ellipse(cov: PlaneComponent['cov'], sx: number, sy: number, s: number) {
  const a = cov[0] * sx * sx;
  const b = -cov[1] * sx * sy;
  const c = cov[2] * sy * sy;
  const mid = (a + c) / 2;
  const radius = Math.hypot((a - c) / 2, b);
  return {
    rx: s * Math.sqrt(mid + radius),
    ry: s * Math.sqrt(Math.max(0, mid - radius)),
    degrees: (Math.atan2(2 * b, a - c) * 90) / Math.PI,
  };
}

/**
 * An SVG scatter plot with each component's 1- and 2-sd ellipses (solid and dashed) and its mean,
 * as a standalone document.
 */
export function scatterSvg(s: Scatter): string {
  const [x0, x1] = extent(s.x, s.components, 0);
  const [y0, y1] = extent(s.y, s.components, 1);
  const ax = axis(x0, x1);
  const ay = axis(y0, y1);
  const sx = PLOT_W / (ax.hi - ax.lo);
  const sy = PLOT_H / (ay.hi - ay.lo);
  const X = (v: number) => MARGIN.left + (v - ax.lo) * sx;
  const Y = (v: number) => MARGIN.top + PLOT_H - (v - ay.lo) * sy;
  const bottom = MARGIN.top + PLOT_H;
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(s.title)}</title>`,
    `<defs><clipPath id="plot"><rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}"/></clipPath></defs>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${MARGIN.top / 2 + 5}" text-anchor="middle" font-size="14">${escapeXml(s.title)}</text>`,
  );

  out.push('<g class="grid" stroke="#e5e5e5">');
  for (const t of ax.ticks)
    out.push(`<line x1="${px(X(t))}" y1="${MARGIN.top}" x2="${px(X(t))}" y2="${bottom}"/>`);
  for (const t of ay.ticks)
    out.push(`<line x1="${MARGIN.left}" y1="${px(Y(t))}" x2="${MARGIN.left + PLOT_W}" y2="${px(Y(t))}"/>`);
  out.push('</g>');

  out.push('<g class="axes" fill="#333">');
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#888"/>`,
  );
  for (const t of ax.ticks)
    out.push(
      `<text x="${px(X(t))}" y="${bottom + 18}" text-anchor="middle">${t.toFixed(ax.decimals)}</text>`,
    );
  for (const t of ay.ticks)
    out.push(
      `<text x="${MARGIN.left - 8}" y="${px(Y(t) + 4)}" text-anchor="end">${t.toFixed(ay.decimals)}</text>`,
    );
  out.push(
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 12}" text-anchor="middle" font-size="13">${escapeXml(s.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(s.yLabel)}</text>`,
  );
  out.push('</g>');

  out.push('<g class="points" clip-path="url(#plot)" fill-opacity="0.5">');
  for (let i = 0; i < s.x.length; i++) {
    out.push(`<circle cx="${px(X(s.x[i]))}" cy="${px(Y(s.y[i]))}" r="2.5" fill="${color(s.labels[i])}"/>`);
  }
  out.push('</g>');

  out.push('<g class="components" clip-path="url(#plot)" fill="none" stroke-width="2">');
  s.components.forEach(({ mean, cov }, c) => {
    const cx = px(X(mean[0]));
    const cy = px(Y(mean[1]));
    for (const level of SD_LEVELS) {
      const e = ellipse(cov, sx, sy, level);
      out.push(
        `<ellipse class="sd${level}" data-component="${c}" cx="${cx}" cy="${cy}" rx="${px(e.rx)}" ry="${px(e.ry)}" ` +
          `transform="rotate(${e.degrees.toFixed(3)} ${cx} ${cy})" stroke="${dark(c)}"${dash(level)}/>`,
      );
    }
    out.push(`<path d="M${px(X(mean[0]) - 6)} ${cy}h12M${cx} ${px(Y(mean[1]) - 6)}v12" stroke="#222"/>`);
  });
  out.push('</g>');

  const rows = s.components.length;
  out.push(`<g class="legend" transform="translate(${MARGIN.left + PLOT_W + 24} ${MARGIN.top + 8})">`);
  s.components.forEach(({ weight }, c) => {
    out.push(
      `<circle cx="0" cy="${c * 18}" r="5" fill="${color(c)}"/>`,
      `<text x="14" y="${c * 18 + 4}">component ${c} (${(weight * 100).toFixed(1)}%)</text>`,
    );
  });
  SD_LEVELS.forEach((level, i) => {
    const y = (rows + i) * 18;
    out.push(
      `<line x1="-6" y1="${y}" x2="8" y2="${y}" stroke="#555" stroke-width="2"${dash(level)}/>`,
      `<text x="14" y="${y + 4}">${level} sd</text>`,
    );
  });
  out.push('</g>');

  out.push('</svg>');
  return out.join('\n') + '\n';
}
