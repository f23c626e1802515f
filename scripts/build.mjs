// Builds the JavaScript bundles (the wasm is built first by `npm run build:wasm`):
//   worker  build/fit-worker.src: the fit worker, a self-contained script (classic/IIFE, so Node
//           can run it with `eval: true` and browsers from a Blob URL), inlined as text in the
//           library; without wasm bytes (it gets the library's compiled modules by message)
//   lib     dist/index.js: the library (ESM, wasm and fit worker inlined) and its .d.ts files
//   cli     dist/cli.js: the command-line tool
// Usage: node scripts/build.mjs [worker] [lib] [cli]   (no argument: all three, in that order)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

// The library bundle's options, shared with the browser tests (test/web), which bundle it the same way.
const libraryBundle = JSON.parse(readFileSync(new URL('./library-bundle.json', import.meta.url), 'utf8'));

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

const steps = {
  worker: () =>
    build({
      ...common,
      entryPoints: ['src/worker/fit-worker.ts'],
      format: 'iife',
      platform: 'neutral',
      target: 'es2022',
      plugins: [noWorkerSource],
      minify: true,
      outfile: 'build/fit-worker.src',
    }),
  lib: async () => {
    await build({ ...libraryBundle, logLevel: 'warning', outfile: 'dist/index.js' });
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  },
  cli: () =>
    build({
      ...common,
      entryPoints: ['src/cli/main.ts'],
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // A CommonJS dependency (pngjs) bundled into ESM requires Node built-ins: give it a require.
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);",
      },
      outfile: 'dist/cli.js',
    }),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(steps)) {
  if (!steps[name]) throw new Error(`unknown build step ${name}; use ${Object.keys(steps).join(', ')}`);
  await steps[name]();
}
