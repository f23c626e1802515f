import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from './root';

const ROOT = packageRoot();

/** Where `npm run demo` builds and serves the page. */
export const DEMO_DIR = join(ROOT, 'build/web');

/**
 * Builds the demo into `outDir`: the page script `app.js`, `index.html`, `style.css`, the library
 * bundle as `emwasm.js` (from `library`, by default `dist/index.js` as `npm run build` makes it) and
 * the bundled example data under `data/`.
 */
export async function buildDemo(outDir = DEMO_DIR, library = join(ROOT, 'dist/index.js')): Promise<void> {
  if (!existsSync(library)) throw new Error(`${library} is missing: run \`npm run build\` first`);
  mkdirSync(join(outDir, 'data'), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'web/page/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    plugins: [libraryFromBundle],
    outfile: join(outDir, 'app.js'),
    logLevel: 'warning',
  });
  copyFileSync(library, join(outDir, 'emwasm.js'));
  for (const file of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'web', file), join(outDir, file));
  for (const file of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.csv'))) {
    copyFileSync(join(ROOT, 'examples', file), join(outDir, 'data', file));
  }
}

/**
 * Keeps the library out of app.js: web/page/library.ts re-exports src/index, which becomes an
 * import of the built bundle `./emwasm.js`, loaded as users load it.
 */
const libraryFromBundle: Plugin = {
  name: 'emwasm-from-bundle',
  setup(b) {
    const index = join(ROOT, 'src/index');
    b.onResolve({ filter: /\/src\/index$/ }, (args) =>
      resolve(args.resolveDir, args.path) === index ? { path: './emwasm.js', external: true } : undefined,
    );
  },
};
