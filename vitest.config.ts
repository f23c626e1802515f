import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * Vite leaves `import bytes from './x.wasm'` undefined: inline the bytes as esbuild's binary loader
 * does, and built scripts (`.src`) as text as its text loader does.
 */
function wasmBytes(): Plugin {
  return {
    name: 'emwasm-wasm-bytes',
    enforce: 'pre',
    load(id) {
      if (id.endsWith('.src')) return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
      if (!id.endsWith('.wasm')) return null;
      const base64 = readFileSync(id).toString('base64');
      return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
    },
  };
}

export default defineConfig({
  plugins: [wasmBytes()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
