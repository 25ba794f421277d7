// tools/module-graph.mjs decides which files count against the start-up
// size budget: a statically imported module or a start-up stylesheet must
// count, a module behind a dynamic import() or a worker must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startupClosure } from '../../tools/module-graph.mjs';

const FILES = {
  'www/entry.js': "import { a } from './a.js';\nexport * from './re.js';\nimport './side.js';\n"
    + "const sheets = [new URL('./look.css', import.meta.url)];\n"
    + "const view = () => import('./lazy.js');\n"
    + "const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });\n",
  'www/a.js': "import { b } from '../shared/b.js';\nexport const a = 1;\n",
  'www/re.js': 'export const r = 1;\n',
  'www/side.js': '',
  'www/look.css': '',
  'www/lazy.js': "import { c } from './c.js';\n",
  'www/c.js': '',
  'www/worker.js': '',
  'shared/b.js': 'export const b = 1;\n',
};

test('start-up closure follows static imports and stylesheets, not import() or workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'module-graph-'));
  try {
    mkdirSync(join(dir, 'www'));
    mkdirSync(join(dir, 'shared'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    const startup = [...startupClosure(join(dir, 'www/entry.js'))].map((f) => f.slice(dir.length + 1)).sort();
    assert.deepEqual(startup, ['shared/b.js', 'www/a.js', 'www/entry.js', 'www/look.css', 'www/re.js', 'www/side.js']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
