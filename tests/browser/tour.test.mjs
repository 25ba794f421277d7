// The guided tour in a lecture hall: dismissing the card by keyboard does
// not move the picture, the card is a Tab press or two from the start, a
// handover moment's caption names the phase the banner shows, and on a
// phone the caption is not cut mid-sentence, and a tour dismissed once is
// not offered again unasked. (Screenshots of every built-in tour moment:
// tools/tour-shots.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEnv, open } from './harness.mjs';
import { domNodes, ready, stepToMoment, WAIT } from './helpers.mjs';

const env = sharedEnv();

const card = (page) => page.locator('quorum-scope').locator('.qs-tour-card');

/** Plays the tour (fast) to moment `n`; returns the card's caption and the banner's current phase. */
async function toMoment(page, n) {
  await page.waitForFunction((want) => {
    const host = document.querySelector('quorum-scope');
    const c = host.shadowRoot.querySelector('.qs-tour-card');
    if (c.hidden) return false;
    const h = c.querySelector('.qs-tour-h').textContent;
    if (h.startsWith(`Moment ${want} `)) return true;
    // Not there yet: go on from the moment (or intro) on screen.
    c.querySelector('.qs-tour-primary').click();
    return false;
  }, n, { ...WAIT, polling: 200 });
  return page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const now = root.querySelector('.bn-step[aria-current="step"]');
    return {
      caption: root.querySelector('.qs-tour-caption').textContent,
      phase: now?.textContent ?? '',
    };
  });
}

test('dismissing the tour card with the keyboard moves neither the page nor the picture', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await card(page).getByRole('button', { name: 'Skip' }).waitFor(WAIT);
  const where = () => page.evaluate(() => ({
    scroll: document.scrollingElement.scrollTop,
    stage: document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-stage').getBoundingClientRect().top,
  }));
  const before = await where();
  await card(page).getByRole('button', { name: 'Skip' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tour-card').hidden, null, WAIT);
  const after = await where();
  assert.deepEqual(after, before, 'the page and the picture stay where they were');
  assert.deepEqual(errors, []);
});

test('the tour card is reached in a few Tab presses from the start of the page', async (t) => {
  const { page } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await card(page).getByRole('button', { name: 'Start tour ▶' }).waitFor(WAIT);
  let presses = 0;
  for (; presses < 40; presses += 1) {
    const inCard = await page.evaluate(() => {
      const root = document.querySelector('quorum-scope').shadowRoot;
      return Boolean(root.activeElement?.closest('.qs-tour-card'));
    });
    if (inCard) break;
    await page.keyboard.press('Tab');
  }
  t.diagnostic(`${presses} Tab presses to the tour card (37 before)`);
  assert.ok(presses <= 3, `${presses} Tab presses to reach the tour card`);
});

test('a handover moment names the phase the banner shows (coordinated-failover, moment 1)', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=coordinated-failover', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  await page.evaluate(() => {
    document.querySelector('quorum-scope').cluster.ticksPerSecond = 64;
  });
  const m = await toMoment(page, 1);
  t.diagnostic(JSON.stringify(m));
  const phase = m.phase.replace(/[^A-Za-z ]/g, '').trim();
  assert.equal(phase, 'Catch up', 'the banner is at catch-up');
  assert.ok(m.caption.toLowerCase().replace(/-/g, ' ').includes(phase.toLowerCase()), `the caption names it: ${m.caption}`);
  assert.deepEqual(errors, []);
});

test('on a phone (390 px) the tour caption is shown whole', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=coordinated-failover', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, t);
  await ready(page);
  await page.evaluate(() => {
    document.querySelector('quorum-scope').cluster.ticksPerSecond = 64;
  });
  for (const n of [1, 3]) {
    await toMoment(page, n);
    const fit = await page.evaluate(() => {
      const c = document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tour-card');
      const cap = c.querySelector('.qs-tour-caption');
      const r = c.getBoundingClientRect();
      return { cut: cap.scrollHeight - cap.clientHeight, left: r.left, right: r.right, width: innerWidth };
    });
    t.diagnostic(JSON.stringify(fit));
    assert.ok(fit.cut <= 2, `moment ${n}: ${fit.cut} px of the caption hidden`);
    assert.ok(fit.left >= 0 && fit.right <= fit.width, `moment ${n}: the card fits the screen's width`);
  }
  assert.deepEqual(errors, []);
});

test('at 1280×720, under a violation and a handover banner, the card over the narration shows its whole caption: "What just happened" gives way', async (t) => {
  const { page, errors } = await open(env, '/www/index.html#scenario=current-term-commit-found', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  assert.ok(await stepToMoment(page, 6, { max: 500 }), 'moment 6 reached');
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tour-card').style.visibility === '', null, WAIT);
  const fit = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const c = root.querySelector('.qs-tour-card');
    const cap = c.querySelector('.qs-tour-caption');
    const side = root.querySelector('.qs-side').getBoundingClientRect();
    const logs = root.querySelector('.qs-logs').getBoundingClientRect();
    const r = c.getBoundingClientRect();
    return { cut: cap.scrollHeight - cap.clientHeight, words: cap.textContent.length, bottom: r.bottom, side: side.bottom,
      logs: logs.top, banners: root.querySelectorAll('.qs-banner .bn-box').length,
      event: c.querySelector('.qs-tour-event').getBoundingClientRect().height };
  });
  t.diagnostic(JSON.stringify(fit));
  assert.ok(fit.banners >= 2, 'the violation and the handover banners are both shown');
  assert.ok(fit.words > 200 && fit.cut <= 2, `${fit.cut} px of the caption hidden`);
  assert.ok(fit.bottom <= fit.side && fit.bottom <= fit.logs, 'the card stays over the narration, off the logs');
  assert.deepEqual(errors, []);
});

test('a dismissed tour is not offered again when another scenario loads; the Guided tour button starts it', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  const host = page.locator('quorum-scope');
  const hidden = () => page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-tour-card').hidden);
  await card(page).getByRole('button', { name: 'Skip' }).click();
  assert.equal(await hidden(), true);
  // Another scenario with a tour, loaded as the scenario picker does.
  await page.evaluate(() => document.querySelector('quorum-scope').cluster.load('leader-crash'));
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenarioName === 'leader-crash', null, WAIT);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await hidden(), true, 'the tour card stays dismissed after loading another scenario');
  // Asked for: the button brings the intro card back, from the run's start.
  await page.evaluate(() => {
    const app = document.querySelector('quorum-scope').cluster;
    for (let i = 0; i < 30; i += 1) app.step();
  });
  await host.getByRole('button', { name: 'Guided tour ▶' }).click();
  await card(page).getByRole('button', { name: 'Start tour ▶' }).waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.querySelector('quorum-scope').cluster.state.step), 0, 'the tour starts from step 0');
  assert.equal(await host.getByRole('button', { name: 'Guided tour ▶' }).isVisible(), false, 'the button hides while the card shows');
  assert.deepEqual(errors, []);
});

test('the model checker\'s runs are listed apart, marked as found, and their tours end on the violation', async (t) => {
  const { page, errors } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  const FOUND = ['durable-vote-found', 'current-term-commit-found', 'log-guards-found', 'force-vote-rule-found'];
  await page.waitForFunction(() => document.querySelector('quorum-scope').shadowRoot
    .querySelector('.qs-header select option[value="log-guards-found"]'), null, WAIT);
  const groups = await page.evaluate(() => [...document.querySelector('quorum-scope').shadowRoot
    .querySelectorAll('.qs-header select optgroup')]
    .map((g) => ({ label: g.label, names: [...g.querySelectorAll('option')].map((o) => o.value) })));
  t.diagnostic(JSON.stringify(groups.map((g) => [g.label, g.names.length])));
  const found = groups.find((g) => g.label === 'Found by the model checker');
  assert.deepEqual(found?.names, FOUND, 'the found group holds exactly the model checker\'s runs');
  for (const g of groups.filter((x) => x !== found)) {
    assert.ok(!g.names.some((n) => FOUND.includes(n)), `${g.label} holds no found run`);
  }
  // Its tour, picked from the group, ends on the violation, with the banner saying so.
  await page.locator('quorum-scope .qs-header select').selectOption('log-guards-found');
  await page.waitForFunction(() => document.querySelector('quorum-scope').cluster.scenarioName === 'log-guards-found', null, WAIT);
  await page.evaluate(() => {
    document.querySelector('quorum-scope').cluster.ticksPerSecond = 64;
  });
  const m = await toMoment(page, 4);
  assert.match(m.caption, /leader_completeness/);
  const banner = await page.evaluate(() => document.querySelector('quorum-scope').shadowRoot.querySelector('.qs-banner')?.textContent ?? '');
  t.diagnostic(banner.slice(0, 200));
  assert.match(banner, /leader.completeness/i, 'the banner names the violation');
  assert.deepEqual(errors, []);
});

/** At moment `n` of the loaded tour (stepped to, one step at a time): its caption, the banner's text and the drawn nodes. */
async function atMoment(page, n) {
  assert.ok(await stepToMoment(page, n, { max: 500 }), `moment ${n} reached`);
  const shown = await page.evaluate(() => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    return { caption: root.querySelector('.qs-tour-caption').textContent, banner: root.querySelector('.qs-banner')?.textContent ?? '' };
  });
  return { ...shown, nodes: await domNodes(page) };
}

// A found run's moves at one tick were once one step: every moment at that
// tick showed the picture after all of them (both votes cast and the
// banner red before the card said node 1 had even restarted). Now a
// scripted delivery is a step of its own, and each picture is its caption's.
test('a found tour\'s picture at each moment is the one its caption describes', async (t) => {
  const viewport = { width: 1280, height: 720 };
  const vote = await open(env, '/www/index.html#scenario=durable-vote-found', { viewport }, t);
  await ready(vote.page);
  const both = await atMoment(vote.page, 2);
  t.diagnostic(JSON.stringify(both));
  assert.match(both.caption, /both now start term 1 as candidates/);
  assert.deepEqual(both.nodes.slice(0, 2).map((n) => [n.role, n.term]), [['candidate', 1], ['candidate', 1]], 'nodes 1 and 2 stand in term 1');
  assert.ok(!both.nodes.some((n) => n.role === 'crashed'), 'no node has crashed yet');
  assert.doesNotMatch(both.banner, /double.vote/i, 'no vote is cast twice yet');
  const twice = await atMoment(vote.page, 3);
  assert.match(twice.caption, /crashes and restarts/);
  assert.match(twice.banner, /double.vote/i, 'the banner names the double vote the caption tells');
  assert.deepEqual(twice.nodes[0], { id: 1, role: 'follower', term: 1 }, 'node 1 is back, a follower in term 1');
  assert.deepEqual(vote.errors, []);

  const guards = await open(env, '/www/index.html#scenario=log-guards-found', { viewport }, t);
  await ready(guards.page);
  const committed = await atMoment(guards.page, 1);
  t.diagnostic(JSON.stringify(committed));
  assert.match(committed.caption, /entry 1 is committed/);
  assert.equal(await guards.page.locator('quorum-scope .bn-step').count(), 0, 'no failover is under way yet');
  assert.deepEqual(committed.nodes.map((n) => n.role), ['leader', 'follower', 'follower']);
  const granted = await atMoment(guards.page, 3);
  t.diagnostic(JSON.stringify(granted));
  assert.match(granted.caption, /node 1 grants on the term alone/);
  assert.deepEqual(granted.nodes[2], { id: 3, role: 'candidate', term: 2 }, 'node 3 asks; it does not lead yet');
  assert.doesNotMatch(granted.banner, /leader.completeness/i);
  const broken = await atMoment(guards.page, 4);
  assert.deepEqual(broken.nodes[2], { id: 3, role: 'leader', term: 2 });
  assert.match(broken.banner, /leader.completeness/i);
  assert.deepEqual(guards.errors, []);
});
