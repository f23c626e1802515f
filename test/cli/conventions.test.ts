// The command line as csvkit / xsv / miller users expect it (issue 12, item 7), strict numbers,
// one name per column and one streaming pass over the data (issue 11, item 12).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GaussianMixture, PoissonHMM, selectModel } from '../../src/index';
import { formatTotal } from '../../src/cli/format';
import { loadExample, toFlat } from '../helpers/data';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const FAITHFUL = join(ROOT, 'examples/faithful.csv');
const IRIS = join(ROOT, 'examples/iris.csv');
const SPECIES = join(ROOT, 'examples/iris-species.csv');

let dir: string;
const out = (name: string) => join(dir, name);

/** Runs the built binary as a user would, optionally with `input` on standard input. */
function emwasm(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(r: ReturnType<typeof emwasm>, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

const means = (text: string): number[] => JSON.parse(text).means;

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'emwasm-cli-'));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('standard input and output, --version', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(emwasm(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it("'-' reads the data from standard input, and --json - writes the model to standard output", () => {
    const file = emwasm(['fit', FAITHFUL, '-k', '2', '--seed', '0', '--json', out('f.json')]);
    const piped = emwasm(
      ['fit', '-', '-k', '2', '--seed', '0', '--json', '-'],
      readFileSync(FAITHFUL, 'utf8'),
    );
    expect(piped.status).toBe(0);
    expect(means(piped.stdout)).toEqual(means(readFileSync(out('f.json'), 'utf8')));
    // The summary moves to standard error, so that standard output is the JSON alone.
    expect(piped.stderr).toContain('standard input: 272 rows × 2 columns');
    expect(file.stdout).toContain('faithful.csv: 272 rows × 2 columns');
  });

  it('the model can come from standard input too, but not with the data', () => {
    const model = emwasm(['fit', FAITHFUL, '-k', '2', '--seed', '0', '--json', '-']).stdout;
    const r = emwasm(['predict', '-', FAITHFUL], model);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('label,p0,p1');
    oneLineError(emwasm(['predict', '-', '-'], model), /only one input can be standard input/);
    oneLineError(
      emwasm(['fit', FAITHFUL, '--json', '-', '--plot', '-']),
      /only one output can be standard output \(-\), got --json and --plot/,
    );
  });
});

describe('delimiters and headers', () => {
  const text = readFileSync(IRIS, 'utf8');
  const fitMeans = (path: string, ...flags: string[]) =>
    means(emwasm(['fit', path, '-k', '3', '--seed', '1', '--json', '-', ...flags]).stdout);

  it('detects tab and semicolon separators, and takes --delimiter', () => {
    const comma = fitMeans(IRIS);
    writeFileSync(out('iris.tsv'), text.replaceAll(',', '\t'));
    writeFileSync(out('iris.ssv'), text.replaceAll(',', ';'));
    writeFileSync(out('iris.psv'), text.replaceAll(',', '|'));
    expect(fitMeans(out('iris.tsv'))).toEqual(comma);
    expect(fitMeans(out('iris.ssv'))).toEqual(comma);
    expect(fitMeans(out('iris.tsv'), '--delimiter', 'tab')).toEqual(comma);
    expect(fitMeans(out('iris.psv'), '-d', '|')).toEqual(comma);
    oneLineError(emwasm(['fit', IRIS, '--delimiter', '::']), /--delimiter must be one character/);
  });

  it('--no-header reads the first line as data and names the columns 1, 2, ...', () => {
    writeFileSync(out('bare.csv'), text.split('\n').slice(1).join('\n'));
    const r = emwasm(['fit', out('bare.csv'), '--no-header', '--columns', '3,1', '-k', '2', '--seed', '0']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('150 rows × 2 columns (3, 1)');
    // Without --no-header, the first data line would be a header and one row short.
    expect(emwasm(['fit', out('bare.csv'), '-k', '2', '--seed', '0']).stdout).toContain('149 rows');
  });
});

describe('non-numeric columns', () => {
  it('are skipped with a one-line note, fitting exactly what the numeric file fits', () => {
    const r = emwasm(['fit', SPECIES, '-k', '3', '--seed', '1', '--json', '-']);
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(
      'skipped 1 non-numeric column (Species); name the columns to use with --columns',
    );
    expect(means(r.stdout)).toEqual(
      means(emwasm(['fit', IRIS, '-k', '3', '--seed', '1', '--json', '-']).stdout),
    );
  });

  it('named by --columns, are an error naming the column and the value', () => {
    oneLineError(
      emwasm(['fit', SPECIES, '--columns', 'Petal.Width,Species']),
      /iris-species\.csv: row 1 \(line 2\), column 'Species': 'setosa' is not a number/,
    );
  });
});

describe('numbers are decimal, and integers where integers are meant', () => {
  it.each([
    [['--components', '1e1'], /--components must be an integer, got '1e1'/],
    [['--seed', '0x10'], /--seed must be an integer, got '0x10'/],
    [['--n-init', '2.5'], /--n-init must be an integer, got '2\.5'/],
    [['--tol', '0x10'], /--tol must be a number, got '0x10'/],
    [['--reg-covar', 'Infinity'], /--reg-covar must be a number, got 'Infinity'/],
  ])('fit %j', (flags, message) => {
    oneLineError(emwasm(['fit', FAITHFUL, ...flags]), message);
  });

  it('a hexadecimal cell is not a number', () => {
    writeFileSync(out('hex.csv'), 'a,b\n1,2\n0x10,3\n');
    oneLineError(emwasm(['fit', out('hex.csv')]), /row 2 \(line 3\), column 'a': '0x10' is not a number/);
  });
});

describe('one name per column', () => {
  it('fit and predict both refuse a header that names a column twice', () => {
    writeFileSync(out('dup.csv'), 'x,y,x\n1,2,3\n4,5,6\n7,8,10\n');
    const message = /dup\.csv: the header names two columns 'x' \(columns 1 and 3\)/;
    oneLineError(emwasm(['fit', out('dup.csv')]), message);
    emwasm(['fit', FAITHFUL, '--seed', '0', '--json', out('one.json')]);
    oneLineError(emwasm(['predict', out('one.json'), out('dup.csv')]), message);
  });
});

describe('one streaming pass', () => {
  it('a bad cell late in data on standard input (which can be read once) names its row and line', () => {
    const lines = readFileSync(FAITHFUL, 'utf8').trimEnd().split('\n');
    // Blank lines are skipped: the file line is not the row number + 1.
    lines.splice(3, 0, '', '');
    lines.push('3.3,n/a');
    const r = emwasm(['fit', '-'], lines.join('\n') + '\n');
    oneLineError(r, /standard input: row 273 \(line 276\), column 'waiting': 'n\/a' is not a number/);
  });

  it('a cell quoted over two lines is an error at the line its record ends on', () => {
    writeFileSync(out('multi.csv'), 'a,b\n1,2\n\n"3\n",4\n');
    oneLineError(emwasm(['fit', out('multi.csv')]), /row 2 \(line 5\), column 'a'/);
  });
});

describe('totals keep their digits at a million rows', () => {
  it('BIC and AIC that differ by a few units print differently at magnitude 10⁷', () => {
    // toExponential(4), the format before, printed both as 1.2346e+7.
    expect(formatTotal(12345678.25)).toBe('12345678.2500');
    expect(formatTotal(12345678.25)).not.toBe(formatTotal(12345690.5));
    const r = emwasm(['fit', FAITHFUL, '-k', '2', '--seed', '0']);
    expect(r.stdout).toMatch(/\nBIC\s+\d+\.\d{4}\n/);
    expect(r.stdout).toMatch(/\nAIC\s+\d+\.\d{4}\n/);
  });
});

describe('predict: pass-through columns, JSON', () => {
  it('--keep copies id columns before the label; --format json writes one object per row', async () => {
    emwasm(['fit', SPECIES, '-k', '3', '--seed', '1', '--json', out('iris.json')]);
    const csv = emwasm(['predict', out('iris.json'), SPECIES, '--keep', 'Species']);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Species,label,p0,p1,p2');
    expect(lines).toHaveLength(151);
    expect(lines[1]).toMatch(/^setosa,\d,/);
    const json = emwasm(['predict', out('iris.json'), SPECIES, '--keep', 'Species', '--format', 'json']);
    const rows = JSON.parse(json.stdout) as { Species: string; label: number; probabilities: number[] }[];
    expect(rows).toHaveLength(150);
    const gm = GaussianMixture.fromJSON(JSON.parse(readFileSync(out('iris.json'), 'utf8')));
    const labels = gm.predict(toFlat(loadExample('iris')));
    rows.forEach((row, i) => {
      expect(row.Species).toBe(['setosa', 'versicolor', 'virginica'][Math.floor(i / 50)]);
      expect(row.label).toBe(labels[i]);
      expect(row.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    });
    oneLineError(
      emwasm(['predict', out('iris.json'), SPECIES, '--format', 'xml']),
      /--format must be csv or json/,
    );
  });
});

describe('emwasm select', () => {
  it('prints the table, marks the library’s best row, and saves the chart and the best model', async () => {
    // prettier-ignore
    const r = emwasm([
      'select', FAITHFUL, '-k', '1-3', '--covariance', 'full,diag', '--seed', '0',
      '--plot', out('bic.svg'), '--json', out('best.json'),
    ]);
    expect(r.status).toBe(0);
    const X = toFlat(loadExample('faithful'));
    const lib = await selectModel(X, {
      nComponents: [1, 2, 3],
      covarianceTypes: ['full', 'diag'],
      randomState: 0,
    });
    const rows = r.stdout.split('\n').filter((l) => /^\d+\s+(full|diag)\s/.test(l));
    expect(rows).toHaveLength(6);
    lib.table.forEach((row, i) => {
      expect(rows[i]).toMatch(
        new RegExp(`^${row.nComponents}\\s+${row.covarianceType}\\s+${row.score.toFixed(4)}\\s`),
      );
      expect(rows[i].endsWith('<- best')).toBe(row === lib.bestRow);
    });
    expect(XMLValidator.validate(readFileSync(out('bic.svg'), 'utf8'))).toBe(true);
    const best = GaussianMixture.fromJSON(JSON.parse(readFileSync(out('best.json'), 'utf8')));
    expect(best.nComponents).toBe(lib.bestRow.nComponents);
    expect(best.scoreSamples(X)).toEqual(lib.best.scoreSamples(X));
  });
});

describe('emwasm hmm', () => {
  it('fit matches the library with the same seed; decode writes its states and posteriors', async () => {
    const X = toFlat(loadExample('faithful'));
    const fit = emwasm(['hmm', 'fit', FAITHFUL, '-k', '2', '--seed', '0', '--json', out('hmm.json')]);
    expect(fit.status).toBe(0);
    expect(fit.stdout).toMatch(/272 rows × 2 columns \(eruptions, waiting\), 1 sequence\n/);
    const lib = await new GaussianHMM({ nComponents: 2, randomState: 0 }).fit(X);
    const saved = GaussianHMM.fromJSON(JSON.parse(readFileSync(out('hmm.json'), 'utf8')));
    expect(saved.transMat).toEqual(lib.transMat);
    expect(fit.stdout).toContain(`log-likelihood  ${formatTotal(lib.score(X))}`);
    const decoded = emwasm(['hmm', 'decode', out('hmm.json'), FAITHFUL, '--keep', 'waiting']);
    const lines = decoded.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('waiting,state,p0,p1');
    const states = lib.decode(X).states;
    expect(lines.slice(1).map((l) => Number(l.split(',')[1]))).toEqual(Array.from(states));
  });

  it('--sequence splits the rows into the runs of a column', async () => {
    const rows = readFileSync(FAITHFUL, 'utf8').trimEnd().split('\n');
    writeFileSync(
      out('seq.csv'),
      [`${rows[0]},"day"`, ...rows.slice(1).map((r, i) => `${r},d${i < 100 ? 1 : 2}`)].join('\n'),
    );
    const r = emwasm([
      'hmm',
      'fit',
      out('seq.csv'),
      '-k',
      '2',
      '--seed',
      '0',
      '--sequence',
      'day',
      '--json',
      '-',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/272 rows × 2 columns \(eruptions, waiting\), 2 sequences/);
    const lib = await new GaussianHMM({ nComponents: 2, randomState: 0 }).fit(
      toFlat(loadExample('faithful')),
      [100, 172],
    );
    expect(JSON.parse(r.stdout).transMat).toEqual(Array.from(lib.transMat));
  });

  it('fits categorical symbols and Poisson counts, as the library does', async () => {
    const symbols = [0, 0, 1, 0, 2, 2, 2, 1, 2, 2, 0, 0, 0, 1, 0, 2, 2, 2, 2, 0];
    const counts = [1, 0, 2, 1, 7, 9, 6, 8, 7, 5, 0, 1, 1, 0, 2, 8, 6, 9, 7, 1];
    writeFileSync(out('seq.csv'), ['sym,count', ...symbols.map((v, i) => `${v},${counts[i]}`)].join('\n'));
    const cat = emwasm([
      'hmm',
      'fit',
      out('seq.csv'),
      '--emission',
      'categorical',
      '--columns',
      'sym',
      '-k',
      '2',
      '--seed',
      '0',
      '--json',
      '-',
    ]);
    expect(cat.status).toBe(0);
    const catLib = await new CategoricalHMM({ nComponents: 2, randomState: 0 }).fit(symbols.map((v) => [v]));
    expect(JSON.parse(cat.stdout).emissionProb).toEqual(Array.from(catLib.emissionProb));
    const poi = emwasm([
      'hmm',
      'fit',
      out('seq.csv'),
      '--emission',
      'poisson',
      '--columns',
      'count',
      '-k',
      '2',
      '--seed',
      '0',
      '--json',
      '-',
    ]);
    const poiLib = await new PoissonHMM({ nComponents: 2, randomState: 0 }).fit(counts.map((v) => [v]));
    expect(JSON.parse(poi.stdout).lambdas).toEqual(Array.from(poiLib.lambdas));
    oneLineError(
      emwasm(['hmm', 'fit', out('seq.csv'), '--emission', 'categorical']),
      /--emission categorical reads one column of symbols, but .*seq\.csv has 2 numeric columns \(sym, count\); name one with --columns/,
    );
  });

  it('refuses options of the other action and an unknown emission', () => {
    oneLineError(emwasm(['hmm', 'fit', FAITHFUL, '--keep', 'x']), /--keep is not an option of hmm fit/);
    oneLineError(
      emwasm(['hmm', 'fit', FAITHFUL, '--emission', 'normal']),
      /--emission must be one of gaussian, poisson, categorical/,
    );
    oneLineError(emwasm(['hmm', 'run', FAITHFUL]), /unknown action 'run', expected fit or decode/);
  });
});
