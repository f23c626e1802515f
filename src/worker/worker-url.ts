/**
 * Where browsers start emwasm's workers from. By default a Blob URL made from the source inlined in
 * the bundle, which needs no file but needs `blob:` in the page's Content-Security-Policy
 * (`worker-src`, or `script-src` when that is absent). A page whose policy forbids blob: workers
 * serves emwasm's worker file instead and says where with {@link setWorkerUrl}.
 */

/** The Worker names emwasm gives its workers; dist/worker.js runs the program the name asks for. */
export const FIT_WORKER_NAME = 'emwasm-fit';
export const THREAD_WORKER_NAME = 'emwasm-threads';

let configured: string | null = null;

/**
 * Makes browsers start emwasm's workers (the `worker: true` fit worker and the thread pool) from
 * `url`, a URL the page serves holding the package's worker file `emwasm/worker`
 * (`node_modules/emwasm/dist/worker.js`), instead of from a Blob URL. Needed under a
 * Content-Security-Policy whose `worker-src` does not allow `blob:`; the served file must be
 * allowed instead (e.g. `worker-src 'self'`). `null` goes back to Blob URLs. Node ignores it.
 *
 * @example
 * ```ts
 * // node_modules/emwasm/dist/worker.js copied to the site's /assets/ by the build
 * setWorkerUrl('/assets/emwasm-worker.js');
 * ```
 */
export function setWorkerUrl(url: string | URL | null): void {
  if (url !== null && typeof url !== 'string' && !(url instanceof URL)) {
    throw new TypeError(`setWorkerUrl needs a URL (string or URL) or null, got ${typeof url}`);
  }
  configured = url === null ? null : String(url);
}

/**
 * The URL to start a worker from, or null for a Blob URL. Inside a fit worker that was itself
 * started from the served file, its thread pool reuses that file.
 */
export function workerUrl(): string | null {
  if (configured !== null) return configured;
  const scope = globalThis as { name?: unknown; location?: { href: string; protocol: string } };
  if (scope.name === FIT_WORKER_NAME && scope.location && scope.location.protocol !== 'blob:') {
    return scope.location.href;
  }
  return null;
}

interface SecurityPolicyViolation {
  blockedURI: string;
  effectiveDirective: string;
}

/**
 * Starts a browser worker named `name` running `source`, from the configured URL or a Blob URL.
 * `onFailure` gets an error that says why the worker failed: the script's own error, or, when the
 * worker could not start at all (a Content-Security-Policy, a missing file), what to allow or serve.
 */
export function startBrowserWorker(
  source: string,
  name: string,
  what: string,
  onFailure: (err: Error) => void,
): Worker {
  if (typeof Worker !== 'function')
    throw new Error(`${what} needs Web Workers, which this environment lacks`);
  const url = workerUrl();
  const violations: SecurityPolicyViolation[] = [];
  const scope = globalThis as unknown as Partial<
    Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
  >;
  const onViolation = (e: Event): void => {
    violations.push(e as unknown as SecurityPolicyViolation);
  };
  scope.addEventListener?.('securitypolicyviolation', onViolation);
  const src = url ?? URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  let w: Worker;
  try {
    w = new Worker(src, { name });
  } catch (err) {
    scope.removeEventListener?.('securitypolicyviolation', onViolation);
    throw new Error(cannotStart(what, url, (err as Error).message, []));
  } finally {
    if (url === null) URL.revokeObjectURL(src);
  }
  let started = false;
  w.addEventListener('message', () => {
    started = true;
    scope.removeEventListener?.('securitypolicyviolation', onViolation);
  });
  w.onerror = (e: ErrorEvent) => {
    // An ErrorEvent with a message is an error thrown by the worker's program; a bare Event means
    // the script never ran. A policy violation is reported as a separate event: give it a turn.
    if (e.message || started) {
      onFailure(new Error(`emwasm ${what} failed: ${e.message}`));
      return;
    }
    setTimeout(() => {
      scope.removeEventListener?.('securitypolicyviolation', onViolation);
      onFailure(new Error(cannotStart(what, url, '', violations)));
    }, 0);
  };
  return w;
}

function cannotStart(
  what: string,
  url: string | null,
  reason: string,
  violations: readonly SecurityPolicyViolation[],
): string {
  const blocked = violations.find(
    (v) => v.effectiveDirective === 'worker-src' || v.effectiveDirective === 'script-src',
  );
  const cause = blocked
    ? `the page's Content-Security-Policy (${blocked.effectiveDirective}) blocked ${url === null ? 'a blob: worker' : url}`
    : reason || 'the worker script did not load';
  const fix =
    url === null
      ? "allow blob: in the policy's worker-src, or serve emwasm's worker file (emwasm/worker, dist/worker.js) and call setWorkerUrl(itsUrl)"
      : `check that the page serves emwasm's worker file (emwasm/worker) at ${url} and that worker-src allows it`;
  return `emwasm could not start the ${what}: ${cause}; ${fix}`;
}
