// Under a Content-Security-Policy that allows no blob: workers (issue 12, item 4): a worker that
// cannot start says why and what to allow, and setWorkerUrl runs both workers from the served file.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../web/tools/root';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = packageRoot();
const onCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const haveChromium = existsSync(CHROMIUM);

/** What README "Browser" asks of a strict page: wasm compilation allowed, workers from 'self' only. */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
const HEADERS = {
  'Content-Security-Policy': CSP,
  // Cross-origin isolated, so that threads (a pool of workers over shared memory) are used too.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>emwasm under CSP</title>
<script type="module" src="/page.js"></script>`;
const PAGE_SCRIPT = `import * as emwasm from './emwasm.js';
window.emwasm = emwasm;
document.title = 'ready';`;

/** Two well-separated blobs of 4,000 rows × 8 columns, enough work for two threads. */
function data(): number[][] {
  const rows: number[][] = [];
  let s = 1;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 4000; i++) rows.push(Array.from({ length: 8 }, () => (i % 2) * 6 + u() + u() - 1));
  return rows;
}

declare global {
  interface Window {
    emwasm: typeof import('../../src/index');
  }
}

describe.skipIf(!haveChromium && !onCI)(
  'emwasm under a Content-Security-Policy without blob: workers',
  () => {
    let dir: string;
    let server: Server;
    let url: string;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      if (!haveChromium)
        throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);
      dir = mkdtempSync(join(tmpdir(), 'emwasm-csp-'));
      const options = JSON.parse(
        readFileSync(join(ROOT, 'scripts/library-bundle.json'), 'utf8'),
      ) as BuildOptions;
      await build({ ...options, absWorkingDir: ROOT, outfile: join(dir, 'emwasm.js'), logLevel: 'error' });
      // `pretest` builds the worker file (scripts/build.mjs worker), as `npm run build` ships it in dist/.
      copyFileSync(join(ROOT, 'build/worker.js'), join(dir, 'worker.js'));
      writeFileSync(join(dir, 'index.html'), PAGE);
      writeFileSync(join(dir, 'page.js'), PAGE_SCRIPT);
      server = createServer((req, res) => {
        const name =
          (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').slice(1).split('?')[0];
        const file = join(dir, name);
        if (name.includes('..') || !existsSync(file)) {
          res.writeHead(404, HEADERS).end();
          return;
        }
        const type = name.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
        // `/?no-wasm`: the page's policy does not allow WebAssembly.
        const policy =
          req.url === '/?no-wasm'
            ? { 'Content-Security-Policy': CSP.replace(" 'wasm-unsafe-eval'", '') }
            : {};
        res.writeHead(200, { ...HEADERS, ...policy, 'Content-Type': type }).end(readFileSync(file));
      });
      await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'emwasm-chromium-')), {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
      });
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url);
      await page.waitForFunction(() => document.title === 'ready');
    });

    afterAll(async () => {
      await context?.close();
      await new Promise((done) => server?.close(done));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('is cross-origin isolated and compiles wasm under the policy', async () => {
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const means = await page.evaluate(async (X) => {
        const gm = await new window.emwasm.GaussianMixture({
          nComponents: 2,
          randomState: 0,
          threads: 1,
        }).fit(X);
        return Array.from(gm.means);
      }, data());
      expect(means).toHaveLength(16);
    });

    it('without a worker URL, worker: true and threads fail saying what the policy blocked and what to do', async () => {
      const messages = await page.evaluate(async (X) => {
        const { GaussianMixture } = window.emwasm;
        const errorOf = (p: Promise<unknown>) =>
          p.then(
            () => 'no error',
            (e: Error) => e.message,
          );
        return [
          await errorOf(new GaussianMixture({ nComponents: 2, randomState: 0, worker: true }).fit(X)),
          await errorOf(new GaussianMixture({ nComponents: 2, randomState: 0, threads: 2 }).fit(X)),
        ];
      }, data());
      expect(messages[0]).toMatch(
        /^emwasm could not start the fit worker: the page's Content-Security-Policy \(worker-src\) blocked a blob: worker; allow blob: .* call setWorkerUrl/,
      );
      expect(messages[1]).toMatch(
        /^emwasm could not start the thread-pool worker: .*Content-Security-Policy/,
      );
      for (const m of messages) expect(m).not.toMatch(/undefined/);
    });

    it('with setWorkerUrl, the fit worker and the thread pool run from the served file', async () => {
      // A fresh page: the failed pool of the test before is not this test's subject.
      await page.reload();
      await page.waitForFunction(() => document.title === 'ready');
      const result = await page.evaluate(async (X) => {
        const { GaussianMixture, setWorkerUrl } = window.emwasm;
        setWorkerUrl('/worker.js');
        const options = { nComponents: 2, randomState: 0, covarianceType: 'diag' as const };
        const here = await new GaussianMixture({ ...options, threads: 1 }).fit(X);
        const threaded = await new GaussianMixture({ ...options, threads: 2 }).fit(X);
        const remote = await new GaussianMixture({ ...options, threads: 2, worker: true }).fit(X);
        return {
          here: Array.from(here.means),
          threaded: Array.from(threaded.means),
          remote: Array.from(remote.means),
        };
      }, data());
      expect(result.threaded.length).toBe(16);
      result.threaded.forEach((m, i) => expect(m).toBeCloseTo(result.here[i], 9));
      result.remote.forEach((m, i) => expect(m).toBeCloseTo(result.here[i], 9));
    });

    it("without 'wasm-unsafe-eval', a fit says to allow it (not the 'unsafe-eval' the browser names)", async () => {
      const strict = await context.newPage();
      await strict.goto(`${url}?no-wasm`);
      await strict.waitForFunction(() => document.title === 'ready');
      const message = await strict.evaluate(() =>
        new window.emwasm.GaussianMixture({ nComponents: 1 }).fit([[1], [2], [4]]).then(
          () => 'no error',
          (e: Error) => `${e.name}: ${e.message}`,
        ),
      );
      await strict.close();
      expect(message).toMatch(
        /^CompileError: emwasm cannot compile its WebAssembly under this page's Content-Security-Policy: add 'wasm-unsafe-eval' to its script-src/,
      );
    });

    it('a worker URL the page does not serve is named in the error', async () => {
      const message = await page.evaluate(async (X) => {
        const { GaussianMixture, setWorkerUrl } = window.emwasm;
        setWorkerUrl('/missing-worker.js');
        try {
          await new GaussianMixture({ nComponents: 2, worker: true }).fit(X);
          return 'no error';
        } catch (e) {
          return (e as Error).message;
        } finally {
          setWorkerUrl(null);
        }
      }, data());
      expect(message).toMatch(
        /^emwasm could not start the fit worker: .*serves emwasm's worker file \(emwasm\/worker\) at \/missing-worker\.js/,
      );
    });
  },
);
