// Helpers shared by the browser tests (not a test file itself: the runner
// only picks up *.test.mjs).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the tests leave their screenshots (looked at by people, never asserted on). */
export const SHOTS = join(tmpdir(), 'quorumscope-shots');

/** Default time limit for a condition to become true in the page. */
export const WAIT = { timeout: 30_000 };

/** Dismisses the guided tour, which would otherwise stop a run at its moments. */
export function skipTour(page, selector = 'quorum-scope') {
  return page.locator(selector).locator('.qs-tour-card').getByRole('button', { name: 'Skip' }).click();
}

/** Waits until the (first) <quorum-scope> has a loaded cluster and drawn nodes. */
export async function ready(page, selector = 'quorum-scope') {
  await page.waitForFunction((sel) => {
    const host = document.querySelector(sel);
    return host?.cluster?.state && host.shadowRoot.querySelector('[data-node-id]');
  }, selector, WAIT);
}

/** Every drawn node's DOM contract: [{id, role, term}] by id. */
export function domNodes(page, selector = 'quorum-scope') {
  return page.evaluate((sel) => [...document.querySelector(sel).shadowRoot.querySelectorAll('[data-node-id]')]
    .map((g) => ({ id: Number(g.dataset.nodeId), role: g.dataset.role, term: Number(g.dataset.term) }))
    .sort((a, b) => a.id - b.id), selector);
}

/**
 * Steps the cluster one step at a time until `pred(app, events)` is true
 * (`pred` runs in the page; it must not close over test variables: pass
 * them in `arg`, read as `pred(app, events, arg)`). Returns the step count
 * reached; throws after `max` steps.
 */
export async function stepUntil(page, pred, { arg = null, max = 5000, selector = 'quorum-scope' } = {}) {
  return page.evaluate(({ src, arg, max, selector }) => {
    // eslint-disable-next-line no-eval
    const fn = (0, eval)(`(${src})`);
    const app = document.querySelector(selector).cluster;
    for (let i = 0; i < max; i++) {
      const events = app.step();
      if (fn(app, events, arg)) return app.state.step;
    }
    throw new Error(`condition not reached within ${max} steps: ${src}`);
  }, { src: pred.toString(), arg, max, selector });
}

/** Steps `n` times (on the App, like the Step button). */
export function steps(page, n, selector = 'quorum-scope') {
  return page.evaluate(({ n, selector }) => {
    const app = document.querySelector(selector).cluster;
    for (let i = 0; i < n; i++) app.step();
    return app.state.step;
  }, { n, selector });
}

/** The App's state as JSON text. */
export function stateJson(page, selector = 'quorum-scope') {
  return page.evaluate((sel) => JSON.stringify(document.querySelector(sel).cluster.state), selector);
}

/** Takes a screenshot into SHOTS and reports its path (screenshots are for people, not assertions). */
export async function shot(page, name, t) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (t?.diagnostic) t.diagnostic(`screenshot: ${path}`);
  else console.log(`screenshot: ${path}`);
  return path;
}

/** Resolves after the page has drawn two more frames (lets pending renders land). */
export function frames(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * Runs before the page's scripts: counts requestAnimationFrame, setTimeout
 * and setInterval calls (and timers still pending), and lets the test hide
 * and show the page (document.hidden / visibilityState + visibilitychange).
 */
export function instrument() {
  const counts = { raf: 0, rafRuns: 0, timeouts: 0, intervals: 0 };
  const pending = new Set();
  window.__qsCounts = counts;
  window.__qsPending = () => pending.size;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => {
    counts.raf += 1;
    return raf((t) => {
      counts.rafRuns += 1;
      cb(t);
    });
  };
  const setT = window.setTimeout.bind(window);
  const clearT = window.clearTimeout.bind(window);
  window.setTimeout = (fn, ms, ...args) => {
    counts.timeouts += 1;
    const id = setT((...a) => {
      pending.delete(id);
      if (typeof fn === 'function') fn(...a);
    }, ms, ...args);
    pending.add(id);
    return id;
  };
  window.clearTimeout = (id) => {
    pending.delete(id);
    clearT(id);
  };
  const setI = window.setInterval.bind(window);
  window.setInterval = (...args) => {
    counts.intervals += 1;
    return setI(...args);
  };
  let hidden = false;
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  window.__qsSetHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}

/**
 * Starts or continues the (first) element's guided tour and steps by hand
 * until its card shows moment `n`, at most `max` steps; whether it got there.
 */
export function stepToMoment(page, n, { max = 50_000, selector = 'quorum-scope' } = {}) {
  return page.evaluate(({ want, max, selector }) => {
    const host = document.querySelector(selector);
    const app = host.cluster;
    const card = host.shadowRoot.querySelector('.qs-tour-card');
    const at = () => !card.hidden && card.querySelector('.qs-tour-h').textContent.startsWith(`Moment ${want} `);
    for (let guard = 0; guard < max && !at(); guard += 1) {
      if (!card.hidden) {
        card.querySelector('.qs-tour-primary').click();
        app.pause();
      }
      app.step();
    }
    return at();
  }, { want: n, max, selector });
}
