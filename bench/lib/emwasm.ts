/**
 * Times emwasm's GaussianMixture on one data set from an explicit start.
 */
import { GaussianMixture, type GaussianMixtureOptions } from '../../src/index';
import type { CovType, Dataset, Start } from './data';

/** A `threads` setting; `undefined` means the option is not passed (the library has none yet). */
export type Threads = number | 'auto' | undefined;

export interface RunSettings {
  backend: 'wasm' | 'js';
  threads: Threads;
  cov: CovType;
  iters: number;
}

export interface Timing {
  /** Whole `fit` per run, ms (validation, copying X into the workspace, iterations). */
  fitMs: number[];
  /** Whole `fit` divided by the iterations, per run. */
  msPerIter: number[];
  /** Per run, the iterations alone: (last − first iteration callback) / (iters − 1). */
  loopMsPerIter: number[];
  lowerBound: number;
  iters: number;
}

/**
 * Whether GaussianMixture takes a `threads` option. The constructor ignores unknown options, so
 * "does not throw" proves nothing: the option exists if a bad value is rejected, or if the model
 * exposes it.
 */
export function hasThreadsOption(): boolean {
  const make = (threads: unknown) => new GaussianMixture({ threads } as GaussianMixtureOptions);
  try {
    make('not-a-thread-count');
  } catch {
    return true;
  }
  try {
    return 'threads' in make(1);
  } catch {
    return false;
  }
}

export const threadsLabel = (t: Threads): string =>
  t === undefined ? 'wasm' : t === 'auto' ? 'wasm auto' : `wasm t${t}`;

function options(
  s: RunSettings,
  data: Dataset,
  start: Start,
  onIteration?: () => void,
): GaussianMixtureOptions {
  const o: GaussianMixtureOptions & { threads?: Threads } = {
    nComponents: data.k,
    covarianceType: s.cov,
    tol: 0, // run exactly `iters` iterations
    maxIter: s.iters,
    regCovar: 1e-6,
    weightsInit: start.weights,
    meansInit: start.means,
    precisionsInit: start.precisions,
    randomState: 0,
    backend: s.backend,
    onIteration,
  };
  if (s.threads !== undefined) o.threads = s.threads;
  return o;
}

/**
 * Runs `repeats` fits of `iters` iterations each and returns their times; stops early, after two
 * runs at least, once the runs together took `budgetMs`.
 */
export async function timeFits(
  s: RunSettings,
  data: Dataset,
  start: Start,
  repeats: number,
  budgetMs = Infinity,
): Promise<Timing> {
  const X = { data: data.X, rows: data.n, cols: data.d };
  const timing: Timing = { fitMs: [], msPerIter: [], loopMsPerIter: [], lowerBound: NaN, iters: 0 };
  let spent = 0;
  for (let r = 0; r < repeats && !(r >= 2 && spent >= budgetMs); r++) {
    let first = NaN;
    let last = NaN;
    const gm = new GaussianMixture(
      options(s, data, start, () => {
        last = performance.now();
        if (Number.isNaN(first)) first = last;
      }),
    );
    const t = performance.now();
    await gm.fit(X);
    const ms = performance.now() - t;
    spent += ms;
    const iters = gm.nIter;
    timing.fitMs.push(ms);
    timing.msPerIter.push(ms / iters);
    timing.loopMsPerIter.push(iters > 1 ? (last - first) / (iters - 1) : ms);
    timing.lowerBound = gm.lowerBound;
    timing.iters = iters;
    (gm as { dispose?: () => void }).dispose?.(); // a threaded build may hold workers
  }
  return timing;
}
