import type { GaussianParams } from './params.js';

/** The workspace views that hold a fit's current Gaussian-mixture parameters. */
export interface ParamViews {
  means: Float64Array;
  cov: Float64Array;
  precChol: Float64Array;
  logWeights: Float64Array;
}

/**
 * A fit's current parameters: the means, covariances and precision factors live in workspace
 * memory (the kernels read them there); the weights live here, with their logs mirrored into the
 * workspace. Shared by every Gaussian-mixture EM hooks class.
 */
export class MixtureParams {
  readonly weights: Float64Array;

  constructor(private readonly views: ParamViews) {
    this.weights = new Float64Array(views.logWeights.length);
  }

  /** Sets the weights (`w` may be `this.weights`, updated in place) and their logs. */
  setWeights(w: Float64Array): void {
    if (w !== this.weights) this.weights.set(w);
    for (let c = 0; c < w.length; c++) this.views.logWeights[c] = Math.log(w[c]);
  }

  /** Weights `counts / total` (`total` defaults to Σ counts, as scikit-learn's M-step normalises). */
  setWeightsFromCounts(counts: Float64Array, total = counts.reduce((a, b) => a + b, 0)): void {
    for (let c = 0; c < counts.length; c++) this.weights[c] = counts[c] / total;
    this.setWeights(this.weights);
  }

  /** Continue from fitted parameters (warm start, or the result of an initialisation). */
  restore(p: GaussianParams): void {
    this.setWeights(p.weights);
    this.views.means.set(p.means);
    this.views.cov.set(p.covariances);
    this.views.precChol.set(p.precisionsCholesky);
  }

  snapshot(): GaussianParams {
    return {
      weights: Float64Array.from(this.weights),
      means: Float64Array.from(this.views.means),
      covariances: Float64Array.from(this.views.cov),
      precisionsCholesky: Float64Array.from(this.views.precChol),
    };
  }
}
