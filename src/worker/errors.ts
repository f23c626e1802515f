import { DegenerateCovarianceError } from '../mixture/degenerate.js';

/**
 * Errors across a worker boundary. `postMessage` clones an Error as a plain Error (or not at all),
 * so the class a caller tests with `instanceof` is lost; the fit worker sends this description
 * instead and the calling side rebuilds an error of the same class, message and stack.
 */
export interface SerializedError {
  /** The class to rebuild: a key of `ERROR_CLASSES`, `'DOMException'`, or `'Error'` for anything else. */
  kind: string;
  name: string;
  message: string;
  stack?: string;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The classes an error keeps across the boundary; any other comes back as an `Error` with its name. */
const ERROR_CLASSES: Record<string, ErrorClass> = {
  DegenerateCovarianceError,
  RangeError,
  TypeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  Error,
};

/** Describes a thrown value (an Error or anything else) for `postMessage`. */
export function serializeError(thrown: unknown): SerializedError {
  if (typeof DOMException !== 'undefined' && thrown instanceof DOMException) {
    return { kind: 'DOMException', name: thrown.name, message: thrown.message, stack: thrown.stack };
  }
  if (!(thrown instanceof Error)) return { kind: 'Error', name: 'Error', message: String(thrown) };
  const kind = Object.keys(ERROR_CLASSES).find((k) => thrown.constructor === ERROR_CLASSES[k]) ?? 'Error';
  return { kind, name: thrown.name, message: thrown.message, stack: thrown.stack };
}

/** Rebuilds the error `serializeError` described: same class, name, message and stack. */
export function deserializeError(s: SerializedError): Error {
  if (s.kind === 'DOMException' && typeof DOMException !== 'undefined') {
    const e = new DOMException(s.message, s.name);
    if (s.stack !== undefined) Object.defineProperty(e, 'stack', { value: s.stack, configurable: true });
    return e;
  }
  const Class = ERROR_CLASSES[s.kind] ?? Error;
  // A real Error object (with its stack machinery) whose prototype is the class's, without calling
  // a constructor whose arguments are not a message (DegenerateCovarianceError's).
  const e = Reflect.construct(Error, [s.message], Class) as Error;
  if (e.name !== s.name) e.name = s.name;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}
