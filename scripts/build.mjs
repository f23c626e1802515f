// Builds the JavaScript bundles (the wasm is built first by `npm run build:wasm`):
//   worker  build/fit-worker.src: the fit worker, a self-contained script (classic/IIFE, so Node
//           can run it with `eval: true` and browsers from a Blob URL), inlined as text in the
//           library; without wasm bytes (it gets the library's compiled modules by message);
//           build/worker.js: it and the thread-pool worker as one file a page can serve
//   lib     dist/index.js: the library (ESM, wasm and fit worker inlined);
//           dist/worker.js (see above), exported as `emwasm/worker` for setWorkerUrl;
//           dist/require.cjs: what `require('emwasm')` meets (the package is ESM only)
//   types   dist/types: the .d.ts files (made afresh, so a deleted source leaves none behind)
//   cli     dist/cli.js: the command-line tool, importing the library from ./index.js
// Usage: node scripts/build.mjs [worker] [lib] [types] [cli]   (no argument: all, in that order)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';

// The library bundle's options, shared with the browser tests (test/web), which bundle it the same way.
const libraryBundle = JSON.parse(readFileSync(new URL('./library-bundle.json', import.meta.url), 'utf8'));

/**
 * Writes a file by renaming a finished temporary one over it, so that a test reading it while
 * another test rebuilds it (vitest runs files in parallel) sees the old or the new file, never half.
 */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

/** esbuild's build, its output written atomically. */
async function bundle(options) {
  const result = await build({ ...options, write: false });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
}

const common = { bundle: true, loader: { '.wasm': 'binary', '.src': 'text' }, logLevel: 'warning' };

/**
 * The worker bundle must not contain its own source text (resolved to an empty string), nor the
 * wasm bytes (an empty array): the library posts its compiled modules with each fit request.
 */
const noWorkerSource = {
  name: 'no-worker-source',
  setup(b) {
    b.onResolve({ filter: /fit-worker\.src$/ }, () => ({ path: 'fit-worker.src', namespace: 'empty' }));
    b.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: args.path, namespace: 'no-wasm' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default ""', loader: 'js' }));
    b.onLoad({ filter: /.*/, namespace: 'no-wasm' }, () => ({
      contents: 'export default new Uint8Array(0)',
      loader: 'js',
    }));
  },
};

/**
 * The wasm bytes as an expression marked pure: a bundler that bundles dist/index.js again drops
 * them (about 60 KB each as base64) when nothing that runs a kernel is imported. esbuild's binary
 * loader emits an unmarked call, which a bundler must keep.
 */
const pureWasm = {
  name: 'pure-wasm',
  setup(b) {
    b.onLoad({ filter: /\.wasm$/ }, (args) => ({
      contents:
        `export default /* @__PURE__ */ (() => Uint8Array.from(atob(${JSON.stringify(readFileSync(args.path).toString('base64'))}), ` +
        '(c) => c.charCodeAt(0)))();',
      loader: 'js',
    }));
  },
};

/** `require('emwasm')` from CommonJS: one line that says what to write instead. */
const REQUIRE_STUB = `'use strict';
throw new Error(
  "emwasm is an ES module and cannot be require()d; from CommonJS use: const { GaussianMixture } = await import('emwasm')",
);
`;

/**
 * build/worker.js: the fit worker and the thread-pool worker in one classic script, for pages whose
 * Content-Security-Policy forbids blob: workers. The library names each worker it starts
 * ('emwasm-threads' for the pool), and the file runs the matching program.
 */
async function writeWorkerFile() {
  await bundle({
    entryPoints: ['src/threads/worker-source.ts'],
    format: 'esm',
    platform: 'neutral',
    logLevel: 'warning',
    outfile: 'build/thread-worker-source.mjs',
  });
  const fit = readFileSync('build/fit-worker.src', 'utf8');
  const { WORKER_SOURCE } = await import(`../build/thread-worker-source.mjs?${Date.now()}`);
  writeAtomically(
    'build/worker.js',
    `// emwasm's workers: serve this file and pass its URL to setWorkerUrl() (see the README, "Browser").\n` +
      `if (self.name === 'emwasm-threads') {${WORKER_SOURCE}} else {\n${fit}}\n`,
  );
}

/** The CLI imports the library (src/index.ts) as the package's own ./index.js, not a second copy. */
const libraryFromDist = {
  name: 'library-from-dist',
  setup(b) {
    const index = resolve('src/index.ts');
    b.onResolve({ filter: /\/index\.js$/ }, (args) =>
      resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === index
        ? { path: './index.js', external: true }
        : undefined,
    );
  },
};

const steps = {
  worker: async () => {
    await bundle({
      ...common,
      entryPoints: ['src/worker/fit-worker.ts'],
      format: 'iife',
      platform: 'neutral',
      target: 'es2022',
      plugins: [noWorkerSource],
      minify: true,
      outfile: 'build/fit-worker.src',
    });
    await writeWorkerFile();
  },
  lib: async () => {
    await bundle({ ...libraryBundle, plugins: [pureWasm], logLevel: 'warning', outfile: 'dist/index.js' });
    writeAtomically('dist/require.cjs', REQUIRE_STUB);
    writeAtomically('dist/worker.js', readFileSync('build/worker.js'));
  },
  types: () => {
    rmSync('dist/types', { recursive: true, force: true });
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  },
  cli: () =>
    bundle({
      ...common,
      entryPoints: ['src/cli/main.ts'],
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // A CommonJS dependency (pngjs) bundled into ESM requires Node built-ins: give it a require.
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);",
      },
      plugins: [libraryFromDist],
      outfile: 'dist/cli.js',
    }),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(steps)) {
  if (!steps[name]) throw new Error(`unknown build step ${name}; use ${Object.keys(steps).join(', ')}`);
  await steps[name]();
}
