import { isInteger, show } from '../util/errors.js';

/**
 * One option of an estimator, declared once: its type, its range and its default. The estimator
 * base reads every option through these rules, so each family only lists what is its own, and an
 * unknown key (a typo such as `maxIters`) is rejected with the list of valid ones.
 */
export type OptionRule =
  | { type: 'integer'; min: number; max?: number; default?: number }
  | { type: 'number'; min?: number; max?: number; openMin?: boolean; default?: number }
  | { type: 'boolean'; default: boolean }
  | { type: 'enum'; values: readonly string[]; default?: string }
  | { type: 'function' }
  | { type: 'signal' }
  | { type: 'threads'; default?: 'auto' }
  /** Checked by its own function, which returns the value to keep (or throws naming the option). */
  | { type: 'custom'; check: (value: unknown, name: string) => unknown; default?: unknown }
  /** An array whose shape is only known at fit time (a `*Init`); kept as given, checked by the family. */
  | { type: 'array' };

export type OptionSpec = Readonly<Record<string, OptionRule>>;

/**
 * Validates `given` against `spec` and fills in the defaults. Never writes back onto `given`.
 * `owner` names the estimator in messages ("PoissonMixture has no option 'maxIters' …").
 */
export function parseOptions(owner: string, spec: OptionSpec, given: unknown): Record<string, unknown> {
  if (given === undefined) given = {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(`${owner} options must be an object, got ${show(given)}`);
  }
  const input = given as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const near = nearest(key, Object.keys(spec));
      throw new TypeError(
        `${owner} has no option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; ` +
          `valid options: ${Object.keys(spec).join(', ')}`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(spec)) {
    const value = input[name];
    if (value === undefined) {
      if ('default' in rule && rule.default !== undefined) out[name] = rule.default;
      continue;
    }
    out[name] = checkOption(name, rule, value);
  }
  return out;
}

/** One option's value checked against its rule; returns the value to keep. */
export function checkOption(name: string, rule: OptionRule, value: unknown): unknown {
  switch (rule.type) {
    case 'integer': {
      const max = rule.max ?? Infinity;
      if (!isInteger(value) || value < rule.min || value > max) {
        const range = max === Infinity ? `>= ${rule.min}` : `in [${rule.min}, ${max}]`;
        throw new RangeError(`${name} must be an integer ${range}, got ${show(value)}`);
      }
      return value;
    }
    case 'number': {
      const min = rule.min ?? -Infinity;
      const max = rule.max ?? Infinity;
      const low = rule.openMin ? (value as number) <= min : (value as number) < min;
      if (typeof value !== 'number' || !Number.isFinite(value) || low || value > max) {
        const parts: string[] = [];
        if (min !== -Infinity) parts.push(`${rule.openMin ? '>' : '>='} ${min}`);
        if (max !== Infinity) parts.push(`<= ${max}`);
        throw new RangeError(
          `${name} must be a finite number${parts.length ? ' ' + parts.join(' and ') : ''}, got ${show(value)}`,
        );
      }
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${show(value)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) {
        throw new RangeError(
          `${name} must be one of ${rule.values.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`,
        );
      }
      return value;
    case 'function':
      if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${show(value)}`);
      return value;
    case 'signal':
      if (!isAbortSignal(value)) throw new TypeError(`${name} must be an AbortSignal, got ${show(value)}`);
      return value;
    case 'threads':
      if (value === 'auto') return value;
      if (!isInteger(value) || value < 1 || value > 1024) {
        throw new RangeError(`${name} must be 'auto' or an integer in [1, 1024], got ${show(value)}`);
      }
      return value;
    case 'custom':
      return rule.check(value, name);
    case 'array':
      if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
        throw new TypeError(`${name} must be an array (nested or flat), got ${show(value)}`);
      }
      return value;
  }
}

export function isAbortSignal(v: unknown): v is AbortSignal {
  return typeof AbortSignal !== 'undefined' && v instanceof AbortSignal;
}

/** The valid key closest to a misspelled one (edit distance ≤ 2), for "did you mean". */
function nearest(key: string, valid: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const v of valid) {
    const dist = editDistance(key.toLowerCase(), v.toLowerCase());
    if (dist < bestDistance) {
      bestDistance = dist;
      best = v;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
