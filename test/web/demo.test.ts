import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixture, selectModel } from '../../src/index';
import { loadExample, toFlat } from '../helpers/data';
import { buildDemo } from '../../web/tools/build';
import { packageRoot } from '../../web/tools/root';
import { serveStatic, type StaticServer } from '../../web/tools/server';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = packageRoot();
const OUT = join(ROOT, 'build/web-test');
/** The README's picture; rewritten when EMWASM_UPDATE_SCREENSHOT=1 or when it is missing. */
const README_SCREENSHOT = join(ROOT, 'web/screenshot.png');
const onCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveChromium = existsSync(CHROMIUM);

/**
 * The library as `scripts/build.mjs lib` bundles it (same options file), fresh from src/, without
 * its slow .d.ts step (`pretest` has built build/fit-worker.src, which the bundle inlines).
 */
async function bundleLibrary(outfile: string): Promise<void> {
  const options = JSON.parse(readFileSync(join(ROOT, 'scripts/library-bundle.json'), 'utf8')) as BuildOptions;
  await build({ ...options, absWorkingDir: ROOT, outfile, logLevel: 'error' });
}

describe.skipIf(!haveChromium && !onCI)('demo page in headless Chromium', () => {
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let userDataDir: string | undefined;
  const problems: string[] = [];

  const state = (): Promise<string | null> => page.getAttribute('#status', 'data-state');
  const iterations = async (): Promise<number> => Number(await page.getAttribute('#iteration', 'data-count'));
  const waitForState = (wanted: string, timeout = 20_000): Promise<unknown> =>
    page.waitForSelector(`#status[data-state="${wanted}"]`, { timeout });

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(
        `${CHROMIUM} is missing: the demo tests need Debian's chromium (apt-get install -y chromium; .ci/run installs it)`,
      );
    }
    await bundleLibrary(join(OUT, 'library.js'));
    await buildDemo(OUT, join(OUT, 'library.js'));
    server = await serveStatic(OUT);
    userDataDir = mkdtempSync(join(tmpdir(), 'emwasm-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1200, height: 860 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(server.url);
    await waitForState('idle');
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('loads without console errors, cross-origin isolated, with Old Faithful', async () => {
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.textContent('#data-info')).toContain('272 rows × 2 numeric columns');
  });

  it('fits Old Faithful (K=2, seed 3) to the log-likelihood of the same fit in Node, reporting every iteration', async () => {
    const X = toFlat(loadExample('faithful'));
    const node = await new GaussianMixture({ nComponents: 2, covarianceType: 'full', randomState: 3 }).fit(X);

    await page.selectOption('#source', 'faithful');
    await waitForState('idle');
    await page.fill('#k', '2');
    await page.selectOption('#covariance', 'full');
    await page.fill('#seed', '3');
    await page.fill('#n-init', '1');
    await page.click('#fit');
    await waitForState('done');

    const pageLogLik = Number(await page.getAttribute('#loglik', 'data-value'));
    expect(pageLogLik).toBeCloseTo(node.score(X), 10);
    expect(await iterations()).toBe(node.nIter);
    expect(await page.textContent('#status')).toContain(`after ${node.nIter} iterations`);
    expect(problems).toEqual([]);

    const shot = join(OUT, 'screenshot.png');
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeLessThan(300_000);
    if (process.env.EMWASM_UPDATE_SCREENSHOT === '1' || !existsSync(README_SCREENSHOT)) {
      copyFileSync(shot, README_SCREENSHOT);
    }
  });

  it('compares K = 1…8 × four covariance types by BIC on Old Faithful, then still fits', async () => {
    const X = toFlat(loadExample('faithful'));
    const node = await selectModel(X, {
      nComponents: [1, 2, 3, 4, 5, 6, 7, 8],
      criterion: 'bic',
      randomState: 3,
    });

    await page.selectOption('#source', 'faithful');
    await waitForState('idle');
    await page.fill('#seed', '3');
    await page.click('#select');
    expect(await page.isEnabled('#fit')).toBe(false);
    await page.waitForSelector('#select-status[data-state="done"]', { timeout: 30_000 });

    const types = await page.$$eval('#selection-chart svg g.series', (groups) =>
      groups.map((g) => [g.getAttribute('data-covariance-type'), g.querySelectorAll('polyline').length]),
    );
    expect(types).toEqual([
      ['full', 1],
      ['tied', 1],
      ['diag', 1],
      ['spherical', 1],
    ]);
    expect(await page.textContent('#selection-best')).toBe(
      `Best by BIC: K = ${node.bestRow.nComponents}, ${node.bestRow.covarianceType} covariance (BIC ${node.bestRow.score.toFixed(3)})`,
    );
    expect(await page.textContent('#select-status')).toMatch(
      /^32 models fitted to eruptions, waiting in [\d.]+ s$/,
    );

    // The page's own fit still runs (and the Model panel is usable) afterwards.
    await page.click('#fit');
    await waitForState('done');
    expect(await page.isEnabled('#select')).toBe(true);
    expect(problems).toEqual([]);
  });

  it('reads a CSV file through csv-parse (BOM, CRLF, quotes) and names a bad cell', async () => {
    await page.selectOption('#source', 'file');
    const csv = '\ufeff"length, cm",width,species\r\n1.5,"2.5",setosa\r\n3,4,virginica\r\n5,6.5,setosa\r\n';
    await page.setInputFiles('#file', { name: 'petals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await waitForState('idle');
    expect(await page.textContent('#data-info')).toBe(
      'petals.csv: 3 rows × 2 numeric columns; skipped non-numeric: species',
    );
    expect(await page.$$eval('#x-col option', (options) => options.map((o) => o.textContent))).toEqual([
      'length, cm',
      'width',
    ]);

    const bad = 'a,b\n1,2\n3,x\n';
    await page.setInputFiles('#file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await waitForState('error');
    expect(await page.textContent('#status')).toBe("bad.csv: row 2, column 'b': 'x' is not a number");
    expect(problems).toEqual([]);
  });

  it('stays responsive during a 1,000,000-point fit, shows progress, and cancels it', async () => {
    await page.selectOption('#source', 'synthetic');
    await page.fill('#synth-n', '1000000');
    await page.fill('#synth-k', '5');
    await page.dispatchEvent('#synth-k', 'change');
    await page.waitForFunction(() =>
      document.querySelector('#data-info')?.textContent?.includes('1,000,000 rows'),
    );
    await waitForState('idle');
    const workersBefore = page.workers().length;
    await page.fill('#k', '5');
    await page.fill('#tol', '0');
    await page.fill('#max-iter', '10000');
    await page.click('#fit');
    expect(await state()).toBe('fitting');
    await page.waitForFunction(
      () => Number(document.querySelector('#iteration')?.getAttribute('data-count')) >= 2,
      null,
      {
        timeout: 30_000,
      },
    );

    // While the worker fits, the page's own thread keeps its timers on time and progress keeps
    // arriving: measured over at least a second and until one more iteration has been reported.
    const before = await iterations();
    const worstGap = await page.evaluate(
      (seen) =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          let last = start;
          let worst = 0;
          const timer = setInterval(() => {
            const now = performance.now();
            worst = Math.max(worst, now - last);
            last = now;
            const count = Number(document.querySelector('#iteration')?.getAttribute('data-count'));
            if ((now - start >= 1000 && count > seen) || now - start > 20_000) {
              clearInterval(timer);
              resolve(worst);
            }
          }, 10);
        }),
      before,
    );
    expect(worstGap).toBeLessThan(500);
    expect(await iterations()).toBeGreaterThan(before);
    expect(await state()).toBe('fitting');

    await page.click('#cancel');
    await waitForState('cancelled', 5_000);
    expect(await page.textContent('#status')).toMatch(/^Cancelled at iteration \d+\.$/);
    expect(await page.isEnabled('#fit')).toBe(true);
    await expect.poll(() => page.workers().length, { timeout: 5_000 }).toBe(workersBefore);
    expect(problems).toEqual([]);
  });

  it('reconstructs the Shepp–Logan phantom in the tomography panel, MLEM iteration by iteration', async () => {
    await page.selectOption('#tomo-size', '64');
    await page.fill('#tomo-iterations', '12');
    await page.click('#tomo-run');
    await page.waitForSelector('#tomo-status[data-state="done"]', { timeout: 30_000 });
    expect(await page.getAttribute('#tomo-status', 'data-iteration')).toBe('12');
    expect(await page.textContent('#tomo-em-caption')).toMatch(/^MLEM, 12 iterations, RMSE 0\.\d{3}$/);
    expect(await page.textContent('#tomo-fbp-caption')).toMatch(/RMSE 0\.\d{3}$/);
    expect(problems).toEqual([]);
  });
});
