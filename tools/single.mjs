// `make dist-single`: the element as one script with the wasm and the
// stylesheets inside (data: URLs), built by Vite in library mode as an
// IIFE. It has no import, export or import.meta, so it runs as a module
// or as a classic <script src> — which is what a page opened from disk
// (file://, where browsers refuse module scripts) and mdBook's
// additional-js can load — from any folder, with nothing beside it.
//
//   node tools/single.mjs OUT_FILE
//
// What changes at build time: import.meta.url becomes the page's address
// (after Vite has inlined what it pointed at); wasm-bindgen's default wasm
// URLs are cut (www/wasm.js and www/lab.js pass their own), so that each
// wasm module is inlined once; and each worker (Figure 16's trials, the
// model checker's search) is inlined as a Blob with `?worker&inline`, its
// own bundle holding no wasm: the page posts it the compiled lab module
// (www/lab.js). So every panel works from the one file, the lab module's
// wasm inside it beside the start-up one's.
import { build } from 'vite';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Script } from 'node:vm';

const out = process.argv[2];
if (!out) {
  console.error('usage: node tools/single.mjs OUT_FILE');
  process.exit(2);
}
const root = resolve(new URL('..', import.meta.url).pathname);

/** [file suffix, text to replace, replacement] */
const CUTS = [
  ['/pkg/quorumscope.js', /new URL\('quorumscope_bg\.wasm', import\.meta\.url\)/g, 'undefined'],
  ['/pkg/quorumscope_lab.js', /new URL\('quorumscope_lab_bg\.wasm', import\.meta\.url\)/g, 'undefined'],
];

const cut = {
  name: 'quorumscope-single-cuts',
  enforce: 'pre',
  transform(code, id) {
    let result = code;
    for (const [suffix, pattern, replacement] of CUTS) {
      if (!id.endsWith(suffix)) continue;
      result = result.replace(pattern, replacement);
      if (result === code) throw new Error(`single.mjs: nothing to cut in ${suffix}; update CUTS`);
    }
    return result;
  },
};

// A worker is a file of its own in Vite's builds, which one file cannot
// have: `?worker&inline` bundles it into the file, started from a Blob.
const WORKER = /new Worker\(new URL\('\.\/([a-z0-9-]+-worker\.js)', import\.meta\.url\), \{ type: 'module' \}\)/g;
const inlineWorkers = {
  name: 'quorumscope-single-inline-workers',
  enforce: 'pre',
  transform(code, id) {
    if (!id.includes('/www/')) return null;
    const imports = [];
    const result = code.replace(WORKER, (_, file) => {
      const name = `qsInlineWorker${imports.length}`;
      imports.push(`import ${name} from './${file}?worker&inline';`);
      return `new ${name}()`;
    });
    return imports.length ? `${imports.join('\n')}\n${result}` : null;
  },
};

// Once Vite has inlined every `new URL('./…', import.meta.url)` as a data:
// URL, the base no longer matters, but an IIFE has no import.meta: the page
// address stands in for it.
const noImportMeta = {
  name: 'quorumscope-single-no-import-meta',
  enforce: 'post',
  transform(code) {
    return code.includes('import.meta.url') ? code.replaceAll('import.meta.url', 'document.baseURI') : null;
  },
};

const outDir = mkdtempSync(join(tmpdir(), 'quorumscope-single-'));
try {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins: [cut, inlineWorkers, noImportMeta],
    // The workers' own bundles: classic scripts (a Blob worker), the lab
    // glue's default wasm URL cut as in the page's bundle.
    worker: { format: 'iife', plugins: () => [cut] },
    build: {
      outDir,
      emptyOutDir: true,
      minify: true,
      assetsInlineLimit: () => true,
      lib: { entry: join(root, 'www/quorum-scope.js'), formats: ['iife'], name: 'quorumscope', fileName: () => 'single.js' },
    },
  });
  const code = readFileSync(join(outDir, 'single.js'), 'utf8');
  // A classic script must parse: no import/export/import.meta may be left.
  new Script(code, { filename: out });
  if (/\bimport\.meta\b/.test(code)) throw new Error('single.mjs: import.meta is left in the bundle');
  writeFileSync(out, code);
  console.log(`${out}: ${(code.length / 1000).toFixed(1)} KB`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
