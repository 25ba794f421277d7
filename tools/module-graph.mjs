// Which of the page's files load at start-up and which only on demand, for
// the size budget (tools/size.sh): a view the user opens later (a worker, a
// module behind a dynamic `import()`) costs nothing until it is opened, so
// it is budgeted apart from what every visitor downloads.
//
//   node tools/module-graph.mjs ENTRY FILE...
//
// Prints one line per FILE: `startup FILE` when FILE is reached from ENTRY
// through static imports (`import … from`, `export … from`, `import '…'`)
// or is a stylesheet a start-up module names with `new URL('./x.css',
// import.meta.url)`; `on-demand FILE` otherwise (dynamic imports, workers,
// and files nothing reaches yet). Only relative specifiers are followed:
// the page has no bare imports.
import { readFileSync } from 'node:fs';
import { dirname, normalize, resolve } from 'node:path';

const STATIC_IMPORT = /(?:^|[;\s])(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;
const STYLESHEET_URL = /new URL\(\s*['"](\.{1,2}\/[^'"]+\.css)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Every file reached from `entry` at start-up, as absolute paths. */
export function startupClosure(entry) {
  const seen = new Set();
  const pending = [resolve(entry)];
  while (pending.length) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.js')) continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of [STATIC_IMPORT, STYLESHEET_URL]) {
      for (const [, spec] of text.matchAll(pattern)) pending.push(normalize(resolve(dirname(file), spec)));
    }
  }
  return seen;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [entry, ...files] = process.argv.slice(2);
  if (!entry || !files.length) {
    console.error('usage: node tools/module-graph.mjs ENTRY FILE...');
    process.exit(2);
  }
  const startup = startupClosure(entry);
  for (const file of files) console.log(`${startup.has(resolve(file)) ? 'startup' : 'on-demand'} ${file}`);
}
