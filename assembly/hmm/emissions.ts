// Emission log-likelihoods and statistics of the non-Gaussian HMM families, and the per-state
// mixture step of GMM-HMMs (their Gaussian log-densities come from the mixture kernels).
import { ld, st, ldi } from '../util/memory';

/** `out (n × k)[t, c] = logEmission (k × m)[c, symbols[t]]`. */
export function categoricalLogProb(
  symbols: usize,
  n: i32,
  logEmission: usize,
  k: i32,
  m: i32,
  out: usize,
): void {
  for (let t = 0; t < n; t++) {
    const sym = ldi(symbols, t);
    const o = out + ((<usize>(t * k)) << 3);
    for (let c = 0; c < k; c++) st(o, c, ld(logEmission, c * m + sym));
  }
}

/** `counts (k × m)[c, symbols[t]] += post (n × k)[t, c]`. */
export function accumulateCategorical(
  symbols: usize,
  n: i32,
  post: usize,
  k: i32,
  m: i32,
  counts: usize,
): void {
  for (let t = 0; t < n; t++) {
    const sym = ldi(symbols, t);
    const p = post + ((<usize>(t * k)) << 3);
    for (let c = 0; c < k; c++) {
      const idx = c * m + sym;
      st(counts, idx, ld(counts, idx) + ld(p, c));
    }
  }
}

/** `out (n × k)[t, c] = Σ_j (x_tj·log λ_cj − λ_cj) − logFactorials[t]`; `work (k × d)` gets log λ. */
export function poissonLogProb(
  x: usize,
  n: i32,
  d: i32,
  lambdas: usize,
  k: i32,
  logFactorials: usize,
  out: usize,
  work: usize,
): void {
  for (let c = 0; c < k * d; c++) st(work, c, Math.log(ld(lambdas, c)));
  for (let t = 0; t < n; t++) {
    const xt = x + ((<usize>(t * d)) << 3);
    const o = out + ((<usize>(t * k)) << 3);
    const lf = ld(logFactorials, t);
    for (let c = 0; c < k; c++) {
      let s = -lf;
      for (let j = 0; j < d; j++) {
        const count = ld(xt, j);
        s -= ld(lambdas, c * d + j);
        if (count != 0.0) s += count * ld(work, c * d + j);
      }
      st(o, c, s);
    }
  }
}

/**
 * In place on `logProb (n × k·m)` (column c·m + q = mixture component q of state c): adds
 * `logWeights (k × m)`, writes each state's log-sum-exp to `out (n × k)` and leaves the
 * within-state responsibilities. An all −∞ state gets `out = −∞` and responsibilities 1/m.
 */
export function mixtureStateLogProb(
  logProb: usize,
  n: i32,
  k: i32,
  m: i32,
  logWeights: usize,
  out: usize,
): void {
  const uniform = 1.0 / <f64>m;
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < k; c++) {
      const o = logProb + ((<usize>(t * k * m + c * m)) << 3);
      const w = logWeights + ((<usize>(c * m)) << 3);
      let mx = -Infinity;
      for (let q = 0; q < m; q++) {
        const v = ld(o, q) + ld(w, q);
        st(o, q, v);
        mx = max(mx, v);
      }
      if (mx == -Infinity) {
        for (let q = 0; q < m; q++) st(o, q, uniform);
        st(out, t * k + c, -Infinity);
        continue;
      }
      let s = 0.0;
      for (let q = 0; q < m; q++) {
        const e = Math.exp(ld(o, q) - mx);
        st(o, q, e);
        s += e;
      }
      const inv = 1.0 / s;
      for (let q = 0; q < m; q++) st(o, q, ld(o, q) * inv);
      st(out, t * k + c, mx + Math.log(s));
    }
  }
}

/** `resp (n × k·m)[t, c·m + q] *= post (n × k)[t, c]`. */
export function weightMixturePosteriors(resp: usize, n: i32, k: i32, m: i32, post: usize): void {
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < k; c++) {
      const p = ld(post, t * k + c);
      const o = resp + ((<usize>(t * k * m + c * m)) << 3);
      for (let q = 0; q < m; q++) st(o, q, ld(o, q) * p);
    }
  }
}

/**
 * `out (n × k)[t, c] = rowConst[t] + Σ_j x_tj·logProb_cj` for counts `x (n × d)` and log
 * probabilities `logProb (k × d)` (multinomial emissions, `rowConst = log n_t! − Σ_j log x_tj!`);
 * a zero count adds nothing even where the probability is 0.
 */
export function multinomialLogProb(
  x: usize,
  n: i32,
  d: i32,
  logProb: usize,
  k: i32,
  rowConst: usize,
  out: usize,
): void {
  for (let t = 0; t < n; t++) {
    const xt = x + ((<usize>(t * d)) << 3);
    const o = out + ((<usize>(t * k)) << 3);
    const base = ld(rowConst, t);
    for (let c = 0; c < k; c++) {
      const lp = logProb + ((<usize>(c * d)) << 3);
      let s = base;
      for (let j = 0; j < d; j++) {
        const count = ld(xt, j);
        if (count != 0.0) s += count * ld(lp, j);
      }
      st(o, c, s);
    }
  }
}
