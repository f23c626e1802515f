import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussianPsf, motionPsf, richardsonLucy } from '../../src/index';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const [W, H] = [40, 32];

let dir: string;

function emwasm(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A bright rectangle and a bar on a black background (so the zero boundary is exact), values in [0, 1]. */
function sharpScene(): Float64Array {
  const x = new Float64Array(W * H);
  for (let r = 8; r < 22; r++) for (let c = 10; c < 24; c++) x[r * W + c] = 0.8;
  for (let r = 4; r < 28; r++) x[r * W + 31] = 0.6;
  return x;
}

/** 'same' convolution with zero boundary, as scipy.signal.convolve (odd PSF). */
function blur(x: Float64Array, psf: { data: Float64Array; shape: number[] }): Float64Array {
  const [m0, m1] = psf.shape;
  const out = new Float64Array(W * H);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++) {
      let acc = 0;
      for (let i = 0; i < m0; i++)
        for (let j = 0; j < m1; j++) {
          const [rr, cc] = [r + (m0 >> 1) - i, c + (m1 >> 1) - j];
          if (rr >= 0 && rr < H && cc >= 0 && cc < W) acc += x[rr * W + cc] * psf.data[i * m1 + j];
        }
      out[r * W + c] = acc;
    }
  return out;
}

function writeGreyPng(path: string, values: Float64Array): Uint8Array {
  const png = new PNG({ width: W, height: H });
  const bytes = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) {
    bytes[i] = Math.round(values[i] * 255);
    png.data.set([bytes[i], bytes[i], bytes[i], 255], 4 * i);
  }
  writeFileSync(path, PNG.sync.write(png));
  return bytes;
}

const rmse = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.sqrt(Array.from(a).reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'emwasm-deconvolve-'));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('emwasm deconvolve', () => {
  it('restores a Gaussian-blurred PNG: the same bytes as richardsonLucy, closer to the sharp image than the input', async () => {
    const sharp = sharpScene();
    const psf = gaussianPsf(1.5);
    const input = writeGreyPng(join(dir, 'in.png'), blur(sharp, psf));
    const run = emwasm(
      'deconvolve',
      join(dir, 'in.png'),
      '--psf',
      'gaussian:1.5',
      '--iterations',
      '30',
      '-o',
      join(dir, 'out.png'),
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/40×32 grey, PSF gaussian:1\.5 \(11×11\), 30 Richardson–Lucy iterations/);
    const out = PNG.sync.read(readFileSync(join(dir, 'out.png')));
    expect([out.width, out.height]).toEqual([W, H]);
    const restored = Uint8Array.from({ length: W * H }, (_, i) => out.data[4 * i]);
    const expected = await richardsonLucy(
      { data: Float64Array.from(input, (v) => v / 255), shape: [H, W] },
      psf,
      {
        iterations: 30,
      },
    );
    expect(Array.from(restored)).toEqual(
      Array.from(expected.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)),
    );
    const sharp255 = Array.from(sharp, (v) => v * 255);
    expect(rmse(restored, sharp255)).toBeLessThan(0.7 * rmse(input, sharp255));
  });

  it('takes a motion PSF and keeps colour channels and alpha', () => {
    const png = new PNG({ width: W, height: H });
    for (let i = 0; i < W * H; i++) png.data.set([(i * 7) % 256, (i * 3) % 256, 90, 200], 4 * i);
    writeFileSync(join(dir, 'colour.png'), PNG.sync.write(png));
    const run = emwasm(
      'deconvolve',
      join(dir, 'colour.png'),
      '--psf',
      'motion:5,30',
      '--iterations',
      '3',
      '-o',
      join(dir, 'colour-out.png'),
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/RGB, PSF motion:5,30/);
    const out = PNG.sync.read(readFileSync(join(dir, 'colour-out.png')));
    for (let i = 0; i < W * H; i++) expect(out.data[4 * i + 3]).toBe(200);
    expect(motionPsf(5, 30).data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('reports bad arguments as one line naming the flag and the value', () => {
    writeGreyPng(join(dir, 'small.png'), sharpScene());
    const cases: [string[], number, RegExp][] = [
      [
        ['--psf', 'blur:3'],
        2,
        /--psf must be gaussian:SIGMA \(SIGMA > 0\) or motion:LENGTH,ANGLE \(LENGTH > 0\), got 'blur:3'/,
      ],
      [['--psf', 'gaussian:0'], 2, /got 'gaussian:0'/],
      [['--psf', 'gaussian:1', '--iterations', '2.5'], 2, /--iterations must be an integer >= 0, got '2\.5'/],
      [['--psf', 'gaussian:1', '--tv', '0.5'], 2, /--tv must be in \[0, 0\.25\), got '0\.5'/],
      [['--iterations', '3'], 2, /missing --psf/],
    ];
    for (const [args, status, message] of cases) {
      const r = emwasm('deconvolve', join(dir, 'small.png'), ...args, '-o', join(dir, 'x.png'));
      expect(r.status).toBe(status);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = emwasm(
      'deconvolve',
      join(dir, 'nope.png'),
      '--psf',
      'gaussian:1',
      '-o',
      join(dir, 'x.png'),
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.png: no such file or directory/);
    writeFileSync(join(dir, 'not.png'), 'hello');
    const notPng = emwasm(
      'deconvolve',
      join(dir, 'not.png'),
      '--psf',
      'gaussian:1',
      '-o',
      join(dir, 'x.png'),
    );
    expect(notPng.status).toBe(1);
    expect(notPng.stderr).toMatch(/not\.png is not a PNG image/);
  });
});
