/** A linear map from data values to pixels. */
export interface Scale {
  (value: number): number;
  domain: [number, number];
}

export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const span = d1 - d0 || 1;
  const scale = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  scale.domain = [d0, d1];
  return scale;
}

/**
 * Round tick values (steps of 1, 2 or 5 × 10ⁿ) covering `[lo, hi]`, about `count` of them; whole
 * numbers only when `integers`.
 */
export function ticks(lo: number, hi: number, count = 6, integers = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = Math.max((hi - lo) / count, integers ? 1 : 0);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) as number;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

/** `[lo, hi]` widened by `fraction` of its span on each side (a point-sized span becomes ±1). */
export function padded(lo: number, hi: number, fraction = 0.05): [number, number] {
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const pad = (hi - lo) * fraction;
  return [lo - pad, hi + pad];
}

export function formatTick(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(1)
    : String(+v.toPrecision(6));
}

export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Draws a frame with x and y ticks, tick labels and axis titles; the plot area is `frame`. */
export function drawAxes(
  ctx: CanvasRenderingContext2D,
  frame: Frame,
  x: Scale,
  y: Scale,
  xTitle: string,
  yTitle: string,
  xIntegers = false,
): void {
  ctx.save();
  ctx.strokeStyle = '#9aa3ad';
  ctx.fillStyle = '#4a535c';
  ctx.lineWidth = 1;
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeRect(frame.left + 0.5, frame.top + 0.5, frame.right - frame.left, frame.bottom - frame.top);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of ticks(...x.domain, 6, xIntegers)) {
    const px = Math.round(x(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, frame.bottom);
    ctx.lineTo(px, frame.bottom + 4);
    ctx.stroke();
    ctx.fillText(formatTick(v), px, frame.bottom + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  let widest = 0;
  for (const v of ticks(...y.domain, 5)) {
    const py = Math.round(y(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(frame.left - 4, py);
    ctx.lineTo(frame.left, py);
    ctx.stroke();
    const label = formatTick(v);
    widest = Math.max(widest, ctx.measureText(label).width);
    ctx.fillText(label, frame.left - 6, py);
  }
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(xTitle, (frame.left + frame.right) / 2, frame.bottom + 36);
  ctx.translate(frame.left - 12 - widest, (frame.top + frame.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
}

/** Sizes a canvas's backing store to its CSS box × devicePixelRatio; returns the CSS size. */
export function fitCanvas(canvas: HTMLCanvasElement): { width: number; height: number; ratio: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  return { width, height, ratio };
}
