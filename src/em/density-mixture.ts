import { requireInteger } from '../util/errors.js';
import { toMatrix, type Matrix, type MatrixInput } from '../util/matrix.js';
import { randomFrom, type Random } from '../util/random.js';
import { checkSampleWeight } from '../util/weights.js';
import type { EstimatorFitOptions } from './estimator.js';
import { drawComponent, MixtureEstimator, type MixtureParams, type MixtureSettings } from './mixture.js';

/**
 * The public API of a mixture of densities over X (every family but regression): scikit-learn's
 * `fit`, `fitPredict`, `predict`, `predictProba`, `scoreSamples`, `score`, `bic`, `aic`, `sample`.
 */
export abstract class DensityMixture<C, S extends MixtureSettings = MixtureSettings> extends MixtureEstimator<
  C,
  S
> {
  /** Draws one sample of component `c` into `out[offset … offset + d)`. */
  protected abstract sampleComponent(
    params: MixtureParams<C>,
    c: number,
    d: number,
    rng: Random,
    out: Float64Array,
    offset: number,
  ): void;

  /**
   * True when `checkData` rejects every value that is not finite (counts, binary values, codes):
   * a typed array X is then scanned once, by `checkData`, and the finiteness scan runs only when
   * that check fails, so that a non-finite value is still the one named first.
   */
  protected readonly checkDataRejectsNonFinite: boolean = false;

  /**
   * True when the family's components check X's domain themselves, in a Wasm pass over X's copy
   * that they make anyway, and call `matrix(X)` for the error when that check fails: `fit` (not in
   * a worker) and the scoring calls then only convert X, without `checkData`'s scan in JavaScript.
   * An X that is also wrong in another way is then named after the call's other checks (e.g.
   * `sampleWeight`, `respInit`, X's width).
   */
  protected readonly componentsCheckData: boolean = false;

  /** The data matrix, checked for the family's domain. */
  protected matrix(X: MatrixInput): Matrix {
    const once = this.checkDataRejectsNonFinite;
    const m = toMatrix(X, 'X', false, !once);
    if (!once) {
      this.checkData(m);
      return m;
    }
    try {
      this.checkData(m);
    } catch (error) {
      toMatrix(X, 'X');
      throw error;
    }
    return m;
  }

  /**
   * X for a call on this thread: only converted when the family's components check its domain
   * themselves (`componentsCheckData`), else checked by `matrix`.
   */
  private checkedByComponents(X: MatrixInput): Matrix {
    return this.componentsCheckData ? toMatrix(X, 'X', false, false) : this.matrix(X);
  }

  /**
   * Fits the mixture to `X (nSamples × nFeatures)` by EM; resolves to this model.
   * Rejects on invalid data or options, and when the fit is aborted.
   */
  async fit(X: MatrixInput, options: EstimatorFitOptions = {}): Promise<this> {
    const m = this.settings.worker ? this.matrix(X) : this.checkedByComponents(X);
    await this.fitChecked({ X: m, sampleWeight: checkSampleWeight(options.sampleWeight, m.rows) }, options);
    return this;
  }

  /** Fits, then labels `X`: equal to `fit(X)` followed by `predict(X)`. Resolves to `Int32Array (nSamples)`. */
  async fitPredict(X: MatrixInput, options: EstimatorFitOptions = {}): Promise<Int32Array> {
    const m = this.matrix(X);
    await this.fit(m, options);
    return this.predict(m);
  }

  /** The most likely component of each row of `X (nSamples × nFeatures)`: `Int32Array (nSamples)`. */
  predict(X: MatrixInput): Int32Array {
    const { resp } = this.posteriorOf(this.checkedByComponents(X), 'predict');
    const k = this.settings.nComponents;
    const n = resp.length / k;
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (resp[i * k + c] > resp[i * k + best]) best = c;
      labels[i] = best;
    }
    return labels;
  }

  /**
   * Posterior probability of each component: `Float64Array (nSamples × nComponents)`, rows sum to 1
   * (a row whose log-joint is −∞ under every component gets zeros).
   */
  predictProba(X: MatrixInput): Float64Array {
    return this.posteriorOf(this.checkedByComponents(X), 'predictProba').resp;
  }

  /** Log-density (log-probability for discrete data) `log p(x)` of each row: `Float64Array (nSamples)`. */
  scoreSamples(X: MatrixInput): Float64Array {
    return this.posteriorOf(this.checkedByComponents(X), 'scoreSamples').lse;
  }

  private logLikelihood(
    X: MatrixInput,
    sampleWeight: unknown,
    method: string,
  ): { sum: number; total: number } {
    const m = this.checkedByComponents(X);
    const w = checkSampleWeight(sampleWeight, m.rows);
    return MixtureEstimator.weightedSum(this.posteriorOf(m, method).lse, w);
  }

  /** Mean log-likelihood per sample of `X` (weighted mean with `sampleWeight`). */
  score(X: MatrixInput, options: Pick<EstimatorFitOptions, 'sampleWeight'> = {}): number {
    const { sum, total } = this.logLikelihood(X, options.sampleWeight, 'score');
    return sum / total;
  }

  /** Bayesian information criterion `−2·log L + p·ln n` on X; lower is better. Weighted with `sampleWeight`. */
  bic(X: MatrixInput, options: Pick<EstimatorFitOptions, 'sampleWeight'> = {}): number {
    const { sum, total } = this.logLikelihood(X, options.sampleWeight, 'bic');
    return -2 * sum + this.nParameters() * Math.log(total);
  }

  /** Akaike information criterion `−2·log L + 2p` on X; lower is better. Weighted as `bic`. */
  aic(X: MatrixInput, options: Pick<EstimatorFitOptions, 'sampleWeight'> = {}): number {
    const { sum } = this.logLikelihood(X, options.sampleWeight, 'aic');
    return -2 * sum + 2 * this.nParameters();
  }

  /**
   * Draws `n` samples: `{ X: Float64Array (n × nFeatures), labels: Int32Array (n) }`, labels sorted
   * by component as in scikit-learn. Deterministic for a given `randomState` (the model's by default).
   */
  sample(
    n = 1,
    randomState: number | undefined = this.settings.randomState,
  ): {
    /** The samples `(n × nFeatures)`, row-major. */
    X: Float64Array;
    /** The component of each sample, `Int32Array (n)`, sorted. */
    labels: Int32Array;
  } {
    const f = this.requireFitted('sample');
    requireInteger('n', n, 1);
    if (randomState !== undefined) requireInteger('randomState', randomState, 0, 0xffffffff);
    const rng = randomFrom(randomState);
    const k = this.settings.nComponents;
    const d = f.nFeatures;
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) counts[drawComponent(rng, f.params.weights)]++;
    const X = new Float64Array(n * d);
    const labels = new Int32Array(n);
    let row = 0;
    for (let c = 0; c < k; c++) {
      for (let s = 0; s < counts[c]; s++, row++) {
        labels[row] = c;
        this.sampleComponent(f.params, c, d, rng, X, row * d);
      }
    }
    return { X, labels };
  }
}
