// Forward-backward over many sequences in one call. The contract is the HmmKernels interface
// (src/hmm/kernels.ts); src/reference/hmm.ts holds the TypeScript twins, which keep the whole
// forward lattice in log space. This implementation keeps what the backward pass needs in a
// `lattice` of its own layout, and has two paths per sequence:
//
// Dense path, when every transition probability is at least DENSE_FLOOR. Each forward row is kept
// as u_t = exp(log α_t − L_t), rescaled by a power of two at each step so that its maximum lies in
// [1, 2), with L_t carried as a sum of emission maxima and an integer exponent; the emissions are
// kept as B̂_t = exp(log B_t − max log B_t), computed once per row and reused by the backward pass.
// A step is then u·A, a product with B̂ and an exact rescale: no exp or log per step beyond B̂'s.
// Entries this flushes to zero are below 2^-1022 of their row's maximum, and with every transition
// ≥ DENSE_FLOOR every state is refilled from the likely ones at each step (and the backward vector
// never spreads by more than 1/DENSE_FLOOR), so their effect on any output is below 2^-690 of it:
// the results are the log-space results up to rounding.
//
// Exact path otherwise (structural zeros or tiny transitions, or a sequence an emission makes
// impossible): log α is stored, each step's log-sum-exp is m + log Σ exp(a − m)·A with one exp and
// one log per state, and an entry whose shifted sum falls below SHIFTED_SUM_FLOOR is recomputed
// term by term, so no state is lost however unlikely it becomes.
import { expInPlace } from '../util/simd';
import { ld, st, ldi } from '../util/memory';
import { logInto } from '../util/simd';

const DENSE_FLOOR: f64 = 1e-100;
const SHIFTED_SUM_FLOOR: f64 = 1e-250;

/** `k` rounded up to even: vectors and matrix rows are whole f64x2 lanes, padded with zeros. */
function padK(k: i32): i32 {
  return (k + 1) & ~1;
}

function at(base: usize, index: i32): usize {
  return base + ((<usize>index) << 3);
}

/*
 * Lattice row t (stride 2·kp + 2 f64s): [0, kp) u_t on the dense path, log α_t on the exact path;
 * [kp, 2kp) B̂_t (dense path); [2kp] the maximum of log B_t (dense path); [2kp + 1] 1 on the exact path.
 */
export function hmmLatticeStride(k: i32): i32 {
  return 2 * padK(k) + 2;
}

/*
 * Work layout (f64s): a (k × kp) the transition matrix with padded rows, aT (k × kp) its transpose,
 * acc (k × kp) the two-slice sums of the dense path, then 8 vectors of kp.
 */
export function hmmWorkLength(k: i32): i32 {
  const kp = padK(k);
  return 3 * k * kp + 8 * kp;
}

function vector(work: usize, k: i32, index: i32): usize {
  const kp = padK(k);
  return at(work, 3 * k * kp + index * kp);
}

/** `padded (k × kp)[i, j] = a (k × k)[i, j]`, or its transpose, with zeros in the padding columns. */
function padMatrix(a: usize, k: i32, kp: i32, transpose: bool, padded: usize): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < kp; j++) {
      const v = j < k ? (transpose ? ld(a, j * k + i) : ld(a, i * k + j)) : 0.0;
      st(padded, i * kp + j, v);
    }
  }
}

function isDense(transMat: usize, k: i32): bool {
  for (let c = 0; c < k * k; c++) if (!(ld(transMat, c) >= DENSE_FLOOR)) return false;
  return true;
}

/** `out (kp) = Σ_r x[r]·m[r, ·]` over the k rows of `m (k × kp)`; each lane sums r in order. */
function vecMat(x: usize, m: usize, k: i32, kp: i32, out: usize): void {
  for (let j = 0; j < kp; j += 2) {
    let acc = f64x2.splat(0.0);
    for (let r = 0; r < k; r++) {
      acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(at(x, r)), v128.load(at(m, r * kp + j))));
    }
    v128.store(at(out, j), acc);
  }
}

/** Maximum of the `kp` lanes at `x` (no NaN). */
function maxLanes(x: usize, kp: i32): f64 {
  let m = v128.load(x);
  for (let j = 2; j < kp; j += 2) m = f64x2.pmax(m, v128.load(at(x, j)));
  const a = f64x2.extract_lane(m, 0);
  const b = f64x2.extract_lane(m, 1);
  return a > b ? a : b;
}

/** `x *= s` over `kp` lanes. */
function scaleLanes(x: usize, kp: i32, s: f64): void {
  const sv = f64x2.splat(s);
  for (let j = 0; j < kp; j += 2) v128.store(at(x, j), f64x2.mul(v128.load(at(x, j)), sv));
}

/** The binary exponent e of a positive normal x: 2^e ≤ x < 2^(e+1). */
function exponentOf(x: f64): i32 {
  return <i32>((reinterpret<u64>(x) >> 52) & 0x7ff) - 1023;
}

/** 2^e for −1022 ≤ e ≤ 1023. */
function powerOfTwo(e: i32): f64 {
  return reinterpret<f64>((<u64>(e + 1023)) << 52);
}

/** Σ x·y over `kp` lanes. */
function dotLanes(x: usize, y: usize, kp: i32): f64 {
  let acc = f64x2.splat(0.0);
  for (let j = 0; j < kp; j += 2) acc = f64x2.add(acc, f64x2.mul(v128.load(at(x, j)), v128.load(at(y, j))));
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

function logSumExp(v: usize, k: i32): f64 {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = max(m, ld(v, j));
  if (m == -Infinity) return -Infinity;
  let s = 0.0;
  for (let j = 0; j < k; j++) s += Math.exp(ld(v, j) - m);
  return m + Math.log(s);
}

/**
 * Dense path, first half: the emission rows of one sequence as `B̂` and their maxima. Returns
 * false if a row is −∞ everywhere (no state can emit the sample), which the exact path handles.
 */
function prepareEmissions(logB: usize, k: i32, start: i32, end: i32, lattice: usize, stride: i32): bool {
  const kp = padK(k);
  for (let t = start; t < end; t++) {
    const b = at(logB, t * k);
    const row = at(lattice, t * stride);
    const bHat = at(row, kp);
    let m = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = ld(b, j);
      if (v > m) m = v;
    }
    if (m == -Infinity) return false;
    for (let j = 0; j < k; j++) st(bHat, j, ld(b, j) - m);
    if (k < kp) st(bHat, k, -Infinity);
    expInPlace(bHat, kp);
    st(row, 2 * kp, m);
    st(row, 2 * kp + 1, 0.0);
  }
  return true;
}

/** Dense path forward over rows [start, end): u_t into the lattice; returns the sequence's log-likelihood. */
function forwardDense(
  logB: usize,
  k: i32,
  start: i32,
  end: i32,
  logStart: usize,
  a: usize,
  lattice: usize,
  stride: i32,
  s: usize,
): f64 {
  const kp = padK(k);
  let u = lattice + ((<usize>start * <usize>stride) << 3);
  const b0 = at(logB, start * k);
  // log α_t = scale + exponents·ln 2 + log u_t.
  let scale = -Infinity;
  let exponents: i64 = 0;
  for (let j = 0; j < k; j++) scale = max(scale, ld(logStart, j) + ld(b0, j));
  if (scale == -Infinity) return NaN;
  for (let j = 0; j < kp; j++) st(u, j, j < k ? ld(logStart, j) + ld(b0, j) - scale : -Infinity);
  expInPlace(u, kp);
  for (let t = start + 1; t < end; t++) {
    const row = lattice + ((<usize>t * <usize>stride) << 3);
    vecMat(u, a, k, kp, s);
    const bHat = at(row, kp);
    for (let j = 0; j < kp; j += 2) {
      v128.store(at(row, j), f64x2.mul(v128.load(at(s, j)), v128.load(at(bHat, j))));
    }
    // Rescaled by a power of two (exact) whose exponent is summed; the maximum stays in [1, 2).
    const e = exponentOf(maxLanes(row, kp));
    scaleLanes(row, kp, powerOfTwo(-e));
    scale += ld(row, 2 * kp);
    exponents += e;
    u = row;
  }
  let sum = 0.0;
  for (let j = 0; j < k; j++) sum += ld(u, j);
  return scale + <f64>exponents * Math.LN2 + Math.log(sum);
}

/** Exact `log Σ_i exp(alpha[i] + log A[i, j])`. */
function logSumExpInto(alpha: usize, transMat: usize, j: i32, k: i32): f64 {
  let m = -Infinity;
  for (let i = 0; i < k; i++) m = max(m, ld(alpha, i) + Math.log(ld(transMat, i * k + j)));
  if (m == -Infinity) return -Infinity;
  let s = 0.0;
  for (let i = 0; i < k; i++) s += Math.exp(ld(alpha, i) + Math.log(ld(transMat, i * k + j)) - m);
  return m + Math.log(s);
}

/** Exact path forward over rows [start, end): log α_t into the lattice; returns the log-likelihood. */
function forwardExact(
  logB: usize,
  k: i32,
  start: i32,
  end: i32,
  logStart: usize,
  a: usize,
  transMat: usize,
  lattice: usize,
  stride: i32,
  work: usize,
): f64 {
  const kp = padK(k);
  const e = vector(work, k, 0);
  const sums = vector(work, k, 1);
  const logs = vector(work, k, 2);
  const first = at(lattice, start * stride);
  const b0 = at(logB, start * k);
  for (let j = 0; j < k; j++) st(first, j, ld(logStart, j) + ld(b0, j));
  st(first, 2 * kp + 1, 1.0);
  for (let t = start + 1; t < end; t++) {
    const prev = at(lattice, (t - 1) * stride);
    const cur = at(lattice, t * stride);
    const b = at(logB, t * k);
    st(cur, 2 * kp + 1, 1.0);
    let m = -Infinity;
    for (let i = 0; i < k; i++) m = max(m, ld(prev, i));
    if (m == -Infinity) {
      for (let j = 0; j < k; j++) st(cur, j, -Infinity);
      continue;
    }
    for (let i = 0; i < kp; i++) st(e, i, i < k ? ld(prev, i) - m : -Infinity);
    expInPlace(e, kp);
    vecMat(e, a, k, kp, sums);
    logInto(sums, logs, kp);
    for (let j = 0; j < k; j++) {
      const into = ld(sums, j) >= SHIFTED_SUM_FLOOR ? m + ld(logs, j) : logSumExpInto(prev, transMat, j, k);
      st(cur, j, into + ld(b, j));
    }
  }
  return logSumExp(at(lattice, (end - 1) * stride), k);
}

/**
 * Forward pass of every sequence; fills `lattice (n × hmmLatticeStride(k))` for `hmmBackward` and
 * returns Σ of the sequences' log-likelihoods (−∞ if one is impossible).
 */
export function hmmForward(
  logB: usize,
  lengths: usize,
  nSeq: i32,
  k: i32,
  startProb: usize,
  transMat: usize,
  lattice: usize,
  work: usize,
): f64 {
  const kp = padK(k);
  const stride = hmmLatticeStride(k);
  const a = work;
  const logStart = vector(work, k, 3);
  const s = vector(work, k, 4);
  padMatrix(transMat, k, kp, false, a);
  for (let j = 0; j < k; j++) st(logStart, j, Math.log(ld(startProb, j)));
  const dense = isDense(transMat, k);
  let total = 0.0;
  let start = 0;
  for (let q = 0; q < nSeq; q++) {
    const end = start + ldi(lengths, q);
    let ll = NaN;
    if (dense && prepareEmissions(logB, k, start, end, lattice, stride)) {
      ll = forwardDense(logB, k, start, end, logStart, a, lattice, stride, s);
    }
    // NaN: the dense path declined (an impossible first sample); the exact path handles −∞.
    if (isNaN(ll)) ll = forwardExact(logB, k, start, end, logStart, a, transMat, lattice, stride, work);
    total += ll;
    start = end;
  }
  return total;
}

/** Dense path backward over rows [start, end): posteriors into `post`, two-slice sums into `acc`. */
function backwardDense(
  k: i32,
  start: i32,
  end: i32,
  aT: usize,
  lattice: usize,
  stride: i32,
  post: usize,
  acc: usize,
  withXi: bool,
  work: usize,
): void {
  const kp = padK(k);
  const beta = vector(work, k, 0);
  const v = vector(work, k, 1);
  const w = vector(work, k, 2);
  const last = at(lattice, (end - 1) * stride);
  const inv = 1.0 / dotLanesOnes(last, kp);
  for (let i = 0; i < k; i++) st(post, (end - 1) * k + i, ld(last, i) * inv);
  for (let j = 0; j < kp; j++) st(beta, j, j < k ? 1.0 : 0.0);
  for (let t = end - 2; t >= start; t--) {
    const u = at(lattice, t * stride);
    const bHat = at(lattice, (t + 1) * stride + kp);
    for (let j = 0; j < kp; j += 2) {
      v128.store(at(v, j), f64x2.mul(v128.load(at(beta, j)), v128.load(at(bHat, j))));
    }
    scaleLanes(v, kp, powerOfTwo(-exponentOf(maxLanes(v, kp))));
    vecMat(v, aT, k, kp, w);
    const inv = 1.0 / dotLanes(u, w, kp);
    const out = at(post, t * k);
    for (let i = 0; i < k; i++) {
      const ui = ld(u, i) * inv;
      st(out, i, ui * ld(w, i));
      if (withXi && ui != 0.0) {
        const scale = f64x2.splat(ui);
        const accRow = at(acc, i * kp);
        for (let j = 0; j < kp; j += 2) {
          const p = at(accRow, j);
          v128.store(p, f64x2.add(v128.load(p), f64x2.mul(scale, v128.load(at(v, j)))));
        }
      }
    }
    for (let j = 0; j < kp; j += 2) v128.store(at(beta, j), v128.load(at(w, j)));
  }
}

function dotLanesOnes(x: usize, kp: i32): f64 {
  let acc = f64x2.splat(0.0);
  for (let j = 0; j < kp; j += 2) acc = f64x2.add(acc, v128.load(at(x, j)));
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** Exact `log Σ_j exp(log A[i, j] + logBNext[j] + betaNext[j])`. */
function logSumExpFrom(logBNext: usize, betaNext: usize, transMat: usize, i: i32, k: i32): f64 {
  let m = -Infinity;
  for (let j = 0; j < k; j++) {
    m = max(m, Math.log(ld(transMat, i * k + j)) + ld(logBNext, j) + ld(betaNext, j));
  }
  if (m == -Infinity) return -Infinity;
  let s = 0.0;
  for (let j = 0; j < k; j++) {
    s += Math.exp(Math.log(ld(transMat, i * k + j)) + ld(logBNext, j) + ld(betaNext, j) - m);
  }
  return m + Math.log(s);
}

/** Posteriors of one row from its log lattices, normalised; 1/k when every entry is −∞. */
function posteriorRowExact(alpha: usize, beta: usize, k: i32, out: usize): void {
  let m = -Infinity;
  for (let i = 0; i < k; i++) m = max(m, ld(alpha, i) + ld(beta, i));
  if (m == -Infinity) {
    for (let i = 0; i < k; i++) st(out, i, 1.0 / <f64>k);
    return;
  }
  let s = 0.0;
  for (let i = 0; i < k; i++) {
    const e = Math.exp(ld(alpha, i) + ld(beta, i) - m);
    st(out, i, e);
    s += e;
  }
  const inv = 1.0 / s;
  for (let i = 0; i < k; i++) st(out, i, ld(out, i) * inv);
}

/** One step's two-slice posterior from log-space terms, normalised by their own log-sum-exp. */
function addXiExact(
  alpha: usize,
  betaNext: usize,
  logBNext: usize,
  k: i32,
  transMat: usize,
  xiSum: usize,
): void {
  let m = -Infinity;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      m = max(m, ld(alpha, i) + Math.log(ld(transMat, i * k + j)) + ld(logBNext, j) + ld(betaNext, j));
    }
  }
  if (m == -Infinity) return;
  let s = 0.0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      s += Math.exp(ld(alpha, i) + Math.log(ld(transMat, i * k + j)) + ld(logBNext, j) + ld(betaNext, j) - m);
    }
  }
  const norm = m + Math.log(s);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = ld(alpha, i) + Math.log(ld(transMat, i * k + j)) + ld(logBNext, j) + ld(betaNext, j);
      st(xiSum, i * k + j, ld(xiSum, i * k + j) + Math.exp(v - norm));
    }
  }
}

/** `out (kp) = exp(alpha − max)` for one exact lattice row, zeros if it is −∞ everywhere. */
function scaledRow(alpha: usize, k: i32, out: usize): void {
  const kp = padK(k);
  let m = -Infinity;
  for (let i = 0; i < k; i++) m = max(m, ld(alpha, i));
  if (m == -Infinity) {
    for (let i = 0; i < kp; i++) st(out, i, 0.0);
    return;
  }
  for (let i = 0; i < kp; i++) st(out, i, i < k ? ld(alpha, i) - m : -Infinity);
  expInPlace(out, kp);
}

/**
 * Exact path backward over rows [start, end): the backward lattice carried in log space, with the
 * shifted products and the term-by-term fallback of the forward pass. Two-slice posteriors go
 * straight into `xiSum` (when not 0).
 */
function backwardExact(
  logB: usize,
  k: i32,
  start: i32,
  end: i32,
  aT: usize,
  transMat: usize,
  lattice: usize,
  stride: i32,
  post: usize,
  xiSum: usize,
  work: usize,
): void {
  const kp = padK(k);
  let beta = vector(work, k, 0);
  let betaNext = vector(work, k, 1);
  const v = vector(work, k, 2);
  const w = vector(work, k, 3);
  const logs = vector(work, k, 4);
  const u = vector(work, k, 5);
  const last = at(lattice, (end - 1) * stride);
  scaledRow(last, k, u);
  const total = dotLanesOnes(u, kp);
  for (let i = 0; i < k; i++) st(post, (end - 1) * k + i, total == 0.0 ? 1.0 / <f64>k : ld(u, i) / total);
  for (let i = 0; i < k; i++) st(betaNext, i, 0.0);
  for (let t = end - 2; t >= start; t--) {
    const nextB = at(logB, (t + 1) * k);
    const alpha = at(lattice, t * stride);
    const out = at(post, t * k);
    let b = -Infinity;
    for (let j = 0; j < k; j++) b = max(b, ld(nextB, j) + ld(betaNext, j));
    if (b == -Infinity) {
      for (let i = 0; i < k; i++) {
        st(beta, i, -Infinity);
        st(out, i, 1.0 / <f64>k);
      }
    } else {
      for (let j = 0; j < kp; j++) st(v, j, j < k ? ld(nextB, j) + ld(betaNext, j) - b : -Infinity);
      expInPlace(v, kp);
      vecMat(v, aT, k, kp, w);
      logInto(w, logs, kp);
      scaledRow(alpha, k, u);
      let den = 0.0;
      for (let i = 0; i < k; i++) {
        const wi = ld(w, i);
        st(
          beta,
          i,
          wi >= SHIFTED_SUM_FLOOR ? b + ld(logs, i) : logSumExpFrom(nextB, betaNext, transMat, i, k),
        );
        den += ld(u, i) * wi;
      }
      if (den >= SHIFTED_SUM_FLOOR) {
        const inv = 1.0 / den;
        for (let i = 0; i < k; i++) {
          const ui = ld(u, i) * inv;
          st(out, i, ui * ld(w, i));
          if (xiSum != 0) {
            for (let j = 0; j < k; j++) {
              st(xiSum, i * k + j, ld(xiSum, i * k + j) + ui * ld(transMat, i * k + j) * ld(v, j));
            }
          }
        }
      } else {
        posteriorRowExact(alpha, beta, k, out);
        if (xiSum != 0) addXiExact(alpha, betaNext, nextB, k, transMat, xiSum);
      }
    }
    const swap = beta;
    beta = betaNext;
    betaNext = swap;
  }
}

/**
 * Backward pass of every sequence after `hmmForward` (same `lattice`): state posteriors into
 * `post (n × k)`; adds the summed two-slice posteriors to `xiSum (k × k)` and each sequence's first
 * posteriors to `startCounts (k)`, each unless its pointer is 0.
 */
export function hmmBackward(
  logB: usize,
  lengths: usize,
  nSeq: i32,
  k: i32,
  transMat: usize,
  lattice: usize,
  post: usize,
  xiSum: usize,
  startCounts: usize,
  work: usize,
): void {
  const kp = padK(k);
  const stride = hmmLatticeStride(k);
  const aT = at(work, k * kp);
  const acc = at(work, 2 * k * kp);
  padMatrix(transMat, k, kp, true, aT);
  for (let c = 0; c < k * kp; c++) st(acc, c, 0.0);
  let start = 0;
  for (let q = 0; q < nSeq; q++) {
    const end = start + ldi(lengths, q);
    const exact = ld(lattice, start * stride + 2 * kp + 1) != 0.0;
    if (exact) backwardExact(logB, k, start, end, aT, transMat, lattice, stride, post, xiSum, work);
    else backwardDense(k, start, end, aT, lattice, stride, post, acc, xiSum != 0, work);
    if (startCounts != 0) {
      for (let i = 0; i < k; i++) st(startCounts, i, ld(startCounts, i) + ld(post, start * k + i));
    }
    start = end;
  }
  if (xiSum != 0) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        st(xiSum, i * k + j, ld(xiSum, i * k + j) + ld(transMat, i * k + j) * ld(acc, i * kp + j));
      }
    }
  }
}
