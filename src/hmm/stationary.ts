/**
 * The stationary distribution π of a transition matrix T `(K × K)`, rows summing to 1: the left
 * eigenvector of T for eigenvalue 1 scaled to sum to 1 (`πT = π`), as hmmlearn's
 * `get_stationary_distribution`. Solved directly rather than by power iteration, so periodic
 * chains (which power iteration never settles on) get their answer too: `(Tᵀ − I)π = 0` has rank
 * K − 1 when π is unique, and its last equation, implied by the others, is replaced by `Σπ = 1`.
 * Gaussian elimination with partial pivoting; a chain with several closed classes (no unique π)
 * is an error that says so.
 */
export function stationaryDistribution(transMat: Float64Array, k: number): Float64Array {
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < k - 1; i++) {
    for (let j = 0; j < k; j++) a[i * k + j] = transMat[j * k + i] - (i === j ? 1 : 0);
  }
  for (let j = 0; j < k; j++) a[(k - 1) * k + j] = 1;
  b[k - 1] = 1;
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r * k + col]) > Math.abs(a[pivot * k + col])) pivot = r;
    if (!(Math.abs(a[pivot * k + col]) > 1e-12)) {
      throw new RangeError(
        'transMat has no unique stationary distribution: its chain has more than one closed class of states',
      );
    }
    if (pivot !== col) {
      for (let j = 0; j < k; j++) {
        const t = a[col * k + j];
        a[col * k + j] = a[pivot * k + j];
        a[pivot * k + j] = t;
      }
      const t = b[col];
      b[col] = b[pivot];
      b[pivot] = t;
    }
    for (let r = col + 1; r < k; r++) {
      const f = a[r * k + col] / a[col * k + col];
      if (f === 0) continue;
      for (let j = col; j < k; j++) a[r * k + j] -= f * a[col * k + j];
      b[r] -= f * b[col];
    }
  }
  const pi = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < k; j++) s -= a[r * k + j] * pi[j];
    pi[r] = s / a[r * k + r];
  }
  // Rounding can leave −1e-17 where π is 0 (a transient state): clip and renormalise.
  let sum = 0;
  for (let i = 0; i < k; i++) sum += pi[i] = Math.max(pi[i], 0);
  for (let i = 0; i < k; i++) pi[i] /= sum;
  return pi;
}
