/**
 * A worker's control block, a small SharedArrayBuffer per worker. Int32 cells: `state` (0 idle: the
 * worker waits for messages; 1 polling: it reads `state` in a loop after a job; 2 go: a job is
 * waiting in the block), `mail` (messages posted to the worker and not yet handled: a polling worker
 * turns to them), `job` / `instance` / `kernel` (the export's index in module order) / `args` (their
 * count) of the job handed over, `done` (the last job finished from the block), `failed` (1 when it
 * threw), `pollMs` (how long the worker polls after a job). Float64 cells: `result`, then the
 * arguments from `firstArg`.
 */
export const CONTROL = {
  state: 0,
  mail: 1,
  job: 2,
  done: 3,
  instance: 4,
  kernel: 5,
  args: 6,
  failed: 7,
  pollMs: 8,
  result: 5,
  firstArg: 6,
} as const;

/** The values of `CONTROL.state`. */
export const STATE = { idle: 0, polling: 1, go: 2 } as const;

/** The most arguments a job handed over through the control block can have (others go as messages). */
export const MAX_FAST_ARGS = 27;

export const CONTROL_BYTES = 8 * (CONTROL.firstArg + MAX_FAST_ARGS);

/**
 * How long a worker polls its control block after a job by default, in ms: longer than the gap
 * between two passes of an EM loop (the M-step on the calling thread), short enough that an idle
 * worker soon stops using its core.
 */
export const WORKER_SPIN_MS = 2;

/**
 * The worker's program, as source text so the bundle needs no separate file: Node runs it with
 * `new Worker(source, { eval: true })`, browsers from a Blob URL. A worker holds one Wasm instance
 * per shared memory it is attached to and runs kernels on request; all model logic stays on the
 * main thread. After a job it polls its control block for `pollMs` (see `ThreadPool`):
 * a job handed over there starts at once, without the wake-up a message takes.
 */
export const WORKER_SOURCE = /* @__PURE__ */ workerSource();

/** The program's text (a call marked pure, so that bundles which never start a worker drop it). */
function workerSource(): string {
  return `
'use strict';
const node = typeof self === 'undefined';
const port = node ? require('node:worker_threads').parentPort : self;
const post = (m) => port.postMessage(m);
const C = ${JSON.stringify(CONTROL)};
const S = ${JSON.stringify(STATE)};
const instances = new Map();
let control = null;
let values = null;
const runHanded = () => {
  const job = control[C.job];
  const args = [];
  for (let a = 0; a < control[C.args]; a++) args.push(values[C.firstArg + a]);
  let error;
  try {
    const kernel = instances.get(control[C.instance]).byIndex[control[C.kernel]];
    values[C.result] = kernel(...args);
  } catch (err) {
    error = String((err && err.message) || err);
  }
  control[C.failed] = error === undefined ? 0 : 1;
  // Back to polling, unless polling was turned off meanwhile.
  Atomics.compareExchange(control, C.state, S.go, Atomics.load(control, C.pollMs) > 0 ? S.polling : S.idle);
  Atomics.store(control, C.done, job);
  post(error === undefined ? { job, result: values[C.result] } : { job, error });
};
// The caller has set the state to polling (a job may already be waiting).
const poll = () => {
  // pollMs is read at every check, so lowering it ends a long poll too.
  let since = performance.now();
  for (let turn = 1; ; turn++) {
    const state = Atomics.load(control, C.state);
    if (state === S.go) {
      runHanded();
      since = performance.now();
    } else if (state === S.idle) {
      return;
    } else if (
      Atomics.load(control, C.mail) > 0 ||
      ((turn & 63) === 0 && performance.now() - since >= Atomics.load(control, C.pollMs))
    ) {
      if (Atomics.compareExchange(control, C.state, S.polling, S.idle) === S.polling) return;
    }
  }
};
const handle = (msg) => {
  if (msg.type === 'control') {
    control = new Int32Array(msg.buffer);
    values = new Float64Array(msg.buffer);
  }
  Atomics.sub(control, C.mail, 1);
  if (msg.type === 'attach') {
    const exports = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } }).exports;
    const byIndex = WebAssembly.Module.exports(msg.module).map((e) => exports[e.name]);
    instances.set(msg.id, { exports, byIndex });
    return;
  }
  if (msg.type === 'detach') {
    instances.delete(msg.id);
    return;
  }
  if (msg.type !== 'run') return;
  let result;
  let error;
  try {
    result = instances.get(msg.id).exports[msg.kernel](...msg.args);
  } catch (err) {
    error = String((err && err.message) || err);
  }
  // Polling is announced before the result leaves, so that a job the caller sends on receiving it
  // always finds the worker polling.
  const polls = Atomics.load(control, C.mail) === 0 && Atomics.load(control, C.pollMs) > 0;
  if (polls) Atomics.store(control, C.state, S.polling);
  post(error === undefined ? { job: msg.job, result } : { job: msg.job, error });
  if (polls) poll();
};
if (node) port.on('message', handle);
else port.onmessage = (e) => handle(e.data);
`;
}
