import type { Handle } from '../backend/types.js';
import { allocKMeans, kmeans, type KMeansBuffers } from '../init/kmeans.js';
import { COVARIANCE_KINDS, type CovarianceKind, type CovarianceType } from '../mixture/covariance.js';
import type { Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import { finalizeFloored } from './covariance-floor.js';
import { dataCovariance, fillCovars, precisionCholeskyOf } from './gaussian-covars.js';
import { dirichletUpdate, type Emission } from './hmm-em.js';
import { dirichletLogPrior, gaussianLogPrior } from './log-prior.js';
import type { HmmWorkspace } from './workspace.js';

/** Fitted GMM-HMM emission parameters, flat row-major; Gaussian `(c, q)` is mixture component q of state c. */
export interface GMMEmissionParams {
  /** `(K × M)` mixture weights of each state */
  weights: Float64Array;
  /** `(K × M × D)` */
  means: Float64Array;
  /** by type: spherical `(K × M)`, diag `(K × M × D)`, full `(K × M × D × D)`, tied `(K × D × D)` (one per state) */
  covars: Float64Array;
  /** shaped as `covars`: the precisions' Cholesky factors */
  precisionsCholesky: Float64Array;
}

export interface GMMEmissionSettings {
  covarianceType: CovarianceType;
  nMix: number;
  minCovar: number;
  /** Dirichlet concentration of the weights, `(K × M)`. */
  weightsPrior: Float64Array;
  meansPrior: number;
  meansWeight: number;
  update: { weights: boolean; means: boolean; covars: boolean };
  weightsInit?: Float64Array;
  meansInit?: Float64Array;
  covarsInit?: Float64Array;
}

const MIN_DENOMINATOR = 1e-5;

/**
 * Gaussian-mixture emissions of one fit. The K·M Gaussians run on the mixture's kernels as K·M
 * components (tied: one full covariance per state, copied to its M components); a kernel folds
 * each state's M log-densities into its emission log-likelihood and keeps the within-state
 * responsibilities, which the state posteriors then weight into the statistics.
 */
export class GMMEmission implements Emission<GMMEmissionParams> {
  readonly degenerateAdvice: string;
  private readonly n: number;
  private readonly d: number;
  private readonly m: number;
  private readonly km: number;
  private readonly tied: boolean;
  /** The kind the kernels run on: tied runs as full over the K·M Gaussians. */
  private readonly kind: CovarianceKind;
  private readonly covLength: number;
  private readonly x: Handle;
  private readonly resp: Handle;
  private readonly logWeights: Handle;
  private readonly means: Handle;
  private readonly precChol: Handle;
  private readonly cov: Handle;
  private readonly statePrecChol: Handle;
  private readonly nk: Handle;
  private readonly sumX: Handle;
  private readonly scatter: Handle;
  private readonly stateScatter: Handle;
  private readonly denominators: Handle;
  private readonly mainKMeans: KMeansBuffers | null;
  private readonly mixKMeans: KMeansBuffers | null;
  private readonly rows: Handle;
  private readonly weights: Float64Array;

  constructor(
    private readonly ws: HmmWorkspace,
    private readonly X: Matrix,
    private readonly k: number,
    private readonly settings: GMMEmissionSettings,
    initializing: boolean,
  ) {
    const { rows: n, cols: d } = X;
    const m = settings.nMix;
    const km = k * m;
    this.n = n;
    this.d = d;
    this.m = m;
    this.km = km;
    this.tied = settings.covarianceType === 'tied';
    this.kind = COVARIANCE_KINDS[this.tied ? 'full' : settings.covarianceType];
    this.covLength = this.tied ? k * d * d : this.kind.shape(km, d).reduce((a, b) => a * b, 1);
    this.x = ws.allocF64(n * d);
    this.resp = ws.allocF64(n * km);
    this.logWeights = ws.allocF64(km);
    this.means = ws.allocF64(km * d);
    this.precChol = ws.allocF64(this.kind.shape(km, d).reduce((a, b) => a * b, 1));
    this.cov = ws.allocF64(this.covLength);
    this.statePrecChol = this.tied ? ws.allocF64(k * d * d) : 0;
    this.nk = ws.allocF64(km);
    this.sumX = ws.allocF64(km * d);
    this.scatter = ws.allocF64(this.kind.scatterLength(km, d));
    this.stateScatter = this.tied ? ws.allocF64(k * d * d) : 0;
    this.denominators = ws.allocF64(km);
    const kmeansStart = initializing && !settings.meansInit;
    this.mainKMeans = kmeansStart ? allocKMeans(ws, n, d, k) : null;
    this.mixKMeans = kmeansStart ? allocKMeans(ws, n, d, m) : null;
    this.rows = kmeansStart ? ws.allocF64(n * d) : 0;
    ws.f64(this.x, n * d).set(X.data);
    this.weights = new Float64Array(km);
    this.degenerateAdvice =
      `A mixture component's covariance may have collapsed: increase minCovar (now ${settings.minCovar}), ` +
      `decrease nMix or nComponents, or rescale the data.`;
  }

  /**
   * hmmlearn's start: k-means splits the data into K groups and each group into M means (a group
   * with fewer than M rows draws its means around the centre of the K centers); uniform weights;
   * `cov(X) + minCovar·I` for every Gaussian.
   */
  initialize(rng: Random): void {
    const { k, m, d, settings: s } = this;
    const cv = dataCovariance(this.X, s.minCovar);
    const means = s.meansInit ?? this.kmeansMeans(rng, cv);
    this.ws.f64(this.means, this.km * d).set(means);
    if (s.weightsInit) this.weights.set(s.weightsInit);
    else this.weights.fill(1 / m);
    const covars =
      s.covarsInit ?? fillCovars(cv, this.tied ? 'full' : s.covarianceType, this.tied ? k : this.km, d);
    const pc = precisionCholeskyOf(this.tied ? 'full' : s.covarianceType, covars, this.tied ? k : this.km, d);
    if (!pc)
      throw new RangeError(`The starting covariances are not positive definite. ${this.degenerateAdvice}`);
    this.setCovars(covars, pc);
  }

  private kmeansMeans(rng: Random, cv: Float64Array): Float64Array {
    const { ws, n, d, k, m } = this;
    const labels = Int32Array.from(kmeans(ws, this.mainKMeans as KMeansBuffers, this.x, n, d, k, rng));
    const centers = ws.f64((this.mainKMeans as KMeansBuffers).centers, k * d);
    const centroid = new Float64Array(d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centroid[j] += centers[c * d + j] / k;
    const means = new Float64Array(k * m * d);
    // For groups too small to split: draws from N(centroid, cv) through cv's lower Cholesky factor.
    let spread: Float64Array | null = null;
    const X = this.X.data;
    const rows = ws.f64(this.rows, n * d);
    for (let c = 0; c < k; c++) {
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (labels[i] !== c) continue;
        rows.set(X.subarray(i * d, i * d + d), count * d);
        count++;
      }
      if (count >= m) {
        const mix = this.mixKMeans as KMeansBuffers;
        kmeans(ws, mix, this.rows, count, d, m, rng);
        means.set(ws.f64(mix.centers, m * d), c * m * d);
      } else {
        spread ??= COVARIANCE_KINDS.full.samplingFactors(
          precisionCholeskyOf('full', cv, 1, d) as Float64Array,
          1,
          d,
        );
        for (let q = 0; q < m; q++) {
          const z = Array.from({ length: d }, () => rng.normal());
          for (let a = 0; a < d; a++) {
            let v = centroid[a];
            for (let b = 0; b <= a; b++) v += spread[a * d + b] * z[b];
            means[(c * m + q) * d + a] = v;
          }
        }
      }
    }
    return means;
  }

  /** Sets covariances in the API shape and their factors, copying a tied state's factor to its components. */
  private setCovars(covars: Float64Array, pc: Float64Array): void {
    const { ws, k, d } = this;
    ws.f64(this.cov, this.covLength).set(covars);
    if (!this.tied) {
      ws.f64(this.precChol, this.covLength).set(pc);
      return;
    }
    ws.f64(this.statePrecChol, k * d * d).set(pc);
    this.spreadTiedFactors();
  }

  /** Copies each state's tied factor to the factor of each of its M components. */
  private spreadTiedFactors(): void {
    const { ws, k, m, d } = this;
    const states = ws.f64(this.statePrecChol, k * d * d);
    const all = ws.f64(this.precChol, this.km * d * d);
    for (let c = 0; c < k; c++) {
      for (let q = 0; q < m; q++) all.set(states.subarray(c * d * d, (c + 1) * d * d), (c * m + q) * d * d);
    }
  }

  restore(p: GMMEmissionParams): void {
    this.weights.set(p.weights);
    this.ws.f64(this.means, this.km * this.d).set(p.means);
    this.setCovars(p.covars, p.precisionsCholesky);
  }

  logLikelihood(logB: Handle): void {
    const { ws, n, d, k, m, km } = this;
    ws.f64(this.logWeights, km).set(this.weights.map(Math.log));
    this.kind.logProb(ws.kernels, this.x, n, d, this.means, this.precChol, km, this.resp);
    ws.kernels.mixtureStateLogProb(this.resp, n, k, m, this.logWeights, logB);
  }

  private updatesAnything(): boolean {
    const u = this.settings.update;
    return u.weights || u.means || u.covars;
  }

  accumulate(post: Handle): void {
    if (!this.updatesAnything()) return;
    const { ws, n, d, k, m, km } = this;
    ws.kernels.weightMixturePosteriors(this.resp, n, k, m, post);
    ws.f64(this.nk, km).fill(0);
    ws.f64(this.sumX, km * d).fill(0);
    ws.kernels.accumulateMoments(this.x, n, d, this.resp, km, this.nk, this.sumX);
  }

  /**
   * The log-prior of the current parameters: the weights' Dirichlet and the means' normal prior
   * (see log-prior.ts); GMMHMM has no covariance prior.
   */
  logPrior(): number {
    const { ws, km, d, settings: s } = this;
    const precChol = ws.f64(
      this.precChol,
      this.kind.shape(km, d).reduce((a, b) => a * b, 1),
    );
    const means = gaussianLogPrior(
      {
        covarianceType: this.kind.type,
        meansPrior: s.meansPrior,
        meansWeight: s.meansWeight,
        covarsPrior: 0,
        logDetWeight: 0,
      },
      ws.f64(this.means, km * d),
      precChol,
      km,
      d,
    );
    return dirichletLogPrior(this.weights, s.weightsPrior) + means;
  }

  /**
   * Weights by the Dirichlet MAP rule of the transitions, means as GaussianHMM's, covariances by
   * maximum likelihood about the new means (hmmlearn uses the previous means) with their
   * eigenvalues raised to `minCovar` (see covariance-floor.ts).
   */
  mStep(): void {
    if (!this.updatesAnything()) return;
    const { ws, n, d, k, m, km, settings: s } = this;
    const nk = ws.f64(this.nk, km);
    if (s.update.weights) dirichletUpdate(this.weights, nk, s.weightsPrior, k, m, false);
    const means = ws.f64(this.means, km * d);
    if (s.update.means) {
      const sumX = ws.f64(this.sumX, km * d);
      for (let c = 0; c < km; c++) {
        const den = s.meansWeight + nk[c];
        if (!(den > 0)) continue;
        for (let j = 0; j < d; j++) means[c * d + j] = (s.meansWeight * s.meansPrior + sumX[c * d + j]) / den;
      }
    }
    if (!s.update.covars) return;
    const scatterLength = this.kind.scatterLength(km, d);
    ws.f64(this.scatter, scatterLength).fill(0);
    this.kind.accumulateScatter(ws.kernels, this.x, n, d, this.resp, km, this.means, this.scatter);
    const scatter = ws.f64(this.scatter, scatterLength);
    const triangular = this.kind.type === 'full';
    for (let c = 0; c < km; c++) {
      for (let a = 0; a < d; a++) {
        const da = means[c * d + a] - s.meansPrior;
        if (!triangular) scatter[c * d + a] += s.meansWeight * da * da;
        else
          for (let b = 0; b < d; b++)
            scatter[(c * d + a) * d + b] += s.meansWeight * da * (means[c * d + b] - s.meansPrior);
      }
    }
    const denominators = ws.f64(this.denominators, km);
    let status: number;
    if (this.tied) {
      const stateScatter = ws.f64(this.stateScatter, k * d * d).fill(0);
      denominators.fill(0);
      for (let c = 0; c < k; c++) {
        for (let q = 0; q < m; q++) {
          denominators[c] += nk[c * m + q];
          const o = (c * m + q) * d * d;
          for (let e = 0; e < d * d; e++) stateScatter[c * d * d + e] += scatter[o + e];
        }
        denominators[c] = Math.max(denominators[c], MIN_DENOMINATOR);
      }
      status = finalizeFloored(
        'full',
        stateScatter,
        denominators,
        0,
        k,
        d,
        s.minCovar,
        ws.f64(this.cov, this.covLength),
        ws.f64(this.statePrecChol, k * d * d),
      );
      if (status === 0) this.spreadTiedFactors();
    } else {
      for (let c = 0; c < km; c++) denominators[c] = Math.max(nk[c], MIN_DENOMINATOR);
      status = finalizeFloored(
        s.covarianceType,
        scatter,
        denominators,
        0,
        km,
        d,
        s.minCovar,
        ws.f64(this.cov, this.covLength),
        ws.f64(this.precChol, this.covLength),
      );
    }
    if (status !== 0) {
      const which = this.tied
        ? `state ${status - 1}`
        : `state ${Math.floor((status - 1) / m)}, mixture component ${(status - 1) % m}`;
      throw new Error(`The covariance of ${which} is not positive definite. ${this.degenerateAdvice}`);
    }
  }

  snapshot(): GMMEmissionParams {
    const { ws, k, d, km } = this;
    const pc = this.tied ? ws.f64(this.statePrecChol, k * d * d) : ws.f64(this.precChol, this.covLength);
    return {
      weights: Float64Array.from(this.weights),
      means: Float64Array.from(ws.f64(this.means, km * d)),
      covars: Float64Array.from(ws.f64(this.cov, this.covLength)),
      precisionsCholesky: Float64Array.from(pc),
    };
  }
}
