import type { Handle } from '../backend/types.js';
import { allocKMeans, kmeans, type KMeansBuffers } from '../init/kmeans.js';
import { COVARIANCE_KINDS, type CovarianceKind, type CovarianceType } from '../mixture/covariance.js';
import type { Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { finalizeFloored } from './covariance-floor.js';
import { dataCovariance, fillCovars, precisionCholeskyOf } from './gaussian-covars.js';
import type { Emission } from './hmm-em.js';
import { gaussianLogPrior, type GaussianPrior } from './log-prior.js';
import type { HmmWorkspace } from './workspace.js';

/** Fitted Gaussian emission parameters, flat row-major. */
export interface GaussianEmissionParams {
  /** `(K × D)` */
  means: Float64Array;
  /** by covariance type: spherical `(K)`, diag `(K × D)`, full `(K × D × D)`, tied `(D × D)` */
  covars: Float64Array;
  /** shaped as `covars`: the precisions' Cholesky factors (upper triangular for full and tied) */
  precisionsCholesky: Float64Array;
}

export interface GaussianEmissionSettings {
  covarianceType: CovarianceType;
  minCovar: number;
  meansPrior: number;
  meansWeight: number;
  covarsPrior: number;
  covarsWeight: number;
  update: { means: boolean; covars: boolean };
  /** Checked starting values. */
  meansInit?: Float64Array;
  covarsInit?: Float64Array;
}

/** hmmlearn's `max(c_d, 1e-5)`: a state without posterior mass does not divide by zero. */
const MIN_DENOMINATOR = 1e-5;

/**
 * Gaussian emissions of one fit: the log-densities and the statistics run on the mixture's Gaussian
 * kernels (the states play the components), the M-step follows hmmlearn's GaussianHMM with its
 * priors, and `minCovar` is a floor on every covariance's eigenvalues under which the M-step
 * maximises (see covariance-floor.ts), so that it stays the maximiser of the bound.
 */
export class GaussianEmission implements Emission<GaussianEmissionParams> {
  readonly degenerateAdvice: string;
  private readonly kind: CovarianceKind;
  private readonly n: number;
  private readonly d: number;
  private readonly covLength: number;
  private readonly x: Handle;
  private readonly means: Handle;
  private readonly precChol: Handle;
  private readonly cov: Handle;
  private readonly nk: Handle;
  private readonly sumX: Handle;
  private readonly scatter: Handle;
  private readonly denominators: Handle;
  private readonly km: KMeansBuffers | null;
  private post: Handle = 0;
  private startCovars: Float64Array | null = null;
  private readonly prior: GaussianPrior;

  constructor(
    private readonly ws: HmmWorkspace,
    private readonly X: Matrix,
    private readonly k: number,
    private readonly settings: GaussianEmissionSettings,
    initializing: boolean,
  ) {
    const { rows: n, cols: d } = X;
    this.n = n;
    this.d = d;
    this.kind = COVARIANCE_KINDS[settings.covarianceType];
    this.covLength = this.kind.shape(k, d).reduce((a, b) => a * b, 1);
    this.x = ws.allocF64(n * d);
    this.means = ws.allocF64(k * d);
    this.precChol = ws.allocF64(this.covLength);
    this.cov = ws.allocF64(this.covLength);
    this.nk = ws.allocF64(k);
    this.sumX = ws.allocF64(k * d);
    this.scatter = ws.allocF64(this.kind.scatterLength(k, d));
    this.denominators = ws.allocF64(k);
    this.km = initializing && !settings.meansInit ? allocKMeans(ws, n, d, k) : null;
    ws.f64(this.x, n * d).set(X.data);
    const triangular = settings.covarianceType === 'full' || settings.covarianceType === 'tied';
    this.prior = {
      covarianceType: settings.covarianceType,
      meansPrior: settings.meansPrior,
      meansWeight: settings.meansWeight,
      covarsPrior: settings.covarsPrior,
      logDetWeight: Math.max(settings.covarsWeight - (triangular ? d : 1), 0),
    };
    this.degenerateAdvice =
      `A state's covariance may have collapsed: increase minCovar (now ${settings.minCovar}), ` +
      `decrease nComponents, or rescale the data.`;
  }

  /** hmmlearn's start: k-means centers as means, `cov(X) + minCovar·I` for every state. */
  initialize(rng: Random): void {
    const { ws, k, d, settings: s } = this;
    const means = s.meansInit ?? Float64Array.from(this.kmeansCenters(rng));
    if (!this.startCovars) {
      this.startCovars =
        s.covarsInit ?? fillCovars(dataCovariance(this.X, s.minCovar), s.covarianceType, k, d);
    }
    ws.f64(this.means, k * d).set(means);
    this.setCovars(this.startCovars);
  }

  private kmeansCenters(rng: Random): Float64Array {
    const km = this.km as KMeansBuffers;
    kmeans(this.ws, km, this.x, this.n, this.d, this.k, rng);
    return this.ws.f64(km.centers, this.k * this.d);
  }

  private setCovars(covars: Float64Array): void {
    const pc = precisionCholeskyOf(this.settings.covarianceType, covars, this.k, this.d);
    if (!pc)
      throw new RangeError(`The starting covariances are not positive definite. ${this.degenerateAdvice}`);
    this.ws.f64(this.cov, this.covLength).set(covars);
    this.ws.f64(this.precChol, this.covLength).set(pc);
  }

  restore(p: GaussianEmissionParams): void {
    this.ws.f64(this.means, this.k * this.d).set(p.means);
    this.ws.f64(this.cov, this.covLength).set(p.covars);
    this.ws.f64(this.precChol, this.covLength).set(p.precisionsCholesky);
  }

  logLikelihood(logB: Handle): void {
    const { n, d, k } = this;
    this.kind.logProb(this.ws.kernels, this.x, n, d, this.means, this.precChol, k, logB);
  }

  accumulate(post: Handle): void {
    const { ws, n, d, k } = this;
    this.post = post;
    if (!this.settings.update.means && !this.settings.update.covars) return;
    ws.f64(this.nk, k).fill(0);
    ws.f64(this.sumX, k * d).fill(0);
    ws.kernels.accumulateMoments(this.x, n, d, post, k, this.nk, this.sumX);
  }

  /** The log-prior of the current means and covariances (see log-prior.ts). */
  logPrior(): number {
    const { ws, k, d } = this;
    return gaussianLogPrior(
      this.prior,
      ws.f64(this.means, k * d),
      ws.f64(this.precChol, this.covLength),
      k,
      d,
    );
  }

  /**
   * hmmlearn's GaussianHMM M-step: `μ = (w·μ₀ + Σγx) / (w + Σγ)` (a state without mass keeps its
   * mean), then the covariance from the scatter about the new means plus the priors, its
   * eigenvalues raised to `minCovar`. A scalar `covarsPrior` is added to the diagonal only
   * (hmmlearn adds it to every entry of full and tied covariances).
   */
  mStep(): void {
    const { ws, n, d, k, settings: s } = this;
    if (!s.update.means && !s.update.covars) return;
    const nk = ws.f64(this.nk, k);
    const sumX = ws.f64(this.sumX, k * d);
    const means = ws.f64(this.means, k * d);
    if (s.update.means) {
      for (let c = 0; c < k; c++) {
        const den = s.meansWeight + nk[c];
        if (!(den > 0)) continue;
        for (let j = 0; j < d; j++) means[c * d + j] = (s.meansWeight * s.meansPrior + sumX[c * d + j]) / den;
      }
    }
    if (!s.update.covars) return;
    const scatterLength = this.kind.scatterLength(k, d);
    ws.f64(this.scatter, scatterLength).fill(0);
    this.kind.accumulateScatter(ws.kernels, this.x, n, d, this.post, k, this.means, this.scatter);
    const scatter = ws.f64(this.scatter, scatterLength);
    const diff = (c: number, j: number): number => means[c * d + j] - s.meansPrior;
    const triangular = s.covarianceType === 'full' || s.covarianceType === 'tied';
    for (let c = 0; c < k; c++) {
      if (triangular) {
        const o = s.covarianceType === 'full' ? c * d * d : 0;
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < d; b++) scatter[o + a * d + b] += s.meansWeight * diff(c, a) * diff(c, b);
        }
      } else {
        for (let j = 0; j < d; j++) scatter[c * d + j] += s.meansWeight * diff(c, j) ** 2 + s.covarsPrior;
      }
    }
    if (triangular) {
      const matrices = s.covarianceType === 'full' ? k : 1;
      for (let c = 0; c < matrices; c++)
        for (let a = 0; a < d; a++) scatter[c * d * d + a * d + a] += s.covarsPrior;
    }
    const extra = this.prior.logDetWeight;
    const denominators = ws.f64(this.denominators, k);
    let tied = extra;
    for (let c = 0; c < k; c++) {
      denominators[c] = Math.max(extra + nk[c], MIN_DENOMINATOR);
      tied += nk[c];
    }
    const status = finalizeFloored(
      s.covarianceType,
      scatter,
      denominators,
      Math.max(tied, MIN_DENOMINATOR),
      k,
      d,
      s.minCovar,
      ws.f64(this.cov, this.covLength),
      ws.f64(this.precChol, this.covLength),
    );
    if (status !== 0) {
      const which =
        s.covarianceType === 'tied' ? 'The tied covariance' : `The covariance of state ${status - 1}`;
      throw new Error(`${which} is not positive definite. ${this.degenerateAdvice}`);
    }
  }

  snapshot(): GaussianEmissionParams {
    return {
      means: Float64Array.from(this.ws.f64(this.means, this.k * this.d)),
      covars: Float64Array.from(this.ws.f64(this.cov, this.covLength)),
      precisionsCholesky: Float64Array.from(this.ws.f64(this.precChol, this.covLength)),
    };
  }
}
