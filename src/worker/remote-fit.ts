import { sharedMemorySupported } from '../threads/pool.js';
import { importNode, isNode } from '../util/env.js';
import { singleModule, threadedModule } from '../wasm/module.js';
import workerSource from '../../build/fit-worker.src';
import { deserializeError } from './errors.js';
import type { FitReply, FitRequest } from './protocol.js';
import { FIT_WORKER_NAME, startBrowserWorker } from './worker-url.js';

interface FitWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * Runs one fit in a worker of its own and ends the worker when the fit settles or `signal` aborts
 * it. The worker's program is inlined in the bundle (a Blob URL in browsers, `eval` in Node), so
 * this works wherever the bundle is loaded from, also when bundled again into an app; a page whose
 * Content-Security-Policy forbids blob: workers serves the worker file instead (`setWorkerUrl`).
 * Resolves to the fitted model's JSON.
 */
export async function fitInWorker(
  request: FitRequest,
  onIteration: ((info: unknown) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  signal?.throwIfAborted();
  if (!workerSource) throw new Error('worker: true is not available inside a fit worker');
  // Compiled modules are shared with workers by postMessage, so the worker's bundle needs no bytes.
  const modules = {
    single: await singleModule.load(),
    threaded: sharedMemorySupported() ? await threadedModule.load() : null,
  };
  signal?.throwIfAborted();
  let worker: FitWorker;
  let listen: (handler: (reply: FitReply) => void, fail: (err: Error) => void) => void;
  if (isNode) {
    const { Worker } = await importNode<typeof import('node:worker_threads')>('node:worker_threads');
    const w = new Worker(workerSource, { eval: true });
    worker = w;
    listen = (handler, fail) => {
      w.on('message', handler);
      w.on('error', fail);
    };
  } else {
    let failed: (err: Error) => void = () => {};
    const w = startBrowserWorker(workerSource, FIT_WORKER_NAME, 'fit worker', (err) => failed(err));
    worker = w;
    listen = (handler, fail) => {
      w.onmessage = (e: MessageEvent) => handler(e.data as FitReply);
      failed = fail;
    };
  }
  return new Promise<unknown>((resolve, reject) => {
    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
    };
    const onAbort = (): void => {
      finish();
      reject(signal?.reason ?? new DOMException('The fit was aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    listen(
      (reply) => {
        if (reply.type === 'iteration') {
          onIteration?.(reply.info);
        } else if (reply.type === 'done') {
          finish();
          resolve(reply.model);
        } else {
          finish();
          reject(deserializeError(reply.error));
        }
      },
      (err) => {
        finish();
        reject(err);
      },
    );
    worker.postMessage({ ...request, modules } satisfies FitRequest);
  });
}
