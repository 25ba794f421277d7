// Dark mode follows the system, and a phone-width screen shows the nodes with
// nothing overflowing sideways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, stepUntil, steps, shot, frames } from './helpers.mjs';

const env = sharedEnv();

/** Relative luminance (0 black … 1 white) of the host's computed background. */
function hostLuminance(page) {
  return page.evaluate(() => {
    const bg = getComputedStyle(document.querySelector('quorum-scope')).backgroundColor;
    const [r, g, b] = bg.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return { bg, lum: 0.2126 * r + 0.7152 * g + 0.0722 * b };
  });
}

test('dark mode: the host background is dark, light mode light', async (t) => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors, context } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 900 }, colorScheme });
    try {
      await ready(page);
      const { bg, lum } = await hostLuminance(page);
      if (colorScheme === 'dark') assert.ok(lum < 0.1, `dark background, got ${bg}`);
      else assert.ok(lum > 0.8, `light background, got ${bg}`);
      // The text colour contrasts with it.
      const fg = await page.evaluate(() => getComputedStyle(document.querySelector('quorum-scope')).color);
      assert.notEqual(fg, bg);
      if (colorScheme === 'dark') {
        await stepUntil(page, (app) => app.state.leader != null);
        await steps(page, 30);
        await frames(page);
        await shot(page, 'dark', t);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('phone width (390x844): nothing overflows sideways and the nodes are visible', async (t) => {
  const width = 390;
  const { page, errors, context } = await open(env, '/www/index.html', {
    viewport: { width, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  try {
    await ready(page);
    await stepUntil(page, (app) => app.state.leader != null);
    await steps(page, 20);
    await frames(page);
    const overflow = () => page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
    }));
    let o = await overflow();
    assert.ok(o.doc <= width + 1 && o.body <= width + 1, `no horizontal overflow: ${JSON.stringify(o)}`);
    const nodes = page.locator('quorum-scope [data-node-id]');
    assert.equal(await nodes.count(), 5);
    for (let i = 0; i < 5; i++) {
      const node = nodes.nth(i);
      assert.ok(await node.isVisible(), `node ${i + 1} visible`);
      const box = await node.boundingBox();
      assert.ok(box.width >= 20 && box.height >= 20, `node ${i + 1} is big enough to tap: ${JSON.stringify(box)}`);
      assert.ok(box.x >= 0 && box.x + box.width <= width + 1, `node ${i + 1} inside the screen: ${JSON.stringify(box)}`);
    }
    // The node menu opens on a tap and still fits.
    const leader = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.leader);
    await page.locator(`quorum-scope [data-node-id="${leader}"]`).tap();
    const menu = page.locator('quorum-scope').getByRole('dialog', { name: `Actions for node ${leader}` });
    await menu.waitFor({ state: 'visible' });
    const mbox = await menu.boundingBox();
    assert.ok(mbox.x >= 0 && mbox.x + mbox.width <= width + 1, `menu inside the screen: ${JSON.stringify(mbox)}`);
    o = await overflow();
    assert.ok(o.doc <= width + 1, `no overflow with the menu open: ${JSON.stringify(o)}`);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    await shot(page, 'phone', t);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
