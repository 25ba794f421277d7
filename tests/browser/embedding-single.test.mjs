// The single-file build (make dist-single): one script with the wasm and
// stylesheets inside, run from a page opened from disk (file://, where
// browsers refuse module scripts and fetches) in a sub-folder, and as a
// module script over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { built, scratch, browserFor, serveFor, openUrl, runEach } from './embed-env.mjs';

function page(script) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>single</title>
${script}</head>
<body>
<quorum-scope scenario="first-election" controls="minimal" autoplay height="300"></quorum-scope>
<quorum-scope controls="full" height="500"></quorum-scope>
</body></html>
`;
}

/** docs/guide/deep/page.html loading docs/assets/quorumscope.single.js. */
function site(t, script) {
  const single = built('dist/quorumscope.single.js', 'make dist-single');
  const dir = scratch(t, 'single');
  mkdirSync(join(dir, 'docs', 'guide', 'deep'), { recursive: true });
  mkdirSync(join(dir, 'docs', 'assets'), { recursive: true });
  copyFileSync(single, join(dir, 'docs', 'assets', 'quorumscope.single.js'));
  writeFileSync(join(dir, 'docs', 'guide', 'deep', 'page.html'), page(script));
  return dir;
}

test('the single-file build runs from file:// in a sub-folder', async (t) => {
  const dir = site(t, '<script src="../../assets/quorumscope.single.js"></script>');
  const browser = await browserFor(t);
  const { page: p, errors } = await openUrl(browser, pathToFileURL(join(dir, 'docs', 'guide', 'deep', 'page.html')).href);
  const runs = await runEach(p, 2);
  assert.deepEqual(runs.map((r) => r.playing), [true, false]);
  assert.ok(runs.every((r) => r.step > 0));
  // Styled from the inlined stylesheets: the full explorer has its narration column.
  const side = await p.locator('quorum-scope').nth(1).evaluate((el) => el.shadowRoot.querySelector('.qs-side').getBoundingClientRect().width);
  assert.ok(side > 200, `narration column drawn (${side} px)`);
  assert.deepEqual(errors, []);
});

test('the single-file build runs as a module script over HTTP', async (t) => {
  const dir = site(t, '<script type="module" src="../../assets/quorumscope.single.js"></script>');
  const base = await serveFor(t, dir);
  const browser = await browserFor(t);
  const { page: p, errors } = await openUrl(browser, `${base}/docs/guide/deep/page.html`);
  const runs = await runEach(p, 2);
  assert.ok(runs.every((r) => r.step > 0));
  assert.deepEqual(errors, []);
});
