// The header: pick a scenario (what it shows, in a sentence or two), build
// a custom cluster, share the exact state as a link, export the scenario or
// the trace, import a scenario file. This module assembles the parts and
// owns what they share (status line, loading, the address bar); every text
// that comes from a scenario or a file is set with textContent, never parsed
// as HTML.
import { readHash, applyHash, hashForScenario, takeHashProblem, ownAddressBar } from './share.js';
import { el } from './dom.js';
import { mountScenarioPicker } from './scenario-picker.js';
import { mountCustomCluster } from './custom-cluster.js';
import { mountShareActions } from './share-actions.js';

let uid = 0;

export function mountSettings(container, app, host) {
  const id = (name) => `qs-set-${name}-${++uid}`;
  const cleanups = [];
  const listen = (target, type, fn, opts) => {
    target.addEventListener(type, fn, opts);
    cleanups.push(() => target.removeEventListener(type, fn, opts));
  };
  const useHash = () => host.hasAttribute('use-hash');
  /** Scenario object → built-in name (null when custom), filled as we learn it. */
  const names = new WeakMap();
  let lastHash = null;
  const status = el('div', { class: 'qs-set-status', role: 'status', 'aria-live': 'polite' });
  const say = (text) => {
    status.textContent = text;
  };
  const fail = (text) => host.showError(text);
  const setHash = (hash) => {
    if (!useHash() || location.hash === hash) return;
    lastHash = hash;
    location.hash = hash;
  };
  ownAddressBar(host, setHash);
  let share = null;
  async function loadAndShow(source, nameForHash) {
    const wasPlaying = app.playing;
    const scenario = await app.load(source);
    names.set(scenario, nameForHash ?? null);
    host.showError(null);
    if (share) share.copyBox.hidden = true;
    if (wasPlaying) app.play();
    return scenario;
  }
  const ctx = { app, host, container, id, listen, cleanups, names, say, fail, setHash, loadAndShow, hashForScenario };

  const custom = mountCustomCluster(ctx);
  share = mountShareActions(ctx);
  const picker = mountScenarioPicker(ctx, custom.fillForm);
  const root = el('div', { class: 'qs-settings' },
    el('div', { class: 'qs-set-bar' }, picker.pick, share.actions), picker.about, status, share.copyBox, custom.element);
  container.append(root);

  listen(window, 'hashchange', async () => {
    if (!useHash() || location.hash === lastHash) return;
    lastHash = location.hash;
    const parsed = readHash(location.hash);
    takeHashProblem();
    if (!parsed) return;
    if (parsed.error) {
      fail(parsed.error);
      return;
    }
    try {
      await applyHash(app, parsed.value);
      host.showError(null);
    } catch (e) {
      takeHashProblem();
      fail(e.message);
    }
  });

  // A bad link on start: quorum-scope shows its error, then loads the default
  // scenario, whose success clears the error box. Show the link's problem
  // again once that settles, so the reader learns why the link did not open.
  if (useHash()) {
    const off = app.on('update', () => {
      off();
      setTimeout(() => {
        const problem = takeHashProblem();
        if (problem && host.shadowRoot?.querySelector('.qs-error')?.hidden) host.showError(problem);
      }, 0);
    });
    cleanups.push(off);
  }

  return () => {
    for (const fn of cleanups) fn();
    root.remove();
  };
}
