/**
 * Plain-TypeScript twins of the hidden-Markov-model kernels (assembly/hmm): the `backend: 'js'`
 * binding of the table in kernels.ts and the oracle of the Wasm == twin tests. Every array is a
 * Float64Array (Int32Array for lengths, symbols and states) holding the array from index 0.
 *
 * Many sequences go through one call: `lengths (nSeq)` gives their lengths and the rows of every
 * `(n × k)` array are the sequences one after another, `n = Σ lengths`. These twins keep the whole
 * forward lattice in log space, `log α_t(j) = log p(x_0 … x_t, z_t = j)` within the sequence of row
 * t, and carry `log β_t(i) = log p(x_{t+1} … x_{T−1} | z_t = i)` one row at a time.
 */

/**
 * The log-sum-exp over the other time slice is evaluated as `m + log Σ_i exp(a_i − m)·A_ij` with
 * `m = max_i a_i`: one exp and one log per state instead of one per pair. When that shifted sum
 * falls below this floor (the likely states connect to the entry only through tiny transition
 * probabilities) the terms that underflowed could matter, so the entry is recomputed term by term
 * in log space.
 */
const SHIFTED_SUM_FLOOR = 1e-250;

/** f64s per row of the `lattice` that `hmmForward` fills for `hmmBackward`: log α_t, then u_t. */
export function hmmLatticeStride(k: number): number {
  return 2 * k;
}

/** f64s of `work` that `hmmForward` and `hmmBackward` need for k states. */
export function hmmWorkLength(k: number): number {
  return k * k + 4 * k;
}

// Rows are addressed by offsets rather than subarrays: the twins double as the plain-JavaScript
// baseline, and a view per step would cost more than the step.

/** Exact `log Σ_i exp(log α[i] + log A[i, j])` for the forward row at `a`: the forward step's fallback. */
function logSumExpInto(
  lattice: Float64Array,
  a: number,
  transMat: Float64Array,
  j: number,
  k: number,
): number {
  let m = -Infinity;
  for (let i = 0; i < k; i++) m = Math.max(m, lattice[a + i] + Math.log(transMat[i * k + j]));
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.exp(lattice[a + i] + Math.log(transMat[i * k + j]) - m);
  return m + Math.log(s);
}

/** Exact `log Σ_j exp(log A[i, j] + logB[b + j] + betaNext[j])`: the backward step's fallback. */
function logSumExpFrom(
  logB: Float64Array,
  b: number,
  betaNext: Float64Array,
  transMat: Float64Array,
  i: number,
  k: number,
): number {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = Math.max(m, Math.log(transMat[i * k + j]) + logB[b + j] + betaNext[j]);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(Math.log(transMat[i * k + j]) + logB[b + j] + betaNext[j] - m);
  return m + Math.log(s);
}

/**
 * Forward pass in log space over every sequence. Each step's log-sum-exp over the previous row is
 * `m + log Σ_i exp(α_i − m)·A_ij` (an entry whose shifted sum falls below `SHIFTED_SUM_FLOOR` is
 * recomputed term by term).
 *
 * @param logB - `(n × k)` emission log-likelihoods `log p(x_t | z_t = j)`.
 * @param lengths - `(nSeq)` sequence lengths, each ≥ 1, summing to n.
 * @param startProb - `(k)` start probabilities.
 * @param transMat - `(k × k)` transition probabilities, row i = from state i.
 * @param lattice - `(n × hmmLatticeStride(k))` receives, per row t, log α_t and then
 *   `u_t = exp(log α_t − max log α_t)` (zeros for a row that is −∞ everywhere), for `hmmBackward`.
 * @param _work - `hmmWorkLength(k)` scratch (this twin needs none: u_t lives in the lattice).
 * @returns `Σ_s log p(sequence s)`; −∞ when a sequence is impossible under the parameters.
 */
export function hmmForward(
  logB: Float64Array,
  lengths: Int32Array,
  nSeq: number,
  k: number,
  startProb: Float64Array,
  transMat: Float64Array,
  lattice: Float64Array,
  _work: Float64Array,
): number {
  const stride = hmmLatticeStride(k);
  let total = 0;
  let start = 0;
  for (let s = 0; s < nSeq; s++) {
    const end = start + lengths[s];
    for (let j = 0; j < k; j++) lattice[start * stride + j] = Math.log(startProb[j]) + logB[start * k + j];
    for (let t = start + 1; t <= end; t++) {
      // Row t − 1 shifted by its maximum and exponentiated: u_{t−1}, the weights of the step into row t.
      const prev = (t - 1) * stride;
      const e = prev + k;
      let m = -Infinity;
      for (let i = 0; i < k; i++) m = Math.max(m, lattice[prev + i]);
      for (let i = 0; i < k; i++) lattice[e + i] = m === -Infinity ? 0 : Math.exp(lattice[prev + i] - m);
      if (t === end) {
        let sum = 0;
        for (let i = 0; i < k; i++) sum += lattice[e + i];
        total += m === -Infinity ? -Infinity : m + Math.log(sum);
        break;
      }
      const cur = t * stride;
      for (let j = 0; j < k; j++) {
        if (m === -Infinity) {
          lattice[cur + j] = -Infinity;
          continue;
        }
        let sum = 0;
        for (let i = 0; i < k; i++) sum += lattice[e + i] * transMat[i * k + j];
        const into =
          sum >= SHIFTED_SUM_FLOOR ? m + Math.log(sum) : logSumExpInto(lattice, prev, transMat, j, k);
        lattice[cur + j] = into + logB[t * k + j];
      }
    }
    start = end;
  }
  return total;
}

/** Posteriors of one row from log α (lattice at `a`) and log β, normalised into `post` at `o`; `1/k` when all are −∞. */
function posteriorRowExact(
  lattice: Float64Array,
  a: number,
  beta: Float64Array,
  k: number,
  post: Float64Array,
  o: number,
): void {
  let m = -Infinity;
  for (let i = 0; i < k; i++) m = Math.max(m, lattice[a + i] + beta[i]);
  if (m === -Infinity) {
    for (let i = 0; i < k; i++) post[o + i] = 1 / k;
    return;
  }
  let s = 0;
  for (let i = 0; i < k; i++) s += post[o + i] = Math.exp(lattice[a + i] + beta[i] - m);
  for (let i = 0; i < k; i++) post[o + i] /= s;
}

/** One step's two-slice posterior from log-space terms, normalised by their own log-sum-exp. */
function addXiExact(
  lattice: Float64Array,
  a: number,
  logB: Float64Array,
  b: number,
  betaNext: Float64Array,
  k: number,
  transMat: Float64Array,
  xiSum: Float64Array,
): void {
  const term = (i: number, j: number): number =>
    lattice[a + i] + Math.log(transMat[i * k + j]) + logB[b + j] + betaNext[j];
  let m = -Infinity;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) m = Math.max(m, term(i, j));
  if (m === -Infinity) return;
  let s = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += Math.exp(term(i, j) - m);
  const norm = m + Math.log(s);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) xiSum[i * k + j] += Math.exp(term(i, j) - norm);
}

/**
 * Backward pass in log space over every sequence, producing the smoothing statistics. The backward
 * lattice is carried one row at a time: with `u = u_t` from the forward pass,
 * `v_j = exp(logB[t+1, j] + logBeta[t+1, j] − b)` and `w = A v`, `logBeta[t] = b + log w`, the
 * posteriors are `u_i·w_i / Σ u·w` and the two-slice posteriors `u_i·A_ij·v_j / Σ u·w` (each step
 * normalised on its own, which equals dividing by the likelihood but cannot overflow). A step whose
 * `Σ u·w` falls below `SHIFTED_SUM_FLOOR` is computed from log-space terms instead; a row of an
 * impossible sequence gets posteriors `1/k` and adds no transitions.
 *
 * @param logB - `(n × k)` emission log-likelihoods.
 * @param transMat - `(k × k)` transition probabilities.
 * @param lattice - the forward pass's lattice.
 * @param post - `(n × k)` receives the state posteriors (rows sum to 1).
 * @param xiSum - `(k × k)` or null: accumulates `Σ_t p(z_t = i, z_{t+1} = j | x)`.
 * @param startCounts - `(k)` or null: accumulates each sequence's first-row posteriors.
 * @param work - `hmmWorkLength(k)` scratch.
 */
export function hmmBackward(
  logB: Float64Array,
  lengths: Int32Array,
  nSeq: number,
  k: number,
  transMat: Float64Array,
  lattice: Float64Array,
  post: Float64Array,
  xiSum: Float64Array | null,
  startCounts: Float64Array | null,
  work: Float64Array,
): void {
  const stride = hmmLatticeStride(k);
  const acc = work.subarray(0, k * k);
  let beta = work.subarray(k * k, k * k + k);
  let betaNext = work.subarray(k * k + k, k * k + 2 * k);
  const v = work.subarray(k * k + 2 * k, k * k + 3 * k);
  const w = work.subarray(k * k + 3 * k, k * k + 4 * k);
  acc.fill(0);
  let start = 0;
  for (let s = 0; s < nSeq; s++) {
    const end = start + lengths[s];
    const last = (end - 1) * stride + k;
    let total = 0;
    for (let i = 0; i < k; i++) total += lattice[last + i];
    for (let i = 0; i < k; i++) post[(end - 1) * k + i] = total === 0 ? 1 / k : lattice[last + i] / total;
    betaNext.fill(0);
    for (let t = end - 2; t >= start; t--) {
      const a = t * stride;
      const u = a + k;
      const o = t * k;
      const b = (t + 1) * k;
      let top = -Infinity;
      for (let j = 0; j < k; j++) top = Math.max(top, logB[b + j] + betaNext[j]);
      if (top === -Infinity) {
        beta.fill(-Infinity);
        for (let i = 0; i < k; i++) post[o + i] = 1 / k;
      } else {
        for (let j = 0; j < k; j++) v[j] = Math.exp(logB[b + j] + betaNext[j] - top);
        let den = 0;
        for (let i = 0; i < k; i++) {
          let sum = 0;
          for (let j = 0; j < k; j++) sum += transMat[i * k + j] * v[j];
          w[i] = sum;
          beta[i] =
            sum >= SHIFTED_SUM_FLOOR ? top + Math.log(sum) : logSumExpFrom(logB, b, betaNext, transMat, i, k);
          den += lattice[u + i] * sum;
        }
        if (den >= SHIFTED_SUM_FLOOR) {
          for (let i = 0; i < k; i++) {
            const ui = lattice[u + i] / den;
            post[o + i] = ui * w[i];
            if (xiSum) for (let j = 0; j < k; j++) acc[i * k + j] += ui * v[j];
          }
        } else {
          posteriorRowExact(lattice, a, beta, k, post, o);
          if (xiSum) addXiExact(lattice, a, logB, b, betaNext, k, transMat, xiSum);
        }
      }
      [beta, betaNext] = [betaNext, beta];
    }
    if (startCounts) for (let i = 0; i < k; i++) startCounts[i] += post[start * k + i];
    start = end;
  }
  if (xiSum) for (let c = 0; c < k * k; c++) xiSum[c] += transMat[c] * acc[c];
}

/**
 * Viterbi decoding of every sequence. Ties go to the lower state index (numpy's `argmax`), in the
 * last step and in the backtrace.
 *
 * @param logB - `(n × k)` emission log-likelihoods.
 * @param logStart - `(k)` log start probabilities (−∞ allowed).
 * @param logTransMat - `(k × k)` log transition probabilities (−∞ allowed).
 * @param lattice - `(n × k)` scratch: the best-path log-probabilities.
 * @param states - `(n)` receives the most likely state sequence.
 * @returns `Σ_s` of each sequence's best-path log-probability.
 */
export function hmmViterbi(
  logB: Float64Array,
  lengths: Int32Array,
  nSeq: number,
  k: number,
  logStart: Float64Array,
  logTransMat: Float64Array,
  lattice: Float64Array,
  states: Int32Array,
): number {
  let total = 0;
  let start = 0;
  for (let s = 0; s < nSeq; s++) {
    const end = start + lengths[s];
    for (let j = 0; j < k; j++) lattice[start * k + j] = logStart[j] + logB[start * k + j];
    for (let t = start + 1; t < end; t++) {
      const prev = (t - 1) * k;
      for (let j = 0; j < k; j++) {
        let best = -Infinity;
        for (let i = 0; i < k; i++) {
          const v = lattice[prev + i] + logTransMat[i * k + j];
          if (v > best) best = v;
        }
        lattice[t * k + j] = best + logB[t * k + j];
      }
    }
    const last = (end - 1) * k;
    let state = 0;
    for (let j = 1; j < k; j++) if (lattice[last + j] > lattice[last + state]) state = j;
    total += lattice[last + state];
    states[end - 1] = state;
    for (let t = end - 2; t >= start; t--) {
      const row = t * k;
      let from = 0;
      let best = lattice[row] + logTransMat[state];
      for (let i = 1; i < k; i++) {
        const v = lattice[row + i] + logTransMat[i * k + state];
        if (v > best) {
          best = v;
          from = i;
        }
      }
      states[t] = state = from;
    }
    start = end;
  }
  return total;
}

/**
 * Categorical emission log-likelihoods: `out[t, c] = logEmission[c, symbols[t]]`.
 *
 * @param symbols - `(n)` integer symbols in `[0, m)`.
 * @param logEmission - `(k × m)` log emission probabilities.
 * @param out - `(n × k)`.
 */
export function categoricalLogProb(
  symbols: Int32Array,
  n: number,
  logEmission: Float64Array,
  k: number,
  m: number,
  out: Float64Array,
): void {
  for (let t = 0; t < n; t++) {
    const sym = symbols[t];
    for (let c = 0; c < k; c++) out[t * k + c] = logEmission[c * m + sym];
  }
}

/**
 * Categorical emission statistics: `counts[c, symbols[t]] += post[t, c]`.
 *
 * @param symbols - `(n)` integer symbols in `[0, m)`.
 * @param post - `(n × k)` state posteriors.
 * @param counts - `(k × m)` accumulates.
 */
export function accumulateCategorical(
  symbols: Int32Array,
  n: number,
  post: Float64Array,
  k: number,
  m: number,
  counts: Float64Array,
): void {
  for (let t = 0; t < n; t++) {
    const sym = symbols[t];
    for (let c = 0; c < k; c++) counts[c * m + sym] += post[t * k + c];
  }
}

/**
 * Poisson emission log-likelihoods with independent features:
 * `out[t, c] = Σ_j (x_tj·log λ_cj − λ_cj) − logFactorials[t]`, where a zero count contributes
 * `−λ_cj` even when `λ_cj = 0`.
 *
 * @param x - `(n × d)` non-negative integer counts.
 * @param lambdas - `(k × d)` rates, ≥ 0.
 * @param logFactorials - `(n)` `Σ_j log(x_tj!)`.
 * @param out - `(n × k)`.
 * @param work - `(k × d)` scratch (receives `log λ`).
 */
export function poissonLogProb(
  x: Float64Array,
  n: number,
  d: number,
  lambdas: Float64Array,
  k: number,
  logFactorials: Float64Array,
  out: Float64Array,
  work: Float64Array,
): void {
  for (let c = 0; c < k * d; c++) work[c] = Math.log(lambdas[c]);
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < k; c++) {
      let s = -logFactorials[t];
      for (let j = 0; j < d; j++) {
        const count = x[t * d + j];
        s -= lambdas[c * d + j];
        if (count !== 0) s += count * work[c * d + j];
      }
      out[t * k + c] = s;
    }
  }
}

/**
 * Per-state Gaussian-mixture emissions from the log-densities of every (state, mixture component)
 * pair. In place on `logProb (n × k·m)`, whose column `c·m + q` is component q of state c:
 * `w = logProb + logWeights`, `out[t, c] = logsumexp_q w`, and `logProb` becomes the
 * within-state responsibilities `exp(w − out[t, c])`. A state whose every term is −∞ gets
 * `out = −∞` and responsibilities `1/m`.
 *
 * @param logProb - `(n × k·m)` log-densities in, responsibilities out.
 * @param logWeights - `(k × m)` log mixture weights of each state.
 * @param out - `(n × k)` emission log-likelihoods.
 */
export function mixtureStateLogProb(
  logProb: Float64Array,
  n: number,
  k: number,
  m: number,
  logWeights: Float64Array,
  out: Float64Array,
): void {
  const km = k * m;
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < k; c++) {
      const o = t * km + c * m;
      let mx = -Infinity;
      for (let q = 0; q < m; q++) {
        const w = (logProb[o + q] += logWeights[c * m + q]);
        if (w > mx) mx = w;
      }
      if (mx === -Infinity) {
        for (let q = 0; q < m; q++) logProb[o + q] = 1 / m;
        out[t * k + c] = -Infinity;
        continue;
      }
      let s = 0;
      for (let q = 0; q < m; q++) s += logProb[o + q] = Math.exp(logProb[o + q] - mx);
      const inv = 1 / s;
      for (let q = 0; q < m; q++) logProb[o + q] *= inv;
      out[t * k + c] = mx + Math.log(s);
    }
  }
}

/**
 * Joint posteriors of (state, mixture component), in place: `resp[t, c·m + q] *= post[t, c]`.
 *
 * @param resp - `(n × k·m)` within-state responsibilities in, joint posteriors out.
 * @param post - `(n × k)` state posteriors.
 */
export function weightMixturePosteriors(
  resp: Float64Array,
  n: number,
  k: number,
  m: number,
  post: Float64Array,
): void {
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < k; c++) {
      const p = post[t * k + c];
      const o = t * k * m + c * m;
      for (let q = 0; q < m; q++) resp[o + q] *= p;
    }
  }
}

/**
 * Multinomial emissions: `out[t, c] = rowConst[t] + Σ_j x_tj·logProb[c, j]`, where a zero count
 * adds nothing even where the probability is 0.
 *
 * @param x - `(n × d)` non-negative integer counts.
 * @param logProb - `(k × d)` log probabilities of each state.
 * @param rowConst - `(n)` `log(n_t!) − Σ_j log(x_tj!)`, `n_t` the row's total.
 * @param out - `(n × k)`.
 */
export function multinomialLogProb(
  x: Float64Array,
  n: number,
  d: number,
  logProb: Float64Array,
  k: number,
  rowConst: Float64Array,
  out: Float64Array,
): void {
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < k; c++) {
      let s = rowConst[t];
      for (let j = 0; j < d; j++) {
        const count = x[t * d + j];
        if (count !== 0) s += count * logProb[c * d + j];
      }
      out[t * k + c] = s;
    }
  }
}
