import { drawAxes, fitCanvas, linearScale, padded } from './axes';

const MARGIN = { left: 72, top: 10, right: 16, bottom: 44 };

/**
 * The lower bound (mean log-likelihood per row) at each EM iteration, one line per restart; the
 * current restart is drawn in colour, earlier ones in grey.
 */
export class TracePlot {
  private runs: number[][] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {}

  clear(): void {
    this.runs = [];
  }

  /** Adds the bound of iteration `iter` (1-based) of restart `init` (0-based). */
  push(init: number, iter: number, lowerBound: number): void {
    while (this.runs.length <= init) this.runs.push([]);
    this.runs[init][iter - 1] = lowerBound;
  }

  render(): void {
    const ctx = this.canvas.getContext('2d') as CanvasRenderingContext2D;
    const { width, height, ratio } = fitCanvas(this.canvas);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const frame = {
      left: MARGIN.left,
      top: MARGIN.top,
      right: width - MARGIN.right,
      bottom: height - MARGIN.bottom,
    };
    const values = this.runs.flat().filter(Number.isFinite);
    const iterations = Math.max(2, ...this.runs.map((run) => run.length));
    const x = linearScale([1, iterations], [frame.left, frame.right]);
    const y = linearScale(values.length ? padded(Math.min(...values), Math.max(...values)) : [-1, 0], [
      frame.bottom,
      frame.top,
    ]);
    drawAxes(ctx, frame, x, y, 'EM iteration', 'mean log-likelihood', true);
    this.runs.forEach((run, init) => {
      const current = init === this.runs.length - 1;
      ctx.strokeStyle = current ? '#4e79a7' : '#b8c0c8';
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = current ? 2 : 1.25;
      ctx.beginPath();
      run.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i + 1), y(v)) : ctx.lineTo(x(i + 1), y(v))));
      ctx.stroke();
      if (current && run.length <= 60) {
        run.forEach((v, i) => ctx.fillRect(x(i + 1) - 2, y(v) - 2, 4, 4));
      }
    });
  }
}
