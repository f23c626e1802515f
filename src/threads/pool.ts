import { importNode, isNode } from '../util/env.js';
import { THREAD_WORKER_NAME, startBrowserWorker } from '../worker/worker-url.js';
import { WORKER_SOURCE } from './worker-source.js';

/** What the pool needs of a Node `worker_threads.Worker` or a browser `Worker`. */
interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
  ref?(): void;
  unref?(): void;
}

interface Pending {
  resolve(value: number): void;
  reject(err: Error): void;
}

type NodeWorkerThreads = typeof import('node:worker_threads');

/** A Wasm instance over shared memory that workers instantiate too: its id, module and memory. */
export interface SharedInstance {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
}

/** A running worker and the shared instances it has instantiated. */
interface PoolWorker {
  worker: WorkerLike;
  attached: Set<number>;
}

/**
 * Worker threads that run Wasm kernels over shared memory. Started once and reused by every fit;
 * in Node they are unref'd while idle, so they never keep a process alive, and `dispose()` ends them.
 * The pool never runs more workers than the cores besides the calling thread (at least one): a
 * fit that asks for more threads shares them (see `SharedWorkspace.parallel`). Each worker records
 * the instances it has attached, so workers started after `dispose()` attach afresh.
 */
export class ThreadPool {
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;
  private busy = 0;
  private nodeThreads: NodeWorkerThreads | null = null;

  get size(): number {
    return this.workers.length;
  }

  /** The most workers the pool runs: the available threads less the calling one, at least 1. */
  async capacity(): Promise<number> {
    return Math.max(1, (await availableThreads()) - 1);
  }

  /** Starts workers until `n` run or the pool is at capacity; returns how many of them to use (≤ n). */
  async ensure(n: number): Promise<number> {
    if (isNode && !this.nodeThreads)
      this.nodeThreads = await importNode<NodeWorkerThreads>('node:worker_threads');
    const target = Math.min(n, await this.capacity());
    while (this.workers.length < target) this.workers.push({ worker: this.start(), attached: new Set() });
    return Math.min(n, this.workers.length);
  }

  private start(): WorkerLike {
    const onMessage = (msg: { job: number; result?: number; error?: string }): void => {
      const p = this.pending.get(msg.job);
      if (!p) return;
      this.pending.delete(msg.job);
      if (--this.busy === 0) this.setRef(false);
      if (msg.error !== undefined) p.reject(new Error(`emwasm worker: ${msg.error}`));
      else p.resolve(msg.result as number);
    };
    const onError = (err: unknown): void => {
      const error = err instanceof Error ? err : new Error(`emwasm worker failed: ${String(err)}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.busy = 0;
    };
    if (this.nodeThreads) {
      const w = new this.nodeThreads.Worker(WORKER_SOURCE, { eval: true });
      w.on('message', onMessage);
      w.on('error', onError);
      w.unref();
      return w;
    }
    const w = startBrowserWorker(WORKER_SOURCE, THREAD_WORKER_NAME, 'thread-pool worker', onError);
    w.onmessage = (e: MessageEvent) => onMessage(e.data);
    return w;
  }

  private setRef(on: boolean): void {
    for (const { worker: w } of this.workers) (on ? w.ref : w.unref)?.call(w);
  }

  /**
   * Runs kernel `kernel(...args)` on worker `worker` against `instance`, which the worker first
   * instantiates over the same memory if it has not yet.
   */
  run(worker: number, instance: SharedInstance, kernel: string, args: number[]): Promise<number> {
    const w = this.workers[worker];
    if (!w.attached.has(instance.id)) {
      w.worker.postMessage({
        type: 'attach',
        id: instance.id,
        module: instance.module,
        memory: instance.memory,
      });
      w.attached.add(instance.id);
    }
    const job = this.nextJob++;
    if (this.busy++ === 0) this.setRef(true);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      w.worker.postMessage({ type: 'run', job, id: instance.id, kernel, args });
    });
  }

  /** Workers drop their instances of `id`, so its memory can be freed once the caller drops it too. */
  detach(id: number): void {
    for (const w of this.workers) {
      if (w.attached.delete(id)) w.worker.postMessage({ type: 'detach', id });
    }
  }

  /** Instances attached over all workers (a worker with two instances counts two). */
  get attachments(): number {
    return this.workers.reduce((sum, w) => sum + w.attached.size, 0);
  }

  /** Ends every worker; a later threaded fit starts new ones. */
  async dispose(): Promise<void> {
    const workers = this.workers.splice(0);
    for (const p of this.pending.values()) p.reject(new Error('emwasm: the thread pool was disposed'));
    this.pending.clear();
    this.busy = 0;
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

export const threadPool = /* @__PURE__ */ new ThreadPool();

/** Threads available to this process or page (1 where workers or shared memory are unavailable). */
export async function availableThreads(): Promise<number> {
  if (!sharedMemorySupported()) return 1;
  if (isNode) {
    const os = await importNode<typeof import('node:os')>('node:os');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return typeof Worker === 'function' ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
}

/**
 * Shared Wasm memory needs SharedArrayBuffer, which browsers only give to cross-origin isolated
 * pages; elsewhere emwasm runs on one thread.
 */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (!isNode && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}
