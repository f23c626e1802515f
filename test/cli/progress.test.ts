import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress';

function terminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 120, write: (text: string) => writes.push(text) };
}

const step = (init: number, iter: number) => ({ init, iter, lowerBound: -4.2, change: 0.1 });

describe('progressBar', () => {
  it('is absent when stderr is not a terminal', () => {
    expect(progressBar(terminal(false), 1, 100)).toBeNull();
  });

  it('stays silent for a quick fit, then redraws one line at most every interval, and clears it', () => {
    const tty = terminal(true);
    let t = 0;
    const bar = progressBar(tty, 2, 100, { delayMs: 300, intervalMs: 100, now: () => t })!;
    bar.onIteration(step(0, 1));
    t = 200;
    bar.onIteration(step(0, 2));
    expect(tty.writes).toEqual([]);
    t = 400;
    bar.onIteration(step(0, 50));
    t = 450;
    bar.onIteration(step(0, 51));
    t = 600;
    bar.onIteration(step(1, 10));
    expect(tty.writes).toHaveLength(2);
    expect(tty.writes[0]).toMatch(/^\r.*\[#{8}-{22}\]\s+25%\s+init 1\/2\s+iteration 50\/100/);
    expect(tty.writes[1]).toMatch(/55%\s+init 2\/2\s+iteration 10\/100/);
    expect(tty.writes.every((w) => !w.includes('\n'))).toBe(true);
    bar.finish();
    expect(tty.writes.at(-1)).toBe('\r\x1b[K');
  });

  it('fits the line to the terminal width', () => {
    const tty = { ...terminal(true), columns: 40 };
    const bar = progressBar(tty, 1, 10, { delayMs: 0, intervalMs: 0 })!;
    bar.onIteration(step(0, 3));
    expect(tty.writes[0].replace('\r', '').replace('\x1b[K', '').length).toBe(39);
  });

  it('clears nothing when it never drew', () => {
    const tty = terminal(true);
    progressBar(tty, 1, 10)!.finish();
    expect(tty.writes).toEqual([]);
  });
});
