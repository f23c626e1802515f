import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../web/tools/build';
import { packageRoot } from '../../web/tools/root';
import { serveStatic, type StaticServer } from '../../web/tools/server';

// The same set-up as test/web/demo.test.ts, in a directory of its own (the files run in parallel).
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
const OUT = join(ROOT, 'build/web-test-deconvolve');
const onCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium && !onCI)('the demo page’s deconvolution panel in headless Chromium', () => {
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let userDataDir: string | undefined;
  const problems: string[] = [];

  /** Grey levels of a canvas of the panel. */
  const pixels = (id: string): Promise<number[]> =>
    page.evaluate((canvasId) => {
      const c = document.getElementById(canvasId) as HTMLCanvasElement;
      const d = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
      return Array.from({ length: d.length / 4 }, (_, i) => d[4 * i]);
    }, id);
  const rmse = (a: number[], b: number[]) =>
    Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const options = JSON.parse(
      readFileSync(join(ROOT, 'scripts/library-bundle.json'), 'utf8'),
    ) as BuildOptions;
    await build({ ...options, absWorkingDir: ROOT, outfile: join(OUT, 'library.js'), logLevel: 'error' });
    await buildDemo(OUT, join(OUT, 'library.js'));
    server = await serveStatic(OUT);
    userDataDir = mkdtempSync(join(tmpdir(), 'emwasm-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1200, height: 1400 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(server.url);
    await page.waitForSelector('#deconvolve-status[data-state="idle"]');
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('renders, restores the blurred image iteration by iteration, and scrubs back through the iterations', async () => {
    expect(await page.textContent('#deconvolve-title')).toContain('Richardson–Lucy');
    const sharp = await pixels('deconvolve-sharp');
    expect(Math.max(...sharp)).toBeGreaterThan(200);
    await page.fill('#deconvolve-iterations', '25');
    await page.click('#deconvolve-run');
    await page.waitForSelector('#deconvolve-status[data-state="done"]', { timeout: 30_000 });
    expect(await page.textContent('#deconvolve-status')).toMatch(/^Done: 25 iterations in [\d.]+ s\.$/);
    expect(await page.getAttribute('#deconvolve-iteration', 'data-count')).toBe('25');
    const blurred = await pixels('deconvolve-blurred');
    const restored = await pixels('deconvolve-restored');
    expect(rmse(restored, sharp)).toBeLessThan(0.85 * rmse(blurred, sharp));

    await page.fill('#deconvolve-scrub', '1');
    await page.dispatchEvent('#deconvolve-scrub', 'input');
    expect(await page.getAttribute('#deconvolve-iteration', 'data-count')).toBe('1');
    expect(rmse(await pixels('deconvolve-restored'), restored)).toBeGreaterThan(1);

    await page.selectOption('#deconvolve-psf', 'motion');
    expect(await page.isVisible('#deconvolve-length')).toBe(true);
    await page.click('#deconvolve-run');
    await page.waitForSelector('#deconvolve-status[data-state="done"]', { timeout: 30_000 });
    expect(problems).toEqual([]);
  });
});
