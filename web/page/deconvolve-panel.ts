import { gaussianPsf, motionPsf, richardsonLucy, type Image } from './library';

/**
 * The deconvolution panel: a procedural test image, blurred by a Gaussian or motion PSF, restored
 * by Richardson–Lucy. Every iteration's estimate is kept, played back as the run goes, and can be
 * scrubbed with a slider afterwards.
 */
const SIZE = 160;
const SCALE = 2;

const HTML = `
  <h2 id="deconvolve-title">Image deconvolution: Richardson–Lucy</h2>
  <p class="note">Richardson–Lucy is EM for an image blurred by a known point-spread function with
  Poisson noise. The sharp image is blurred here (zero outside the frame, as scipy.signal.convolve),
  then restored from the blurred one; every iteration's estimate is shown.</p>
  <form id="deconvolve-controls" class="row">
    <label>PSF
      <select id="deconvolve-psf">
        <option value="gaussian">Gaussian</option>
        <option value="motion">motion</option>
      </select>
    </label>
    <label id="deconvolve-sigma-label">σ <input id="deconvolve-sigma" type="number" min="0.3" max="6" step="0.1" value="2" /></label>
    <label id="deconvolve-length-label" hidden>length <input id="deconvolve-length" type="number" min="1" max="40" step="1" value="11" /></label>
    <label id="deconvolve-angle-label" hidden>angle° <input id="deconvolve-angle" type="number" min="-180" max="180" step="5" value="30" /></label>
    <label>iterations <input id="deconvolve-iterations" type="number" min="1" max="500" value="100" /></label>
    <label title="total-variation regularisation λ (Dey et al. 2006); 0 for plain Richardson–Lucy">TV λ <input id="deconvolve-tv" type="number" min="0" max="0.2" step="0.002" value="0" /></label>
    <button id="deconvolve-run" type="submit">Deconvolve</button>
    <button id="deconvolve-cancel" type="button" disabled>Cancel</button>
  </form>
  <p id="deconvolve-status" role="status" aria-live="polite" data-state="idle"></p>
  <div class="row" style="gap: 16px; flex-wrap: wrap; align-items: flex-start">
    <figure style="margin: 0"><canvas id="deconvolve-sharp"></canvas><figcaption>sharp</figcaption></figure>
    <figure style="margin: 0"><canvas id="deconvolve-blurred"></canvas><figcaption>blurred</figcaption></figure>
    <figure style="margin: 0"><canvas id="deconvolve-restored"></canvas>
      <figcaption>restored, iteration <span id="deconvolve-iteration" data-count="0">0</span></figcaption>
      <input id="deconvolve-scrub" type="range" min="1" max="1" value="1" disabled aria-label="iteration shown" />
    </figure>
  </div>
`;

/** Text and shapes drawn with the 2D canvas, as grey levels in [0, 1] (SIZE × SIZE, row-major). */
function sharpScene(): Float64Array {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  g.fillStyle = '#000';
  g.fillRect(0, 0, SIZE, SIZE);
  g.fillStyle = '#fff';
  g.font = `bold ${Math.round(SIZE / 4)}px sans-serif`;
  g.textAlign = 'center';
  g.fillText('EM', SIZE / 2, SIZE * 0.36);
  g.beginPath();
  g.arc(SIZE * 0.28, SIZE * 0.68, SIZE * 0.12, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = '#999';
  g.fillRect(SIZE * 0.52, SIZE * 0.56, SIZE * 0.3, SIZE * 0.22);
  g.strokeStyle = '#ccc';
  g.lineWidth = 2;
  for (let i = 0; i < 5; i++) {
    g.beginPath();
    g.moveTo(SIZE * 0.1, SIZE * (0.88 + i * 0.022));
    g.lineTo(SIZE * 0.9, SIZE * (0.88 + i * 0.022));
    g.stroke();
  }
  const pixels = g.getImageData(0, 0, SIZE, SIZE).data;
  const out = new Float64Array(SIZE * SIZE);
  // A dim floor keeps every pixel positive, where Richardson–Lucy's multiplicative update can move it.
  for (let i = 0; i < out.length; i++) out[i] = 0.02 + 0.9 * (pixels[4 * i] / 255);
  return out;
}

/** 'same' convolution with zero outside the frame (scipy.signal.convolve's boundary). */
function blur(x: Float64Array, psf: Image): Float64Array {
  const [m0, m1] = psf.shape;
  const [s0, s1] = [(m0 - 1) >> 1, (m1 - 1) >> 1];
  const out = new Float64Array(SIZE * SIZE);
  for (let r = 0; r < SIZE; r++)
    for (let c = 0; c < SIZE; c++) {
      let acc = 0;
      for (let i = 0; i < m0; i++) {
        const rr = r + s0 - i;
        if (rr < 0 || rr >= SIZE) continue;
        for (let j = 0; j < m1; j++) {
          const cc = c + s1 - j;
          if (cc >= 0 && cc < SIZE) acc += x[rr * SIZE + cc] * psf.data[i * m1 + j];
        }
      }
      out[r * SIZE + c] = acc;
    }
  return out;
}

function draw(canvas: HTMLCanvasElement, values: Float64Array): void {
  canvas.width = canvas.height = SIZE;
  canvas.style.width = canvas.style.height = `${SIZE * SCALE}px`;
  canvas.style.imageRendering = 'pixelated';
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  const img = g.createImageData(SIZE, SIZE);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}

/** Builds the panel inside `root` and wires it up. */
export function mountDeconvolvePanel(root: HTMLElement): void {
  root.innerHTML = HTML;
  root.setAttribute('aria-labelledby', 'deconvolve-title');
  const $ = <T extends HTMLElement = HTMLElement>(id: string): T => root.querySelector(`#${id}`) as T;
  const ui = {
    form: $<HTMLFormElement>('deconvolve-controls'),
    psf: $<HTMLSelectElement>('deconvolve-psf'),
    sigmaLabel: $('deconvolve-sigma-label'),
    sigma: $<HTMLInputElement>('deconvolve-sigma'),
    lengthLabel: $('deconvolve-length-label'),
    length: $<HTMLInputElement>('deconvolve-length'),
    angleLabel: $('deconvolve-angle-label'),
    angle: $<HTMLInputElement>('deconvolve-angle'),
    iterations: $<HTMLInputElement>('deconvolve-iterations'),
    tv: $<HTMLInputElement>('deconvolve-tv'),
    run: $<HTMLButtonElement>('deconvolve-run'),
    cancel: $<HTMLButtonElement>('deconvolve-cancel'),
    status: $('deconvolve-status'),
    iteration: $('deconvolve-iteration'),
    scrub: $<HTMLInputElement>('deconvolve-scrub'),
    sharp: $<HTMLCanvasElement>('deconvolve-sharp'),
    blurred: $<HTMLCanvasElement>('deconvolve-blurred'),
    restored: $<HTMLCanvasElement>('deconvolve-restored'),
  };
  const sharp = sharpScene();
  let frames: Float64Array[] = [];
  let running: AbortController | null = null;

  const setStatus = (state: string, text: string): void => {
    ui.status.dataset.state = state;
    ui.status.textContent = text;
  };
  const show = (k: number): void => {
    draw(ui.restored, frames[k - 1]);
    ui.iteration.textContent = String(k);
    ui.iteration.dataset.count = String(k);
    ui.scrub.value = String(k);
  };
  const psf = (): Image =>
    ui.psf.value === 'gaussian'
      ? gaussianPsf(Number(ui.sigma.value))
      : motionPsf(Number(ui.length.value), Number(ui.angle.value));

  const run = async (): Promise<void> => {
    running?.abort();
    const controller = new AbortController();
    running = controller;
    ui.cancel.disabled = false;
    ui.scrub.disabled = true;
    frames = [];
    try {
      const kernel = psf();
      const blurred = blur(sharp, kernel);
      draw(ui.blurred, blurred);
      const iterations = Number(ui.iterations.value);
      const tv = Number(ui.tv.value);
      setStatus('running', `Deconvolving with a ${kernel.shape.join('×')} PSF…`);
      const started = performance.now();
      let shown = 0;
      // Estimates arrive faster than frames: each animation frame shows the latest one.
      const play = (): void => {
        if (frames.length > shown) show((shown = frames.length));
        if (running === controller) requestAnimationFrame(play);
      };
      requestAnimationFrame(play);
      await richardsonLucy({ data: blurred, shape: [SIZE, SIZE] }, kernel, {
        iterations,
        regularization: tv > 0 ? { tv } : undefined,
        signal: controller.signal,
        onIteration: ({ estimate }) => frames.push(estimate().data),
      });
      const seconds = (performance.now() - started) / 1000;
      show(frames.length);
      setStatus('done', `Done: ${iterations} iterations in ${seconds.toFixed(2)} s.`);
    } catch (err) {
      if ((err as Error).name === 'AbortError')
        setStatus('cancelled', `Cancelled after ${frames.length} iterations.`);
      else setStatus('error', (err as Error).message);
    } finally {
      if (running === controller) running = null;
      ui.cancel.disabled = true;
      ui.scrub.max = String(Math.max(1, frames.length));
      ui.scrub.disabled = frames.length === 0;
    }
  };

  ui.psf.addEventListener('change', () => {
    const gaussian = ui.psf.value === 'gaussian';
    ui.sigmaLabel.hidden = !gaussian;
    ui.lengthLabel.hidden = ui.angleLabel.hidden = gaussian;
  });
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  ui.cancel.addEventListener('click', () => running?.abort());
  ui.scrub.addEventListener('input', () => show(Number(ui.scrub.value)));
  draw(ui.sharp, sharp);
  draw(ui.blurred, blur(sharp, psf()));
  draw(ui.restored, new Float64Array(SIZE * SIZE));
  setStatus('idle', 'Pick a PSF and press Deconvolve.');
}
