// The fit worker's program (bundled by scripts/build.mjs into build/fit-worker.src, which the
// library inlines as text): fit as asked, report iterations, send back the fitted model.
import { familyEntry } from '../em/registry.js';
import { importNode, isNode } from '../util/env.js';
import { singleModule, threadedModule } from '../wasm/module.js';
import { serializeError } from './errors.js';
import type { FitReply, FitRequest } from './protocol.js';

async function serve(request: FitRequest, post: (reply: FitReply) => void): Promise<void> {
  try {
    if (request.modules) {
      singleModule.provide(request.modules.single);
      if (request.modules.threaded) threadedModule.provide(request.modules.threaded);
    }
    const entry = familyEntry(request.family);
    const onIteration = request.reportIterations
      ? (info: unknown) => post({ type: 'iteration', info })
      : undefined;
    const options = onIteration ? { ...request.options, onIteration } : request.options;
    const model = request.warm
      ? entry.fromJSON(request.warm, { ...options, warmStart: true })
      : entry.create(options);
    await model.fitInThisThread({ X: request.X, y: request.y, sampleWeight: request.sampleWeight });
    post({ type: 'done', model: model.toJSON() });
  } catch (err) {
    post({ type: 'error', error: serializeError(err) });
  }
}

if (isNode) {
  void importNode<typeof import('node:worker_threads')>('node:worker_threads').then(({ parentPort }) => {
    parentPort?.on('message', (request: FitRequest) => void serve(request, (r) => parentPort.postMessage(r)));
  });
} else {
  const scope = globalThis as unknown as Pick<Worker, 'postMessage' | 'onmessage'>;
  scope.onmessage = (e: MessageEvent) => void serve(e.data as FitRequest, (r) => scope.postMessage(r));
}
