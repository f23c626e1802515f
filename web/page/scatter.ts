import { drawAxes, fitCanvas, linearScale, padded, type Frame, type Scale } from './axes';
import { ellipse, type Projected } from './components';
import type { Dataset } from './dataset';
import { componentColour } from './palette';

/** Up to this many rows are drawn as points; more become a density raster of all rows. */
export const POINT_LIMIT = 20_000;

const MARGIN = { left: 72, top: 12, right: 16, bottom: 44 };

/** Ellipses drawn per component: radius in standard deviations, dash pattern, line width. */
const ELLIPSES: [number, number[], number][] = [
  [1, [], 2.25],
  [2, [6, 4], 1.5],
];

/**
 * A scatter plot of two columns with each component's 1- and 2-sd ellipses. The points (or the
 * density raster) are drawn once into a cached layer, so redrawing ellipses at every EM iteration
 * costs the same for 100 rows as for 1,000,000.
 */
export class ScatterPlot {
  private data: Dataset | null = null;
  private columns: [number, number] = [0, 1];
  private labels: Int32Array | null = null;
  private components: Projected[] | null = null;
  private layer: HTMLCanvasElement | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /** Shows columns `x` and `y` of `data`, uncoloured and without components. */
  setData(data: Dataset, x: number, y: number): void {
    this.data = data;
    this.columns = [x, y];
    this.labels = null;
    this.components = null;
    this.layer = null;
  }

  /** Shows columns `x` and `y` of the same data, keeping labels and components. */
  setColumns(x: number, y: number): void {
    this.columns = [x, y];
    this.layer = null;
  }

  /** Colours each row by its component (only drawn when rows are shown as points). */
  setLabels(labels: Int32Array | null): void {
    this.labels = labels;
    this.layer = null;
  }

  /** Components projected onto the plotted columns, or null for none. */
  setComponents(components: Projected[] | null): void {
    this.components = components;
  }

  render(): void {
    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    const { width, height, ratio } = fitCanvas(this.canvas);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const data = this.data;
    if (!data) return;
    const frame: Frame = {
      left: MARGIN.left,
      top: MARGIN.top,
      right: width - MARGIN.right,
      bottom: height - MARGIN.bottom,
    };
    const [xi, yi] = this.columns;
    const x = linearScale(padded(...columnRange(data, xi)), [frame.left, frame.right]);
    const y = linearScale(padded(...columnRange(data, yi)), [frame.bottom, frame.top]);
    if (!this.layer || this.layer.width !== this.canvas.width || this.layer.height !== this.canvas.height) {
      this.layer = this.drawLayer(data, x, y, frame, ratio);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.layer, 0, 0);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawAxes(ctx, frame, x, y, data.columns[xi], data.columns[yi]);
    if (this.components) this.drawComponents(ctx, this.components, x, y, frame);
  }

  private drawLayer(data: Dataset, x: Scale, y: Scale, frame: Frame, ratio: number): HTMLCanvasElement {
    const layer = document.createElement('canvas');
    layer.width = this.canvas.width;
    layer.height = this.canvas.height;
    const ctx = layer.getContext('2d') as CanvasRenderingContext2D;
    if (data.rows <= POINT_LIMIT) {
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      drawPoints(ctx, data, this.columns, this.labels, x, y);
    } else {
      drawDensity(ctx, data, this.columns, x, y, frame, ratio);
    }
    return layer;
  }

  private drawComponents(
    ctx: CanvasRenderingContext2D,
    components: Projected[],
    x: Scale,
    y: Scale,
    frame: Frame,
  ): void {
    ctx.save();
    ctx.beginPath();
    ctx.rect(frame.left, frame.top, frame.right - frame.left, frame.bottom - frame.top);
    ctx.clip();
    components.forEach((p, c) => {
      ctx.strokeStyle = componentColour(c);
      for (const [r, dash, lineWidth] of ELLIPSES) {
        ctx.setLineDash(dash);
        ctx.lineWidth = lineWidth;
        ctx.beginPath();
        ellipse(p, r).forEach(([u, v], s) => (s === 0 ? ctx.moveTo(x(u), y(v)) : ctx.lineTo(x(u), y(v))));
        ctx.stroke();
      }
      ctx.setLineDash([]);
      const [mx, my] = [x(p.mean[0]), y(p.mean[1])];
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(mx - 5, my - 5);
      ctx.lineTo(mx + 5, my + 5);
      ctx.moveTo(mx - 5, my + 5);
      ctx.lineTo(mx + 5, my - 5);
      ctx.stroke();
    });
    ctx.restore();
  }
}

function columnRange(data: Dataset, j: number): [number, number] {
  const d = data.columns.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.rows; i++) {
    const v = data.X[i * d + j];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function drawPoints(
  ctx: CanvasRenderingContext2D,
  data: Dataset,
  [xi, yi]: [number, number],
  labels: Int32Array | null,
  x: Scale,
  y: Scale,
): void {
  const d = data.columns.length;
  const radius = data.rows > 2000 ? 1.5 : 2.5;
  ctx.globalAlpha = labels ? 0.75 : 0.55;
  ctx.fillStyle = '#5f6b76';
  for (let i = 0; i < data.rows; i++) {
    if (labels) ctx.fillStyle = componentColour(labels[i]);
    ctx.beginPath();
    ctx.arc(x(data.X[i * d + xi]), y(data.X[i * d + yi]), radius, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Every row counted into the device pixel it falls on; shade grows with the log of the count. */
function drawDensity(
  ctx: CanvasRenderingContext2D,
  data: Dataset,
  [xi, yi]: [number, number],
  x: Scale,
  y: Scale,
  frame: Frame,
  ratio: number,
): void {
  const left = Math.floor(frame.left * ratio);
  const top = Math.floor(frame.top * ratio);
  const w = Math.max(1, Math.floor((frame.right - frame.left) * ratio));
  const h = Math.max(1, Math.floor((frame.bottom - frame.top) * ratio));
  const counts = new Uint32Array(w * h);
  const d = data.columns.length;
  let max = 0;
  for (let i = 0; i < data.rows; i++) {
    const px = Math.floor(x(data.X[i * d + xi]) * ratio) - left;
    const py = Math.floor(y(data.X[i * d + yi]) * ratio) - top;
    if (px < 0 || px >= w || py < 0 || py >= h) continue;
    const n = ++counts[py * w + px];
    if (n > max) max = n;
  }
  const image = ctx.createImageData(w, h);
  const scale = 1 / Math.log1p(max);
  for (let p = 0; p < counts.length; p++) {
    if (counts[p] === 0) continue;
    image.data[4 * p] = 47;
    image.data[4 * p + 1] = 62;
    image.data[4 * p + 2] = 78;
    image.data[4 * p + 3] = Math.round(60 + 195 * Math.log1p(counts[p]) * scale);
  }
  ctx.putImageData(image, left, top);
}
