// The npm package (dist/quorumscope, `npm pack`ed as a user would get it)
// through Vite: a production build served from a sub-folder, and the dev
// server. Both must emit or serve the stylesheets and the wasm, so the
// element is styled (not 16,000 px of unstyled text) and runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, createServer } from 'vite';
import { SHOTS } from './helpers.mjs';
import { built, scratch, browserFor, serveFor, openUrl, runEach } from './embed-env.mjs';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>bundled</title>
<script type="module" src="./main.js"></script></head>
<body><quorum-scope scenario="leader-crash" controls="minimal" height="300"></quorum-scope></body></html>
`;
const MAIN = "import 'quorumscope';\n";

/** An app folder with the packed package installed in its node_modules. */
function appWithPackage(t) {
  const dist = built('dist/quorumscope/package.json', 'make dist');
  const dir = scratch(t, 'vite');
  const packed = JSON.parse(execFileSync('npm', ['pack', join(dist, '..'), '--pack-destination', dir, '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))[0];
  const app = join(dir, 'site', 'app');
  const target = join(app, 'node_modules', 'quorumscope');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed.filename), '-C', target, '--strip-components=1']);
  writeFileSync(join(app, 'index.html'), PAGE);
  writeFileSync(join(app, 'main.js'), MAIN);
  return { dir, app, files: packed.files.map((f) => f.path) };
}

test('the packed package holds the element, its assets, types, README and licence, and no demo pages', (t) => {
  const { files } = appWithPackage(t);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'quorum-scope.d.ts', 'www/quorum-scope.js', 'www/theme.css',
    'www/styles.js', 'pkg/quorumscope.js', 'pkg/quorumscope_bg.wasm', 'pkg/quorumscope.d.ts']) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  for (const f of files) assert.doesNotMatch(f, /(index|embed-example)\.html$|page\.css$/);
});

test('a Vite build of a page importing the package runs from a sub-folder, styled', async (t) => {
  const { dir, app } = appWithPackage(t);
  await build({ root: app, configFile: false, logLevel: 'warn', base: './', build: { outDir: 'out', assetsInlineLimit: 0 } });
  const emitted = readdirSync(join(app, 'out', 'assets'));
  const shipped = readdirSync(built('dist/quorumscope/www', 'make dist')).filter((f) => f.endsWith('.css'));
  assert.equal(emitted.filter((f) => f.endsWith('.css')).length, shipped.length, `every stylesheet emitted: ${emitted.join(' ')}`);
  assert.ok(emitted.some((f) => f.endsWith('.wasm')));

  const base = await serveFor(t, dir);
  const browser = await browserFor(t);
  const { page, errors } = await openUrl(browser, `${base}/site/app/out/index.html`);
  const [run] = await runEach(page, 1);
  assert.equal(run.step, 1);
  const box = await page.locator('quorum-scope').boundingBox();
  assert.ok(box.height > 200 && box.height < 1000, `styled: ${box.height} px tall for height="300"`);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'vite-build.png') });
  assert.deepEqual(errors, []);
});

test('the Vite dev server, with no configuration, serves the package and it runs', async (t) => {
  const { app } = appWithPackage(t);
  const server = await createServer({
    root: app, configFile: false, logLevel: 'warn',
    server: { host: '127.0.0.1', port: 20000 + Math.floor(Math.random() * 20000), strictPort: false, hmr: false },
  });
  t.after(() => server.close());
  await server.listen();
  const url = server.resolvedUrls.local[0];
  const browser = await browserFor(t);
  const { page, errors } = await openUrl(browser, url);
  const [run] = await runEach(page, 1);
  assert.equal(run.step, 1);
  const box = await page.locator('quorum-scope').boundingBox();
  assert.ok(box.height > 200 && box.height < 1000, `styled: ${box.height} px tall`);
  assert.deepEqual(errors, []);
});
