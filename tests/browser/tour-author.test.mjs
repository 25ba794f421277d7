// Tours written in the page (tour-author.js): an authored tour round-trips
// through a link and plays back with the same captions and highlights; a
// caption over the core's limit is refused with its error; a caption that
// looks like HTML shows as literal text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, stepUntil, WAIT } from './helpers.mjs';

const env = sharedEnv();
const VIEWPORT = { viewport: { width: 1280, height: 800 } };
const HOSTILE = 'Node 2 times out first <img src=x onerror="window.__xss=1"> & asks for votes.';

/** Writes one moment at the page's current step; returns the step. */
async function addMoment(page, caption, highlight) {
  const panel = page.locator('quorum-scope').locator('.qs-author');
  await panel.locator('textarea').fill(caption);
  await panel.locator('select').selectOption(highlight);
  await panel.locator('.qs-author-add').click();
  return page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step);
}

/** Where the ring and the element it should surround are, and the card's text, at the moment on screen. */
function moment(page) {
  return page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const ring = root.querySelector('.qs-tour-ring');
    const card = root.querySelector('.qs-tour-card');
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const h = ring?.dataset.highlight ?? '';
    const m = /^(node|message) (\d+)$|^log (\d+):(\d+)$/.exec(h);
    const target = !m ? null : m[1] === 'node' ? root.querySelector(`[data-node-id="${m[2]}"] .cv-body`)
      : m[1] === 'message' ? root.querySelector(`.cv-msg[data-msg-seq="${m[2]}"]`)
        : root.querySelector(`.lv-cell[data-entry="${m[3]}:${m[4]}"]`);
    return {
      heading: card.querySelector('.qs-tour-h').textContent,
      caption: card.querySelector('.qs-tour-caption').textContent,
      images: card.querySelectorAll('img').length,
      highlight: h,
      ringShown: Boolean(ring) && !ring.hidden,
      ring: ring && !ring.hidden ? box(ring) : null,
      target: target ? box(target) : null,
      step: document.querySelector('quorum-scope').cluster.state.step,
    };
  });
}

const around = (outer, inner) => outer.left <= inner.left + 1 && outer.top <= inner.top + 1
  && outer.right >= inner.right - 1 && outer.bottom >= inner.bottom - 1;

test('a tour written in the page round-trips through a link and plays back the same moments', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', VIEWPORT, t);
  await ready(page);
  await skipTour(page);
  const host = page.locator('quorum-scope');
  // The writer is not part of the page's start-up: loaded when asked for.
  const before = await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/tour-author.js')));
  assert.equal(before, false, 'tour-author.js is not loaded at start-up');
  await host.getByRole('button', { name: 'Write a tour…' }).click();
  await host.locator('.qs-author').waitFor(WAIT);

  const written = [];
  await stepUntil(page, (app) => app.state.step >= 8 && app.state.messages.length > 0);
  written.push({ caption: HOSTILE, highlight: 'node 2', step: await addMoment(page, HOSTILE, 'node 2') });

  await stepUntil(page, (app, events, from) => app.state.step > from + 5 && app.state.messages.length > 0, { arg: written[0].step });
  const seq = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.messages[0].seq);
  const second = 'This message is the vote request to follow.';
  written.push({ caption: second, highlight: `message ${seq}`, step: await addMoment(page, second, `message ${seq}`) });

  await stepUntil(page, (app) => app.state.nodes.some((n) => n.role === 'leader' && n.log.length > 0));
  const leader = await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.nodes.find((n) => n.role === 'leader').id);

  // Over the limit: the core's error, naming the field; nothing is added.
  await host.locator('.qs-author textarea').fill('a'.repeat(501));
  await host.locator('.qs-author-add').click();
  const error = await host.locator('.qs-author-error').textContent();
  assert.match(error, /pauses\[2\]\.caption: 501 characters; the limit is 500/);
  assert.equal(await host.locator('.qs-author-list li').count(), 2);

  const third = 'The new leader appends a no-op of its own term: look at its log.';
  written.push({ caption: third, highlight: `log ${leader}:1`, step: await addMoment(page, third, `log ${leader}:1`) });
  assert.equal(await host.locator('.qs-author-list li').count(), 3);
  // The list shows the hostile caption as text too.
  assert.equal(await host.locator('.qs-author-list .qs-author-text').first().textContent(), HOSTILE);

  await host.locator('.qs-author').getByRole('button', { name: 'Copy link' }).click();
  const link = await host.locator('.qs-author-link').inputValue();
  assert.match(link, /#s=/);

  // The link, in a fresh page: the tour's intro, then each moment.
  const other = await open(env, link.replace(env.base, ''), VIEWPORT, t);
  await ready(other.page);
  const card = other.page.locator('quorum-scope').locator('.qs-tour-card');
  await card.getByRole('button', { name: 'Start tour ▶' }).waitFor(WAIT);
  await other.page.evaluate(() => {
    document.querySelector('quorum-scope').cluster.ticksPerSecond = 64;
  });
  await card.getByRole('button', { name: 'Start tour ▶' }).click();
  for (let i = 0; i < written.length; i += 1) {
    await other.page.waitForFunction((n) => {
      const c = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tour-card');
      return !c.hidden && c.querySelector('.qs-tour-h').textContent === `Moment ${n} of 3`;
    }, i + 1, WAIT);
    await other.page.waitForFunction(() => {
      const ring = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tour-ring');
      return ring && !ring.hidden;
    }, null, WAIT);
    const m = await moment(other.page);
    t.diagnostic(JSON.stringify(m));
    assert.equal(m.step, written[i].step, `moment ${i + 1} stops at the step it was written at`);
    assert.equal(m.caption, written[i].caption, `moment ${i + 1}'s caption, as text`);
    assert.equal(m.highlight, written[i].highlight);
    assert.ok(m.ringShown && m.target && around(m.ring, m.target), `the ring surrounds ${m.highlight}: ${JSON.stringify(m)}`);
    assert.equal(m.images, 0, 'no element made from a caption');
    if (i < written.length - 1) await card.getByRole('button', { name: 'Continue ▶' }).click();
  }
  assert.equal(await other.page.evaluate(() => window.__xss), undefined, 'no handler ran');
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
});

test('a link whose tour has a caption over the limit says which and why', async (t) => {
  const scenario = {
    title: 'Too long', cluster: { members: [{ id: 1 }, { id: 2 }, { id: 3 }] },
    pauses: [{ step: 3, caption: 'fine' }, { step: 9, caption: 'b'.repeat(501), highlight: 'node 1' }],
  };
  const hash = Buffer.from(JSON.stringify({ v: 1, scenario, inputs: [], step: 0 })).toString('base64url');
  const { page } = await open(env, `/www/index.html#s=${hash}`, VIEWPORT, t);
  await page.waitForFunction(() => /pauses\[1\]\.caption/.test(document.querySelector('quorum-scope')?.shadowRoot.querySelector('.qs-error')?.textContent ?? ''), null, WAIT);
  const text = await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-error').textContent);
  assert.match(text, /pauses\[1\]\.caption: 501 characters; the limit is 500/);
});
