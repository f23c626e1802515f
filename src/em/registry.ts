import { COVARIANCE_TYPES, type CovarianceType } from '../mixture/covariance.js';
import { GaussianMixture } from '../mixture/gaussian-mixture.js';
import { PoissonMixture } from '../families/poisson/poisson-mixture.js';
import { BernoulliMixture } from '../families/bernoulli/bernoulli-mixture.js';
import { CategoricalMixture } from '../families/categorical/categorical-mixture.js';
import { MultinomialMixture } from '../families/multinomial/multinomial-mixture.js';
import { RegressionMixture } from '../families/regression/regression-mixture.js';
import { StudentMixture } from '../families/student/student-mixture.js';
import { CategoricalHMM } from '../hmm/categorical-hmm.js';
import { GaussianHMM } from '../hmm/gaussian-hmm.js';
import { GMMHMM } from '../hmm/gmm-hmm.js';
import { MultinomialHMM } from '../hmm/multinomial-hmm.js';
import { PoissonHMM } from '../hmm/poisson-hmm.js';
import { show } from '../util/errors.js';
import type { EstimatorJSON, FitData } from './estimator.js';

/** What the fit worker, `loadModel` and the CLI need of an estimator, whatever its family. */
export interface RegisteredModel {
  /** Fits on the calling thread (what a fit worker runs). */
  fitInThisThread(data: FitData): Promise<void>;
  /** The saved form, `{ format: 'emwasm', version, family, options, params, fit }`. */
  toJSON(): unknown;
}

/** One registered family: how to make it from options and from a saved model. */
export interface FamilyEntry {
  /** A new estimator of the family (the options of its constructor). */
  create(options: Record<string, unknown>): RegisteredModel;
  /** The family's `fromJSON` (runtime options such as `backend` or `warmStart` in `options`). */
  fromJSON(json: unknown, options: Record<string, unknown>): RegisteredModel;
  /** The `covarianceType` values of a family that has them (selectModel's second axis). */
  covarianceTypes?: readonly CovarianceType[];
  /** A density of X alone, so `selectModel` and the CLI's `fit` can take it (not regression). */
  selectable?: boolean;
}

/** Family name (the class name, as in JSON) → entry. A new family adds one line here. */
export const FAMILIES: Readonly<Record<string, FamilyEntry>> = {
  GaussianMixture: {
    create: (o) => new GaussianMixture(o),
    fromJSON: (json, o) => GaussianMixture.fromJSON(json as EstimatorJSON, o),
    covarianceTypes: COVARIANCE_TYPES,
    selectable: true,
  },
  PoissonMixture: {
    create: (o) => new PoissonMixture(o),
    fromJSON: (json, o) => PoissonMixture.fromJSON(json as EstimatorJSON, o),
    selectable: true,
  },
  BernoulliMixture: {
    create: (o) => new BernoulliMixture(o),
    fromJSON: (json, o) => BernoulliMixture.fromJSON(json as EstimatorJSON, o),
    selectable: true,
  },
  CategoricalMixture: {
    create: (o) => new CategoricalMixture(o),
    fromJSON: (json, o) => CategoricalMixture.fromJSON(json as EstimatorJSON, o),
    selectable: true,
  },
  MultinomialMixture: {
    create: (o) => new MultinomialMixture(o),
    fromJSON: (json, o) => MultinomialMixture.fromJSON(json as EstimatorJSON, o),
    selectable: true,
  },
  RegressionMixture: {
    create: (o) => new RegressionMixture(o),
    fromJSON: (json, o) => RegressionMixture.fromJSON(json as EstimatorJSON, o),
  },
  StudentMixture: {
    create: (o) => new StudentMixture(o),
    fromJSON: (json, o) => StudentMixture.fromJSON(json as EstimatorJSON, o),
    covarianceTypes: ['full', 'diag'],
    selectable: true,
  },
  GaussianHMM: {
    create: (o) => new GaussianHMM(o),
    fromJSON: (json, o) => GaussianHMM.fromJSON(json as EstimatorJSON, o),
  },
  GMMHMM: { create: (o) => new GMMHMM(o), fromJSON: (json, o) => GMMHMM.fromJSON(json as EstimatorJSON, o) },
  CategoricalHMM: {
    create: (o) => new CategoricalHMM(o),
    fromJSON: (json, o) => CategoricalHMM.fromJSON(json as EstimatorJSON, o),
  },
  PoissonHMM: {
    create: (o) => new PoissonHMM(o),
    fromJSON: (json, o) => PoissonHMM.fromJSON(json as EstimatorJSON, o),
  },
  MultinomialHMM: {
    create: (o) => new MultinomialHMM(o),
    fromJSON: (json, o) => MultinomialHMM.fromJSON(json as EstimatorJSON, o),
  },
};

/** The registered entry for `family`, or an error listing the known ones. */
export function familyEntry(family: unknown): FamilyEntry {
  if (typeof family !== 'string' || !Object.prototype.hasOwnProperty.call(FAMILIES, family)) {
    throw new RangeError(`Unknown model family ${show(family)}; known: ${Object.keys(FAMILIES).join(', ')}`);
  }
  return FAMILIES[family];
}

/**
 * Restores a saved model of any registered family (a parsed object or its JSON text): the file's
 * `family` picks the class, whose `fromJSON` checks the rest. Files of the layout before the
 * engine's envelope (`format: 'emwasm.GaussianMixture'`, `'emwasm.GaussianHMM'`, …) load too. `options` sets runtime
 * options (`backend`, `threads`, `worker`, `warmStart`, …). Cast the result to the family's class.
 */
export function loadModel(json: unknown, options: Record<string, unknown> = {}): RegisteredModel {
  const o = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown> | null;
  // The layout before the envelope, 'emwasm.<family>' (GaussianMixture, the HMMs): that family reads it.
  const legacy = typeof o?.format === 'string' && o.format.startsWith('emwasm.') ? o.format.slice(7) : '';
  if (Object.prototype.hasOwnProperty.call(FAMILIES, legacy)) return FAMILIES[legacy].fromJSON(o, options);
  if (!o || o.format !== 'emwasm') {
    throw new TypeError(`loadModel expects a saved emwasm model (format 'emwasm'), got ${show(o?.format)}`);
  }
  return familyEntry(o.family).fromJSON(o, options);
}
