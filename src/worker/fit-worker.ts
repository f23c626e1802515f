// The fit worker's program (bundled by scripts/build.mjs into build/fit-worker.src, which the
// library inlines as text): fit as asked, report iterations, send back the fitted model.
import {
  GaussianMixture,
  type GaussianMixtureJSON,
  type GaussianMixtureOptions,
} from '../mixture/gaussian-mixture.js';
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
    const options = request.options as GaussianMixtureOptions;
    const onIteration = request.reportIterations
      ? (info: unknown) => post({ type: 'iteration', info })
      : undefined;
    const gm = request.warm
      ? GaussianMixture.fromJSON(request.warm as GaussianMixtureJSON, {
          ...options,
          warmStart: true,
          onIteration,
        })
      : new GaussianMixture({ ...options, onIteration });
    await gm.fit(request.X, { sampleWeight: request.sampleWeight ?? undefined });
    post({ type: 'done', model: gm.toJSON() });
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
