import type { CovarianceKind } from './covariance.js';

/** A component's covariance stopped being positive definite; the message says how to fix it. */
export class DegenerateCovarianceError extends Error {
  constructor(component: number, kind: CovarianceKind, regCovar: number) {
    super(
      `Fitting the mixture failed: the ${kind.type} covariance ` +
        (kind.type === 'tied' ? '' : `of component ${component} `) +
        `is not positive definite (a component collapsed onto too few or identical points), or its ` +
        `precision is too large to represent (the data's scale is tiny). ` +
        `Increase regCovar (now ${regCovar}), decrease nComponents, or rescale the data.`,
    );
    this.name = 'DegenerateCovarianceError';
  }
}
