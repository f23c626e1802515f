import type { Random } from '../util/random.js';

/** Progress of one EM iteration, passed to `onIteration`. */
export interface IterationInfo {
  /** 1-based iteration within the current restart. */
  iter: number;
  /** 0-based restart (`nInit`) index. */
  init: number;
  /** The bound computed in this iteration's E-step (before its M-step), as scikit-learn reports it. */
  lowerBound: number;
  /** `lowerBound` minus the previous iteration's (`Infinity` on the first iteration of a fresh start). */
  change: number;
}

/**
 * What a model supplies to the one EM loop. The loop owns restarts, convergence and the choice of
 * the best restart; the model owns its parameters and the work of each step.
 */
export interface EMHooks<P> {
  /** Sets fresh starting parameters (one restart); may be asynchronous (work spread over threads). */
  initialize(rng: Random): void | Promise<void>;
  /**
   * E-step under the current parameters; returns the bound (for mixtures the mean log-likelihood).
   * May be asynchronous when the work is spread over threads.
   */
  eStep(): number | Promise<number>;
  /** M-step from the statistics of the last E-step. */
  mStep(): void;
  /** A copy of the current parameters. */
  snapshot(): P;
}

export interface EMSettings<P> {
  maxIter: number;
  /** Converged when `|bound − previous| < tol`; 0 runs `maxIter` iterations. */
  tol: number;
  nInit: number;
  /** Continue from the current parameters (one run, no initialisation), starting from this bound. */
  warmStartBound: number | null;
  rng: Random;
  /** Called after each iteration's M-step; `current()` copies the parameters it produced. */
  onIteration?: (info: IterationInfo, current: () => P) => void;
  /** Checked before every iteration; while it is set the loop also yields to the event loop now and then. */
  signal?: AbortSignal;
}

export interface EMResult<P> {
  params: P;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  /** The bound at every iteration of the winning restart. */
  lowerBounds: number[];
}

/**
 * scikit-learn's `BaseMixture.fit_predict` loop: for each restart, E-step, M-step, bound, stop when
 * the change is below `tol`; the restart with the highest final bound wins. Unlike scikit-learn,
 * `converged` describes the winning restart rather than "any restart converged".
 */
export async function runEM<P>(hooks: EMHooks<P>, settings: EMSettings<P>): Promise<EMResult<P>> {
  const { maxIter, tol, rng, onIteration, signal } = settings;
  const current = (): P => hooks.snapshot();
  let lastYield = Date.now();
  const warm = settings.warmStartBound !== null;
  const nInit = warm ? 1 : settings.nInit;
  let best: EMResult<P> | null = null;

  for (let init = 0; init < nInit; init++) {
    if (!warm) await hooks.initialize(rng);
    let lowerBound = warm ? (settings.warmStartBound as number) : -Infinity;
    let converged = false;
    let nIter = 0;
    const lowerBounds: number[] = [];
    for (let iter = 1; iter <= maxIter; iter++) {
      if (signal) {
        // A synchronous loop never lets an abort() run: give the event loop a turn every 50 ms.
        if (Date.now() - lastYield > 50) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = Date.now();
        }
        signal.throwIfAborted();
      }
      const previous = lowerBound;
      lowerBound = await hooks.eStep();
      hooks.mStep();
      nIter = iter;
      lowerBounds.push(lowerBound);
      const change = lowerBound - previous;
      onIteration?.({ iter, init, lowerBound, change }, current);
      if (Math.abs(change) < tol) {
        converged = true;
        break;
      }
    }
    if (best === null || lowerBound > best.lowerBound) {
      best = { params: hooks.snapshot(), converged, nIter, lowerBound, lowerBounds };
    }
  }
  return best as EMResult<P>;
}
