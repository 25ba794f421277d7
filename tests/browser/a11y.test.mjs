// Accessibility: axe-core (pinned in package.json) finds no serious or
// critical violation on the page or on the embed example, shadow roots
// included, at rest and mid-election.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sharedEnv, open } from './harness.mjs';
import { ready, skipTour, stepUntil, WAIT } from './helpers.mjs';

const env = sharedEnv();
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');

/** Serious and critical violations, one line each: rule, impact, the first few targets. */
async function seriousViolations(page) {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')}`));
  return violations;
}

test('the page has no serious or critical axe-core violation, at rest and mid-election', async (t) => {
  const { page } = await open(env, '/www/index.html', { viewport: { width: 1280, height: 720 } }, t);
  await ready(page);
  assert.deepEqual(await seriousViolations(page), [], 'with the tour card showing');
  await skipTour(page);
  await stepUntil(page, (app) => app.state.nodes.some((n) => n.tally && !n.tally.probe) && app.state.messages.length > 2);
  assert.deepEqual(await seriousViolations(page), [], 'mid-election');
});

test('the embed example has no serious or critical axe-core violation', async (t) => {
  const { page } = await open(env, '/www/embed-example.html', { viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' }, t);
  await page.waitForFunction(() => [...document.querySelectorAll('quorum-scope')].every((h) => h.cluster?.state), null, WAIT);
  assert.deepEqual(await seriousViolations(page), []);
});
