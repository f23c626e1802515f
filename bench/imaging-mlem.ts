/**
 * MLEM time per iteration (part of `npm run bench -- --imaging`, after Richardson–Lucy) on the Shepp–Logan phantom at 256 × 256,
 * 180 angles, 1e6 expected counts, for emwasm (matrix-free Joseph projector in Wasm on 1 and 2
 * threads, the same projector as a CSR matrix in Wasm, the TypeScript twins) and for NumPy +
 * scipy.sparse running MLEM on the same system matrix (`projector.toCSR()`, Aᵀ stored as its own
 * CSR matrix, /usr/bin/python3; skipped with a message when scipy is absent).
 *
 * An iteration is one forward projection, the ratio, one back projection and the update. Times
 * are the median interval between consecutive iterations (emwasm's `onIteration`; the Python loop
 * times each iteration), so set-up (sensitivity, copying the matrix) is left out everywhere. The
 * machine is shared: each run repeats every implementation and reports the median and the range.
 * Prints a table and saves bench/results/imaging-mlem-<time>.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, ms, renderTable } from './lib/format';
import {
  mlem,
  ParallelBeamProjector,
  poissonNoise,
  sheppLogan,
  type MLEMOptions,
  type SystemMatrix,
} from '../src/index';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const SIZE = 256;
const ANGLES = 180;
const COUNTS = 1e6;
const REPEATS = 3;

interface Timing {
  implementation: string;
  /** Median wall-clock ms per iteration of each repeat. */
  repeats: number[];
  /** Median CPU ms per iteration (all of the process's threads) of each repeat. */
  cpuRepeats: number[];
  logLikelihood?: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function timeEmwasm(
  implementation: string,
  y: Float64Array,
  A: ParallelBeamProjector | SystemMatrix,
  iterations: number,
  options: MLEMOptions,
): Promise<Timing> {
  const repeats: number[] = [];
  const cpuRepeats: number[] = [];
  let logLikelihood = NaN;
  for (let r = 0; r < REPEATS; r++) {
    const stamps: number[] = [];
    const cpu: number[] = [];
    const result = await mlem(y, A, {
      ...options,
      iterations,
      onIteration: () => {
        stamps.push(performance.now());
        cpu.push(cpuMs());
      },
    });
    repeats.push(median(stamps.slice(1).map((t, i) => t - stamps[i])));
    cpuRepeats.push(median(cpu.slice(1).map((t, i) => t - cpu[i])));
    logLikelihood = result.logLikelihood;
  }
  return { implementation, repeats, cpuRepeats, logLikelihood };
}

const SCIPY_SCRIPT = String.raw`
import json, sys, time
import numpy as np, scipy, scipy.sparse as sp
spec = json.load(open(sys.argv[1]))
rows, cols = spec['rows'], spec['cols']
indptr = np.fromfile(spec['indptr'], dtype='<i4')
indices = np.fromfile(spec['indices'], dtype='<i4')
data = np.fromfile(spec['data'], dtype='<f8')
y = np.fromfile(spec['y'], dtype='<f8')
A = sp.csr_matrix((data, indices, indptr), shape=(rows, cols))
AT = A.T.tocsr()
sens = AT @ np.ones(rows)
x = np.full(cols, y.sum() / sens.sum())
positive = sens > 0
repeats, cpu_repeats = [], []
for r in range(spec['repeats']):
    times, cpu = [], []
    for it in range(spec['iterations']):
        t0, c0 = time.perf_counter(), time.process_time()
        q = A @ x
        ratio = np.divide(y, q, out=np.zeros_like(y), where=y > 0)
        back = AT @ ratio
        x = np.where(positive, x * back / np.where(positive, sens, 1), 0)
        times.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
    repeats.append(float(np.median(times)))
    cpu_repeats.append(float(np.median(cpu)))
print(json.dumps({'numpy': np.__version__, 'scipy': scipy.__version__, 'repeats': repeats,
                  'cpuRepeats': cpu_repeats}))
`;

function scipyProblem(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, scipy.sparse'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  return `NumPy/SciPy are not installed for ${PYTHON} (apt-get install -y python3-scipy): skipped`;
}

function bytes(a: Int32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function timeScipy(A: SystemMatrix, y: Float64Array, iterations: number): Timing & { versions: string } {
  const dir = mkdtempSync(join(tmpdir(), 'emwasm-mlem-'));
  try {
    const spec = {
      rows: A.rows,
      cols: A.cols,
      indptr: join(dir, 'indptr.i32'),
      indices: join(dir, 'indices.i32'),
      data: join(dir, 'data.f64'),
      y: join(dir, 'y.f64'),
      iterations,
      repeats: REPEATS,
    };
    writeFileSync(spec.indptr, bytes(A.indptr));
    writeFileSync(spec.indices, bytes(A.indices));
    writeFileSync(spec.data, bytes(A.data));
    writeFileSync(spec.y, bytes(y));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const run = spawnSync(PYTHON, ['-c', SCIPY_SCRIPT, join(dir, 'spec.json')], { encoding: 'utf8' });
    if (run.status !== 0)
      throw new Error(`scipy MLEM failed: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
    const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
      numpy: string;
      scipy: string;
      repeats: number[];
      cpuRepeats: number[];
    };
    return {
      implementation: `NumPy ${out.numpy} + scipy.sparse ${out.scipy} (CSR A and Aᵀ)`,
      versions: `numpy ${out.numpy}, scipy ${out.scipy}`,
      repeats: out.repeats,
      cpuRepeats: out.cpuRepeats,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the MLEM comparison, prints its table, saves its JSON and returns the report. */
export async function runMlemBench(): Promise<Record<string, unknown>> {
  const projector = new ParallelBeamProjector({ size: SIZE, angles: ANGLES });
  const y = poissonNoise(projector.forward(sheppLogan(SIZE)), COUNTS, 20240613);
  const A = projector.toCSR();
  console.log(
    `MLEM, Shepp–Logan ${SIZE} × ${SIZE}, ${ANGLES} angles × ${SIZE} detectors, ${COUNTS} counts; ` +
      `system matrix ${A.rows} × ${A.cols}, ${A.indices.length} non-zeros; load average ${loadavg()[0].toFixed(1)}`,
  );
  const timings: Timing[] = [
    await timeEmwasm('emwasm Wasm, projector, 1 thread', y, projector, 12, {}),
    await timeEmwasm('emwasm Wasm, projector, 2 threads', y, projector, 12, { threads: 2 }),
    await timeEmwasm('emwasm Wasm, CSR matrix, 1 thread', y, A, 8, {}),
    await timeEmwasm('emwasm TS twins, projector', y, projector, 4, { backend: 'js' }),
  ];
  const skip = scipyProblem();
  if (skip) console.log(skip);
  else timings.push(timeScipy(A, y, 8));
  const scipy = skip ? null : timings[timings.length - 1];
  const rows = timings.map((t) => {
    const wall = median(t.repeats);
    const cpu = median(t.cpuRepeats);
    return [
      t.implementation,
      ms(wall),
      `${ms(Math.min(...t.repeats))}–${ms(Math.max(...t.repeats))}`,
      scipy ? `${(wall / median(scipy.repeats)).toFixed(2)}×` : '-',
      ms(cpu),
      scipy ? `${(cpu / median(scipy.cpuRepeats)).toFixed(2)}×` : '-',
    ];
  });
  console.log(
    '\n' +
      renderTable(['implementation', 'wall ms/it', 'range', 'vs scipy', 'CPU ms/it', 'vs scipy'], rows, 1) +
      '\n\nwall: median time between iterations; CPU: all threads of the process, so with 2 threads it' +
      '\nexceeds the wall time; on a shared machine the CPU ratio of 1-thread rows is the steadier one.',
  );
  return {
    bench: 'imaging-mlem',
    problem: { size: SIZE, angles: ANGLES, detectors: SIZE, counts: COUNTS, nnz: A.indices.length },
    timings,
  };
}
