import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoissonMixture } from '../../src/index';
import { Random } from '../../src/util/random';
import { poisson } from '../../src/util/special';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
let dir: string;
const out = (name: string) => join(dir, name);

function emwasm(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 300 rows of counts from three Poisson components, as a CSV file and as rows. */
function counts(): number[][] {
  const rng = new Random(8);
  const rates = [
    [1, 12, 3],
    [9, 2, 6],
    [20, 5, 0.5],
  ];
  return Array.from({ length: 300 }, (_, i) => rates[i % 3].map((r) => poisson(rng, r)));
}

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'emwasm-cli-families-'));
  writeFileSync(
    out('counts.csv'),
    'a,b,c\n' +
      counts()
        .map((r) => r.join(','))
        .join('\n') +
      '\n',
  );
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--family', () => {
  it('fit --family poisson fits a Poisson mixture, prints its rates, saves JSON predict reads back', async () => {
    const r = emwasm(
      'fit',
      out('counts.csv'),
      '--family',
      'poisson',
      '-k',
      '3',
      '--seed',
      '0',
      '--json',
      out('p.json'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('poisson mixture: 3 components, 1 initialization, seed 0');
    const lib = await new PoissonMixture({ nComponents: 3, randomState: 0 }).fit(counts());
    const saved = JSON.parse(readFileSync(out('p.json'), 'utf8'));
    expect(saved.family).toBe('PoissonMixture');
    expect(saved.params.rates).toEqual([...lib.rates]);
    // The component table shows each rate (the responsibility-weighted column means, at a fixed point).
    const first = lib.rates[0].toFixed(4);
    expect(r.stdout).toContain(first.replace(/0+$/, '').replace(/\.$/, ''));
    const predicted = emwasm('predict', out('p.json'), out('counts.csv'));
    expect(predicted.status).toBe(0);
    const labels = predicted.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[0]));
    expect(labels).toEqual(Array.from(lib.predict(counts())));
  });

  it('select --family poisson compares K without a covariance column', () => {
    const r = emwasm('select', out('counts.csv'), '--family', 'poisson', '-k', '1-4', '--seed', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^components\s+BIC\s+parameters/m);
    expect(r.stdout).toContain('best: 3 components\n');
  });

  it('explains what does not apply and what is unknown', () => {
    const bad = emwasm('fit', out('counts.csv'), '--family', 'banana');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--family must be one of gaussian, poisson.*got 'banana'/);
    const cov = emwasm('fit', out('counts.csv'), '--family', 'poisson', '--covariance', 'full');
    expect(cov.stderr).toContain('--covariance does not apply to --family poisson');
    const reg = emwasm('fit', out('counts.csv'), '--family', 'poisson', '--reg-covar', '1e-3');
    expect(reg.stderr).toMatch(/PoissonMixture has no option '--reg-covar'/);
    const plot = emwasm('fit', out('counts.csv'), '--family', 'poisson', '--plot', out('x.svg'));
    expect(plot.stderr).toContain(
      '--plot draws covariance ellipses: it is available with --family gaussian only',
    );
    const neg = writeFileSync(out('neg.csv'), 'a\n1\n-2\n');
    expect(neg).toBeUndefined();
    const domain = emwasm('fit', out('neg.csv'), '--family', 'poisson');
    expect(domain.stderr).toContain(
      'X[1][0] must be a non-negative integer count for a PoissonMixture, got -2',
    );
  });
});
