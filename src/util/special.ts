import type { Random } from './random.js';

/** `log Γ(x + 1) = log x!` for a non-negative integer x: exact sums below 256, Stirling's series above. */
const LOG_FACTORIALS = (() => {
  const table = new Float64Array(256);
  for (let i = 2; i < 256; i++) table[i] = table[i - 1] + Math.log(i);
  return table;
})();

export function logFactorial(x: number): number {
  if (x < 256) return LOG_FACTORIALS[x];
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x + 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
}

/** Rows per block of the Wasm family kernels (`BLOCK_ROWS` of assembly/families/block.ts): their `work` sizes count it. */
export const BLOCK_ROWS = 64;

/** The row posterior of the mixture kernels' twins: `a (k)` log-joints in, exp(a − max) left in `a`; returns [lse, 1/Σ]. */
function rowPosterior(a: Float64Array, k: number): [number, number] {
  let m = a[0];
  for (let c = 1; c < k; c++) m = Math.max(m, a[c]);
  if (m === -Infinity) return [-Infinity, 0];
  let s = 0;
  for (let c = 0; c < k; c++) s += a[c] = Math.exp(a[c] - m);
  return [m + Math.log(s), 1 / s];
}

/**
 * The twins' per-row tail (the kernels' `posteriorRows`): row i's log-joints `work (k)` become its
 * posteriors in place (0 for a row impossible under every component, as the block posterior
 * gives); its log-likelihood, lse + `constant` (a per-row term of the density the log-joints
 * leave out), is returned and written to `lse[i]`, and the posteriors to row i of `resp (n × k)`,
 * when those are not null.
 */
export function rowOutputs(
  work: Float64Array,
  k: number,
  i: number,
  constant: number,
  lse: Float64Array | null,
  resp: Float64Array | null,
): number {
  const [m, inv] = rowPosterior(work, k);
  if (m === -Infinity) work.fill(0, 0, k);
  else for (let c = 0; c < k; c++) work[c] *= inv;
  const l = m + constant;
  if (lse) lse[i] = l;
  if (resp) for (let c = 0; c < k; c++) resp[i * k + c] = work[c];
  return l;
}

/** A gamma(shape, scale) draw (Marsaglia and Tsang; shapes below 1 through `G(a + 1)·U^(1/a)`). */
export function gamma(rng: Random, shape: number, scale: number): number {
  if (shape < 1) return gamma(rng, shape + 1, scale) * Math.pow(rng.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number;
    let v: number;
    do {
      z = rng.normal();
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v * scale;
  }
}

/** A Poisson draw: Knuth's product of uniforms, with rates of 30 and more split in halves (Poisson is additive). */
export function poisson(rng: Random, lambda: number): number {
  if (lambda < 30) {
    const limit = Math.exp(-lambda);
    let count = 0;
    let p = rng.uniform();
    while (p > limit) {
      count++;
      p *= rng.uniform();
    }
    return count;
  }
  return poisson(rng, lambda / 2) + poisson(rng, lambda / 2);
}
