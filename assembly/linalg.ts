import { ld, st } from './util/memory';

/**
 * Lower Cholesky factor `L` of the symmetric `(d × d)` matrix at `a` (`a = L Lᵀ`), written to `out`
 * (which may equal `a`) with zeros above the diagonal. Returns 0, or `j + 1` for the first pivot `j`
 * that is not positive and finite.
 */
export function cholesky(a: usize, d: i32, out: usize): i32 {
  for (let j = 0; j < d; j++) {
    let s = ld(a, j * d + j);
    for (let m = 0; m < j; m++) {
      const l = ld(out, j * d + m);
      s -= l * l;
    }
    if (!(s > 0.0 && s < Infinity)) return j + 1;
    const pivot = Math.sqrt(s);
    st(out, j * d + j, pivot);
    for (let i = j + 1; i < d; i++) {
      let t = ld(a, i * d + j);
      for (let m = 0; m < j; m++) t -= ld(out, i * d + m) * ld(out, j * d + m);
      st(out, i * d + j, t / pivot);
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) st(out, i * d + j, 0.0);
  return 0;
}

/**
 * Replaces the lower-triangular `L` at `m` by `(L⁻¹)ᵀ`, an upper-triangular matrix. Row `i` of the
 * inverse needs only row `i` of `L` (from column `j` on) and the earlier rows of the inverse, so it
 * can overwrite row `i` of `L` left to right.
 */
export function invertLowerTransposeInPlace(m: usize, d: i32): void {
  for (let i = 0; i < d; i++) {
    const inv = 1.0 / ld(m, i * d + i);
    for (let j = 0; j < i; j++) {
      let s = 0.0;
      for (let q = j; q < i; q++) s += ld(m, i * d + q) * ld(m, q * d + j);
      st(m, i * d + j, -s * inv);
    }
    st(m, i * d + i, inv);
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      st(m, i * d + j, ld(m, j * d + i));
      st(m, j * d + i, 0.0);
    }
  }
}

function reverseInPlace(m: usize, len: i32): void {
  for (let i = 0, j = len - 1; i < j; i++, j--) {
    const t = ld(m, i);
    st(m, i, ld(m, j));
    st(m, j, t);
  }
}

/**
 * Upper-triangular `U` with `p = U Uᵀ` for a symmetric positive definite `(d × d)` precision `p`:
 * `U = J·chol(J p J)·J`, `J` the exchange matrix. Flipping both indices of a row-major square matrix
 * is reversing its flat storage. Returns 0 or `j + 1` for the first failing pivot.
 */
export function precisionCholeskyFromPrecision(p: usize, d: i32, out: usize): i32 {
  const len = d * d;
  if (out != p) memory.copy(out, p, (<usize>len) << 3);
  reverseInPlace(out, len);
  const status = cholesky(out, d, out);
  reverseInPlace(out, len);
  return status;
}
