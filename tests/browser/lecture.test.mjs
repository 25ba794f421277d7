// The lecture hall's key moments (issue 12), reached as a reader reaches
// them, through the guided tour: at the moment a leader wins (first-election
// moment 2, leader-crash moment 3) no message, message label or refusal ✗
// covers a node's badges (its crown, its term chip, its tally), on a
// projector and on a phone; and the tour's card covers neither the narration
// nor a node at 1920×1080 and 1280×720 (joint-consensus too), and stays on a
// phone's screen. Screenshots go to SHOTS for people to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { ready, shot, stepToMoment, WAIT } from './helpers.mjs';

const env = sharedEnv();

const SIZES = [
  { tag: '1920', viewport: { width: 1920, height: 1080 } },
  { tag: '1280', viewport: { width: 1280, height: 720 } },
  { tag: '390', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];
const MOMENTS = [['first-election', 2], ['leader-crash', 3]];

/** Starts the scenario's tour and steps until the card shows moment `n`. */
async function toMoment(page, n) {
  const reached = await stepToMoment(page, n);
  assert.ok(reached, `moment ${n} reached`);
  // The card's placement and the callouts' stacking land in the next frames.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))));
}

async function openTour(name, size, t) {
  const { viewport, isMobile, hasTouch } = size;
  const { page, errors } = await open(env, `/www/index.html#scenario=${name}`, { viewport, isMobile, hasTouch }, t);
  await ready(page);
  await page.locator('quorum-scope .qs-tour-card').getByRole('button', { name: 'Start tour ▶' }).waitFor(WAIT);
  return { page, errors };
}

/** Every pair (mark or message, badge) whose boxes meet by more than a pixel each way. */
function badgeOverlaps(page) {
  return page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none'
      && getComputedStyle(el).visibility !== 'hidden' && (el.tagName !== 'text' || el.textContent.trim() !== '');
    const boxes = (sel, what) => [...root.querySelectorAll(sel)].filter(shown).map((el) => {
      const r = el.getBoundingClientRect();
      const node = el.closest('[data-node-id], [data-labels-of]');
      return { what, text: el.textContent.trim().slice(0, 30), node: node?.dataset.nodeId ?? node?.dataset.labelsOf,
        l: r.left, t: r.top, r: r.right, b: r.bottom };
    });
    const badges = [...boxes('.cv-crown', 'crown'), ...boxes('.cv-term-chip', 'term chip'), ...boxes('.cv-probing', 'tally')];
    // A message's glyph is its first drawn child group (the label is separate).
    const movers = [...boxes('.cv-msg > g:first-of-type', 'message'), ...boxes('.cv-msg-label', 'message label'),
      ...boxes('.cv-refusal-mark', 'refusal ✗')];
    const hit = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1;
    const found = [];
    for (const m of movers) for (const b of badges) if (hit(m, b)) found.push(`${m.what} "${m.text}" over ${b.what} of node ${b.node} "${b.text}"`);
    return { found, movers: movers.length, badges: badges.length };
  });
}

for (const size of SIZES) {
  for (const [name, n] of MOMENTS) {
    test(`${name} moment ${n} at ${size.tag}: no message, label or ✗ covers a crown, a term chip or a tally`, async (t) => {
      const { page, errors } = await openTour(name, size, t);
      await toMoment(page, n);
      await shot(page, `lecture-${name}-${n}-${size.tag}`, t);
      const seen = await badgeOverlaps(page);
      t.diagnostic(JSON.stringify({ movers: seen.movers, badges: seen.badges }));
      assert.ok(seen.movers > 0 && seen.badges > 0, 'messages or marks and badges are drawn at this moment');
      assert.deepEqual(seen.found, []);
      assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot
        .querySelectorAll('.cv-crown').length > 0), true);
      assert.deepEqual(errors, []);
    });
  }
}

const CARD_TOURS = [['first-election', 2], ['leader-crash', 3], ['joint-consensus', 1]];

for (const size of SIZES) {
  for (const [name, n] of CARD_TOURS) {
    test(`${name} moment ${n} at ${size.tag}: the tour card covers neither the narration nor a node`, async (t) => {
      const { page, errors } = await openTour(name, size, t);
      await toMoment(page, n);
      const m = await page.evaluate(() => {
        const root = document.querySelector('quorum-scope').shadowRoot;
        const rect = (el) => {
          const r = el.getBoundingClientRect();
          return { l: r.left, t: r.top, r: r.right, b: r.bottom };
        };
        const nar = root.querySelector('.qs-nar-body');
        return {
          card: rect(root.querySelector('.qs-tour-card')),
          narration: nar.getClientRects().length ? rect(nar) : null,
          nodes: [...root.querySelectorAll('.cv-nodes > [data-node-id] .cv-body')].map(rect),
          width: document.documentElement.scrollWidth,
        };
      });
      await shot(page, `lecture-card-${name}-${n}-${size.tag}`, t);
      const hit = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1;
      if (size.tag === '390') {
        // A phone stacks the narration under the picture and the card over it: it must stay on the screen.
        assert.ok(m.card.l >= 0 && m.card.r <= 390, `the card is within the phone's width: ${JSON.stringify(m.card)}`);
        assert.ok(m.width <= 390, `no sideways scrolling: ${m.width}px`);
      } else {
        assert.ok(m.narration, 'the narration shows');
        assert.equal(hit(m.card, m.narration), false, `card ${JSON.stringify(m.card)} over the narration ${JSON.stringify(m.narration)}`);
        assert.deepEqual(m.nodes.filter((b) => hit(m.card, b)), [], 'the card covers no node');
        assert.ok(m.card.b <= size.viewport.height, `the card is on screen: ${JSON.stringify(m.card)}`);
      }
      assert.deepEqual(errors, []);
    });
  }
}
