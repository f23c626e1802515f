// The API reference is generated from the TSDoc (issue 12, item 9): every export documented, every
// type it mentions exported, every link resolving. typedoc.json turns each such warning into an error.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../../web/tools/root';

const ROOT = packageRoot();

it('TypeDoc documents the public API without a warning', () => {
  const r = spawnSync(join(ROOT, 'node_modules/.bin/typedoc'), ['--emit', 'none'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 120_000);
