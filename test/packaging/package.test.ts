// The package as users get it (issue 12, items 1–3 and 6): packed once, installed from the tarball
// into a fresh project without network, then imported from ESM, TypeScript (NodeNext, strict) and
// CommonJS, run as a CLI, bundled with esbuild into a page that fits in Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture } from '../../src/index';
import { loadExample, toFlat } from '../helpers/data';
import { packageRoot } from '../../web/tools/root';

const ROOT = packageRoot();
const CHROMIUM = '/usr/bin/chromium';
const onCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

let dir: string;
let app: string;
let files: string[];

function node(args: string[], cwd = app) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Faithful's two-component fit as the repository's sources give it, for comparison. */
async function expectedMeans(): Promise<number[]> {
  const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(
    toFlat(loadExample('faithful')),
  );
  return Array.from(gm.means);
}

beforeAll(() => {
  // `pretest` has built the wasm and the workers; build the library and the CLI from today's sources,
  // then pack without running `prepack` again (it runs the same build).
  execFileSync(process.execPath, ['scripts/build.mjs', 'lib', 'types', 'cli'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'emwasm-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, packed[0].filename)],
    { cwd: app, stdio: 'pipe' },
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the built library, its types, workers, CLI, licence and the example data, and no sources', () => {
    for (const f of [
      'dist/index.js',
      'dist/types/index.d.ts',
      'dist/worker.js',
      'dist/require.cjs',
      'dist/cli.js',
      'LICENSE',
      'README.md',
      'examples/faithful.csv',
      'examples/iris.csv',
      'examples/iris-species.csv',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|assembly|bench|build)\//.test(f))).toEqual([]);
    // Declarations are made afresh: none is left from a source file that no longer exists.
    for (const d of files.filter((f) => f.startsWith('dist/types/'))) {
      expect(existsSync(join(ROOT, d.replace('dist/types/', 'src/').replace(/\.d\.ts$/, '.ts')))).toBe(true);
    }
  });

  it('ships the library once: the CLI imports it from ./index.js', () => {
    const cli = readFileSync(join(app, 'node_modules/emwasm/dist/cli.js'), 'utf8');
    expect(cli).toMatch(/from "\.\/index\.js"/);
    expect(cli).not.toContain('AGFzbQ');
  });

  it('declares no runtime dependencies, a licence, keywords and a build on prepack', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/emwasm/package.json'), 'utf8'));
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    expect(pkg.keywords).toContain('webassembly');
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(readFileSync(join(app, 'node_modules/emwasm/LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });
});

describe('Node', () => {
  it('imports from ESM and fits the example data the package ships', async () => {
    writeFileSync(
      join(app, 'fit.mjs'),
      `import { readFileSync } from 'node:fs';
import { GaussianMixture } from 'emwasm';
const text = readFileSync(new URL('./node_modules/emwasm/examples/faithful.csv', import.meta.url), 'utf8');
const X = text.trim().split('\\n').slice(1).map((l) => l.split(',').map(Number));
const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(X);
console.log(JSON.stringify(Array.from(gm.means)));
console.log(import.meta.resolve('emwasm/worker'));`,
    );
    const r = node(['fit.mjs']);
    expect(r.stderr).toBe('');
    const [means, worker] = r.stdout.trim().split('\n');
    expect(JSON.parse(means)).toEqual(await expectedMeans());
    expect(worker).toMatch(/node_modules\/emwasm\/dist\/worker\.js$/);
  });

  it("require('emwasm') throws one line that says how to import it from CommonJS, which works", () => {
    writeFileSync(
      join(app, 'load.cjs'),
      `try { require('emwasm'); } catch (e) { console.log(e.message); }
import('emwasm').then((m) => console.log(typeof m.GaussianMixture));`,
    );
    const r = node(['load.cjs']);
    expect(r.stdout).toBe(
      "emwasm is an ES module and cannot be require()d; from CommonJS use: const { GaussianMixture } = await import('emwasm')\nfunction\n",
    );
  });

  it('type-checks from TypeScript with NodeNext resolution, strict, checking the package’s .d.ts', () => {
    writeFileSync(
      join(app, 'main.ts'),
      `import { DegenerateCovarianceError, GaussianMixture, setWorkerUrl, type MatrixInput } from 'emwasm';
const X: MatrixInput = { data: new Float32Array([1, 2, 3, 4, 5, 6]), rows: 3, cols: 2 };
const gm: GaussianMixture = await new GaussianMixture({ nComponents: 1, covarianceType: 'diag' }).fit(X);
const means: Float64Array = gm.means;
const err: Error = new DegenerateCovarianceError(0, 'full' as never, 1e-6);
setWorkerUrl(null);
// @ts-expect-error: nComponents is a number
new GaussianMixture({ nComponents: '2' });
export { means, err };
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    const r = spawnSync(bin('tsc'), ['-p', '.'], { cwd: app, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs the CLI on the example its help and the README point at', () => {
    const r = spawnSync(
      join(app, 'node_modules/.bin/emwasm'),
      ['fit', 'node_modules/emwasm/examples/faithful.csv', '-k', '2', '--seed', '0'],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('272 rows × 2 columns (eruptions, waiting)');
  });
});

describe('bundlers', () => {
  const bundle = async (name: string, source: string): Promise<string> => {
    writeFileSync(join(app, `${name}.js`), source);
    const out = join(app, 'out', `${name}.js`);
    await build({
      entryPoints: [join(app, `${name}.js`)],
      absWorkingDir: app,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      outfile: out,
      logLevel: 'error',
    });
    return readFileSync(out, 'utf8');
  };

  it('drop the wasm from a bundle that imports only an error class, and keep it for a fit', async () => {
    const errorOnly = await bundle(
      'error-only',
      `import { DegenerateCovarianceError } from 'emwasm';\nconsole.log(DegenerateCovarianceError.name);`,
    );
    const fitting = await bundle(
      'fitting',
      `import { GaussianMixture } from 'emwasm';\nconsole.log(GaussianMixture.name);`,
    );
    // 'AGFzbQ' is the base64 of the wasm magic number.
    expect(errorOnly).not.toContain('AGFzbQ');
    expect(errorOnly.length).toBeLessThan(10_000);
    expect(fitting).toContain('AGFzbQ');
  });

  it.skipIf(!existsSync(CHROMIUM) && !onCI)('an esbuild page fits in Chromium as Node does', async () => {
    await bundle(
      'page',
      `import { GaussianMixture } from 'emwasm';
const text = await (await fetch('/faithful.csv')).text();
const X = text.trim().split('\\n').slice(1).map((l) => l.split(',').map(Number));
const gm = await new GaussianMixture({ nComponents: 2, randomState: 0 }).fit(X);
window.result = Array.from(gm.means);`,
    );
    const pages: Record<string, [string, string | Buffer]> = {
      '/': ['text/html', '<!doctype html><script type="module" src="/page.js"></script>'],
      '/page.js': ['text/javascript', readFileSync(join(app, 'out/page.js'))],
      '/faithful.csv': ['text/csv', readFileSync(join(app, 'node_modules/emwasm/examples/faithful.csv'))],
    };
    const server: Server = createServer((req, res) => {
      const page = pages[req.url ?? ''];
      if (page) res.writeHead(200, { 'Content-Type': page[0] }).end(page[1]);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => (window as { result?: number[] }).result, null, { timeout: 20_000 });
      const means = await page.evaluate(() => (window as unknown as { result: number[] }).result);
      const expected = await expectedMeans();
      means.forEach((m, i) => expect(m).toBeCloseTo(expected[i], 10));
    } finally {
      await browser.close();
      await new Promise((done) => server.close(done));
    }
  });
});
