import { ld, st, ldi, sti } from '../util/memory';

/**
 * Most likely state sequence of every sequence into `states (n, i32)`, with `lattice (n × k)` as
 * scratch; returns Σ of the best paths' log-probabilities. Ties go to the lower state index.
 */
export function hmmViterbi(
  logB: usize,
  lengths: usize,
  nSeq: i32,
  k: i32,
  logStart: usize,
  logTransMat: usize,
  lattice: usize,
  states: usize,
): f64 {
  let total = 0.0;
  let start = 0;
  for (let s = 0; s < nSeq; s++) {
    const end = start + ldi(lengths, s);
    for (let j = 0; j < k; j++) st(lattice, start * k + j, ld(logStart, j) + ld(logB, start * k + j));
    for (let t = start + 1; t < end; t++) {
      const prev = lattice + ((<usize>((t - 1) * k)) << 3);
      for (let j = 0; j < k; j++) {
        let best = -Infinity;
        for (let i = 0; i < k; i++) best = max(best, ld(prev, i) + ld(logTransMat, i * k + j));
        st(lattice, t * k + j, best + ld(logB, t * k + j));
      }
    }
    const last = lattice + ((<usize>((end - 1) * k)) << 3);
    let state = 0;
    for (let j = 1; j < k; j++) if (ld(last, j) > ld(last, state)) state = j;
    total += ld(last, state);
    sti(states, end - 1, state);
    for (let t = end - 2; t >= start; t--) {
      const r = lattice + ((<usize>(t * k)) << 3);
      let from = 0;
      let best = ld(r, 0) + ld(logTransMat, state);
      for (let i = 1; i < k; i++) {
        const v = ld(r, i) + ld(logTransMat, i * k + state);
        if (v > best) {
          best = v;
          from = i;
        }
      }
      state = from;
      sti(states, t, state);
    }
    start = end;
  }
  return total;
}
