// The degrees-of-freedom side of the t mixture: the log-normaliser of the t density (with its
// ν → ∞ limit kept to full precision) and the ECM update of ν, a one-dimensional root find.

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Below this argument the series below are shifted up by the recurrences of Γ, ψ and ψ'. */
const ASYMPTOTIC_FROM = 10;

/** Stirling's series remainder `log Γ(x) − [(x − ½) log x − x + ½ log 2π]` for x ≥ 10 (error < 1e-16). */
function stirlingRemainder(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    inv *
    (1 / 12 -
      inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 * (1 / 1188 - (691 / 360360) * inv2)))))
  );
}

/** `log Γ(x)` for x > 0. */
export function logGamma(x: number): number {
  let shift = 0;
  while (x < ASYMPTOTIC_FROM) {
    shift += Math.log(x);
    x += 1;
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + stirlingRemainder(x) - shift;
}

/**
 * `log x − ψ(x)` for x > 0 (the asymptotic series to the y⁻¹⁴ term at y ≥ 10: error < 1e-16), ψ the digamma function: positive and decreasing from +∞ to 0. Written
 * as one function because the ν equation needs exactly this difference, which for large x is a
 * small number that `log x − ψ(x)` computed apart would lose to cancellation.
 */
export function logMinusDigamma(x: number): number {
  let extra = 0;
  let y = x;
  while (y < ASYMPTOTIC_FROM) {
    extra += 1 / y;
    y += 1;
  }
  const inv = 1 / y;
  const inv2 = inv * inv;
  const series =
    0.5 * inv +
    inv2 *
      (1 / 12 -
        inv2 *
          (1 / 120 -
            inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  // log x − ψ(x) = log x − ψ(y) + Σ 1/(x + i) = (log y − ψ(y)) − log(y/x) + Σ 1/(x + i)
  return series - Math.log(y / x) + extra;
}

/** The derivative of `logMinusDigamma`: `1/x − ψ'(x)` (negative). */
function logMinusDigammaDerivative(x: number): number {
  let extra = 0;
  let y = x;
  while (y < ASYMPTOTIC_FROM) {
    extra += 1 / (y * y);
    y += 1;
  }
  const inv = 1 / y;
  const inv2 = inv * inv;
  // ψ'(y) − 1/y = 1/(2y²) + 1/(6y³) − 1/(30y⁵) + 1/(42y⁷) − 1/(30y⁹)
  const trigammaExcess = inv2 * (0.5 + inv * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 / 30))));
  // 1/x − ψ'(x) = 1/x − 1/y − (ψ'(y) − 1/y) − Σ 1/(x + i)²
  return 1 / x - inv - trigammaExcess - extra;
}

/**
 * The constant part of a d-variate t log-density with ν degrees of freedom:
 * `log Γ((ν + d)/2) − log Γ(ν/2) − (d/2)·log(νπ)` (the caller adds log|U|). For ν/2 ≥ 10 the two
 * log-gammas are subtracted inside Stirling's series, `(a + h − ½)·log1p(h/a) − h − h·log 2π +
 * S(a + h) − S(a)` with a = ν/2, h = d/2, so that ν = 1e8 still gives the Gaussian's
 * `−(d/2)·log 2π` to ~1e-15 instead of losing 8 digits to the difference of two numbers near 1e9.
 */
export function tLogNormalizer(nu: number, d: number): number {
  const a = nu / 2;
  const h = d / 2;
  if (a < ASYMPTOTIC_FROM) return logGamma(a + h) - logGamma(a) - h * Math.log(nu * Math.PI);
  return (
    (a + h - 0.5) * Math.log1p(h / a) -
    h -
    2 * h * HALF_LOG_2PI +
    (stirlingRemainder(a + h) - stirlingRemainder(a))
  );
}

/**
 * The ECM update of one component's degrees of freedom (Peel & McLachlan 2000, the ECM CM-step for ν): the root ν of
 *
 *   −ψ(ν/2) + log(ν/2) + 1 + meanLogUMinusU + ψ((ν_old + d)/2) − log((ν_old + d)/2) = 0,
 *
 * with `meanLogUMinusU` = Σ r·(log u − u) / Σ r from the E-step. The left side is
 * `g(ν/2) − target` with g = log − ψ decreasing, and target = g((ν_old + d)/2) − 1 − meanLogUMinusU
 * > 0 (log u − u ≤ −1), so the root is unique; it is found on [dofMin, dofMax] by Newton's method
 * in x = ν/2 kept inside a shrinking bisection bracket. A root beyond a bound gives the bound (the
 * maximiser of the concave objective over the interval), exactly `dofMin` or `dofMax`.
 */
export function updateDof(
  nuOld: number,
  d: number,
  meanLogUMinusU: number,
  dofMin: number,
  dofMax: number,
): number {
  const target = logMinusDigamma((nuOld + d) / 2) - 1 - meanLogUMinusU;
  let lo = dofMin / 2;
  let hi = dofMax / 2;
  if (logMinusDigamma(hi) >= target) return dofMax;
  if (logMinusDigamma(lo) <= target) return dofMin;
  let x = Math.min(hi, Math.max(lo, nuOld / 2));
  for (let iter = 0; iter < 200; iter++) {
    const f = logMinusDigamma(x) - target;
    if (f === 0) break;
    if (f > 0) lo = x;
    else hi = x;
    const newton = x - f / logMinusDigammaDerivative(x);
    const next = newton > lo && newton < hi ? newton : 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-14 * x) {
      x = next;
      break;
    }
    x = next;
  }
  return 2 * x;
}
