/**
 * The scikit-learn and mclust peers: one process each runs every case of a manifest and prints a
 * JSON line per case, so one slow or failing case costs only itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export type PeerName = 'sklearn' | 'mclust';

export interface PeerCase {
  id: string;
  cov: string;
  n: number;
  d: number;
  k: number;
  iters: number;
  repeats: number;
  /** The heaviest cases, where mclust runs fewer iterations. */
  heavy: boolean;
  data: string;
  start: string;
}

/** One case's answer, as the peer scripts print it. */
export interface PeerResult {
  id: string;
  cov: string;
  iters?: number;
  fit_ms?: number[];
  ms_per_iter?: number[];
  init_ms?: number | null;
  loop_ms_per_iter?: number | null;
  lower_bound?: number;
  loglik_per_n?: number;
  model?: string;
  error?: string;
}

export interface PeerRun {
  info: Record<string, unknown> | null;
  results: PeerResult[];
  /** Why the peer did not run, or stopped early. */
  problem: string | null;
  /** Environment variables removed for the peer's process. */
  unset: string[];
}

/**
 * Set on some machines so that old OpenBLAS builds pick a safe kernel; they slow a current numpy,
 * so the peers run without them (in their own process only; see /work/.library/env/README.md).
 */
const BLAS_OVERRIDES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

const PEERS: Record<PeerName, { command: string; script: string; probe: string[] }> = {
  sklearn: {
    command: '/usr/bin/python3',
    script: 'bench/peers/sklearn_bench.py',
    probe: ['-c', 'import sklearn, numpy'],
  },
  mclust: {
    command: 'Rscript',
    script: 'bench/peers/mclust_bench.R',
    probe: ['-e', 'suppressPackageStartupMessages(library(mclust))'],
  },
};

export function writeManifest(path: string, cases: PeerCase[]): void {
  const columns = ['id', 'cov', 'n', 'd', 'k', 'iters', 'repeats', 'data', 'start'] as const;
  const lines = [columns.join('\t'), ...cases.map((c) => columns.map((col) => String(c[col])).join('\t'))];
  writeFileSync(path, lines.join('\n') + '\n');
}

function peerEnv(): { env: NodeJS.ProcessEnv; unset: string[] } {
  const env = { ...process.env };
  const unset = BLAS_OVERRIDES.filter((name) => name in env);
  for (const name of BLAS_OVERRIDES) delete env[name];
  return { env, unset };
}

/** Whether the peer can run here: its interpreter starts and its package loads. */
export function peerAvailable(name: PeerName): string | null {
  const p = PEERS[name];
  const r = spawnSync(p.command, p.probe, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  if (r.error)
    return `${p.command} not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  if (r.status !== 0) {
    const why = String(r.stderr).trim().split('\n').pop() ?? '';
    return `${p.command} ${p.probe.join(' ')} failed: ${why}`;
  }
  return null;
}

/**
 * Runs a peer over a manifest, calling `onResult` as each case finishes. Stops the process after
 * `timeoutMs` and keeps what it had printed.
 */
export function runPeer(
  name: PeerName,
  root: string,
  manifest: string,
  timeoutMs: number,
  onResult: (r: PeerResult) => void,
): Promise<PeerRun> {
  const p = PEERS[name];
  const { env, unset } = peerEnv();
  const run: PeerRun = { info: null, results: [], problem: null, unset };
  return new Promise((resolve) => {
    const child = spawn(p.command, [p.script, manifest], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      run.problem = `stopped after ${Math.round(timeoutMs / 1000)} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as { info?: Record<string, unknown> } & PeerResult;
      if (parsed.info) {
        run.info = parsed.info;
      } else {
        run.results.push(parsed);
        onResult(parsed);
      }
    });
    child.on('error', (err) => {
      run.problem = err.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && run.problem === null) {
        run.problem = `exited with ${code}: ${stderr.trim().split('\n').slice(-6).join(' | ')}`;
      }
      resolve(run);
    });
  });
}
