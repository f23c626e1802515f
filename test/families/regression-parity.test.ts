// Agreement with R's flexmix (FLXMRglm, gaussian) and mixtools (regmixEM) from the same start:
// fixtures from test/fixtures/make_regression_fixtures.R (the script's header explains how each
// tool's iterations line up with ours).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RegressionMixture } from '../../src/families/regression/regression-mixture';
import { maxScaledDiff } from '../helpers/kernel-table';

interface FlexmixFit {
  iterMax: number;
  coef: number[][];
  sigma: number[];
  prior: number[];
  logLik: number;
  df: number;
  BIC: number;
}

interface MixtoolsFit {
  maxit: number;
  coef: number[][];
  sigma: number | number[];
  lambda: number[];
  loglik: number;
  allLoglik: number[];
}

interface RCase {
  name: string;
  tool: 'flexmix' | 'mixtools';
  k: number;
  X: number[][];
  y: number[];
  cluster?: number[];
  respInit?: number[][];
  sharedVariance?: boolean;
  start?: { coef: number[][]; sigma: number | number[]; lambda: number[] };
  fits: (FlexmixFit | MixtoolsFit)[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/regression/r-parity.json', import.meta.url), 'utf8'),
) as { cases: RCase[] };

// The fixtures hold 15 significant digits; the agreement measured is ~1e-14.
const TOL = 1e-10;
const sq = (v: number | number[], k: number): number[] =>
  (Array.isArray(v) ? v : Array.from({ length: k }, () => v)).map((s) => s * s);

const BACKENDS = ['wasm', 'js'] as const;
const casesOf = (tool: RCase['tool']) =>
  fixture.cases.filter((c) => c.tool === tool).flatMap((c) => BACKENDS.map((b) => [c.name, b, c] as const));

describe.each(casesOf('flexmix'))(
  'flexmix FLXMRglm: %s (%s), from the posteriors it makes of its partition (respInit), with dfCorrection',
  (_name, backend, c) => {
    it.each((c.fits as FlexmixFit[]).map((f) => [f.iterMax, f] as const))(
      'after %i iterations: coefficients, variances, weights, log-likelihood, BIC',
      async (m, f) => {
        const options = { nComponents: c.k, respInit: c.respInit, dfCorrection: true, tol: 0, backend };
        // flexmix's iteration i is an M-step then an E-step; our initialisation is its first M-step.
        const same = await new RegressionMixture({ ...options, maxIter: m - 1 }).fit(c.X, c.y);
        expect(maxScaledDiff(same.coef, f.coef.flat())).toBeLessThan(TOL);
        expect(maxScaledDiff(same.variances, sq(f.sigma, c.k))).toBeLessThan(TOL);
        expect(Math.abs(same.logLikelihood(c.X, c.y) - f.logLik)).toBeLessThan(TOL * Math.abs(f.logLik));
        expect(same.nParameters()).toBe(f.df);
        expect(Math.abs(same.bic(c.X, c.y) - f.BIC)).toBeLessThan(TOL * Math.abs(f.BIC));
        // One more iteration: flexmix's prior is the mean of its last posterior, and its logLik our bound.
        const next = await new RegressionMixture({ ...options, maxIter: m }).fit(c.X, c.y);
        expect(maxScaledDiff(next.weights, f.prior)).toBeLessThan(TOL);
        expect(Math.abs(next.lowerBound * c.y.length - f.logLik)).toBeLessThan(TOL * Math.abs(f.logLik));
      },
    );
  },
);

describe.each(casesOf('mixtools'))(
  'mixtools regmixEM: %s (%s), from its parameters (coefInit, variancesInit, weightsInit)',
  (_name, backend, c) => {
    const start = c.start as NonNullable<RCase['start']>;
    it.each((c.fits as MixtoolsFit[]).map((f) => [f.maxit, f] as const))(
      'after %i iterations: coefficients, variances, weights, log-likelihood and its trace',
      async (m, f) => {
        const model = await new RegressionMixture({
          nComponents: c.k,
          backend,
          sharedVariance: c.sharedVariance,
          coefInit: start.coef,
          variancesInit: sq(start.sigma, c.sharedVariance ? 1 : c.k),
          weightsInit: start.lambda,
          tol: 0,
          maxIter: m,
        }).fit(c.X, c.y);
        expect(maxScaledDiff(model.coef, f.coef.flat())).toBeLessThan(TOL);
        expect(maxScaledDiff(model.variances, sq(f.sigma, c.k))).toBeLessThan(TOL);
        expect(maxScaledDiff(model.weights, f.lambda)).toBeLessThan(TOL);
        expect(Math.abs(model.logLikelihood(c.X, c.y) - f.loglik)).toBeLessThan(TOL * Math.abs(f.loglik));
        // mixtools' trace starts at the start's log-likelihood; our bound is taken before each M-step.
        const trace = model.lowerBounds.map((b) => b * c.y.length);
        expect(maxScaledDiff(trace, f.allLoglik.slice(0, m))).toBeLessThan(TOL);
      },
    );
  },
);
