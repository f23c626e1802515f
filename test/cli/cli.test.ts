import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index';
import { loadExample, toFlat } from '../helpers/data';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const FAITHFUL = join(ROOT, 'examples/faithful.csv');
const IRIS = join(ROOT, 'examples/iris.csv');

let dir: string;
const out = (name: string) => join(dir, name);

/** Runs the built binary as a user would (no TTY: stdout and stderr are pipes). */
function emwasm(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = text.trimEnd().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'emwasm-cli-'));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('emwasm --help', () => {
  it('describes both commands, and each command its options', () => {
    const top = emwasm('--help');
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/emwasm fit DATA\.csv/);
    expect(top.stdout).toMatch(/emwasm predict MODEL\.json DATA\.csv/);
    const fit = emwasm('fit', '--help');
    expect(fit.status).toBe(0);
    for (const flag of '--components --covariance --seed --n-init --max-iter --tol --columns --json --plot'.split(
      ' ',
    )) {
      expect(fit.stdout).toContain(flag);
    }
    const predict = emwasm('predict', '--help');
    expect(predict.status).toBe(0);
    expect(predict.stdout).toContain('--out');
  });
});

describe('emwasm fit on Old Faithful', () => {
  const X = toFlat(loadExample('faithful'));
  let run: ReturnType<typeof emwasm>;
  let library: GaussianMixture;

  beforeAll(async () => {
    // prettier-ignore
    run = emwasm(
      'fit', FAITHFUL, '--components', '2', '--covariance', 'full', '--seed', '0', '--n-init', '3',
      '--json', out('faithful.json'), '--plot', out('faithful.svg'),
    );
    library = await new GaussianMixture({
      nComponents: 2,
      covarianceType: 'full',
      randomState: 0,
      nInit: 3,
    }).fit(X);
  }, 60_000);

  it('prints a summary and nothing on stderr when stderr is not a terminal', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const s = run.stdout;
    expect(s).toContain('272 rows × 2 columns (eruptions, waiting)');
    expect(s).toContain(`converged after ${library.nIter} iterations`);
    expect(s).toMatch(new RegExp(`log-likelihood\\s+${(library.score(X) * 272).toFixed(4)}`));
    expect(s).toMatch(new RegExp(`BIC\\s+${library.bic(X).toFixed(4)}`));
    const { weights, means } = library;
    for (let c = 0; c < 2; c++) {
      expect(s).toMatch(
        new RegExp(
          `\\n${c}\\s+${weights[c].toFixed(4)}\\s+\\d+\\s+${means[2 * c].toFixed(4)}\\s+${means[2 * c + 1].toFixed(4)}`,
        ),
      );
    }
  });

  it('writes JSON that GaussianMixture.fromJSON loads, scoring exactly as a library fit with the same seed', () => {
    const json = JSON.parse(readFileSync(out('faithful.json'), 'utf8'));
    expect(json.columns).toEqual(['eruptions', 'waiting']);
    const loaded = GaussianMixture.fromJSON(json);
    expect(loaded.scoreSamples(X)).toEqual(library.scoreSamples(X));
    expect(loaded.predict(X)).toEqual(library.predict(X));
    expect(loaded.means).toEqual(library.means);
  });

  it('draws a well-formed SVG with every point and a 1-sd and a 2-sd ellipse per component', () => {
    const svg = readFileSync(out('faithful.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => ['circle', 'ellipse', 'g'].includes(name),
    });
    const groups: { '@_class': string; circle?: unknown[]; ellipse?: Record<string, string>[] }[] =
      doc.parse(svg).svg.g;
    const byClass = Object.fromEntries(groups.map((g) => [g['@_class'], g]));
    expect(byClass.points.circle).toHaveLength(272);
    const ellipses = byClass.components.ellipse ?? [];
    expect(ellipses).toHaveLength(4);
    for (const c of ['0', '1']) {
      const mine = ellipses.filter((e) => e['@_data-component'] === c);
      expect(mine.map((e) => e['@_class']).sort()).toEqual(['sd1', 'sd2']);
      const [one, two] = [
        mine.find((e) => e['@_class'] === 'sd1')!,
        mine.find((e) => e['@_class'] === 'sd2')!,
      ];
      expect(Number(two['@_rx']) / Number(one['@_rx'])).toBeCloseTo(2, 2);
    }
  });

  it('predict writes one row per sample: the label and probabilities that sum to 1', () => {
    const r = emwasm('predict', out('faithful.json'), FAITHFUL);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual(['label', 'p0', 'p1']);
    expect(rows).toHaveLength(272);
    const labels = library.predict(X);
    const proba = library.predictProba(X);
    rows.forEach(([label, p0, p1], i) => {
      expect(label).toBe(labels[i]);
      expect(p0 + p1).toBeCloseTo(1, 12);
      expect([p0, p1]).toEqual([proba[2 * i], proba[2 * i + 1]]);
    });
    expect(emwasm('predict', out('faithful.json'), FAITHFUL, '--out', out('labels.csv')).stdout).toBe('');
    expect(readFileSync(out('labels.csv'), 'utf8')).toBe(r.stdout);
  });
});

describe('choosing columns', () => {
  it('--columns fits the named columns, and predict reuses them from the model file', async () => {
    // prettier-ignore
    const fit = emwasm(
      'fit', IRIS, '-k', '3', '--seed', '1', '--covariance', 'diag',
      '--columns', 'Petal.Width,Sepal.Length', '--json', out('iris.json'),
    );
    expect(fit.status).toBe(0);
    expect(fit.stdout).toContain('150 rows × 2 columns (Petal.Width, Sepal.Length)');
    expect(fit.stdout).toMatch(/component\s+weight\s+size\s+Petal\.Width\s+Sepal\.Length/);
    const json = JSON.parse(readFileSync(out('iris.json'), 'utf8'));
    expect(json.fit.nFeatures).toBe(2);
    const iris = loadExample('iris');
    const X = toFlat(iris.map((row) => [row[3], row[0]]));
    const lib = await new GaussianMixture({ nComponents: 3, covarianceType: 'diag', randomState: 1 }).fit(X);
    expect(GaussianMixture.fromJSON(json).scoreSamples(X)).toEqual(lib.scoreSamples(X));
    const predicted = parseCsv(emwasm('predict', out('iris.json'), IRIS).stdout);
    expect(predicted.rows.map((r) => r[0])).toEqual(Array.from(lib.predict(X)));
  });
});

describe('reading CSV files', () => {
  it('handles a byte-order mark, CRLF line ends, quoted names and cells, and blank lines', () => {
    const rows = loadExample('faithful');
    const text =
      '\uFEFF"eruption time, min","waiting ""min"""\r\n' +
      rows.map(([a, b], i) => (i % 2 ? `"${a}",${b}` : `${a},"${b}"`)).join('\r\n') +
      '\r\n\r\n';
    writeFileSync(out('odd.csv'), text);
    const odd = emwasm('fit', out('odd.csv'), '-k', '2', '--seed', '0', '--json', out('odd.json'));
    expect(odd.stderr).toBe('');
    expect(odd.stdout).toContain('272 rows × 2 columns (eruption time, min, waiting "min")');
    const plain = emwasm('fit', FAITHFUL, '-k', '2', '--seed', '0', '--json', out('plain.json'));
    const means = (f: string) => JSON.parse(readFileSync(out(f), 'utf8')).means;
    expect(means('odd.json')).toEqual(means('plain.json'));
    const picked = emwasm('fit', out('odd.csv'), '--columns', '"waiting ""min""", "eruption time, min"');
    expect(picked.stdout).toContain('272 rows × 2 columns (waiting "min", eruption time, min)');
  });
});

describe('errors: one line on stderr, a non-zero exit, no stack trace', () => {
  function expectOneLineError(r: ReturnType<typeof emwasm>, pattern: RegExp) {
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(pattern);
  }

  it('a missing file', () => {
    expectOneLineError(
      emwasm('fit', out('missing.csv')),
      /^emwasm fit: cannot read .*missing\.csv: no such file/,
    );
    expectOneLineError(emwasm('predict', out('missing.json'), FAITHFUL), /cannot read .*missing\.json/);
  });

  it('a non-numeric cell, named by its row, line and column', () => {
    const lines = readFileSync(FAITHFUL, 'utf8').split('\n');
    lines[5] = '2.283,sixty-two';
    writeFileSync(out('bad.csv'), lines.join('\n'));
    expectOneLineError(
      emwasm('fit', out('bad.csv')),
      /bad\.csv: row 5 \(line 6\), column 'waiting': 'sixty-two' is not a number\n$/,
    );
    expect(emwasm('fit', out('bad.csv'), '--columns', 'eruptions').status).toBe(0);
  });

  it('a ragged row', () => {
    writeFileSync(out('ragged.csv'), 'a,b\n1,2\n3\n');
    expectOneLineError(emwasm('fit', out('ragged.csv')), /ragged\.csv: .*line 3/);
  });

  it('an unknown option, a missing value and a missing argument', () => {
    expectOneLineError(
      emwasm('fit', FAITHFUL, '--colour', 'red'),
      /unknown option '--colour'.*emwasm fit --help/,
    );
    expectOneLineError(emwasm('fit', FAITHFUL, '--components'), /--components needs a value/);
    expectOneLineError(emwasm('fit', FAITHFUL, '--tol', 'small'), /--tol must be a number, got 'small'/);
    expectOneLineError(emwasm('fit'), /missing DATA\.csv/);
    expectOneLineError(emwasm('cluster', FAITHFUL), /unknown command 'cluster'/);
  });

  it('option values the library rejects, in the words of the flags', () => {
    expectOneLineError(
      emwasm('fit', FAITHFUL, '--components', '0'),
      /^emwasm fit: --components must be an integer >= 1, got 0/,
    );
    expectOneLineError(
      emwasm('fit', FAITHFUL, '--components', '300'),
      /--components must be an integer in \[1, nSamples=272\], got 300/,
    );
    expectOneLineError(emwasm('fit', FAITHFUL, '--covariance', 'round'), /--covariance must be one of/);
  });

  it('an unknown column, and a model used on data without its columns', () => {
    expectOneLineError(emwasm('fit', FAITHFUL, '--columns', 'eruptions,height'), /no column 'height'/);
    expect(emwasm('fit', FAITHFUL, '-k', '2', '--seed', '0', '--json', out('model.json')).status).toBe(0);
    expectOneLineError(emwasm('predict', out('model.json'), IRIS), /no column 'eruptions'/);
    expectOneLineError(emwasm('predict', FAITHFUL, FAITHFUL), /faithful\.csv is not valid JSON/);
  });
});
