/**
 * Dense linear algebra in plain TypeScript, shared by the models (user-given precisions, priors,
 * HMM covariances) and by the kernels' twins in src/reference (the TypeScript side of
 * assembly/linalg.ts). Every matrix is a single row-major `(d × d)` Float64Array starting at index 0.
 */

/**
 * Cholesky factorisation `a = L Lᵀ`.
 *
 * Reads only the lower triangle of `a`, so the caller may leave the upper triangle stale.
 *
 * @param a - `(d × d)` symmetric positive-definite matrix.
 * @param d - Matrix order.
 * @param out - `(d × d)` receives the lower-triangular `L`, zeros above the diagonal.
 * @returns `0` on success, or `j + 1` for the first pivot `j` that is `≤ 0` or not finite (`out` is then
 *   only partly written).
 */
export function cholesky(a: Float64Array, d: number, out: Float64Array): number {
  for (let j = 0; j < d; j++) {
    let pivot = a[j * d + j];
    for (let m = 0; m < j; m++) {
      const l = out[j * d + m];
      pivot -= l * l;
    }
    // `!(pivot > 0)` also rejects NaN.
    if (!(pivot > 0) || !Number.isFinite(pivot)) return j + 1;
    const ljj = Math.sqrt(pivot);
    out[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let m = 0; m < j; m++) s -= out[i * d + m] * out[j * d + m];
      out[i * d + j] = s / ljj;
    }
    for (let m = j + 1; m < d; m++) out[j * d + m] = 0;
  }
  return 0;
}

/**
 * Inverse of a lower-triangular matrix by forward substitution, one column of the identity at a time.
 *
 * Reads only the lower triangle of `l`; its diagonal must be non-zero.
 *
 * @param l - `(d × d)` lower-triangular matrix.
 * @param d - Matrix order.
 * @param out - `(d × d)` receives `L⁻¹` (lower triangular, zeros above the diagonal). Must not alias `l`.
 */
export function invertLowerTriangular(l: Float64Array, d: number, out: Float64Array): void {
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < j; i++) out[i * d + j] = 0;
    out[j * d + j] = 1 / l[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let m = j; m < i; m++) s += l[i * d + m] * out[m * d + j];
      out[i * d + j] = -s / l[i * d + i];
    }
  }
}

/**
 * Precision Cholesky factor `U = (L⁻¹)ᵀ` of a covariance `cov = L Lᵀ`, so that `cov⁻¹ = U Uᵀ`
 * (scikit-learn's `precisions_cholesky_` for one matrix).
 *
 * @param cov - `(d × d)` symmetric positive-definite covariance (lower triangle read).
 * @param d - Matrix order.
 * @param scratch - `(d × d)` workspace for `L`.
 * @param out - `(d × d)` receives the upper-triangular `U`, zeros below the diagonal. Must not alias
 *   `cov` or `scratch`.
 * @returns `0` on success, or `j + 1` for the first failing Cholesky pivot `j` of `cov`.
 */
export function precisionCholeskyFromCovariance(
  cov: Float64Array,
  d: number,
  scratch: Float64Array,
  out: Float64Array,
): number {
  const info = cholesky(cov, d, scratch);
  if (info !== 0) return info;
  // Invert into `out` and transpose in place: the inverse is lower, its transpose the wanted upper.
  invertLowerTriangular(scratch, d, out);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      out[j * d + i] = out[i * d + j];
      out[i * d + j] = 0;
    }
  }
  return 0;
}

/**
 * "Reverse" Cholesky factorisation of a precision matrix: upper-triangular `U` with `p = U Uᵀ`
 * (equivalently `U = J·chol(J p J)·J` with `J` the exchange matrix). It runs from the last row/column
 * to the first, because `(U Uᵀ)[i][j]` only involves columns `m ≥ max(i, j)` of an upper `U`.
 *
 * Reads only the upper triangle of `p`.
 *
 * @param p - `(d × d)` symmetric positive-definite precision matrix.
 * @param d - Matrix order.
 * @param out - `(d × d)` receives `U`, zeros below the diagonal.
 * @returns `0` on success, or `j + 1` where `j` is the row/column index (in the original order) of the
 *   first failing pivot `U[j][j]`; since the factorisation runs backwards, "first" is the highest such `j`.
 */
export function precisionCholeskyFromPrecision(p: Float64Array, d: number, out: Float64Array): number {
  for (let j = d - 1; j >= 0; j--) {
    let pivot = p[j * d + j];
    for (let m = j + 1; m < d; m++) {
      const u = out[j * d + m];
      pivot -= u * u;
    }
    if (!(pivot > 0) || !Number.isFinite(pivot)) return j + 1;
    const ujj = Math.sqrt(pivot);
    out[j * d + j] = ujj;
    for (let i = 0; i < j; i++) {
      let s = p[i * d + j];
      for (let m = j + 1; m < d; m++) s -= out[i * d + m] * out[j * d + m];
      out[i * d + j] = s / ujj;
    }
    for (let m = 0; m < j; m++) out[j * d + m] = 0;
  }
  return 0;
}
