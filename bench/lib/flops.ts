/**
 * The flop model of one EM iteration (E-step + M-step), used to turn ms/iter into GFLOP/s. It counts
 * the arithmetic a direct implementation needs, with a multiply and an add as 2 flops and exp/log as
 * 1 each; the O(K·D³) Cholesky work of the M-step is left out (it does not grow with N).
 */
import type { CovType, Shape } from './data';

/** Flops per point and component spent on responsibilities: exp, log-sum-exp, normalising, weights. */
const PER_RESP = 6;

export function flopsPerIteration(cov: CovType, { n, d, k }: Shape): number {
  switch (cov) {
    case 'full':
      // log-density: centre (D) + triangular mat-vec U·(x−μ) (D(D+1)) + squared norm (2D);
      // M-step: Σr·x (2D) + centre (D) + symmetric rank-1 update r·(x−μ)(x−μ)ᵀ (D(D+1)).
      return n * k * (2 * d * (d + 1) + 6 * d + PER_RESP);
    case 'tied':
      // One precision factor: y = U·x once per point (D(D+1)) and ‖y − Uμ_c‖² per component (3D);
      // the scatter Σ_c Σ_n r(x−μ_c)(x−μ_c)ᵀ = XᵀX − Σ_c N_c μ_c μ_cᵀ needs XᵀX once (D(D+1)) plus Σr·x (2D).
      return n * (2 * d * (d + 1)) + n * k * (5 * d + PER_RESP);
    case 'diag':
      // log-density Σ (x−μ)²·p (3D); statistics Σr·x and Σr·x² (3D, x² shared across components).
      return n * k * (6 * d + PER_RESP);
    case 'spherical':
      // log-density ‖x−μ‖²·p (3D); statistics Σr·x (2D) and Σr·‖x‖² (2).
      return n * k * (5 * d + 2 + PER_RESP);
  }
}

export const FLOP_MODEL_TEXT = [
  'flop model per EM iteration (mul and add = 2 flops, exp/log = 1; Cholesky work left out):',
  '  full      N·K·(2·D(D+1) + 6D + 6)   log-density D(D+1)+3D, scatter D(D+1)+D, Σr·x 2D, responsibilities 6',
  '  tied      N·2·D(D+1) + N·K·(5D + 6) U·x and XᵀX once per point, per component ‖Ux−Uμ‖² 3D and Σr·x 2D',
  '  diag      N·K·(6D + 6)              log-density 3D, statistics Σr·x, Σr·x² 3D',
  '  spherical N·K·(5D + 8)              log-density 3D, statistics Σr·x 2D and Σr·‖x‖² 2',
].join('\n');
