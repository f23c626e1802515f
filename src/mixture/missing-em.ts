import type { Handle, Kernels, Workspace } from '../backend/types.js';
import type { EMHooks } from '../em/loop.js';
import type { Matrix } from '../util/matrix.js';
import type { Random } from '../util/random.js';
import type { ConstrainedMStep } from './constrained-mstep.js';
import type { CovarianceKind } from './covariance.js';
import { DegenerateCovarianceError } from './degenerate.js';
import { MixtureParams } from './mixture-params.js';
import type { GaussianParams } from './params.js';

/** What a missing-data fit is made from. */

/** The fit that makes the start (a `MixtureFit` on the complete or imputed rows). */
type StartFit = Pick<EMHooks<GaussianParams>, 'initialize' | 'snapshot'> & {
  prepare(): void | Promise<void>;
};
export interface MissingEMOptions {
  ws: Workspace;
  /** `(n × d)` with NaN for missing entries. */
  X: Matrix;
  k: number;
  kind: CovarianceKind;
  regCovar: number;
  /** Fixed parameters or a prior: the M-step runs in TypeScript and the bound adds the log-prior. */
  constrained: ConstrainedMStep | null;
  /** `(n)` non-negative row weights (checked by the caller); null for weight 1 everywhere. */
  sampleWeight: Float64Array | null;
  /**
   * Makes the starting point: the complete-data fit's own initialisation on `initialData(X)`
   * (allocated in the same workspace, called once while this fit allocates).
   */
  initializer: (data: InitialData) => StartFit;
}

/**
 * The rows of a data matrix grouped by missingness pattern (which entries are NaN). Pattern `p`
 * covers sorted rows `starts[p] … starts[p + 1] − 1`, which are the original rows `order[…]`;
 * `idx (nPatterns × d)` lists its `nObs[p]` observed features ascending, then its missing ones.
 */
export interface MissingPatterns {
  order: Int32Array;
  starts: Int32Array;
  nObs: Int32Array;
  idx: Int32Array;
}

export function hasMissing(X: Matrix): boolean {
  for (let i = 0; i < X.data.length; i++) if (Number.isNaN(X.data[i])) return true;
  return false;
}

/** Groups the rows of `X` by pattern, in order of first appearance. Throws on a row with no observed entry. */
export function missingPatterns(X: Matrix): MissingPatterns {
  const { rows: n, cols: d, data } = X;
  const groups = new Map<string, number[]>();
  const mask = new Array<string>(d);
  for (let i = 0; i < n; i++) {
    let observed = 0;
    for (let j = 0; j < d; j++) {
      const nan = Number.isNaN(data[i * d + j]);
      mask[j] = nan ? '1' : '0';
      if (!nan) observed++;
    }
    if (observed === 0) {
      throw new RangeError(
        `X[${i}] has no observed value (every entry is NaN): remove rows with nothing observed before fitting`,
      );
    }
    const key = mask.join('');
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  const P = groups.size;
  const order = new Int32Array(n);
  const starts = new Int32Array(P + 1);
  const nObs = new Int32Array(P);
  const idx = new Int32Array(P * d);
  let p = 0;
  let at = 0;
  for (const rowsOf of groups.values()) {
    starts[p] = at;
    for (const i of rowsOf) order[at++] = i;
    const r = rowsOf[0];
    let o = 0;
    for (let j = 0; j < d; j++) if (!Number.isNaN(data[r * d + j])) idx[p * d + o++] = j;
    nObs[p] = o;
    for (let j = 0, m = o; j < d; j++) if (Number.isNaN(data[r * d + j])) idx[p * d + m++] = j;
    p++;
  }
  starts[P] = n;
  return { order, starts, nObs, idx };
}

/**
 * Every column needs an observed value: a column that is NaN in every row has no mean or variance
 * to estimate (EM would invent them from its starting values).
 */
function requireObservedColumns(X: Matrix): void {
  const { rows: n, cols: d, data } = X;
  const observed = new Uint8Array(d);
  let left = d;
  for (let i = 0; i < n && left > 0; i++) {
    for (let j = 0; j < d; j++) {
      if (observed[j] === 0 && !Number.isNaN(data[i * d + j])) {
        observed[j] = 1;
        left--;
      }
    }
  }
  if (left === 0) return;
  const empty = [...observed.keys()].filter((j) => observed[j] === 0);
  throw new RangeError(
    `X column ${empty[0]} (0-based${empty.length > 1 ? `; also ${empty.slice(1).join(', ')}` : ''}) is NaN in ` +
      `every row: with missing: 'marginalize' each column needs at least one observed value to estimate its ` +
      `mean and variance; drop the column from X`,
  );
}

function singularMarginal(): Error {
  return new Error(
    'A covariance has a singular observed block (not positive definite): increase regCovar or rescale the data.',
  );
}

/** The sorted copy of X (missing entries set to 0, never read) and the pattern table, in a workspace. */
function placeRows(ws: Workspace, X: Matrix, pat: MissingPatterns): { x: Handle; idx: Handle } {
  const x = ws.allocF64(X.data.length);
  const idx = ws.allocI32(Math.max(1, pat.idx.length));
  return { x, idx };
}

function fillRows(ws: Workspace, X: Matrix, pat: MissingPatterns, x: Handle, idx: Handle): void {
  const { rows: n, cols: d, data } = X;
  const xs = ws.f64(x, n * d);
  for (let s = 0; s < n; s++) {
    const i = pat.order[s];
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      xs[s * d + j] = Number.isNaN(v) ? 0 : v;
    }
  }
  ws.i32(idx, pat.idx.length).set(pat.idx);
}

/** The data the initialisation runs on, with the weights of its rows (null when unweighted). */
export interface InitialData extends Matrix {
  sampleWeight: Float64Array | null;
}

/**
 * The starting data for the chosen initialisation: the rows with no missing entry (and, with
 * `sampleWeight (n)`, a positive weight) when there are at least k of them, otherwise every row with
 * its missing entries replaced by the (weighted) column mean of the observed ones. The rows keep
 * their weights, so a row of weight 0 never seeds a component and an integer weight counts as that
 * many copies.
 */
export function initialData(X: Matrix, k: number, sampleWeight: Float64Array | null = null): InitialData {
  const { rows: n, cols: d, data } = X;
  const complete: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = !sampleWeight || sampleWeight[i] > 0;
    for (let j = 0; j < d && ok; j++) ok = !Number.isNaN(data[i * d + j]);
    if (ok) complete.push(i);
  }
  if (complete.length >= k) {
    const out = new Float64Array(complete.length * d);
    complete.forEach((i, r) => out.set(data.subarray(i * d, i * d + d), r * d));
    const w = sampleWeight && Float64Array.from(complete, (i) => sampleWeight[i]);
    return { data: out, rows: complete.length, cols: d, sampleWeight: w };
  }
  const sum = new Float64Array(d);
  const count = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const w = sampleWeight ? sampleWeight[i] : 1;
    for (let j = 0; j < d; j++) {
      const v = data[i * d + j];
      if (!Number.isNaN(v) && w > 0) {
        sum[j] += w * v;
        count[j] += w;
      }
    }
  }
  const out = Float64Array.from(data);
  for (let i = 0; i < n * d; i++) {
    if (Number.isNaN(out[i])) {
      const j = i % d;
      out[i] = count[j] > 0 ? sum[j] / count[j] : 0;
    }
  }
  return { data: out, rows: n, cols: d, sampleWeight };
}

/**
 * One Gaussian-mixture fit on data with missing entries (NaN, missing at random), by exact EM
 * (Ghahramani & Jordan 1994). The E-step uses each row's marginal density over its observed
 * coordinates; the M-step the expected sufficient statistics: missing coordinates replaced by their
 * conditional means `E[x_m | x_o, k] = μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o)`, and the conditional
 * covariance `Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om` added to the second moments. Rows are grouped by pattern, so
 * each pattern's factorisation is computed once per component and iteration (`missingFactors`),
 * then its rows run through `missingEStep`. The statistics (shifted by the current means) have the
 * fused kernels' form, so the M-step is the ordinary `mStep<T>` kernel, or with fixed parameters or
 * a prior the same `ConstrainedMStep` as the complete-data fit (it maximises the expected
 * complete-data log-likelihood plus the log-prior given those statistics, so this stays a
 * generalised EM for the observed-data bound). Sample weights scale each row's statistics and
 * log-likelihood, as in the fused kernels. This path runs on one thread: the per-pattern calls are
 * many and short, and threads were not needed to meet its target.
 */
export class MissingEM implements EMHooks<GaussianParams> {
  readonly n: number;
  readonly d: number;
  private readonly kern: Kernels;
  private readonly pat: MissingPatterns;
  private readonly h: Record<
    | 'x'
    | 'idx'
    | 'means'
    | 'cov'
    | 'precChol'
    | 'covFull'
    | 'factors'
    | 'logWeights'
    | 'nk'
    | 'sumX'
    | 'scatterFull'
    | 'scatter'
    | 'work'
    | 'sw',
    Handle
  >;
  private readonly v: {
    means: Float64Array;
    cov: Float64Array;
    precChol: Float64Array;
    covFull: Float64Array;
    logWeights: Float64Array;
    nk: Float64Array;
    sumX: Float64Array;
    scatterFull: Float64Array;
    scatter: Float64Array;
  };
  private readonly init: StartFit;
  private readonly params: MixtureParams;
  /** Σ of the sample weights (n when unweighted): the bound's divisor. */
  private readonly totalWeight: number;
  private readonly ws: Workspace;
  private readonly k: number;
  private readonly kind: CovarianceKind;
  private readonly regCovar: number;
  private readonly constrained: ConstrainedMStep | null;

  constructor(o: MissingEMOptions) {
    const { ws, X, k, kind, sampleWeight } = o;
    this.ws = ws;
    this.k = k;
    this.kind = kind;
    this.regCovar = o.regCovar;
    this.constrained = o.constrained;
    const { rows: n, cols: d } = X;
    requireObservedColumns(X);
    this.n = n;
    this.d = d;
    this.totalWeight = sampleWeight ? sampleWeight.reduce((a, b) => a + b, 0) : n;
    this.kern = ws.kernels;
    this.pat = missingPatterns(X);
    const covLength = kind.shape(k, d).reduce((a, b) => a * b, 1);
    const scatterLength = kind.scatterLength(k, d);
    const { x, idx } = placeRows(ws, X, this.pat);
    this.h = {
      x,
      idx,
      means: ws.allocF64(k * d),
      cov: ws.allocF64(covLength),
      precChol: ws.allocF64(covLength),
      covFull: ws.allocF64(k * d * d),
      factors: ws.allocF64(k * this.kern.missingFactorLength(d)),
      logWeights: ws.allocF64(k),
      nk: ws.allocF64(k),
      sumX: ws.allocF64(k * d),
      scatterFull: ws.allocF64(k * d * d),
      scatter: ws.allocF64(scatterLength),
      work: ws.allocF64(this.kern.missingWorkLength(k, d)),
      sw: sampleWeight ? ws.allocF64(n) : 0,
    };
    // The initial fit allocates in the same workspace; every view is taken after it.
    this.init = o.initializer(initialData(X, k, sampleWeight));
    if (this.init.prepare() instanceof Promise)
      throw new Error('emwasm: the missing-data start runs on one thread');
    fillRows(ws, X, this.pat, x, idx);
    const h = this.h;
    if (sampleWeight) {
      const sorted = ws.f64(h.sw, n);
      for (let s = 0; s < n; s++) sorted[s] = sampleWeight[this.pat.order[s]];
    }
    this.v = {
      means: ws.f64(h.means, k * d),
      cov: ws.f64(h.cov, covLength),
      precChol: ws.f64(h.precChol, covLength),
      covFull: ws.f64(h.covFull, k * d * d),
      logWeights: ws.f64(h.logWeights, k),
      nk: ws.f64(h.nk, k),
      sumX: ws.f64(h.sumX, k * d),
      scatterFull: ws.f64(h.scatterFull, k * d * d),
      scatter: ws.f64(h.scatter, scatterLength),
    };
    this.params = new MixtureParams(this.v);
  }

  /** The chosen initialisation on the complete rows (or mean-imputed data): see `initialData`. */
  initialize(rng: Random): void {
    // One statistics block and Gaussian components: the start is synchronous.
    if (this.init.initialize(rng) instanceof Promise) {
      throw new Error('emwasm: the missing-data start runs on one thread');
    }
    this.restore(this.init.snapshot());
  }

  eStep(): number {
    const { d, k, kern, h, pat } = this;
    this.kind.toFull(this.v.cov, k, d, this.v.covFull);
    this.v.nk.fill(0);
    this.v.sumX.fill(0);
    this.v.scatterFull.fill(0);
    let total = 0;
    for (let p = 0; p + 1 < pat.starts.length; p++) {
      const o = pat.nObs[p];
      if (kern.missingFactors(h.covFull, k, d, h.idx, p, o, h.factors) !== 0) throw singularMarginal();
      const first = pat.starts[p];
      total += kern.missingEStep(
        h.x,
        first,
        pat.starts[p + 1] - first,
        d,
        h.idx,
        p,
        o,
        h.means,
        h.factors,
        h.logWeights,
        k,
        h.nk,
        h.sumX,
        h.scatterFull,
        0,
        0,
        0,
        h.work,
        h.sw,
      );
    }
    if (!Number.isFinite(total)) {
      throw new Error(
        `The log-likelihood became ${total}: some samples have zero density under every component. ` +
          `Increase regCovar (now ${this.regCovar}) or rescale the data.`,
      );
    }
    const prior = this.constrained ? this.constrained.logPrior(this.v.means, this.v.precChol) : 0;
    return (total + prior) / this.totalWeight;
  }

  /**
   * The M-step on the expected statistics reduced to the covariance type's scatter form (the
   * `emStep<T>` layout): the `mStep<T>` kernel, or the constrained M-step with fixed parameters or
   * a prior.
   */
  mStep(): void {
    const { d, k, h } = this;
    const scatterView = this.kind.scatterFromFull(this.v.scatterFull, k, d, this.v.scatter);
    const scatter = scatterView === this.v.scatterFull ? h.scatterFull : h.scatter;
    if (this.constrained) {
      const w = this.params.weights;
      const v = this.v;
      const status = this.constrained.run(v.nk, v.sumX, scatterView, v.means, h.cov, h.precChol, w);
      if (status !== 0) throw new DegenerateCovarianceError(status - 1, this.kind, this.regCovar);
      this.params.setWeights(w);
      return;
    }
    const status = this.kern[this.kind.mStep](
      h.nk,
      h.sumX,
      scatter,
      h.means,
      k,
      d,
      this.regCovar,
      h.cov,
      h.precChol,
    );
    if (status !== 0) throw new DegenerateCovarianceError(status - 1, this.kind, this.regCovar);
    this.params.setWeightsFromCounts(this.v.nk);
  }

  /** Continue from fitted parameters (warm start). */
  restore(p: GaussianParams): void {
    this.params.restore(p);
  }

  snapshot(): GaussianParams {
    return this.params.snapshot();
  }
}

/** What the fitted model says about rows with missing entries, in the rows' original order. */
export interface MissingPosterior {
  /** `(n × k)` responsibilities `p(k | x_o)` */
  resp: Float64Array;
  /** `(n)` `log p(x_o)` */
  lse: Float64Array;
  /** `(n × d)` X with each missing entry replaced by `Σ_k p(k | x_o) E[x_m | x_o, k]` */
  xhat: Float64Array;
}

/** The E-step of fitted parameters `p` on `X` (with NaN for missing entries), without statistics. */
export function missingPosterior(
  ws: Workspace,
  X: Matrix,
  k: number,
  kind: CovarianceKind,
  p: GaussianParams,
): MissingPosterior {
  const { rows: n, cols: d } = X;
  const kern = ws.kernels;
  const pat = missingPatterns(X);
  const { x, idx } = placeRows(ws, X, pat);
  const means = ws.allocF64(k * d);
  const covFull = ws.allocF64(k * d * d);
  const factors = ws.allocF64(k * kern.missingFactorLength(d));
  const logW = ws.allocF64(k);
  const resp = ws.allocF64(n * k);
  const lse = ws.allocF64(n);
  const xhat = ws.allocF64(n * d);
  const work = ws.allocF64(kern.missingWorkLength(k, d));
  fillRows(ws, X, pat, x, idx);
  ws.f64(means, k * d).set(p.means);
  kind.toFull(p.covariances, k, d, ws.f64(covFull, k * d * d));
  ws.f64(logW, k).set(p.weights.map(Math.log));
  for (let q = 0; q + 1 < pat.starts.length; q++) {
    const o = pat.nObs[q];
    if (kern.missingFactors(covFull, k, d, idx, q, o, factors) !== 0) throw singularMarginal();
    const first = pat.starts[q];
    const rows = pat.starts[q + 1] - first;
    kern.missingEStep(
      x,
      first,
      rows,
      d,
      idx,
      q,
      o,
      means,
      factors,
      logW,
      k,
      0,
      0,
      0,
      resp,
      lse,
      xhat,
      work,
      0,
    );
  }
  const sorted = { resp: ws.f64(resp, n * k), lse: ws.f64(lse, n), xhat: ws.f64(xhat, n * d) };
  const out: MissingPosterior = {
    resp: new Float64Array(n * k),
    lse: new Float64Array(n),
    xhat: new Float64Array(n * d),
  };
  for (let s = 0; s < n; s++) {
    const i = pat.order[s];
    out.lse[i] = sorted.lse[s];
    out.resp.set(sorted.resp.subarray(s * k, s * k + k), i * k);
    out.xhat.set(sorted.xhat.subarray(s * d, s * d + d), i * d);
  }
  return out;
}
