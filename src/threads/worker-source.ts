/**
 * The worker's program, as source text so the bundle needs no separate file: Node runs it with
 * `new Worker(source, { eval: true })`, browsers from a Blob URL. A worker holds one Wasm instance
 * per shared memory it is attached to and runs kernels on request; all model logic stays on the
 * main thread.
 */
export const WORKER_SOURCE = `
'use strict';
const node = typeof self === 'undefined';
const port = node ? require('node:worker_threads').parentPort : self;
const post = (m) => port.postMessage(m);
const instances = new Map();
const handle = (msg) => {
  if (msg.type === 'attach') {
    instances.set(msg.id, new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } }).exports);
    return;
  }
  if (msg.type === 'detach') {
    instances.delete(msg.id);
    return;
  }
  try {
    const kernels = instances.get(msg.id);
    post({ job: msg.job, result: kernels[msg.kernel](...msg.args) });
  } catch (err) {
    post({ job: msg.job, error: String((err && err.message) || err) });
  }
};
if (node) port.on('message', handle);
else port.onmessage = (e) => handle(e.data);
`;
