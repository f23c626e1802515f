// Row-level pieces every mixture family's fused E-step shares: the posterior of one row from its
// K log-joint values (log-sum-exp with the vectorised exp), and f64x2 dot / axpy over features.
import { expShiftSum } from '../util/simd';
import { ld } from '../util/memory';

/**
 * `a (k)` holds log w_c + log p(x | c) for one row. Leaves `exp(a_c − max)` in `a` and returns the
 * row's log-sum-exp; the posterior of c is then `a_c / exp(lse − max)` = `a_c · rowScale`, with
 * `rowScale` returned through `scaleOut`. A row with every a_c = −∞ returns −∞ (the caller reports it).
 */
export function rowPosterior(a: usize, k: i32, scaleOut: usize): f64 {
  let m = ld(a, 0);
  for (let c = 1; c < k; c++) m = Math.max(m, ld(a, c));
  if (m == -Infinity) {
    store<f64>(scaleOut, 0.0);
    return -Infinity;
  }
  const s = expShiftSum(a, k, m);
  store<f64>(scaleOut, 1.0 / s);
  return m + Math.log(s);
}

/** `Σ_j a[j]·b[j]` over `d` f64s, two lanes at a time. */
export function dot(a: usize, b: usize, d: i32): f64 {
  let acc = f64x2.splat(0.0);
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (d & 1) s += ld(a, d - 1) * ld(b, d - 1);
  return s;
}

/** `y[j] += alpha·x[j]` over `d` f64s, two lanes at a time. */
export function axpy(y: usize, alpha: f64, x: usize, d: i32): void {
  const av = f64x2.splat(alpha);
  const pairs = d & ~1;
  for (let j = 0; j < pairs; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  if (d & 1) {
    const o = (<usize>(d - 1)) << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}
