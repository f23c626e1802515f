import { importNode, isNode } from '../util/env.js';
import { THREAD_WORKER_NAME, startBrowserWorker } from '../worker/worker-url.js';
import {
  CONTROL,
  CONTROL_BYTES,
  MAX_FAST_ARGS,
  STATE,
  WORKER_SOURCE,
  WORKER_SPIN_MS,
} from './worker-source.js';

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

/**
 * A running worker, the shared instances it has instantiated, and its control block: the shared
 * cells through which a job is handed to it while it polls after its last one (see worker-source.ts).
 */
interface PoolWorker {
  worker: WorkerLike;
  attached: Set<number>;
  control: Int32Array;
  values: Float64Array;
  /** The job handed over through the control block and not yet collected, or 0. */
  handed: number;
}

/** Each module's export names in module order, so a kernel travels as its index. */
const exportIndex = new WeakMap<WebAssembly.Module, Map<string, number>>();

function kernelIndex(module: WebAssembly.Module, name: string): number {
  let names = exportIndex.get(module);
  if (!names) {
    names = new Map(WebAssembly.Module.exports(module).map((e, i) => [e.name, i]));
    exportIndex.set(module, names);
  }
  return names.get(name) ?? -1;
}

/**
 * Worker threads that run Wasm kernels over shared memory. Started once and reused by every fit;
 * in Node they are unref'd while idle, so they never keep a process alive, and `dispose()` ends them.
 * The pool never runs more workers than the cores besides the calling thread (at least one): a
 * fit that asks for more threads shares them (see `SharedWorkspace.parallel`). Each worker records
 * the instances it has attached, so workers started after `dispose()` attach afresh.
 *
 * A job goes to a worker as a message, or, while the worker is still polling its control block
 * after its previous job (for `WORKER_SPIN_MS` by default), through that block: an EM loop hands each
 * iteration's slice over without a message's wake-ups. Measured on this 2-core VM, an empty job's
 * round trip took 0.12–0.19 ms by messages (0.37–0.40 ms after the worker idled 3 ms) and 0.05 ms
 * through the block; a multinomial fit at 100,000 rows went 3.70 → 3.58 ms an iteration (4 runs
 * each). The caller collects such jobs by polling (`settle`); the worker's result message follows
 * either way and settles what polling did not, including every error (it carries the message).
 */
export class ThreadPool {
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;
  private busy = 0;
  private nodeThreads: NodeWorkerThreads | null = null;
  private cores: number | null = null;
  private pollMs = WORKER_SPIN_MS;
  /** Jobs handed over through control blocks so far (the others went as messages). */
  handedOver = 0;

  /**
   * How long workers poll their control blocks after a job (default `WORKER_SPIN_MS`); 0 stops
   * the polling. For tests, which need the hand-over to happen (or not) whatever the machine's load.
   * @internal
   */
  setPolling(ms: number): void {
    this.pollMs = ms;
    for (const w of this.workers) Atomics.store(w.control, CONTROL.pollMs, ms);
  }

  get size(): number {
    return this.workers.length;
  }

  /** The most workers the pool runs: the available threads less the calling one, at least 1. */
  async capacity(): Promise<number> {
    this.cores ??= await availableThreads();
    return Math.max(1, this.cores - 1);
  }

  /** Starts workers until `n` run or the pool is at capacity; returns how many of them to use (≤ n). */
  async ensure(n: number): Promise<number> {
    if (isNode && !this.nodeThreads)
      this.nodeThreads = await importNode<NodeWorkerThreads>('node:worker_threads');
    const target = Math.min(n, await this.capacity());
    while (this.workers.length < target) {
      const buffer = new SharedArrayBuffer(CONTROL_BYTES);
      const w: PoolWorker = {
        worker: this.start(),
        attached: new Set(),
        control: new Int32Array(buffer),
        values: new Float64Array(buffer),
        handed: 0,
      };
      w.control[CONTROL.pollMs] = this.pollMs;
      this.workers.push(w);
      this.post(w, { type: 'control', buffer });
    }
    return Math.min(n, this.workers.length);
  }

  /** Posts a message to `w`, counted in its control block so a polling worker turns to its messages. */
  private post(w: PoolWorker, message: unknown): void {
    Atomics.add(w.control, CONTROL.mail, 1);
    w.worker.postMessage(message);
  }

  /** Settles job `job` once, whichever of polling and the result message comes first. */
  private finish(job: number, result: number | undefined, error?: string): void {
    const p = this.pending.get(job);
    if (!p) return;
    this.pending.delete(job);
    for (const w of this.workers) if (w.handed === job) w.handed = 0;
    if (--this.busy === 0) this.setRef(false);
    if (error !== undefined) p.reject(new Error(`emwasm worker: ${error}`));
    else p.resolve(result as number);
  }

  private start(): WorkerLike {
    const onMessage = (msg: { job: number; result?: number; error?: string }): void =>
      this.finish(msg.job, msg.result, msg.error);
    const onError = (err: unknown): void => {
      const error = err instanceof Error ? err : new Error(`emwasm worker failed: ${String(err)}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.busy = 0;
      for (const w of this.workers) w.handed = 0;
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
      this.post(w, { type: 'attach', id: instance.id, module: instance.module, memory: instance.memory });
      w.attached.add(instance.id);
    }
    const job = this.nextJob;
    // Job ids travel in Int32 cells: they wrap before 2^31.
    this.nextJob = (this.nextJob % 0x7fffffff) + 1;
    if (this.busy++ === 0) this.setRef(true);
    return new Promise<number>((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      if (!this.handOver(w, job, instance, kernel, args))
        this.post(w, { type: 'run', job, id: instance.id, kernel, args });
    });
  }

  /**
   * Hands `job` to `w` through its control block when the worker is polling it with no message
   * waiting and no job of ours unfinished there: the arguments go first, then the state flips from
   * polling to go (a compare-exchange, so a worker that has just stopped polling gets a message
   * instead). Returns whether the worker has it.
   */
  private handOver(
    w: PoolWorker,
    job: number,
    instance: SharedInstance,
    kernel: string,
    args: number[],
  ): boolean {
    const c = w.control;
    if (w.handed || args.length > MAX_FAST_ARGS || Atomics.load(c, CONTROL.mail) !== 0) return false;
    if (Atomics.load(c, CONTROL.state) !== STATE.polling) return false;
    const index = kernelIndex(instance.module, kernel);
    if (index < 0) return false;
    c[CONTROL.job] = job;
    c[CONTROL.instance] = instance.id;
    c[CONTROL.kernel] = index;
    c[CONTROL.args] = args.length;
    w.values.set(args, CONTROL.firstArg);
    if (Atomics.compareExchange(c, CONTROL.state, STATE.polling, STATE.go) !== STATE.polling) return false;
    w.handed = job;
    this.handedOver++;
    return true;
  }

  /**
   * Polls the jobs handed over through control blocks for up to `budgetMs` and settles those that
   * are done (their promises resolve without waiting for the result messages). The caller, having
   * run its own share of a pass, spends the wait here instead of in the event loop.
   */
  settle(budgetMs: number): void {
    const deadline = performance.now() + budgetMs;
    for (let turn = 1; ; turn++) {
      let waiting = false;
      for (const w of this.workers) {
        if (!w.handed) continue;
        if (Atomics.load(w.control, CONTROL.done) !== w.handed) waiting = true;
        // A failed job is left to its message, which carries the error.
        else if (w.control[CONTROL.failed] === 0) this.finish(w.handed, w.values[CONTROL.result]);
        else w.handed = 0;
      }
      if (!waiting || ((turn & 63) === 0 && performance.now() > deadline)) return;
    }
  }

  /** Workers drop their instances of `id`, so its memory can be freed once the caller drops it too. */
  detach(id: number): void {
    for (const w of this.workers) {
      if (w.attached.delete(id)) this.post(w, { type: 'detach', id });
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
