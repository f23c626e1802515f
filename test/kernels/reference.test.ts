import { describe, it, expect } from 'vitest';
import {
  accumulateMoments,
  accumulateScatterDiag,
  accumulateScatterFull,
  accumulateScatterTied,
  cholesky,
  finalizeDiag,
  finalizeFull,
  finalizeSpherical,
  finalizeTied,
  invertLowerTriangular,
  kmeansStep,
  logProbDiag,
  logProbFull,
  logProbSpherical,
  logProbTied,
  minSqDistMany,
  precisionCholeskyFromPrecision,
  responsibilities,
} from '../../src/reference/index.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Deterministic uniform [0, 1) generator (Numerical Recipes LCG), so every run sees the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function uniform(rand: () => number, len: number, lo: number, hi: number): Float64Array {
  const a = new Float64Array(len);
  for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

/** `(d × d)` product `a·b` of row-major square matrices. */
function matmul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += a[i * d + m] * b[m * d + j];
      out[i * d + j] = s;
    }
  return out;
}

function transpose(a: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[j * d + i] = a[i * d + j];
  return out;
}

/** Random symmetric positive-definite `(d × d)` matrix `A Aᵀ + d·I`. */
function randomSpd(rand: () => number, d: number): Float64Array {
  const a = uniform(rand, d * d, -1, 1);
  const s = matmul(a, transpose(a, d), d);
  for (let i = 0; i < d; i++) s[i * d + i] += d;
  return s;
}

/** Random upper-triangular matrix with a positive diagonal, i.e. a valid precision Cholesky factor. */
function randomUpper(rand: () => number, d: number): Float64Array {
  const u = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    u[i * d + i] = 0.5 + rand();
    for (let j = i + 1; j < d; j++) u[i * d + j] = rand() - 0.5;
  }
  return u;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) {
      throw new Error(`index ${i}: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}

function expectIdentity(m: Float64Array, d: number, tol: number): void {
  const eye = new Float64Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  expectClose(m, eye, tol);
}

describe('Gaussian log-densities', () => {
  it('d = 1 matches the textbook univariate normal density', () => {
    const x = new Float64Array([-1.5, 0, 0.3, 4]);
    const mu = 0.7;
    const sigma = 1.8;
    const expected = Array.from(
      x,
      (xi) => -0.5 * Math.log(2 * Math.PI * sigma * sigma) - ((xi - mu) * (xi - mu)) / (2 * sigma * sigma),
    );
    const means = new Float64Array([mu]);
    const p = new Float64Array([1 / sigma]);
    for (const kernel of [logProbFull, logProbTied, logProbDiag, logProbSpherical]) {
      const out = new Float64Array(4);
      kernel(x, 4, 1, means, p, 1, out);
      expectClose(out, expected, 1e-14);
    }
  });

  it('d = 2 full matches the bivariate formula with an explicitly inverted covariance', () => {
    // Two components with different correlated covariances; n = 3 checks the (n × k) layout.
    const covs = [
      [2.0, 0.6, 1.5],
      [0.5, -0.3, 3.0],
    ]; // [σ11, σ12, σ22]
    const means = new Float64Array([1, -1, -2, 0.5]);
    const x = new Float64Array([0, 0, 1.2, -0.7, -3, 2]);
    const precChol = new Float64Array(8);
    const expected = new Float64Array(6);
    for (let c = 0; c < 2; c++) {
      const [a, b, s] = covs[c];
      const det = a * s - b * b;
      // Σ⁻¹ = [[s, −b], [−b, a]] / det.
      const p11 = s / det;
      const p12 = -b / det;
      const p22 = a / det;
      // Upper U with U Uᵀ = Σ⁻¹, solved by hand: U22² = p22, U12·U22 = p12, U11² + U12² = p11.
      const u22 = Math.sqrt(p22);
      const u12 = p12 / u22;
      const u11 = Math.sqrt(p11 - u12 * u12);
      // The entry below the diagonal is garbage on purpose: the kernel must ignore it.
      precChol.set([u11, u12, 99, u22], c * 4);
      for (let i = 0; i < 3; i++) {
        const dx = x[i * 2] - means[c * 2];
        const dy = x[i * 2 + 1] - means[c * 2 + 1];
        const q = p11 * dx * dx + 2 * p12 * dx * dy + p22 * dy * dy;
        expected[i * 2 + c] = -LOG_2PI - 0.5 * Math.log(det) - 0.5 * q;
      }
    }
    const out = new Float64Array(6);
    logProbFull(x, 3, 2, means, precChol, 2, out);
    expectClose(out, expected, 1e-13);
  });

  it('d = 3 full matches ½·log det P − ½ (x−μ)ᵀ P (x−μ) with P = U Uᵀ', () => {
    const rand = lcg(7);
    const d = 3;
    const u = randomUpper(rand, d);
    const p = matmul(u, transpose(u, d), d);
    const detP =
      p[0] * (p[4] * p[8] - p[5] * p[7]) -
      p[1] * (p[3] * p[8] - p[5] * p[6]) +
      p[2] * (p[3] * p[7] - p[4] * p[6]);
    const mean = uniform(rand, d, -1, 1);
    const n = 5;
    const x = uniform(rand, n * d, -3, 3);
    const out = new Float64Array(n);
    logProbFull(x, n, d, mean, u, 1, out);
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) q += (x[i * d + a] - mean[a]) * p[a * d + b] * (x[i * d + b] - mean[b]);
      expect(out[i]).toBeCloseTo(-1.5 * LOG_2PI + 0.5 * Math.log(detP) - 0.5 * q, 12);
    }
  });

  it('full, tied, diag and spherical agree when they describe the same Gaussians', () => {
    const rand = lcg(42);
    const n = 7;
    const d = 3;
    const k = 2;
    const x = uniform(rand, n * d, -4, 4);
    const means = uniform(rand, k * d, -2, 2);
    const dd = d * d;
    const run = (kernel: typeof logProbFull, p: Float64Array): Float64Array => {
      const out = new Float64Array(n * k);
      kernel(x, n, d, means, p, k, out);
      return out;
    };

    // Diagonal covariances, as diag and as full.
    const diag = uniform(rand, k * d, 0.3, 2);
    const diagAsFull = new Float64Array(k * dd);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) diagAsFull[c * dd + j * d + j] = diag[c * d + j];
    expectClose(run(logProbDiag, diag), run(logProbFull, diagAsFull), 1e-14);

    // Spherical covariances, as spherical, diag and full.
    const sph = new Float64Array([0.7, 1.9]);
    const sphAsDiag = new Float64Array(k * d);
    const sphAsFull = new Float64Array(k * dd);
    for (let c = 0; c < k; c++)
      for (let j = 0; j < d; j++) {
        sphAsDiag[c * d + j] = sph[c];
        sphAsFull[c * dd + j * d + j] = sph[c];
      }
    const sphOut = run(logProbSpherical, sph);
    expectClose(sphOut, run(logProbDiag, sphAsDiag), 1e-14);
    expectClose(sphOut, run(logProbFull, sphAsFull), 1e-14);

    // One shared general covariance, as tied and as full repeated per component.
    const u = randomUpper(rand, d);
    const tiedAsFull = new Float64Array(k * dd);
    for (let c = 0; c < k; c++) tiedAsFull.set(u, c * dd);
    expectClose(run(logProbTied, u), run(logProbFull, tiedAsFull), 1e-14);
  });
});

describe('responsibilities', () => {
  it('rows sum to 1, lse is log Σ exp, and the return value is Σ lse', () => {
    const rand = lcg(3);
    const n = 6;
    const k = 4;
    const logProb = uniform(rand, n * k, -8, 2);
    const logWeights = new Float64Array([Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)]);
    const original = logProb.slice();
    const lse = new Float64Array(n);
    const total = responsibilities(logProb, n, k, logWeights, lse);
    let expectedTotal = 0;
    for (let i = 0; i < n; i++) {
      let direct = 0;
      for (let c = 0; c < k; c++) direct += Math.exp(original[i * k + c] + logWeights[c]);
      expect(lse[i]).toBeCloseTo(Math.log(direct), 13);
      expectedTotal += Math.log(direct);
      let rowSum = 0;
      for (let c = 0; c < k; c++) {
        const expected = Math.exp(original[i * k + c] + logWeights[c]) / direct;
        expect(logProb[i * k + c]).toBeCloseTo(expected, 14);
        rowSum += logProb[i * k + c];
      }
      expect(rowSum).toBeCloseTo(1, 14);
    }
    expect(total).toBeCloseTo(expectedTotal, 12);
  });

  it('is stable where a direct exp underflows', () => {
    const logProb = new Float64Array([-1000, -1001]);
    const lse = new Float64Array(1);
    const total = responsibilities(logProb, 1, 2, new Float64Array([0, 0]), lse);
    const e = Math.exp(-1);
    // exp(w − m) with |m| ≈ 1000 inherits m's rounding (ulp ≈ 1e-13), as in scikit-learn.
    expectClose(logProb, [1 / (1 + e), e / (1 + e)], 1e-12);
    expect(lse[0]).toBeCloseTo(-1000 + Math.log(1 + e), 12);
    expect(total).toBe(lse[0]);
  });

  it('a row of all −∞ gives 1/k and a −∞ likelihood; a −∞ weight gives 0', () => {
    const k = 3;
    const logProb = new Float64Array([-Infinity, -Infinity, -Infinity, 0, 0, 0]);
    const logWeights = new Float64Array([Math.log(0.5), Math.log(0.5), -Infinity]);
    const lse = new Float64Array(2);
    const total = responsibilities(logProb, 2, k, logWeights, lse);
    expectClose(logProb, [1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 0], 1e-15);
    expect(lse[0]).toBe(-Infinity);
    expect(lse[1]).toBeCloseTo(0, 15);
    expect(total).toBe(-Infinity);
  });

  it('accepts a null lse', () => {
    const logProb = new Float64Array([Math.log(3), Math.log(1)]);
    const total = responsibilities(logProb, 1, 2, new Float64Array([0, 0]), null);
    expectClose(logProb, [0.75, 0.25], 1e-15);
    expect(total).toBeCloseTo(Math.log(4), 15);
  });
});

describe('M-step statistics', () => {
  // Hand-worked case: n = 3, d = 2, k = 2.
  const x = new Float64Array([1, 2, 3, 5, 0, -1]);
  const resp = new Float64Array([1, 0, 0.5, 0.5, 0.25, 0.75]);
  const means = new Float64Array([1, 1, 2, 0]);
  const scatter0 = [2.25, 4.5, 4.5, 10];
  const scatter1 = [3.5, 4, 4, 13.25];

  it('accumulateMoments matches the hand values and adds on a second call', () => {
    const nk = new Float64Array(2);
    const sumX = new Float64Array(4);
    accumulateMoments(x, 3, 2, resp, 2, nk, sumX);
    expect(Array.from(nk)).toEqual([1.75, 1.25]);
    expect(Array.from(sumX)).toEqual([2.5, 4.25, 1.5, 1.75]);
    accumulateMoments(x, 3, 2, resp, 2, nk, sumX);
    expect(Array.from(nk)).toEqual([3.5, 2.5]);
    expect(Array.from(sumX)).toEqual([5, 8.5, 3, 3.5]);
  });

  it('accumulateScatterFull matches the hand values and adds on a second call', () => {
    const out = new Float64Array(8);
    accumulateScatterFull(x, 3, 2, resp, 2, means, out);
    expect(Array.from(out)).toEqual([...scatter0, ...scatter1]);
    accumulateScatterFull(x, 3, 2, resp, 2, means, out);
    expect(Array.from(out)).toEqual([...scatter0, ...scatter1].map((v) => 2 * v));
  });

  it('accumulateScatterTied is the sum of the per-component scatters', () => {
    const out = new Float64Array(4);
    accumulateScatterTied(x, 3, 2, resp, 2, means, out);
    expect(Array.from(out)).toEqual([5.75, 8.5, 8.5, 23.25]);
    accumulateScatterTied(x, 3, 2, resp, 2, means, out);
    expect(Array.from(out)).toEqual([11.5, 17, 17, 46.5]);
  });

  it('accumulateScatterDiag is the diagonal of the full scatter', () => {
    const out = new Float64Array(4);
    accumulateScatterDiag(x, 3, 2, resp, 2, means, out);
    expect(Array.from(out)).toEqual([2.25, 10, 3.5, 13.25]);
    accumulateScatterDiag(x, 3, 2, resp, 2, means, out);
    expect(Array.from(out)).toEqual([4.5, 20, 7, 26.5]);
  });

  it('scatters agree with each other and with Σ r·(x−μ)(x−μ)ᵀ on random data', () => {
    const rand = lcg(11);
    const n = 9;
    const d = 3;
    const k = 2;
    const xr = uniform(rand, n * d, -2, 2);
    const rr = uniform(rand, n * k, 0, 1);
    const mr = uniform(rand, k * d, -1, 1);
    const full = new Float64Array(k * d * d);
    const tied = new Float64Array(d * d);
    const diag = new Float64Array(k * d);
    accumulateScatterFull(xr, n, d, rr, k, mr, full);
    accumulateScatterTied(xr, n, d, rr, k, mr, tied);
    accumulateScatterDiag(xr, n, d, rr, k, mr, diag);
    const expectedTied = new Float64Array(d * d);
    for (let c = 0; c < k; c++) {
      const expected = new Float64Array(d * d);
      for (let i = 0; i < n; i++)
        for (let a = 0; a < d; a++)
          for (let b = 0; b < d; b++)
            expected[a * d + b] +=
              rr[i * k + c] * (xr[i * d + a] - mr[c * d + a]) * (xr[i * d + b] - mr[c * d + b]);
      expectClose(full.subarray(c * d * d, (c + 1) * d * d), expected, 1e-13);
      for (let j = 0; j < d; j++) expect(diag[c * d + j]).toBeCloseTo(expected[j * d + j], 13);
      for (let m = 0; m < d * d; m++) expectedTied[m] += expected[m];
    }
    expectClose(tied, expectedTied, 1e-13);
    // Both triangles must be written, and identically.
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) expect(tied[a * d + b]).toBe(tied[b * d + a]);
  });
});

describe('M-step finalisation', () => {
  it('finalizeFull: known 2×2 answer', () => {
    // cov = [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]], so U = L⁻ᵀ = [[1/2, −1/(2√2)], [0, 1/√2]].
    const scatter = new Float64Array([8, 4, 4, 6]);
    const cov = new Float64Array(4);
    const precChol = new Float64Array(4).fill(7);
    expect(finalizeFull(scatter, new Float64Array([2]), 1, 2, 0, cov, precChol)).toBe(0);
    expect(Array.from(cov)).toEqual([4, 2, 2, 3]);
    expectClose(precChol, [0.5, -1 / (2 * Math.SQRT2), 0, 1 / Math.SQRT2], 1e-15);
  });

  it('finalizeFull: precChol·precCholᵀ·cov = I for random SPD scatters', () => {
    const rand = lcg(5);
    const d = 4;
    const k = 3;
    const dd = d * d;
    const nk = new Float64Array([3.5, 10, 0.75]);
    const scatter = new Float64Array(k * dd);
    for (let c = 0; c < k; c++) scatter.set(randomSpd(rand, d), c * dd);
    const reg = 1e-6;
    const cov = new Float64Array(k * dd);
    const precChol = new Float64Array(k * dd).fill(NaN);
    expect(finalizeFull(scatter, nk, k, d, reg, cov, precChol)).toBe(0);
    for (let c = 0; c < k; c++) {
      const covC = cov.subarray(c * dd, (c + 1) * dd);
      const u = precChol.subarray(c * dd, (c + 1) * dd);
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) {
          const expected = scatter[c * dd + a * d + b] / nk[c] + (a === b ? reg : 0);
          expect(covC[a * d + b]).toBeCloseTo(expected, 14);
          if (b < a) expect(u[a * d + b]).toBe(0);
        }
      for (let j = 0; j < d; j++) expect(u[j * d + j]).toBeGreaterThan(0);
      expectIdentity(matmul(matmul(u, transpose(u, d), d), covC, d), d, 1e-10);
    }
  });

  it('finalizeFull: returns c + 1 for the first non-PD component when reg = 0', () => {
    const scatter = new Float64Array([2, 0, 0, 2, 1, 2, 2, 1, 0, 0, 0, 0]);
    const nk = new Float64Array([1, 1, 1]);
    const cov = new Float64Array(12);
    const precChol = new Float64Array(12);
    expect(finalizeFull(scatter, nk, 3, 2, 0, cov, precChol)).toBe(2);
    // An all-zero scatter is singular without regularisation, fine with it.
    const zero = new Float64Array(4);
    expect(finalizeFull(zero, new Float64Array([1]), 1, 2, 0, cov, precChol)).toBe(1);
    expect(finalizeFull(zero, new Float64Array([1]), 1, 2, 0.25, cov, precChol)).toBe(0);
    expectClose(precChol.subarray(0, 4), [2, 0, 0, 2], 1e-15);
  });

  it('finalizeTied: known answer and failure code', () => {
    const cov = new Float64Array(4);
    const precChol = new Float64Array(4);
    // scatter / 4 + 0.5·I = [[4, 2], [2, 3]], the same covariance as the finalizeFull case.
    expect(finalizeTied(new Float64Array([14, 8, 8, 10]), 4, 2, 0.5, cov, precChol)).toBe(0);
    expect(Array.from(cov)).toEqual([4, 2, 2, 3]);
    expectClose(precChol, [0.5, -1 / (2 * Math.SQRT2), 0, 1 / Math.SQRT2], 1e-15);
    expect(finalizeTied(new Float64Array([1, 2, 2, 1]), 1, 2, 0, cov, precChol)).toBe(1);
  });

  it('finalizeDiag: known answer and failure code', () => {
    const cov = new Float64Array(4);
    const precChol = new Float64Array(4);
    const nk = new Float64Array([2, 4]);
    expect(finalizeDiag(new Float64Array([2, 8, 4, 36]), nk, 2, 2, 0, cov, precChol)).toBe(0);
    expect(Array.from(cov)).toEqual([1, 4, 1, 9]);
    expectClose(precChol, [1, 0.5, 1, 1 / 3], 1e-15);
    expect(finalizeDiag(new Float64Array([2, 8, 4, 0]), nk, 2, 2, 0, cov, precChol)).toBe(2);
    expect(finalizeDiag(new Float64Array([2, 8, 4, 0]), nk, 2, 2, 1e-3, cov, precChol)).toBe(0);
    expect(
      finalizeDiag(new Float64Array([2, 8, 4, 4]), new Float64Array([0, 4]), 2, 2, 0, cov, precChol),
    ).toBe(1);
  });

  it('finalizeSpherical: known answer and failure code', () => {
    const cov = new Float64Array(2);
    const precChol = new Float64Array(2);
    const nk = new Float64Array([2, 1]);
    // Component 0: mean(2/2 + 0.5, 8/2 + 0.5) = 3; component 1: mean(0.5 + 0.5, 1.5 + 0.5) = 1.5.
    expect(finalizeSpherical(new Float64Array([2, 8, 0.5, 1.5]), nk, 2, 2, 0.5, cov, precChol)).toBe(0);
    expectClose(cov, [3, 1.5], 1e-15);
    expectClose(precChol, [1 / Math.sqrt(3), 1 / Math.sqrt(1.5)], 1e-15);
    expect(finalizeSpherical(new Float64Array([2, 8, 0, 0]), nk, 2, 2, 0, cov, precChol)).toBe(2);
  });
});

describe('linear algebra', () => {
  // A = L Lᵀ with L = [[2, 0, 0], [1, 3, 0], [−1, 2, 1]], multiplied out by hand.
  const a3 = new Float64Array([4, 2, -2, 2, 10, 5, -2, 5, 6]);
  const l3 = [2, 0, 0, 1, 3, 0, -1, 2, 1];

  it('cholesky: known 3×3 factor, zeros written above the diagonal', () => {
    const out = new Float64Array(9).fill(NaN);
    expect(cholesky(a3, 3, out)).toBe(0);
    expectClose(out, l3, 1e-15);
  });

  it('cholesky: returns j + 1 for the first failing pivot', () => {
    const out = new Float64Array(9);
    expect(cholesky(new Float64Array([1, 2, 2, 1]), 2, out)).toBe(2);
    expect(cholesky(new Float64Array([0, 0, 0, 1]), 2, out)).toBe(1);
    expect(cholesky(new Float64Array([NaN, 0, 0, 1]), 2, out)).toBe(1);
    expect(cholesky(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, -1]), 3, out)).toBe(3);
  });

  it('invertLowerTriangular: L·L⁻¹ = I', () => {
    const inv = new Float64Array(9).fill(NaN);
    invertLowerTriangular(new Float64Array(l3), 3, inv);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(inv[i * 3 + j]).toBe(0);
    expectIdentity(matmul(new Float64Array(l3), inv, 3), 3, 1e-15);
  });

  it('precisionCholeskyFromPrecision: known 2×2 factor', () => {
    // P = [[5, 2], [2, 4]]: U22 = 2, U12 = 2/2 = 1, U11 = √(5 − 1) = 2.
    const out = new Float64Array(4).fill(NaN);
    expect(precisionCholeskyFromPrecision(new Float64Array([5, 2, 2, 4]), 2, out)).toBe(0);
    expectClose(out, [2, 1, 0, 2], 1e-15);
  });

  it('precisionCholeskyFromPrecision: upper U with U Uᵀ = P for a random SPD P', () => {
    const rand = lcg(9);
    const d = 5;
    const p = randomSpd(rand, d);
    const u = new Float64Array(d * d).fill(NaN);
    expect(precisionCholeskyFromPrecision(p, d, u)).toBe(0);
    for (let i = 0; i < d; i++) {
      expect(u[i * d + i]).toBeGreaterThan(0);
      for (let j = 0; j < i; j++) expect(u[i * d + j]).toBe(0);
    }
    expectClose(matmul(u, transpose(u, d), d), p, 1e-12);
  });

  it('precisionCholeskyFromPrecision: recovers the factor finalizeFull produced (it is unique)', () => {
    const rand = lcg(13);
    const d = 4;
    const cov = new Float64Array(d * d);
    const u = new Float64Array(d * d);
    expect(finalizeFull(randomSpd(rand, d), new Float64Array([1]), 1, d, 0, cov, u)).toBe(0);
    const again = new Float64Array(d * d);
    expect(precisionCholeskyFromPrecision(matmul(u, transpose(u, d), d), d, again)).toBe(0);
    expectClose(again, u, 1e-12);
  });

  it('precisionCholeskyFromPrecision: failure code names the pivot in the original order', () => {
    const out = new Float64Array(4);
    // The factorisation runs from the last pivot: j = 1 is fine (U11 = 1), then j = 0 gets 1 − 2² < 0.
    expect(precisionCholeskyFromPrecision(new Float64Array([1, 2, 2, 1]), 2, out)).toBe(1);
    expect(precisionCholeskyFromPrecision(new Float64Array([1, 0, 0, -1]), 2, out)).toBe(2);
  });
});

describe('k-means', () => {
  it('kmeansStep: hand-checked assignment with ties going to the lower index', () => {
    const centers = new Float64Array([0, 0, 4, 0, 4, 4]);
    // [2, 0] is 4 from centers 0 and 1; [4, 2] is 4 from centers 1 and 2 (and 20 from center 0).
    const x = new Float64Array([1, 0, 2, 0, 4, 2, 5, 5]);
    const labels = new Int32Array(4).fill(-1);
    const sums = new Float64Array(6);
    const counts = new Float64Array(3);
    const minDist = new Float64Array(4);
    expect(kmeansStep(x, 4, 2, centers, 3, labels, sums, counts, minDist)).toBe(11);
    expect(Array.from(labels)).toEqual([0, 0, 1, 2]);
    expect(Array.from(minDist)).toEqual([1, 4, 4, 2]);
    expect(Array.from(counts)).toEqual([2, 1, 1]);
    expect(Array.from(sums)).toEqual([3, 0, 4, 2, 5, 5]);
    // A second pass overwrites labels and distances but accumulates sums and counts.
    expect(kmeansStep(x, 4, 2, centers, 3, labels, sums, counts, minDist)).toBe(11);
    expect(Array.from(labels)).toEqual([0, 0, 1, 2]);
    expect(Array.from(minDist)).toEqual([1, 4, 4, 2]);
    expect(Array.from(counts)).toEqual([4, 2, 2]);
    expect(Array.from(sums)).toEqual([6, 0, 8, 4, 10, 10]);
  });

  it('minSqDistMany: plain distances from +∞, then a running minimum, per candidate', () => {
    const x = new Float64Array([0, 0, 1, 1, 3, 0]);
    const dist = new Float64Array([Infinity, Infinity, Infinity]);
    const out = new Float64Array(6);
    const totals = new Float64Array(2);
    minSqDistMany(x, 3, 2, new Float64Array([1, 0, 3, 0]), 2, dist, out, totals);
    // Distances to [1, 0] are [1, 1, 4]; to [3, 0] they are [9, 5, 0].
    expect(Array.from(out)).toEqual([1, 1, 4, 9, 5, 0]);
    expect(Array.from(totals)).toEqual([6, 14]);
    expect(Array.from(dist)).toEqual([Infinity, Infinity, Infinity]);
    dist.set([1, 1, 4]);
    minSqDistMany(x, 3, 2, new Float64Array([3, 0]), 1, dist, out, totals);
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 1, 0]);
    expect(totals[0]).toBe(2);
  });
});
