import { describe, expect, it } from 'vitest';
import { DegenerateCovarianceError } from '../../src/mixture/degenerate';
import { selectModel } from '../../src/select/select-model';
import { GaussianMixture } from '../../src/mixture/gaussian-mixture';
import { logGamma, logMinusDigamma, tLogNormalizer, updateDof } from '../../src/families/student/dof';
import { STUDENT_KERNELS, studentWorkLength } from '../../src/families/student/kernels';
import { StudentMixture } from '../../src/families/student/student-mixture';
import { toMatrix } from '../../src/util/matrix';
import { Random } from '../../src/util/random';
import { gamma } from '../../src/util/special';
import { maxScaledDiff, runKernel, type KernelArg } from '../helpers/kernel-table';

const EULER_GAMMA = 0.5772156649015329;

/** Rows of a d-variate t(ν) around `mean` with independent unit scales (scale mixture of normals). */
function tRows(rng: Random, n: number, mean: readonly number[], nu: number, sd = 1): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = Number.isFinite(nu) ? 1 / Math.sqrt(gamma(rng, nu / 2, 2 / nu)) : 1;
    rows.push(mean.map((m) => m + sd * s * rng.normal()));
  }
  return rows;
}

function normalRows(rng: Random, n: number, mean: readonly number[], sd = 1): number[][] {
  return tRows(rng, n, mean, Infinity, sd);
}

describe('special functions of the degrees of freedom', () => {
  it('log Γ, log − ψ and the t log-normaliser agree with closed forms', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(Math.abs(logGamma(30) - Math.log(8841761993739701954543616000000)) / 71.26).toBeLessThan(1e-15);
    // ψ(1) = −γ, ψ(½) = −γ − 2 log 2
    expect(logMinusDigamma(1)).toBeCloseTo(EULER_GAMMA, 14);
    expect(logMinusDigamma(0.5)).toBeCloseTo(EULER_GAMMA + Math.log(2), 14);
    // Cauchy: Γ(1)/(Γ(½)·√π) = 1/π
    expect(tLogNormalizer(1, 1)).toBeCloseTo(-Math.log(Math.PI), 14);
    // The Stirling branch (ν/2 ≥ 10) against the plain difference of log-gammas
    for (const [nu, d] of [
      [20, 1],
      [30, 3],
      [57.5, 7],
    ]) {
      const direct = logGamma((nu + d) / 2) - logGamma(nu / 2) - (d / 2) * Math.log(nu * Math.PI);
      expect(Math.abs(tLogNormalizer(nu, d) - direct)).toBeLessThan(1e-12);
    }
    // ν → ∞: the Gaussian's −(d/2)·log 2π + d(d − 2)/(4ν) + O(1/ν²), kept to full precision
    for (const d of [1, 2, 5]) {
      const limit = -(d / 2) * Math.log(2 * Math.PI) + (d * (d - 2)) / (4 * 1e8);
      expect(Math.abs(tLogNormalizer(1e8, d) - limit)).toBeLessThan(1e-14);
    }
  });

  it('updateDof solves the ECM equation, and clamps to the bounds exactly', () => {
    for (const [nuOld, d, mean] of [
      [10, 2, -1.2],
      [4, 1, -1.05],
      [1, 5, -3],
    ]) {
      const nu = updateDof(nuOld, d, mean, 0.01, 1000);
      // −ψ(ν/2) + log(ν/2) + 1 + mean + ψ((ν_old + d)/2) − log((ν_old + d)/2)
      const residual = logMinusDigamma(nu / 2) + 1 + mean - logMinusDigamma((nuOld + d) / 2);
      expect(nu).toBeGreaterThan(0.01);
      expect(nu).toBeLessThan(1000);
      expect(Math.abs(residual)).toBeLessThan(1e-12);
    }
    // log u − u = −1 everywhere (every u = 1): the root is ν_old + d, clamped when beyond dofMax
    expect(updateDof(50, 3, -1, 0.5, 200)).toBeCloseTo(53, 10);
    expect(updateDof(50, 3, -1, 0.5, 40)).toBe(40);
    expect(updateDof(1, 3, -50, 0.5, 200)).toBe(0.5);
  });
});

describe('studentEStep: Wasm == TypeScript twin', () => {
  // Shapes on both sides of the kernel's 64-row blocks, odd K and D.
  const shapes = [
    { n: 1, d: 1, k: 1 },
    { n: 7, d: 3, k: 2 },
    { n: 13, d: 5, k: 3 },
    { n: 9, d: 2, k: 4 },
    { n: 63, d: 4, k: 5 },
    { n: 64, d: 3, k: 3 },
    { n: 65, d: 7, k: 1 },
    { n: 130, d: 2, k: 5 },
  ];
  for (const full of [true, false]) {
    for (const { n, d, k } of shapes) {
      for (const variant of ['all', 'no-weights', 'scoring', 'fixed-dof'] as const) {
        it(`${full ? 'full' : 'diag'} n=${n} d=${d} k=${k} (${variant})`, async () => {
          const rng = new Random(n * 100 + d * 10 + k);
          const arr = (len: number, f: () => number) => Float64Array.from({ length: len }, f);
          const x = arr(n * d, () => 4 * rng.normal());
          const means = arr(k * d, () => 2 * rng.normal());
          const factor = full ? d * d : d;
          // Upper factors with junk below the diagonal (the kernel must not read it).
          const precChol = arr(k * factor, () => rng.uniform() - 0.5);
          for (let c = 0; c < k; c++) {
            for (let j = 0; j < d; j++) precChol[c * factor + (full ? j * d + j : j)] = 0.5 + rng.uniform();
          }
          const tParams = new Float64Array(k * 3);
          for (let c = 0; c < k; c++) {
            const nu = [0.7, 3, 25, 1e6][c % 4];
            tParams.set([nu, tLogNormalizer(nu, d), Math.log1p(d / nu)], c * 3);
          }
          const logWeights = arr(k, () => Math.log(1 / k));
          const stats = variant !== 'scoring';
          const stat = (len: number): Float64Array | null => (stats ? arr(len, () => rng.uniform()) : null);
          const args: KernelArg[] = [
            x,
            n,
            d,
            means,
            precChol,
            tParams,
            logWeights,
            k,
            stat(k),
            stat(k),
            stat(k * d),
            stat(k * factor),
            variant === 'fixed-dof' ? null : stat(k),
            variant === 'scoring' || variant === 'all' ? new Float64Array(n * k) : null,
            variant !== 'no-weights' ? new Float64Array(n) : null,
            variant === 'no-weights' ? null : arr(n, () => (rng.uniform() < 0.2 ? 0 : 3 * rng.uniform())),
            new Float64Array(studentWorkLength(k, d, full)),
          ];
          const name = full ? 'studentEStepFull' : 'studentEStepDiag';
          const a = await runKernel(STUDENT_KERNELS, name, 'wasm', args);
          const b = await runKernel(STUDENT_KERNELS, name, 'js', args);
          expect(Number.isFinite(b.result)).toBe(true);
          expect(maxScaledDiff([a.result], [b.result])).toBeLessThan(1e-12);
          // Every array but the scratch (the last one) matches.
          for (let i = 0; i < args.length - 1; i++) {
            const wa = a.arrays[i];
            const wb = b.arrays[i];
            if (wb === null) expect(wa).toBeNull();
            else expect(maxScaledDiff(wa as Float64Array, wb), `argument ${i}`).toBeLessThan(1e-12);
          }
        });
      }
    }
  }

  for (const full of [true, false]) {
    for (const { n, d, k } of shapes) {
      it(`${full ? 'full' : 'diag'} accumulate n=${n} d=${d} k=${k}`, async () => {
        const rng = new Random(n * 7 + d * 3 + k);
        const arr = (len: number, f: () => number) => Float64Array.from({ length: len }, f);
        const factor = full ? d * d : d;
        const resp = arr(n * k, () => (rng.uniform() < 0.1 ? 0 : 2 * rng.uniform()));
        const args: KernelArg[] = [
          arr(n * d, () => 5 + 4 * rng.normal()),
          n,
          d,
          resp,
          k,
          arr(k * d, () => rng.normal()),
          arr(k, () => rng.uniform()),
          arr(k, () => rng.uniform()),
          arr(k * d, () => rng.uniform()),
          arr(k * factor, () => rng.uniform()),
          new Float64Array(studentWorkLength(k, d, full)),
        ];
        const name = full ? 'studentAccumulateFull' : 'studentAccumulateDiag';
        const a = await runKernel(STUDENT_KERNELS, name, 'wasm', args);
        const b = await runKernel(STUDENT_KERNELS, name, 'js', args);
        for (let i = 5; i < 10; i++) {
          expect(
            maxScaledDiff(a.arrays[i] as Float64Array, b.arrays[i] as Float64Array),
            `argument ${i}`,
          ).toBeLessThan(1e-12);
        }
        // The means are the responsibilities' weighted means (the outputs started from random values).
        const w0 = Array.from({ length: n }, (_, i) => resp[i * k]).reduce((s, v) => s + v, 0);
        const x = args[0] as Float64Array;
        const m0 = Array.from({ length: n }, (_, i) => resp[i * k] * x[i * d]).reduce((s, v) => s + v, 0);
        expect((b.arrays[5] as Float64Array)[0]).toBeCloseTo(m0 / (w0 + 10 * Number.EPSILON), 10);
      });
    }
  }

  it('impossible rows of weight 0 add nothing (lse −∞, posteriors 0)', async () => {
    const n = 67;
    const d = 2;
    const k = 3;
    for (const full of [true, false]) {
      const factor = full ? d * d : d;
      const precChol = new Float64Array(k * factor);
      for (let c = 0; c < k; c++)
        for (let j = 0; j < d; j++) precChol[c * factor + (full ? j * d + j : j)] = 1;
      const tParams = new Float64Array(k * 3);
      for (let c = 0; c < k; c++) tParams.set([3, tLogNormalizer(3, d), Math.log1p(d / 3)], c * 3);
      for (const backend of ['wasm', 'js'] as const) {
        const res = await runKernel(
          STUDENT_KERNELS,
          full ? 'studentEStepFull' : 'studentEStepDiag',
          backend,
          [
            Float64Array.from({ length: n * d }, (_, i) => i % 5),
            n,
            d,
            new Float64Array(k * d),
            precChol,
            tParams,
            new Float64Array(k).fill(-Infinity),
            k,
            new Float64Array(k),
            new Float64Array(k),
            new Float64Array(k * d),
            new Float64Array(k * factor),
            new Float64Array(k),
            new Float64Array(n * k).fill(NaN),
            new Float64Array(n),
            new Float64Array(n),
            new Float64Array(studentWorkLength(k, d, full)),
          ],
        );
        expect(res.result).toBe(0);
        for (const [i, len] of [
          [8, k],
          [9, k],
          [10, k * d],
          [11, k * factor],
          [12, k],
          [13, n * k],
        ])
          expect(res.arrays[i], `${backend} argument ${i}`).toEqual(new Float64Array(len));
        expect(res.arrays[14]).toEqual(new Float64Array(n).fill(-Infinity));
      }
    }
  });

  it('the log-density is the t density: a Cauchy row in one dimension', async () => {
    // μ = 0, σ = 2 (U = ½), ν = 1: p(x) = 1/(π·σ·(1 + x²/σ²)); at x = 3: 1/(2π·(13/4))
    const args: KernelArg[] = [
      Float64Array.of(3),
      1,
      1,
      Float64Array.of(0),
      Float64Array.of(0.5),
      Float64Array.of(1, tLogNormalizer(1, 1) + Math.log(0.5), Math.log1p(1)),
      Float64Array.of(0),
      1,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      new Float64Array(studentWorkLength(1, 1, true)),
    ];
    for (const backend of ['wasm', 'js'] as const) {
      for (const name of ['studentEStepFull', 'studentEStepDiag']) {
        const { result } = await runKernel(STUDENT_KERNELS, name, backend, args);
        expect(result).toBeCloseTo(-Math.log(2 * Math.PI * (13 / 4)), 14);
      }
    }
  });
});

/**
 * How far (μ, Σ) of a fitted one-component 2-D model are from the ECM fixed point μ = Σu·x/Σu,
 * Σ = Σu·(x−μ)(x−μ)ᵀ/n (only its diagonal when `diag`).
 */
function fixedPointResidual(
  X: number[][],
  means: Float64Array,
  cov: Float64Array,
  nu: number,
  diag = false,
): number {
  const d = means.length;
  const n = X.length;
  // δ via the inverse of Σ (2 × 2 here)
  const [a, b, c] = [cov[0], cov[1], cov[3]];
  const det = a * c - b * b;
  const inv = [c / det, -b / det, -b / det, a / det];
  let sumU = 0;
  const sumUX = new Float64Array(d);
  const u = X.map((x) => {
    const z = [x[0] - means[0], x[1] - means[1]];
    const delta = z[0] * (inv[0] * z[0] + inv[1] * z[1]) + z[1] * (inv[2] * z[0] + inv[3] * z[1]);
    return (nu + d) / (nu + delta);
  });
  X.forEach((x, i) => {
    sumU += u[i];
    for (let j = 0; j < d; j++) sumUX[j] += u[i] * x[j];
  });
  const mu = Array.from(sumUX, (v) => v / sumU);
  const S = new Float64Array(4);
  X.forEach((x, i) => {
    for (let p = 0; p < 2; p++)
      for (let q = 0; q < 2; q++) S[p * 2 + q] += (u[i] * (x[p] - mu[p]) * (x[q] - mu[q])) / n;
  });
  return Math.max(
    ...mu.map((m, j) => Math.abs(m - means[j])),
    ...Array.from(S, (v, j) => (diag && (j === 1 || j === 2) ? 0 : Math.abs(v - cov[j]))),
  );
}

describe('StudentMixture: known answers', () => {
  it('one component with ν fixed reaches the ECM fixed point (full and diag)', async () => {
    const rng = new Random(3);
    const X = tRows(rng, 300, [1, -2], 3).map(([p, q]) => [p + 0.5 * q, q]);
    for (const backend of ['wasm', 'js'] as const) {
      const m = await new StudentMixture({ dof: 3, regCovar: 0, tol: 0, maxIter: 300, backend }).fit(X);
      expect(fixedPointResidual(X, m.means, m.covariances, 3)).toBeLessThan(1e-10);
      expect(Array.from(m.dof)).toEqual([3]);
      // The bound of the last iteration is the mean log-likelihood of the (converged) parameters.
      expect(Math.abs(m.lowerBound - m.score(X))).toBeLessThan(1e-10);
    }
    const diag = await new StudentMixture({
      dof: 3,
      regCovar: 0,
      tol: 0,
      maxIter: 300,
      covarianceType: 'diag',
    }).fit(X);
    const v = diag.covariances;
    expect(fixedPointResidual(X, diag.means, Float64Array.of(v[0], 0, 0, v[1]), 3, true)).toBeLessThan(1e-10);
  });

  it('a hand-checked Cauchy fit: x = −1, 0, 1 with ν = 1 gives μ = 0, σ² = 1/3', async () => {
    // σ² = (1/3)·Σ u·x² with u = 2/(1 + x²/σ²): σ² = (4/3)·σ²/(σ² + 1), so σ² = 1/3.
    const X = [[-1], [0], [1]];
    const m = await new StudentMixture({ dof: 1, regCovar: 0, tol: 0, maxIter: 200 }).fit(X);
    expect(m.means[0]).toBeCloseTo(0, 12);
    expect(m.covariances[0]).toBeCloseTo(1 / 3, 12);
    // p(x) = 1/(π·s·(1 + x²/s²)), s = 1/√3: mean log p = log(√3/π) − (2/3)·log 4
    expect(m.score(X)).toBeCloseTo(Math.log(Math.sqrt(3) / Math.PI) - (2 / 3) * Math.log(4), 12);
    expect(m.nParameters()).toBe(2);
  });

  it('respInit: the initial M-step gives the classes’ means and covariances (u = 1) and keeps ν at dofInit', async () => {
    const X = [
      [0, 1],
      [2, 1],
      [1, 4],
      [10, 10],
      [12, 11],
      [11, 15],
      [13, 12],
    ];
    const labels = [0, 0, 0, 1, 1, 1, 1];
    const m = await new StudentMixture({
      nComponents: 2,
      respInit: labels,
      dofInit: [3, 7],
      regCovar: 0,
      maxIter: 0,
    }).fit(X);
    expect(Array.from(m.dof)).toEqual([3, 7]);
    expect(maxScaledDiff(m.weights, [3 / 7, 4 / 7])).toBeLessThan(1e-14);
    for (const c of [0, 1]) {
      const rows = X.filter((_, i) => labels[i] === c);
      const mean = [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
      const cov = [0, 1].flatMap((a) =>
        [0, 1].map((b) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / rows.length),
      );
      expect(maxScaledDiff(m.means.subarray(c * 2, c * 2 + 2), mean)).toBeLessThan(1e-14);
      expect(maxScaledDiff(m.covariances.subarray(c * 4, c * 4 + 4), cov)).toBeLessThan(1e-13);
    }
  });

  it('with ν fixed at 1e8 the fit equals GaussianMixture from the same start', async () => {
    const rng = new Random(5);
    const X = [
      ...normalRows(rng, 120, [0, 0, 0]),
      ...normalRows(rng, 80, [4, 1, -2], 0.7),
      ...normalRows(rng, 60, [-3, 4, 1], 1.3),
    ];
    const start = {
      nComponents: 3,
      meansInit: [
        [0.5, 0.2, 0],
        [3, 1, -1],
        [-2, 3, 0],
      ],
      weightsInit: [0.4, 0.3, 0.3],
      regCovar: 1e-4,
      tol: 0,
      maxIter: 30,
    };
    for (const covarianceType of ['full', 'diag'] as const) {
      const precisionsInit =
        covarianceType === 'full'
          ? Array.from({ length: 3 }, () => [
              [1, 0.1, 0],
              [0.1, 1, 0],
              [0, 0, 1],
            ])
          : Array.from({ length: 3 }, () => [1, 1, 1]);
      const gm = await new GaussianMixture({ ...start, covarianceType, precisionsInit }).fit(X);
      const tm = await new StudentMixture({ ...start, covarianceType, precisionsInit, dof: 1e8 }).fit(X);
      // The t density differs from the Gaussian by O(δ²/ν): measured 4e-8 at ν = 1e8, scaling as 1/ν.
      expect(maxScaledDiff(tm.means, gm.means)).toBeLessThan(1e-7);
      expect(maxScaledDiff(tm.covariances, gm.covariances)).toBeLessThan(1e-7);
      expect(maxScaledDiff(tm.weights, gm.weights)).toBeLessThan(1e-7);
      expect(maxScaledDiff(tm.lowerBounds, gm.lowerBounds)).toBeLessThan(1e-7);
      expect(maxScaledDiff(tm.scoreSamples(X), gm.scoreSamples(X))).toBeLessThan(1e-7);
    }
  });
});

describe('StudentMixture: robustness and degrees of freedom', () => {
  it('with ν estimated, the fit is a stationary point of the observed log-likelihood', async () => {
    // Checked by central differences of score() around the fitted (μ, Σ⁻¹, ν), which are O(h²) at a
    // stationary point (measured 6e-9 for Σ⁻¹, 4e-11 for ν at h = 1e-4 after 3000 iterations):
    // independent of the ECM formulas, so it also checks the ν equation and its E-step statistics.
    const rng = new Random(17);
    const X = tRows(rng, 1500, [1, 2], 3).map(([p, q]) => [p, 0.8 * p + 0.5 * q]);
    const m = await new StudentMixture({ randomState: 0, regCovar: 0, tol: 0, maxIter: 3000 }).fit(X);
    const U = m.precisionsCholesky;
    const precisions = [
      [U[0] * U[0] + U[1] * U[1], U[1] * U[3]],
      [U[1] * U[3], U[3] * U[3]],
    ];
    const at = (means: number[], nu: number, p = precisions): number =>
      new StudentMixture({
        maxIter: 0,
        meansInit: [means],
        precisionsInit: [p],
        dofInit: [nu],
        weightsInit: [1],
      }).score(X);
    const mu = Array.from(m.means);
    const nu = m.dof[0];
    expect(nu).toBeGreaterThan(2);
    expect(nu).toBeLessThan(4.5);
    const h = 1e-4;
    expect(Math.abs((at(mu, nu + h) - at(mu, nu - h)) / (2 * h))).toBeLessThan(2e-8);
    for (const j of [0, 1]) {
      const up = [...mu];
      const down = [...mu];
      up[j] += h;
      down[j] -= h;
      expect(Math.abs((at(up, nu) - at(down, nu)) / (2 * h))).toBeLessThan(2e-8);
    }
    const bump = (e: number) => [
      [precisions[0][0], precisions[0][1] + e],
      [precisions[1][0] + e, precisions[1][1]],
    ];
    expect(Math.abs((at(mu, nu, bump(h)) - at(mu, nu, bump(-h))) / (2 * h))).toBeLessThan(2e-8);
    expect(Math.abs(m.lowerBound - at(mu, nu))).toBeLessThan(1e-12);
  });

  it('gross outliers move the Gaussian means but not the t means', async () => {
    const rng = new Random(8);
    const truth = [
      [0, 0],
      [6, 6],
    ];
    const X = [...normalRows(rng, 200, truth[0]), ...normalRows(rng, 200, truth[1])];
    for (let i = 0; i < 30; i++) X.push([40 + 20 * rng.uniform(), -30 - 20 * rng.uniform()]);
    const start = { nComponents: 2, meansInit: truth, weightsInit: [0.5, 0.5], maxIter: 200 };
    const tm = await new StudentMixture({
      ...start,
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    }).fit(X);
    const gm = await new GaussianMixture({
      ...start,
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    }).fit(X);
    const error = (m: Float64Array): number =>
      Math.max(...truth.flatMap((mu, c) => mu.map((v, j) => Math.abs(m[c * 2 + j] - v))));
    expect(error(tm.means)).toBeLessThan(0.25);
    expect(error(gm.means)).toBeGreaterThan(1);
    expect(Math.max(...tm.dof)).toBeLessThan(10);
  });

  it('recovers ν ≈ 4 from t(4) samples', async () => {
    const rng = new Random(21);
    const X = tRows(rng, 5000, [2, -1], 4);
    const m = await new StudentMixture({ randomState: 0, tol: 1e-8, maxIter: 500 }).fit(X);
    expect(Math.abs(m.dof[0] - 4)).toBeLessThan(0.5);
    expect(m.dofAtBound).toEqual(['none']);
    expect(m.converged).toBe(true);
  });

  it('a ν that hits its bound is finite and reported (and the bound never decreases)', async () => {
    const rng = new Random(4);
    const gaussian = normalRows(rng, 400, [0, 0]);
    const seen: number[] = [];
    const light = await new StudentMixture({
      dofMax: 30,
      tol: 0,
      maxIter: 60,
      onIteration: (info) => seen.push((info.dof as Float64Array)[0]),
    }).fit(gaussian);
    expect(Array.from(light.dof)).toEqual([30]);
    expect(seen.length).toBe(60);
    expect(seen[59]).toBe(30);
    expect(light.dofAtBound).toEqual(['max']);
    const cauchy = tRows(rng, 400, [0, 0], 0.3);
    const heavy = await new StudentMixture({ dofMin: 2, tol: 0, maxIter: 60 }).fit(cauchy);
    expect(Array.from(heavy.dof)).toEqual([2]);
    expect(heavy.dofAtBound).toEqual(['min']);
    for (const m of [light, heavy]) {
      expect(Number.isFinite(m.lowerBound)).toBe(true);
      const b = m.lowerBounds;
      for (let i = 1; i < b.length; i++) expect(b[i]).toBeGreaterThanOrEqual(b[i - 1] - 1e-12);
    }
    const fixed = await new StudentMixture({ dof: 2, maxIter: 5 }).fit(cauchy);
    expect(fixed.dofAtBound).toEqual(['none']);
  });

  it('diagonal scales with estimated ν: the bound never decreases, on both backends alike', async () => {
    const rng = new Random(9);
    const X = [...tRows(rng, 150, [0, 0, 0], 3), ...tRows(rng, 100, [3, -2, 1], 6, 0.5)];
    const fits = [];
    for (const backend of ['wasm', 'js'] as const) {
      const m = await new StudentMixture({
        nComponents: 2,
        covarianceType: 'diag',
        initParams: 'random',
        randomState: 2,
        tol: 0,
        maxIter: 40,
        backend,
      }).fit(X);
      const b = m.lowerBounds;
      for (let i = 1; i < b.length; i++) expect(b[i]).toBeGreaterThanOrEqual(b[i - 1] - 1e-12);
      expect(b[b.length - 1]).toBeGreaterThan(b[0]);
      fits.push(m);
    }
    expect(maxScaledDiff(fits[0].dof, fits[1].dof)).toBeLessThan(1e-9);
    expect(maxScaledDiff(fits[0].lowerBounds, fits[1].lowerBounds)).toBeLessThan(1e-12);
  });

  it('counts its parameters and samples the t scale mixture', async () => {
    const model = new StudentMixture({
      nComponents: 2,
      maxIter: 0,
      meansInit: [
        [0, 0],
        [10, 10],
      ],
      precisionsInit: [
        [
          [1, 0],
          [0, 1],
        ],
        [
          [0.25, 0],
          [0, 4],
        ],
      ],
      dofInit: [5, 8],
      weightsInit: [0.5, 0.5],
      randomState: 1,
    });
    expect(model.nParameters()).toBe(2 * 2 + 2 * 3 + 2 + 1);
    const { X, labels } = model.sample(40000);
    // Var of t(ν) with scale Σ is ν/(ν − 2)·Σ: 5/3·diag(1, 1) and 8/6·diag(4, 0.25)
    const expected = [
      [5 / 3, 5 / 3],
      [(8 / 6) * 4, (8 / 6) * 0.25],
    ];
    for (const c of [0, 1]) {
      const rows = Array.from(labels.keys()).filter((i) => labels[i] === c);
      for (const j of [0, 1]) {
        const mean = rows.reduce((s, i) => s + X[i * 2 + j], 0) / rows.length;
        const v = rows.reduce((s, i) => s + (X[i * 2 + j] - mean) ** 2, 0) / rows.length;
        expect(Math.abs(mean - c * 10)).toBeLessThan(0.05 * Math.sqrt(expected[c][j]) * 3);
        expect(Math.abs(v / expected[c][j] - 1)).toBeLessThan(0.1);
      }
    }
    const diag = new StudentMixture({ covarianceType: 'diag', dof: 3 });
    await diag.fit(normalRows(new Random(1), 50, [0, 0, 0]));
    expect(diag.nParameters()).toBe(3 + 3);
    expect(diag.covariances.length).toBe(3);
    expect(diag.precisionsCholesky.length).toBe(3);
  });
});

describe('StudentMixture in selectModel', () => {
  it('chooses K and the scale shape by BIC over full and diag', async () => {
    const rng = new Random(30);
    const X = [
      ...tRows(rng, 150, [0, 0], 4).map(([p, q]) => [p, 0.9 * p + 0.4 * q]),
      ...tRows(rng, 150, [8, -4], 4),
    ];
    const { table, bestRow, best } = await selectModel(X, {
      family: 'StudentMixture',
      nComponents: [1, 2, 3],
      randomState: 0,
    });
    expect(table).toHaveLength(6);
    expect(table.every((r) => r.family === 'StudentMixture')).toBe(true);
    expect(new Set(table.map((r) => r.covarianceType))).toEqual(new Set(['full', 'diag']));
    expect(bestRow).toMatchObject({ nComponents: 2, covarianceType: 'full' });
    // means 2·2, full scales 2·3, ν 2, weights 1
    expect(bestRow.nParameters).toBe(4 + 6 + 2 + 1);
    expect(best.bic(toMatrix(X))).toBeCloseTo(bestRow.score, 8);
  });
});

describe('StudentMixture: bad input', () => {
  const X = normalRows(new Random(2), 30, [0, 0]);

  it('rejects bad options, naming the parameter and the value', () => {
    expect(() => new StudentMixture({ dof: 'guess' as never })).toThrow(
      /dof must be 'estimate' or a finite number > 0, got "guess"/,
    );
    expect(() => new StudentMixture({ dof: -1 })).toThrow(/dof must be .* got -1/);
    expect(() => new StudentMixture({ dofMin: 10, dofMax: 5 })).toThrow(/dofMin must be below dofMax/);
    expect(() => new StudentMixture({ dofMin: 0 })).toThrow(/dofMin must be a finite number > 0, got 0/);
    expect(() => new StudentMixture({ dof: 4, dofInit: [4] })).toThrow(
      /dofInit is only used with dof: 'estimate'/,
    );
    expect(() => new StudentMixture({ covarianceType: 'tied' as never })).toThrow(
      /covarianceType must be one of 'full', 'diag', got "tied"/,
    );
    expect(() => new StudentMixture({ regCovar: -1 })).toThrow(/regCovar must be a finite number >= 0/);
  });

  it('rejects bad starting values when the fit starts', async () => {
    await expect(new StudentMixture({ dofInit: [300] }).fit(X)).rejects.toThrow(
      /dofInit\[0\] must be in \[dofMin=0.5, dofMax=200\], got 300/,
    );
    await expect(new StudentMixture({ meansInit: [[0, 0, 0]] }).fit(X)).rejects.toThrow(
      /meansInit must have shape/,
    );
    await expect(
      new StudentMixture({
        precisionsInit: [
          [
            [1, 2],
            [2, 1],
          ],
        ],
      }).fit(X),
    ).rejects.toThrow(/precisionsInit must be symmetric positive definite/);
    await expect(
      new StudentMixture({ covarianceType: 'diag', precisionsInit: [[1, -1]] }).fit(X),
    ).rejects.toThrow(/precisionsInit must be positive/);
    await expect(new StudentMixture().fit([[0, Number.NaN]])).rejects.toThrow(/X/);
  });

  it('a collapsed component asks for a larger regCovar', async () => {
    const line = Array.from({ length: 20 }, (_, i) => [i, 2 * i]);
    const fit = new StudentMixture({ regCovar: 0, dof: 5 }).fit(line);
    await expect(fit).rejects.toThrow(DegenerateCovarianceError);
    await expect(new StudentMixture({ regCovar: 0, dof: 5 }).fit(line)).rejects.toThrow(/Increase regCovar/);
    const constant = Array.from({ length: 20 }, (_, i) => [i, 3]);
    await expect(
      new StudentMixture({ covarianceType: 'diag', regCovar: 0, dof: 5 }).fit(constant),
    ).rejects.toThrow(
      /the diag covariance of component 0 is not positive definite.*Increase regCovar \(now 0\)/,
    );
    const ok = await new StudentMixture({ regCovar: 1e-6, dof: 5 }).fit(line);
    expect(Number.isFinite(ok.lowerBound)).toBe(true);
  });

  it('rejects a saved model with broken parameters', async () => {
    const m = await new StudentMixture({ maxIter: 3 }).fit(X);
    const json = m.toJSON();
    const bad = (params: Record<string, unknown>) => ({ ...json, params: { ...json.params, ...params } });
    expect(() => StudentMixture.fromJSON(bad({ dof: [-1] }))).toThrow(/dof\[0\] must be > 0, got -1/);
    expect(() => StudentMixture.fromJSON(bad({ precisionsCholesky: [1, 0, 1, 1] }))).toThrow(
      /must be upper triangular/,
    );
    expect(() => StudentMixture.fromJSON(bad({ precisionsCholesky: [1, 0, 0, 0] }))).toThrow(
      /positive diagonal/,
    );
  });
});
