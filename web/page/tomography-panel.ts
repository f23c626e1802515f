import { init, mlem, osem, ParallelBeamProjector, poissonNoise, sheppLogan } from './library';
import { TracePlot } from './trace';

/**
 * The emission-tomography section of the demo: a phantom and a count level give a noisy sinogram;
 * MLEM or OSEM reconstructs it on this page's thread, drawn iteration by iteration beside filtered
 * back-projection (ramp filter) of the same counts, with the log-likelihood trace. Everything is
 * built here; the page only gives it an empty element.
 */

/** Ramp-filtered back-projection (Kak & Slaney's discrete Ram-Lak filter, unit spacing). */
export function filteredBackProjection(
  projector: ParallelBeamProjector,
  sinogram: Float64Array,
): Float64Array {
  const d = projector.detectors;
  const kernel = new Float64Array(2 * d - 1);
  for (let n = -(d - 1); n < d; n++) {
    kernel[n + d - 1] = n === 0 ? 0.25 : n % 2 === 0 ? 0 : -1 / (Math.PI * Math.PI * n * n);
  }
  const filtered = new Float64Array(sinogram.length);
  for (let a = 0; a < projector.nAngles; a++) {
    const row = a * d;
    for (let k = 0; k < d; k++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += sinogram[row + j] * kernel[k - j + d - 1];
      filtered[row + k] = sum;
    }
  }
  // The projector's back projection spreads each ray over the pixels it crosses with weights that
  // sum to about 1 per pixel and angle: Σ over angles of the filtered projection at the pixel.
  const image = projector.back(filtered);
  const scale = Math.PI / projector.nAngles;
  for (let i = 0; i < image.length; i++) image[i] *= scale;
  return image;
}

/** A second phantom: a warm disc with hot and cold rods, like a Derenzo-style test object. */
function rodsPhantom(size: number): Float64Array {
  const out = new Float64Array(size * size);
  const rods = [
    [-0.35, -0.3, 0.12, 2],
    [0.35, -0.3, 0.08, 2],
    [0, 0.4, 0.06, 2],
    [-0.3, 0.3, 0.1, 0],
    [0.3, 0.25, 0.04, 2],
    [0.05, -0.05, 0.15, 0],
  ];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const x = -1 + (2 * j + 1) / size;
      const y = 1 - (2 * i + 1) / size;
      if (x * x + y * y > 0.8 * 0.8) continue;
      let v = 0.5;
      for (const [cx, cy, r, value] of rods) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) v = value / 2;
      out[i * size + j] = v;
    }
  }
  return out;
}

const STYLE = `
#tomography { margin-top: 20px; background: #fff; border: 1px solid #d5dae0; border-radius: 6px; padding: 8px 12px 12px; }
#tomography h2 { font-size: 17px; margin: 0 0 6px; }
#tomography .tomo-controls { display: flex; flex-wrap: wrap; align-items: end; gap: 6px 14px; }
#tomography .tomo-controls label { margin: 0; }
#tomography .tomo-images { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 10px; }
#tomography figure { margin: 0; }
#tomography canvas.tomo-image { width: 220px; height: 220px; image-rendering: pixelated; border: 1px solid #d5dae0; display: block; }
#tomography canvas.tomo-trace { width: 100%; height: 180px; display: block; margin-top: 10px; }
#tomo-status[data-state='error'] { color: #b3261e; }
`;

interface Elements {
  phantom: HTMLSelectElement;
  size: HTMLSelectElement;
  counts: HTMLSelectElement;
  algorithm: HTMLSelectElement;
  iterations: HTMLInputElement;
  run: HTMLButtonElement;
  cancel: HTMLButtonElement;
  status: HTMLElement;
  truth: HTMLCanvasElement;
  sinogram: HTMLCanvasElement;
  fbp: HTMLCanvasElement;
  em: HTMLCanvasElement;
  emCaption: HTMLElement;
  fbpCaption: HTMLElement;
  trace: HTMLCanvasElement;
}

function build(root: HTMLElement): Elements {
  const style = document.createElement('style');
  style.textContent = STYLE;
  root.innerHTML = `
    <h2>Emission tomography: MLEM / OSEM</h2>
    <p class="note">Counts along each line through the object are Poisson; EM reconstructs the activity
      from them (Shepp &amp; Vardi's MLEM, or Hudson &amp; Larkin's ordered subsets), here on this page's
      thread with the WebAssembly projector.</p>
    <div class="tomo-controls">
      <label>phantom <select id="tomo-phantom">
        <option value="shepp-logan">Shepp–Logan</option><option value="rods">hot and cold rods</option>
      </select></label>
      <label>size <select id="tomo-size"><option>64</option><option selected>128</option><option>256</option></select></label>
      <label>counts <select id="tomo-counts">
        <option value="1e4">10⁴</option><option value="1e5">10⁵</option>
        <option value="1e6" selected>10⁶</option><option value="1e7">10⁷</option>
      </select></label>
      <label>algorithm <select id="tomo-algorithm">
        <option value="mlem">MLEM</option><option value="osem">OSEM, 8 subsets</option>
      </select></label>
      <label>iterations <input id="tomo-iterations" type="number" min="1" max="500" value="30" /></label>
      <button id="tomo-run" type="button">Reconstruct</button>
      <button id="tomo-cancel" type="button" disabled>Cancel</button>
    </div>
    <p id="tomo-status" role="status" data-state="idle" data-iteration="0">Pick a phantom and a count level.</p>
    <div class="tomo-images">
      <figure><canvas id="tomo-truth" class="tomo-image"></canvas><figcaption>phantom</figcaption></figure>
      <figure><canvas id="tomo-sinogram" class="tomo-image"></canvas><figcaption>noisy sinogram (angle ↓, detector →)</figcaption></figure>
      <figure><canvas id="tomo-fbp" class="tomo-image"></canvas><figcaption id="tomo-fbp-caption">filtered back-projection</figcaption></figure>
      <figure><canvas id="tomo-em" class="tomo-image"></canvas><figcaption id="tomo-em-caption">EM</figcaption></figure>
    </div>
    <canvas id="tomo-trace" class="tomo-trace" aria-label="log-likelihood by iteration"></canvas>
    <p class="note">Poisson log-likelihood per sinogram bin after each iteration (MLEM's never decreases).</p>`;
  root.prepend(style);
  const get = <T extends HTMLElement>(id: string): T => root.querySelector(`#${id}`) as T;
  return {
    phantom: get('tomo-phantom'),
    size: get('tomo-size'),
    counts: get('tomo-counts'),
    algorithm: get('tomo-algorithm'),
    iterations: get('tomo-iterations'),
    run: get('tomo-run'),
    cancel: get('tomo-cancel'),
    status: get('tomo-status'),
    truth: get('tomo-truth'),
    sinogram: get('tomo-sinogram'),
    fbp: get('tomo-fbp'),
    em: get('tomo-em'),
    emCaption: get('tomo-em-caption'),
    fbpCaption: get('tomo-fbp-caption'),
    trace: get('tomo-trace'),
  };
}

/** Draws `values (rows × cols)` in grey levels from 0 to `max` (clipped). */
function draw(
  canvas: HTMLCanvasElement,
  values: Float64Array,
  rows: number,
  cols: number,
  max: number,
): void {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const pixels = ctx.createImageData(cols, rows);
  for (let i = 0; i < values.length; i++) {
    const g = Math.round(255 * Math.min(1, Math.max(0, values[i] / max)));
    pixels.data.set([g, g, g, 255], 4 * i);
  }
  ctx.putImageData(pixels, 0, 0);
}

function rmse(image: Float64Array, truth: Float64Array, scale: number): number {
  let e = 0;
  for (let i = 0; i < image.length; i++) e += (image[i] / scale - truth[i]) ** 2;
  return Math.sqrt(e / image.length);
}

/** Builds the tomography section inside `root` and wires it up. */
export function mountTomographyPanel(root: HTMLElement): void {
  const ui = build(root);
  const trace = new TracePlot(ui.trace);
  let running: AbortController | null = null;

  const setStatus = (state: string, text: string): void => {
    ui.status.dataset.state = state;
    ui.status.textContent = text;
  };

  async function reconstruct(): Promise<void> {
    if (running) return;
    const iterations = Number(ui.iterations.value);
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 500) {
      setStatus(
        'error',
        `iterations must be an integer in [1, 500], got ${ui.iterations.value || 'nothing'}`,
      );
      return;
    }
    const size = Number(ui.size.value);
    const counts = Number(ui.counts.value);
    running = new AbortController();
    ui.run.disabled = true;
    ui.cancel.disabled = false;
    trace.clear();
    trace.render();
    try {
      await init(); // the projector runs synchronously on this thread
      const truth = ui.phantom.value === 'rods' ? rodsPhantom(size) : sheppLogan(size);
      const max = Math.max(...truth);
      draw(ui.truth, truth, size, size, max);
      const projector = new ParallelBeamProjector({ size, angles: Math.round((size * 3) / 4) });
      const clean = projector.forward(truth);
      const scale = counts / clean.reduce((a, b) => a + b, 0);
      const y = poissonNoise(clean, counts, 1);
      draw(ui.sinogram, y, projector.nAngles, projector.detectors, Math.max(...y));
      const fbp = filteredBackProjection(projector, y);
      draw(ui.fbp, fbp, size, size, max * scale);
      ui.fbpCaption.textContent = `filtered back-projection, RMSE ${rmse(fbp, truth, scale).toFixed(3)}`;
      const name = ui.algorithm.value === 'osem' ? 'OSEM' : 'MLEM';
      const run = ui.algorithm.value === 'osem' ? osem : mlem;
      setStatus('running', `${name}: iteration 0 of ${iterations}`);
      let latest: Float64Array | null = null;
      let frame = 0;
      const result = await run(y, projector, {
        iterations,
        signal: running.signal,
        onIteration: ({ iteration, logLikelihood, image }) => {
          trace.push(0, iteration, logLikelihood / y.length);
          latest = image();
          ui.status.dataset.iteration = String(iteration);
          ui.status.textContent = `${name}: iteration ${iteration} of ${iterations}`;
          if (frame === 0) {
            frame = requestAnimationFrame(() => {
              frame = 0;
              if (latest) draw(ui.em, latest, size, size, max * scale);
              trace.render();
            });
          }
        },
      });
      cancelAnimationFrame(frame);
      draw(ui.em, result.image, size, size, max * scale);
      trace.render();
      ui.emCaption.textContent = `${name}, ${iterations} iterations, RMSE ${rmse(result.image, truth, scale).toFixed(3)}`;
      setStatus('done', `${name} done: log-likelihood ${result.logLikelihood.toFixed(1)}.`);
    } catch (err) {
      if ((err as Error).name === 'AbortError') setStatus('cancelled', 'Cancelled.');
      else setStatus('error', (err as Error).message);
    } finally {
      running = null;
      ui.run.disabled = false;
      ui.cancel.disabled = true;
    }
  }

  ui.run.addEventListener('click', () => void reconstruct());
  ui.cancel.addEventListener('click', () => running?.abort());
}
