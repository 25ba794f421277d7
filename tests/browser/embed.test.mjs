// The embedding example: two <quorum-scope> elements on one static page, each
// with its own simulator, both autoplaying, and independent of each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { shot, WAIT } from './helpers.mjs';

const env = sharedEnv();

/** A fact about the i-th element's App, read in the page. */
function app(page, i, fn) {
  return page.evaluate(({ i, src }) => (0, eval)(`(${src})`)(document.querySelectorAll('quorum-scope')[i].cluster), { i, src: fn.toString() });
}

test('the embed example runs two instances independently', async (t) => {
  const { page, errors, context } = await open(env, '/www/embed-example.html', { viewport: { width: 1280, height: 900 } });
  try {
    const hosts = page.locator('quorum-scope');
    await page.waitForFunction(() => {
      const all = [...document.querySelectorAll('quorum-scope')];
      return all.length === 2 && all.every((q) => q.cluster?.state && q.shadowRoot.querySelector('[data-node-id]'));
    }, null, WAIT);
    assert.equal(await hosts.count(), 2);

    // Both start playing by themselves (autoplay).
    await page.waitForFunction(() => [...document.querySelectorAll('quorum-scope')].every((q) => q.cluster.state.step > 0), null, WAIT);

    // Both reach a leader. The guided tours stop at their moments: continue past them.
    for (let i = 0; i < 2; i++) {
      const card = hosts.nth(i).locator('.qs-tour-card');
      for (let round = 0; ; round++) {
        assert.ok(round < 10, `instance ${i} elects a leader within a few tour moments`);
        await page.waitForFunction((i) => {
          const a = document.querySelectorAll('quorum-scope')[i].cluster;
          return a.state.leader != null || !a.playing;
        }, i, WAIT);
        if (await app(page, i, (a) => a.state.leader != null)) break;
        await card.getByRole('button', { name: /Continue/ }).click();
      }
      await page.waitForFunction((i) => document.querySelectorAll('quorum-scope')[i].shadowRoot
        .querySelectorAll('[data-role="leader"]').length === 1, i, WAIT);
    }

    // Two simulators, two scenarios, two traces.
    const distinct = await page.evaluate(() => {
      const [a, b] = [...document.querySelectorAll('quorum-scope')].map((q) => q.cluster);
      return {
        apps: a !== b,
        clusters: a.cluster !== b.cluster,
        names: [a.scenarioName, b.scenarioName],
        // Both scenarios start from the same seed and shape, so their
        // first events may well match: what must differ is the object.
        traces: a.trace !== b.trace,
        controls: [...document.querySelectorAll('quorum-scope')].map((q) => q.controlsLevel),
      };
    });
    assert.deepEqual(distinct, {
      apps: true, clusters: true, names: ['first-election', 'leader-crash'], traces: true, controls: ['minimal', 'none'],
    });

    // Play both with no tour in the way; pausing the first leaves the second running.
    for (let i = 0; i < 2; i++) {
      const exit = hosts.nth(i).locator('.qs-tour-card, .qs-tour-pill').getByRole('button', { name: 'Exit tour' }).first();
      if (await exit.isVisible()) await exit.click();
    }
    await page.evaluate(() => document.querySelectorAll('quorum-scope')[1].cluster.play());
    const play = hosts.nth(0).getByRole('button', { name: 'Play' });
    if (!(await app(page, 0, (a) => a.playing))) await play.click();
    await page.waitForFunction(() => [...document.querySelectorAll('quorum-scope')].every((q) => q.cluster.playing), null, WAIT);
    await play.click(); // now the pause button (same control, aria-pressed)
    await page.waitForFunction(() => !document.querySelectorAll('quorum-scope')[0].cluster.playing, null, WAIT);
    const [a0, b0] = await page.evaluate(() => [...document.querySelectorAll('quorum-scope')].map((q) => q.cluster.state.step));
    await page.waitForFunction((b0) => document.querySelectorAll('quorum-scope')[1].cluster.state.step > b0 + 10, b0, WAIT);
    const after = await page.evaluate(() => [...document.querySelectorAll('quorum-scope')]
      .map((q) => ({ step: q.cluster.state.step, playing: q.cluster.playing })));
    assert.deepEqual(after[0], { step: a0, playing: false });
    assert.equal(after[1].playing, true);
    assert.equal(await hosts.nth(0).getByRole('button', { name: 'Play' }).getAttribute('aria-pressed'), 'false');
    await shot(page, 'embed', t);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
