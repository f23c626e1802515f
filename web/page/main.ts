import { project, type Components } from './components';
import { parseCsv } from './csv';
import { selectColumns, type Dataset } from './dataset';
import {
  GaussianMixture,
  init,
  plotSelection,
  selectModel,
  type CovarianceType,
  type GaussianIterationInfo,
  type SelectionProgress,
} from './library';
import { mountDeconvolvePanel } from './deconvolve-panel';
import { componentColour } from './palette';
import { POINT_LIMIT, ScatterPlot } from './scatter';
import { blobs, MAX_SYNTHETIC_ROWS } from './synthetic';
import { mountTomographyPanel } from './tomography-panel';
import { TracePlot } from './trace';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const ui = {
  form: $<HTMLFormElement>('controls'),
  dataFields: $<HTMLFieldSetElement>('data-fields'),
  modelFields: $<HTMLFieldSetElement>('model-fields'),
  source: $<HTMLSelectElement>('source'),
  fileRow: $('file-row'),
  file: $<HTMLInputElement>('file'),
  syntheticRow: $('synthetic-row'),
  synthN: $<HTMLInputElement>('synth-n'),
  synthK: $<HTMLInputElement>('synth-k'),
  synthSeed: $<HTMLInputElement>('synth-seed'),
  dataInfo: $('data-info'),
  xCol: $<HTMLSelectElement>('x-col'),
  yCol: $<HTMLSelectElement>('y-col'),
  fitOn: $<HTMLSelectElement>('fit-on'),
  k: $<HTMLInputElement>('k'),
  covariance: $<HTMLSelectElement>('covariance'),
  seed: $<HTMLInputElement>('seed'),
  nInit: $<HTMLInputElement>('n-init'),
  maxIter: $<HTMLInputElement>('max-iter'),
  tol: $<HTMLInputElement>('tol'),
  fit: $<HTMLButtonElement>('fit'),
  cancel: $<HTMLButtonElement>('cancel'),
  status: $('status'),
  iteration: $('iteration'),
  results: $('results'),
  env: $('env'),
  select: $<HTMLButtonElement>('select'),
  selectProgress: $<HTMLProgressElement>('select-progress'),
  selectStatus: $('select-status'),
  selectionChart: $('selection-chart'),
  selectionBest: $('selection-best'),
};

/** The model-selection grid: K = 1…MAX_SELECTION_K (at most the rows) × every covariance type. */
const MAX_SELECTION_K = 8;
const COVARIANCE_TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

const scatter = new ScatterPlot($<HTMLCanvasElement>('scatter'));
const trace = new TracePlot($<HTMLCanvasElement>('trace'));

/** What is on screen: the data, and the components of the latest fit (or iteration) over `fitColumns`. */
const view: { data: Dataset | null; fitColumns: number[]; components: Components | null } = {
  data: null,
  fitColumns: [],
  components: null,
};
let running: AbortController | null = null;
let loadToken = 0;
let frameRequested = false;

type State = 'idle' | 'loading' | 'fitting' | 'done' | 'cancelled' | 'error';

function setStatus(state: State, text: string): void {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

/** Redraws both plots at the next frame, however many updates arrive before it. */
function requestRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const { data, fitColumns, components } = view;
    if (data && components) {
      const i = fitColumns.indexOf(Number(ui.xCol.value));
      const j = fitColumns.indexOf(Number(ui.yCol.value));
      scatter.setComponents(i >= 0 && j >= 0 ? project(components, i, j) : null);
    } else {
      scatter.setComponents(null);
    }
    scatter.render();
    trace.render();
  });
}

function integer(input: HTMLInputElement, name: string, lo: number, hi: number): number {
  const v = Number(input.value);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`${name} must be an integer in [${lo}, ${hi}], got ${input.value || 'nothing'}`);
  }
  return v;
}

async function readSource(): Promise<Dataset | null> {
  switch (ui.source.value) {
    case 'faithful':
    case 'iris': {
      const name = `${ui.source.value}.csv`;
      const response = await fetch(`data/${name}`);
      if (!response.ok) throw new Error(`could not load data/${name}: HTTP ${response.status}`);
      return parseCsv(await response.text(), name);
    }
    case 'synthetic':
      return blobs({
        n: integer(ui.synthN, 'N', 10, MAX_SYNTHETIC_ROWS),
        k: integer(ui.synthK, 'blobs', 1, 20),
        seed: integer(ui.synthSeed, 'data seed', 0, 0xffffffff),
      });
    default: {
      const file = ui.file.files?.[0];
      return file ? parseCsv(await file.text(), file.name) : null;
    }
  }
}

async function loadData(): Promise<void> {
  const token = ++loadToken;
  ui.fileRow.hidden = ui.source.value !== 'file';
  ui.syntheticRow.hidden = ui.source.value !== 'synthetic';
  setStatus('loading', 'Loading data…');
  try {
    const data = await readSource();
    if (token !== loadToken) return;
    showData(data);
    setStatus('idle', data ? 'Ready: choose K and press Fit.' : 'Choose a CSV file with a header row.');
  } catch (err) {
    if (token !== loadToken) return;
    showData(null);
    setStatus('error', (err as Error).message);
  }
}

function showData(data: Dataset | null): void {
  view.data = data;
  view.components = null;
  trace.clear();
  ui.results.replaceChildren();
  ui.iteration.textContent = '';
  clearSelection();
  const options = (data?.columns ?? []).map((name, j) => new Option(name, String(j)));
  ui.xCol.replaceChildren(...options.map((o) => o.cloneNode(true)));
  ui.yCol.replaceChildren(...options);
  ui.yCol.selectedIndex = options.length > 1 ? 1 : 0;
  if (!data) {
    ui.dataInfo.textContent = '';
    scatter.setComponents(null);
    requestRender();
    return;
  }
  const shown = data.rows > POINT_LIMIT ? ' (drawn as a density raster)' : '';
  ui.dataInfo.textContent =
    `${data.name}: ${data.rows.toLocaleString('en')} rows × ${data.columns.length} numeric columns${shown}` +
    (data.skipped.length ? `; skipped non-numeric: ${data.skipped.join(', ')}` : '');
  scatter.setData(data, Number(ui.xCol.value), Number(ui.yCol.value));
  requestRender();
}

function replot(): void {
  scatter.setColumns(Number(ui.xCol.value), Number(ui.yCol.value));
  requestRender();
}

/** The columns the Fit-on choice selects, and `data` restricted to them. */
function fitMatrix(data: Dataset): {
  columns: number[];
  X: { data: Float64Array; rows: number; cols: number };
} {
  const all = ui.fitOn.value === 'all';
  const columns = all
    ? data.columns.map((_, j) => j)
    : [...new Set([Number(ui.xCol.value), Number(ui.yCol.value)])];
  const X = { data: all ? data.X : selectColumns(data, columns), rows: data.rows, cols: columns.length };
  return { columns, X };
}

async function fit(): Promise<void> {
  const data = view.data;
  if (!data || running) return;
  const xi = Number(ui.xCol.value);
  const yi = Number(ui.yCol.value);
  const { columns, X } = fitMatrix(data);
  const covarianceType = ui.covariance.value as CovarianceType;
  let gm: GaussianMixture;
  try {
    const nInit = integer(ui.nInit, 'restarts', 1, 50);
    gm = new GaussianMixture({
      nComponents: integer(ui.k, 'K', 1, 50),
      covarianceType,
      randomState: integer(ui.seed, 'seed', 0, 0xffffffff),
      nInit,
      maxIter: integer(ui.maxIter, 'max iterations', 1, 10_000),
      tol: ui.tol.value === '' ? NaN : Number(ui.tol.value),
      worker: true,
      onIteration: (info) => progress(info, covarianceType, nInit),
    });
  } catch (err) {
    setStatus('error', (err as Error).message);
    return;
  }
  running = new AbortController();
  setBusy(true);
  view.fitColumns = columns;
  view.components = null;
  scatter.setData(data, xi, yi);
  trace.clear();
  ui.results.replaceChildren();
  ui.iteration.dataset.count = '0';
  ui.iteration.textContent = 'initialising';
  setStatus('fitting', `Fitting ${data.rows.toLocaleString('en')} rows in a Web Worker…`);
  requestRender();
  const started = performance.now();
  try {
    await gm.fit(X, { signal: running.signal });
    const seconds = (performance.now() - started) / 1000;
    await init(); // scoring below runs on this thread, which must compile the module asynchronously
    view.components = {
      covarianceType,
      weights: gm.weights,
      means: gm.means,
      covariances: gm.covariances,
    };
    if (data.rows <= POINT_LIMIT) scatter.setLabels(gm.predict(X));
    showResults(gm, X, data, columns, seconds);
    setStatus(
      'done',
      `${gm.converged ? 'Converged' : 'Stopped (not converged)'} after ${gm.nIter} iterations in ${seconds.toFixed(2)} s.`,
    );
  } catch (err) {
    const e = err as Error;
    if (e.name === 'AbortError') {
      const during =
        ui.iteration.dataset.count === '0' ? 'during initialisation' : `at ${ui.iteration.textContent}`;
      setStatus('cancelled', `Cancelled ${during}.`);
    } else {
      setStatus('error', e.message);
    }
  } finally {
    running = null;
    setBusy(false);
    requestRender();
  }
}

function progress(info: GaussianIterationInfo, covarianceType: CovarianceType, nInit: number): void {
  const count = Number(ui.iteration.dataset.count) + 1;
  ui.iteration.dataset.count = String(count);
  ui.iteration.textContent =
    (nInit > 1 ? `restart ${info.init + 1}/${nInit}, ` : '') + `iteration ${info.iter}`;
  trace.push(info.init, info.iter, info.lowerBound);
  view.components = {
    covarianceType,
    weights: info.weights,
    means: info.means,
    covariances: info.covariances,
  };
  requestRender();
}

function setBusy(busy: boolean): void {
  ui.dataFields.disabled = busy;
  ui.modelFields.disabled = busy;
  ui.fit.disabled = busy;
  ui.cancel.disabled = !busy;
  ui.select.disabled = busy || !view.data;
}

function setSelectionStatus(state: 'idle' | 'running' | 'done' | 'cancelled' | 'error', text: string): void {
  ui.selectStatus.dataset.state = state;
  ui.selectStatus.textContent = text;
}

function clearSelection(): void {
  ui.selectionChart.replaceChildren();
  ui.selectionBest.textContent = '';
  ui.selectProgress.hidden = true;
  setSelectionStatus('idle', '');
  ui.select.disabled = !!running || !view.data;
}

/**
 * Fits every (K, covariance type) of the grid to the columns being fitted, each fit in a Web Worker
 * of its own (the BIC of each is computed here, which is quick), and plots the BIC by K.
 * Cancel aborts it like a fit.
 */
async function compareModels(): Promise<void> {
  const data = view.data;
  if (!data || running) return;
  const { columns, X } = fitMatrix(data);
  let seed: number;
  try {
    seed = integer(ui.seed, 'seed', 0, 0xffffffff);
  } catch (err) {
    setSelectionStatus('error', (err as Error).message);
    return;
  }
  const ks = Array.from({ length: Math.min(MAX_SELECTION_K, data.rows) }, (_, i) => i + 1);
  const total = ks.length * COVARIANCE_TYPES.length;
  running = new AbortController();
  setBusy(true);
  ui.selectionChart.replaceChildren();
  ui.selectionBest.textContent = '';
  ui.selectProgress.hidden = false;
  ui.selectProgress.max = total;
  ui.selectProgress.value = 0;
  setSelectionStatus('running', `0/${total} models`);
  const started = performance.now();
  try {
    await init(); // the BIC of each fit is computed on this thread
    const { table, bestRow } = await selectModel(X, {
      nComponents: ks,
      covarianceTypes: COVARIANCE_TYPES,
      criterion: 'bic',
      randomState: seed,
      onProgress: selectionProgress,
      modelOptions: { worker: true, signal: running.signal },
    });
    const seconds = (performance.now() - started) / 1000;
    ui.selectionChart.innerHTML = plotSelection(table, { width: 640, height: 340 });
    const fitted = columns.map((j) => data.columns[j]).join(', ');
    ui.selectionBest.textContent = `Best by BIC: K = ${bestRow.nComponents}, ${bestRow.covarianceType} covariance (BIC ${bestRow.score.toFixed(3)})`;
    ui.selectionBest.dataset.k = String(bestRow.nComponents);
    ui.selectionBest.dataset.covarianceType = bestRow.covarianceType;
    const failed = table.filter((r) => !(r.score < Infinity)).length;
    setSelectionStatus(
      'done',
      `${total} models fitted to ${fitted} in ${seconds.toFixed(2)} s` +
        (failed ? `; ${failed} failed (a covariance collapsed) and are left out` : ''),
    );
  } catch (err) {
    const e = err as Error;
    if (e.name === 'AbortError') {
      setSelectionStatus('cancelled', `Cancelled after ${ui.selectProgress.value}/${total} models.`);
    } else {
      setSelectionStatus('error', e.message);
    }
  } finally {
    ui.selectProgress.hidden = true;
    running = null;
    setBusy(false);
  }
}

function selectionProgress({ done, total, row }: SelectionProgress): void {
  ui.selectProgress.value = done;
  setSelectionStatus(
    'running',
    `${done}/${total} models (last: K = ${row.nComponents}, ${row.covarianceType})`,
  );
}

function showResults(
  gm: GaussianMixture,
  X: { data: Float64Array; rows: number; cols: number },
  data: Dataset,
  columns: number[],
  seconds: number,
): void {
  const meanLogLik = gm.score(X);
  const summary = document.createElement('dl');
  const add = (term: string, value: string, id?: string): HTMLElement => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    if (id) dd.id = id;
    summary.append(dt, dd);
    return dd;
  };
  const ll = add(
    'log-likelihood',
    `${(meanLogLik * X.rows).toFixed(3)} (${meanLogLik.toFixed(6)} per row)`,
    'loglik',
  );
  ll.dataset.value = String(meanLogLik);
  add('BIC', gm.bic(X).toFixed(3), 'bic');
  add('iterations', `${gm.nIter} (${gm.converged ? 'converged' : 'not converged'})`);
  add('fit time', `${seconds.toFixed(2)} s`);

  const k = gm.nComponents;
  const d = columns.length;
  const { weights, means } = gm;
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const name of ['', 'weight', ...columns.map((j) => `mean ${data.columns[j]}`)]) {
    head.append(Object.assign(document.createElement('th'), { textContent: name }));
  }
  const body = table.createTBody();
  for (let c = 0; c < k; c++) {
    const row = body.insertRow();
    const swatch = row.insertCell();
    swatch.className = 'swatch';
    swatch.style.setProperty('--colour', componentColour(c));
    swatch.textContent = String(c);
    row.insertCell().textContent = weights[c].toFixed(4);
    for (let j = 0; j < d; j++) row.insertCell().textContent = formatValue(means[c * d + j]);
  }
  ui.results.replaceChildren(summary, table);
}

function formatValue(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

function describeEnvironment(): void {
  ui.env.textContent = crossOriginIsolated
    ? `Cross-origin isolated: fits may use up to ${navigator.hardwareConcurrency} threads.`
    : 'Not cross-origin isolated: fits run on one thread.';
}

ui.source.addEventListener('change', () => void loadData());
ui.file.addEventListener('change', () => void loadData());
for (const input of [ui.synthN, ui.synthK, ui.synthSeed])
  input.addEventListener('change', () => void loadData());
ui.xCol.addEventListener('change', replot);
ui.yCol.addEventListener('change', replot);
ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  void fit();
});
ui.cancel.addEventListener('click', () => running?.abort());
ui.select.addEventListener('click', () => void compareModels());
new ResizeObserver(requestRender).observe($('plots'));
describeEnvironment();
void loadData();
mountDeconvolvePanel($('deconvolve-panel'));
mountTomographyPanel($('tomography'));
