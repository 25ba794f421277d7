// A small mdBook built with the real mdbook and mdbook-quorumscope: two
// chapters at different depths (one `controls="minimal" autoplay`, one from
// a scenario file beside it), installed with `mdbook-quorumscope install`.
// Both embeds run, in their chapters and in print.html, follow the navy
// theme, and log no console error. Screenshots (light, navy) are left in
// SHOTS for people to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, built, scratch, browserFor, serveFor, openUrl, runEach } from './embed-env.mjs';
import { SHOTS } from './helpers.mjs';

const CHAPTERS = {
  'SUMMARY.md': '# Summary\n\n- [Elections](elections.md)\n  - [Failover](failover/deep/failover.md)\n',
  'elections.md': '# Elections\n\nFive followers, one timer fires first.\n\n```quorumscope controls="minimal" autoplay height=360\nfirst-election\n```\n\nAfter the embed.\n',
  'failover/deep/failover.md': '# Failover\n\n```quorumscope controls=none height=320\nscenario.json\n```\n',
};

function makeBook(t) {
  const single = built('dist/quorumscope.single.js', 'make dist-single');
  const preprocessor = built('target/debug/mdbook-quorumscope', 'cargo build -p mdbook-quorumscope');
  const dir = scratch(t, 'mdbook');
  for (const [path, text] of Object.entries(CHAPTERS)) {
    mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  copyFileSync(join(ROOT, 'tests/browser/pages/from-file.json'), join(dir, 'src/failover/deep/scenario.json'));
  writeFileSync(join(dir, 'book.toml'), '[book]\ntitle = "Consensus, embedded"\n\n[output.html]\ndefault-theme = "light"\n');
  const env = { ...process.env, PATH: `${join(ROOT, 'target/debug')}:${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
  // Built after make dist-single, the preprocessor carries the element: install needs no --element.
  execFileSync(preprocessor, ['install', dir], { env, stdio: 'pipe' });
  assert.ok(readFileSync(join(dir, 'quorumscope.js')).equals(readFileSync(single)), 'the installed element is the single file');
  execFileSync('mdbook', ['build', dir], { env, stdio: 'pipe' });
  return dir;
}

test('an mdBook with quorumscope blocks: both embeds run at any depth and in print.html, following navy', async (t) => {
  const dir = makeBook(t);
  mkdirSync(SHOTS, { recursive: true });
  const toml = readFileSync(join(dir, 'book.toml'), 'utf8');
  assert.match(toml, /\[preprocessor\.quorumscope\]/);
  const base = await serveFor(t, join(dir, 'book'));
  const browser = await browserFor(t);

  for (const theme of ['light', 'navy']) {
    const init = `localStorage.setItem('mdbook-theme', '${theme}')`;
    const opened = [];
    for (const path of ['/elections.html', '/failover/deep/failover.html']) {
      const { page, errors } = await openUrl(browser, base + path, { viewport: { width: 1100, height: 900 } }, init);
      opened.push(page);
      assert.equal(await page.evaluate((c) => document.documentElement.classList.contains(c), theme), true, `${path} is ${theme}`);
      const [run] = await runEach(page, 1);
      assert.ok(run.step > 0);
      const facts = await page.evaluate(() => {
        const el = document.querySelector('quorum-scope');
        return {
          bg: getComputedStyle(el).backgroundColor,
          pageBg: getComputedStyle(document.documentElement).backgroundColor,
          scheme: getComputedStyle(el).colorScheme,
          scenario: el.cluster.scenario.title,
          playing: el.cluster.playing,
        };
      });
      assert.equal(facts.bg, facts.pageBg, `${path} (${theme}): the embed takes the book's background`);
      assert.equal(facts.scheme, theme === 'navy' ? 'dark' : 'light');
      if (path === '/elections.html') assert.equal(facts.playing, true, 'autoplay');
      else assert.equal(facts.scenario, 'A scenario from a file');
      await page.locator('quorum-scope').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `mdbook-${theme}${path.replace(/\//g, '-').replace('.html', '')}.png`) });
      assert.deepEqual(errors, [], `${path} (${theme}) logs no error`);
    }
    for (const page of opened) await page.context().close();
  }

  // The other three themes: rust is light, coal and ayu dark, each with its own background.
  for (const theme of ['rust', 'coal', 'ayu']) {
    const { page, errors } = await openUrl(browser, `${base}/elections.html`, {}, `localStorage.setItem('mdbook-theme', '${theme}')`);
    await runEach(page, 1);
    const facts = await page.evaluate(() => {
      const el = document.querySelector('quorum-scope');
      return { same: getComputedStyle(el).backgroundColor === getComputedStyle(document.documentElement).backgroundColor, scheme: getComputedStyle(el).colorScheme };
    });
    assert.deepEqual(facts, { same: true, scheme: theme === 'rust' ? 'light' : 'dark' }, theme);
    assert.deepEqual(errors, []);
    await page.context().close();
  }

  // print.html holds every chapter: both embeds run there too.
  const { page, errors } = await openUrl(browser, `${base}/print.html`, {}, 'window.print = () => {};');
  const runs = await runEach(page, 2);
  assert.ok(runs.every((r) => r.step > 0));
  assert.deepEqual(errors, []);
});

test('mdbook-quorumscope fails the build on a bad block, naming the chapter and line', (t) => {
  const preprocessor = built('target/debug/mdbook-quorumscope', 'cargo build -p mdbook-quorumscope');
  const input = JSON.stringify([{ root: '/nowhere', config: { book: { src: 'src' } } },
    { items: [{ Chapter: { name: 'A', content: 'x\n\n```quorumscope colour=red\nfirst-election\n```\n', sub_items: [], source_path: 'a.md', path: 'a.md' } }] }]);
  let stderr = '';
  try {
    execFileSync(preprocessor, [], { input, stdio: 'pipe' });
  } catch (e) {
    stderr = e.stderr.toString();
  }
  assert.match(stderr, /a\.md:3: unknown attribute "colour"/);
  t.diagnostic(stderr.trim());
});
