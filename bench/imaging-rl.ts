/**
 * Richardson–Lucy deconvolution of a 512 × 512 image with a 15 × 15 and a 63 × 63 Gaussian PSF,
 * 30 iterations (clip off), emwasm against scikit-image's `restoration.richardson_lucy` (Debian's
 * python3-skimage under /usr/bin/python3; skipped with a message when absent). Run through
 * `npm run bench -- --imaging` (bench/run.ts). Times are whole calls (set-up included: emwasm's
 * PSF spectra and workspace, scikit-image's nothing extra), best and median of the repeats; the
 * results are compared entry by entry. Prints a table and returns the report that run.ts saves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseMethod } from '../src/imaging/convolver';
import { richardsonLucy } from '../src/imaging/richardson-lucy';
import { Random } from '../src/util/random';
import { fixed, median, min, ms, renderTable } from './lib/format';

const SIZE = 512;
const PSF_SIZES = [15, 63];
const ITERATIONS = 30;
const PYTHON = '/usr/bin/python3';

export interface RichardsonLucyBenchOptions {
  repeats: number;
  /** Also time the direct and FFT paths on their own, not only `method: 'auto'` (on 1 and 2 threads). */
  methods: boolean;
}

interface Row {
  psf: number;
  method: string;
  emwasmMs: number[];
  skimageMs: number[] | null;
  maxRelDiff: number | null;
}

export interface RichardsonLucyBenchReport {
  size: number;
  iterations: number;
  skimage: Record<string, unknown> | string;
  rows: Row[];
}

/** Blocks and discs on a dim background, blurred by `psf`: positive, like a real blurred image. */
function makeImage(psf: Float64Array, m: number): Float64Array {
  const rng = new Random(2026);
  const sharp = new Float64Array(SIZE * SIZE).fill(0.05);
  for (let s = 0; s < 60; s++) {
    const cy = rng.uniform() * SIZE;
    const cx = rng.uniform() * SIZE;
    const r = 4 + rng.uniform() * 30;
    const v = 0.2 + rng.uniform() * 0.7;
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(SIZE, cy + r); y++)
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(SIZE, cx + r); x++)
        if ((y - cy) ** 2 + (x - cx) ** 2 < r * r) sharp[y * SIZE + x] += v;
  }
  // Circular blur is enough to make test data: the deconvolution's own boundary is what is timed.
  const out = new Float64Array(SIZE * SIZE);
  const h = m >> 1;
  const rowBlur = new Float64Array(SIZE * SIZE);
  const g = Array.from({ length: m }, (_, i) => Math.sqrt(psf[i * m + h] * psf[h * m + i]));
  const gs = g.reduce((a, b) => a + b, 0);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      let acc = 0;
      for (let k = 0; k < m; k++) acc += (g[k] / gs) * sharp[y * SIZE + ((x + k - h + SIZE) % SIZE)];
      rowBlur[y * SIZE + x] = acc;
    }
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      let acc = 0;
      for (let k = 0; k < m; k++) acc += (g[k] / gs) * rowBlur[((y + k - h + SIZE) % SIZE) * SIZE + x];
      out[y * SIZE + x] = acc;
    }
  return out;
}

function gaussianPsf(m: number): Float64Array {
  const sigma = m / 6;
  const psf = new Float64Array(m * m);
  const c = (m - 1) / 2;
  let sum = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++)
      sum += psf[i * m + j] = Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma));
  return psf.map((v) => v / sum);
}

function runSkimage(
  dir: string,
  cases: { id: string; image: Float64Array; psf: Float64Array; m: number }[],
  repeats: number,
): { info: Record<string, unknown> | string; ms: Map<string, number[]>; out: Map<string, Float64Array> } {
  const probe = spawnSync(PYTHON, ['-c', 'import skimage'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return {
      info: `scikit-image not available: ${probe.stderr.trim().split('\n').pop()}`,
      ms: new Map(),
      out: new Map(),
    };
  const manifest = cases.map((c) => {
    const image = join(dir, `${c.id}-image.bin`);
    const psf = join(dir, `${c.id}-psf.bin`);
    writeFileSync(image, new Uint8Array(c.image.buffer, c.image.byteOffset, c.image.byteLength));
    writeFileSync(psf, new Uint8Array(c.psf.buffer, c.psf.byteOffset, c.psf.byteLength));
    return {
      id: c.id,
      image,
      psf,
      shape: [SIZE, SIZE],
      psfShape: [c.m, c.m],
      iterations: ITERATIONS,
      repeats,
      out: join(dir, `${c.id}-out.bin`),
    };
  });
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ cases: manifest }));
  const run = spawnSync(PYTHON, ['bench/peers/skimage_rl_bench.py', manifestPath], { encoding: 'utf8' });
  if (run.status !== 0)
    return {
      info: `scikit-image bench failed: ${run.stderr.trim().split('\n').pop()}`,
      ms: new Map(),
      out: new Map(),
    };
  let info: Record<string, unknown> | string = 'no info';
  const times = new Map<string, number[]>();
  const out = new Map<string, Float64Array>();
  for (const line of run.stdout.trim().split('\n')) {
    const msg = JSON.parse(line) as { info?: Record<string, unknown>; id?: string; ms?: number[] };
    if (msg.info) info = msg.info;
    else if (msg.id && msg.ms) {
      times.set(msg.id, msg.ms);
      const bytes = readFileSync(join(dir, `${msg.id}-out.bin`));
      out.set(
        msg.id,
        new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      );
    }
  }
  return { info, ms: times, out };
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return worst;
}

export async function runRichardsonLucyBench(
  o: RichardsonLucyBenchOptions,
): Promise<RichardsonLucyBenchReport> {
  const cases = PSF_SIZES.map((m) => {
    const psf = gaussianPsf(m);
    return { id: `rl-${SIZE}-psf${m}`, m, psf, image: makeImage(psf, m) };
  });
  // [method, threads]: auto on one and two threads; with `methods`, each method on one thread.
  const variants: ['auto' | 'fft' | 'direct', number][] = [
    ['auto', 1],
    ['auto', 2],
  ];
  if (o.methods) variants.push(['fft', 1], ['direct', 1]);
  const methods = variants.map(([method, threads]) => ({ method, threads, key: `${method}/${threads}` }));
  const rows: Row[] = cases.flatMap((c) =>
    methods.map(({ method, threads }) => ({
      psf: c.m,
      method:
        (method === 'auto' ? `auto (${chooseMethod([1, SIZE, SIZE], [1, c.m, c.m])})` : method) +
        (threads > 1 ? `, ${threads} threads` : ''),
      emwasmMs: [] as number[],
      skimageMs: null as number[] | null,
      maxRelDiff: null as number | null,
    })),
  );
  const results = new Map<string, Float64Array>();
  const dir = mkdtempSync(join(tmpdir(), 'emwasm-rl-'));
  let skimageInfo: Record<string, unknown> | string = 'not run';
  try {
    // Warm-up: V8 tiers up the glue, and the Wasm module is compiled, before anything is timed.
    await richardsonLucy(
      { data: cases[0].image.subarray(0, 64 * 64), shape: [64, 64] },
      { data: cases[0].psf, shape: [15, 15] },
      { iterations: 3 },
    );
    // Rounds of one scikit-image run and one emwasm run per case: on a shared machine the load
    // changes from minute to minute, and alternating exposes both to the same.
    const skimageMs = new Map<string, number[]>();
    let reference = new Map<string, Float64Array>();
    for (let round = 0; round < o.repeats; round++) {
      const sk = runSkimage(dir, cases, 1);
      skimageInfo = sk.info;
      for (const [id, t] of sk.ms) skimageMs.set(id, [...(skimageMs.get(id) ?? []), ...t]);
      if (sk.out.size) reference = sk.out;
      let i = 0;
      for (const c of cases) {
        for (const { method, threads, key } of methods) {
          const t = performance.now();
          const out = await richardsonLucy(
            { data: c.image, shape: [SIZE, SIZE] },
            { data: c.psf, shape: [c.m, c.m] },
            { iterations: ITERATIONS, clip: false, method, threads },
          );
          rows[i].emwasmMs.push(performance.now() - t);
          results.set(`${c.id}/${key}`, out.data);
          i++;
        }
      }
    }
    let i = 0;
    for (const c of cases) {
      for (const { key } of methods) {
        const result = results.get(`${c.id}/${key}`);
        const ref = reference.get(c.id);
        rows[i].skimageMs = skimageMs.get(c.id) ?? null;
        rows[i].maxRelDiff = ref && result ? maxRelDiff(result, ref) : null;
        i++;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ['psf', 'method', 'emwasm ms', 'med', 'skimage ms', 'med', 'ratio', 'max rel diff'];
  const table = rows.map((r) => [
    `${r.psf}x${r.psf}`,
    r.method,
    ms(min(r.emwasmMs)),
    ms(median(r.emwasmMs)),
    ms(r.skimageMs ? min(r.skimageMs) : NaN),
    ms(r.skimageMs ? median(r.skimageMs) : NaN),
    fixed(r.skimageMs ? min(r.emwasmMs) / min(r.skimageMs) : NaN, 2),
    r.maxRelDiff === null ? '-' : r.maxRelDiff.toExponential(1),
  ]);
  console.log(
    `\nRichardson–Lucy, ${SIZE}x${SIZE}, ${ITERATIONS} iterations (ratio = emwasm / scikit-image, best of ${o.repeats} alternating rounds)`,
  );
  if (typeof skimageInfo === 'string') console.log(skimageInfo);
  else
    console.log(
      `scikit-image ${String(skimageInfo.skimage)} / scipy ${String(skimageInfo.scipy)} / numpy ${String(skimageInfo.numpy)}`,
    );
  console.log(renderTable(header, table));
  return { size: SIZE, iterations: ITERATIONS, skimage: skimageInfo, rows };
}
