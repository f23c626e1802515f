import type { IterationInfo } from '../index.js';

/** Where the bar is drawn: a TTY stream such as `process.stderr`. */
export interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  onIteration(info: IterationInfo): void;
  /** Clears the bar's line. */
  finish(): void;
}

const BAR_WIDTH = 30;

/**
 * A one-line progress bar for a fit of `nInit` initializations of at most `maxIter` iterations each. Drawn
 * only on a TTY, and only once the fit has run for `delayMs`, so quick fits print nothing; redrawn
 * at most every `intervalMs`. Returns null when `terminal` is not a TTY.
 */
export function progressBar(
  terminal: Terminal,
  nInit: number,
  maxIter: number,
  { delayMs = 300, intervalMs = 100, now = Date.now } = {},
): Progress | null {
  if (!terminal.isTTY) return null;
  const start = now();
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    onIteration({ init, iter, lowerBound }) {
      const t = now();
      if (t - start < delayMs || t - lastDraw < intervalMs) return;
      lastDraw = t;
      drawn = true;
      const done = Math.min(1, (init + iter / Math.max(1, maxIter)) / nInit);
      const filled = Math.round(done * BAR_WIDTH);
      const line =
        `fitting [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(done * 100)
          .toString()
          .padStart(3)}%` +
        `  init ${init + 1}/${nInit}  iteration ${iter}/${maxIter}  log-likelihood/row ${lowerBound.toFixed(6)}`;
      terminal.write(`\r${line.slice(0, (terminal.columns ?? 80) - 1)}\x1b[K`);
    },
    finish() {
      if (drawn) terminal.write('\r\x1b[K');
    },
  };
}
