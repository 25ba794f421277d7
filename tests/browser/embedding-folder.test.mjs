// The folder build (make dist) copied into a site's sub-folder as the
// README's plain-HTML snippet says: it runs; its minified modules (the
// other browser tests load www/ as written) draw every view opened later;
// and with a file left out of the copy, the element says which file and
// what to do, instead of showing an unstyled or empty box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { built, scratch, browserFor, serveFor, openUrl, runEach } from './embed-env.mjs';
import { WAIT } from './helpers.mjs';

/** The README's plain-HTML snippet, as written, in a page. */
function readmeSnippet() {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('**Plain HTML.**'));
  const snippet = section.match(/```html\n([\s\S]*?)```/);
  if (!snippet) throw new Error('the plain-HTML snippet is not in the README');
  return snippet[1];
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>folder</title></head>
<body>
${readmeSnippet()}</body></html>
`;

/** site/notes/failover/index.html with dist/quorumscope copied beside it, less `leaveOut`. */
function site(t, leaveOut = [], page = PAGE) {
  const dist = built('dist/quorumscope/package.json', 'make dist');
  const dir = scratch(t, 'folder');
  const chapter = join(dir, 'site', 'notes', 'failover');
  mkdirSync(chapter, { recursive: true });
  cpSync(join(dist, '..'), join(chapter, 'quorumscope'), { recursive: true });
  for (const f of leaveOut) rmSync(join(chapter, 'quorumscope', f));
  writeFileSync(join(chapter, 'index.html'), page);
  return dir;
}

async function openSite(t, dir) {
  const base = await serveFor(t, dir);
  const browser = await browserFor(t);
  return openUrl(browser, `${base}/site/notes/failover/`);
}

test('the README\'s plain-HTML snippet runs with the folder copied into a sub-folder', async (t) => {
  const { page, errors } = await openSite(t, site(t));
  const [run] = await runEach(page, 1);
  assert.equal(run.playing, true);
  assert.deepEqual(errors, []);
});

test('the folder build\'s minified modules draw every view opened later, with the lab module\'s', async (t) => {
  const full = PAGE.replace(/<quorum-scope [^>]*>/, '<quorum-scope scenario="pre-vote-off" controls="full">');
  const { page, errors } = await openSite(t, site(t, [], full));
  const root = page.locator('quorum-scope');
  await runEach(page, 1);
  await root.locator('details.qs-seq > summary').click();
  await root.locator('.qs-seq-lane').first().waitFor({ ...WAIT, state: 'attached' });
  await root.locator('details.qs-f16 > summary').click();
  await root.locator('.qs-f16-run').waitFor(WAIT);
  await root.locator('details.qs-find > summary').click();
  await root.locator('.qs-find-search:not([disabled])').waitFor(WAIT);
  await page.evaluate(() => document.querySelector('quorum-scope').setAttribute('compare', '{"switches":{"pre_vote":true}}'));
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot
    .querySelector('.qs-cmp-headline')?.textContent.trim(), null, WAIT);
  const failed = await root.locator('text=/could not be loaded/').count();
  assert.equal(failed, 0, 'a panel says it could not be loaded');
  assert.deepEqual(errors, []);
});

test('opened from disk, where module scripts cannot load, the fallback text shows instead of a blank box', async (t) => {
  const dir = site(t);
  const browser = await browserFor(t);
  const { page } = await openUrl(browser, pathToFileURL(join(dir, 'site', 'notes', 'failover', 'index.html')).href);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => customElements.get('quorum-scope')), undefined, 'the module was refused');
  const text = await page.locator('quorum-scope').innerText();
  assert.match(text, /needs JavaScript, and the page served over HTTP/);
  const box = await page.locator('quorum-scope').boundingBox();
  assert.ok(box.height > 10, `the fallback text takes room (${box.height} px)`);
});

for (const [file, pattern] of [
  ['www/theme.css', /stylesheet .*\/www\/theme\.css is missing\.\nCopy the whole www\/ folder/],
  ['pkg/quorumscope_bg.wasm', /WebAssembly file is missing: .*quorumscope_bg\.wasm answered HTTP 404\.\nCopy the whole quorumscope folder/],
]) {
  test(`with ${file} left out, the element names it and the fix`, async (t) => {
    const { page } = await openSite(t, site(t, [file]));
    await page.waitForFunction(() => document.querySelector('quorum-scope')?.shadowRoot.querySelector('.qs-error')?.hidden === false, null, WAIT);
    const text = await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error').textContent);
    assert.match(text, pattern);
    const box = await page.locator('quorum-scope').boundingBox();
    assert.ok(box.height > 40, `visible (${box.height} px)`);
  });
}
