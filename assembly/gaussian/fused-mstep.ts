// M-step from the statistics of the fused E-step (`emStep*`), which are taken about the means of
// that E-step: new means, the scatter re-centred on them, covariances and precision factors.
// With s = sumX_c, n = nk_c (raw), n' = n + 10·eps, μ' = (s + n·μ) / n' and δ = μ' − μ:
//   Σ r (x − μ')(x − μ')ᵀ = S − s δᵀ − δ sᵀ + n δ δᵀ   (exact for any δ).
import { cholesky, invertLowerTransposeInPlace } from '../linalg';

/** scikit-learn's `10 * np.finfo(float).eps`, added to every component's count. */
const NK_FLOOR: f64 = 10.0 * 2.220446049250313e-16;

function newMean(s: f64, n: f64, mu: f64, nPrime: f64): f64 {
  return (s + n * mu) / nPrime;
}

/** `precChol = (chol(cov)⁻¹)ᵀ` for one symmetric `(d × d)` block; 0 or the failing pivot + 1. */
function factor(cov: usize, d: i32, precChol: usize): i32 {
  const status = cholesky(cov, d, precChol);
  if (status == 0) invertLowerTransposeInPlace(precChol, d);
  return status;
}

/**
 * Full covariances. Reads the upper triangle of `scatter (k × d × d)`; writes `means (k × d)` in
 * place, `cov (k × d × d)` (both triangles), `precChol (k × d × d)` and `nk (k)` ← `nk + 10·eps`.
 * Returns 0, or `c + 1` for the first component whose covariance is not positive definite (the
 * later components are then left as they were).
 */
export function mStepFull(
  nk: usize,
  sumX: usize,
  scatter: usize,
  means: usize,
  k: i32,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  for (let c = 0; c < k; c++) {
    const n = load<f64>(nk + ((<usize>c) << 3));
    const nPrime = n + NK_FLOOR;
    const inv = 1.0 / nPrime;
    const s = sumX + ((<usize>(c * d)) << 3);
    const mu = means + ((<usize>(c * d)) << 3);
    const sc = scatter + ((<usize>(c * d * d)) << 3);
    const cv = cov + ((<usize>(c * d * d)) << 3);
    // precChol_c is free until its factor is written: its first row holds δ meanwhile.
    const delta = precChol + ((<usize>(c * d * d)) << 3);
    for (let a = 0; a < d; a++) {
      const m = load<f64>(mu + ((<usize>a) << 3));
      store<f64>(delta + ((<usize>a) << 3), newMean(load<f64>(s + ((<usize>a) << 3)), n, m, nPrime) - m);
    }
    for (let a = 0; a < d; a++) {
      const sa = load<f64>(s + ((<usize>a) << 3));
      const da = load<f64>(delta + ((<usize>a) << 3));
      for (let b = a; b < d; b++) {
        const sb = load<f64>(s + ((<usize>b) << 3));
        const db = load<f64>(delta + ((<usize>b) << 3));
        let v = (load<f64>(sc + ((<usize>(a * d + b)) << 3)) - sa * db - da * sb + n * da * db) * inv;
        if (a == b) v += reg;
        store<f64>(cv + ((<usize>(a * d + b)) << 3), v);
        store<f64>(cv + ((<usize>(b * d + a)) << 3), v);
      }
    }
    for (let a = 0; a < d; a++) {
      const o = (<usize>a) << 3;
      store<f64>(mu + o, newMean(load<f64>(s + o), n, load<f64>(mu + o), nPrime));
    }
    store<f64>(nk + ((<usize>c) << 3), nPrime);
    if (factor(cv, d, precChol + ((<usize>(c * d * d)) << 3)) != 0) return c + 1;
  }
  return 0;
}

/**
 * Tied covariance: `cov = Σ_c S'_c / Σ_c nk'_c + reg·I` from the upper triangle of the one
 * `scatter (d × d)`; writes `means` in place, `cov (d × d)`, `precChol (d × d)`, `nk` ← `nk + 10·eps`.
 * Returns 0, or 1 if the covariance is not positive definite.
 */
export function mStepTied(
  nk: usize,
  sumX: usize,
  scatter: usize,
  means: usize,
  k: i32,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const o = (<usize>(a * d + b)) << 3;
      store<f64>(cov + o, load<f64>(scatter + o));
    }
  }
  // precChol is free until the factor is written: its first row holds δ_c meanwhile.
  const delta = precChol;
  let nTotal = 0.0;
  for (let c = 0; c < k; c++) {
    const n = load<f64>(nk + ((<usize>c) << 3));
    const nPrime = n + NK_FLOOR;
    const s = sumX + ((<usize>(c * d)) << 3);
    const mu = means + ((<usize>(c * d)) << 3);
    for (let a = 0; a < d; a++) {
      const o = (<usize>a) << 3;
      const m = load<f64>(mu + o);
      const mNew = newMean(load<f64>(s + o), n, m, nPrime);
      store<f64>(delta + o, mNew - m);
      store<f64>(mu + o, mNew);
    }
    for (let a = 0; a < d; a++) {
      const sa = load<f64>(s + ((<usize>a) << 3));
      const da = load<f64>(delta + ((<usize>a) << 3));
      for (let b = a; b < d; b++) {
        const sb = load<f64>(s + ((<usize>b) << 3));
        const db = load<f64>(delta + ((<usize>b) << 3));
        const o = cov + ((<usize>(a * d + b)) << 3);
        store<f64>(o, load<f64>(o) - sa * db - da * sb + n * da * db);
      }
    }
    store<f64>(nk + ((<usize>c) << 3), nPrime);
    nTotal += nPrime;
  }
  const inv = 1.0 / nTotal;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let v = load<f64>(cov + ((<usize>(a * d + b)) << 3)) * inv;
      if (a == b) v += reg;
      store<f64>(cov + ((<usize>(a * d + b)) << 3), v);
      store<f64>(cov + ((<usize>(b * d + a)) << 3), v);
    }
  }
  return factor(cov, d, precChol) == 0 ? 0 : 1;
}

/**
 * Diagonal covariances from the diagonal `scatter (k × d)`: `cov[c][j] = S'_cj / nk'_c + reg`,
 * `precChol = 1/√cov`; writes `means` in place and `nk` ← `nk + 10·eps`. Returns 0, or `c + 1` for
 * the first component with a variance that is not positive and finite (the arrays are then partly
 * updated).
 */
export function mStepDiag(
  nk: usize,
  sumX: usize,
  scatter: usize,
  means: usize,
  k: i32,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  for (let c = 0; c < k; c++) {
    const n = load<f64>(nk + ((<usize>c) << 3));
    const nPrime = n + NK_FLOOR;
    const inv = 1.0 / nPrime;
    store<f64>(nk + ((<usize>c) << 3), nPrime);
    for (let j = 0; j < d; j++) {
      const o = (<usize>(c * d + j)) << 3;
      const s = load<f64>(sumX + o);
      const m = load<f64>(means + o);
      const mNew = newMean(s, n, m, nPrime);
      const delta = mNew - m;
      store<f64>(means + o, mNew);
      const v = (load<f64>(scatter + o) - delta * (2.0 * s - n * delta)) * inv + reg;
      if (!(v > 0.0 && v < Infinity && 1.0 / v < Infinity)) return c + 1;
      store<f64>(cov + o, v);
      store<f64>(precChol + o, 1.0 / Math.sqrt(v));
    }
  }
  return 0;
}

/**
 * Spherical covariances from the diagonal `scatter (k × d)`: `cov[c] = mean_j(S'_cj / nk'_c + reg)`,
 * `precChol[c] = 1/√cov[c]` (`cov`, `precChol` are `(k)`); writes `means` in place and `nk` ←
 * `nk + 10·eps`. Returns 0, or `c + 1` for the first component whose variance is not positive and finite.
 */
export function mStepSpherical(
  nk: usize,
  sumX: usize,
  scatter: usize,
  means: usize,
  k: i32,
  d: i32,
  reg: f64,
  cov: usize,
  precChol: usize,
): i32 {
  for (let c = 0; c < k; c++) {
    const n = load<f64>(nk + ((<usize>c) << 3));
    const nPrime = n + NK_FLOOR;
    const inv = 1.0 / nPrime;
    store<f64>(nk + ((<usize>c) << 3), nPrime);
    let sum = 0.0;
    for (let j = 0; j < d; j++) {
      const o = (<usize>(c * d + j)) << 3;
      const s = load<f64>(sumX + o);
      const m = load<f64>(means + o);
      const mNew = newMean(s, n, m, nPrime);
      const delta = mNew - m;
      store<f64>(means + o, mNew);
      sum += (load<f64>(scatter + o) - delta * (2.0 * s - n * delta)) * inv + reg;
    }
    const v = sum / <f64>d;
    if (!(v > 0.0 && v < Infinity && 1.0 / v < Infinity)) return c + 1;
    store<f64>(cov + ((<usize>c) << 3), v);
    store<f64>(precChol + ((<usize>c) << 3), 1.0 / Math.sqrt(v));
  }
  return 0;
}
