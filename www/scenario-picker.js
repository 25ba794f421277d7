// The scenario picker and what the chosen scenario shows, in a sentence or
// two (clamped, with More / Less).
import { builtinName, hashForScenario } from './share.js';
import { el } from './dom.js';

/** Most characters of a title and of an explanation shown (the file keeps all of them). */
const TITLE_CHARS = 300;
const EXPLAIN_CHARS = 5000;

function shorten(text, max) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Builds the picker and the description; `onShown(scenario)` runs when a
 * scenario is shown (the custom-cluster form mirrors it). Returns the
 * elements.
 */
export function mountScenarioPicker(ctx, onShown) {
  const { app, id, listen, say, fail, loadAndShow, setHash, cleanups } = ctx;
  /** Built-in name per scenario object (null when custom), filled as we learn it. */
  const names = ctx.names;
  let library = [];
  let shownScenario = null;
  const selectId = id('pick');
  const select = el('select', { id: selectId, class: 'qs-set-select', 'aria-label': 'Scenario' },
    el('option', { value: '', text: 'Loading scenarios…' }));
  const customOption = el('option', { value: '__custom', text: 'Custom / imported scenario', disabled: true });
  const pick = el('div', { class: 'qs-set-pick' }, el('label', { for: selectId, text: 'Scenario' }), select);
  const title = el('h2', { class: 'qs-set-title' });
  const explain = el('p', { class: 'qs-set-explain', id: id('explain') });
  const more = el('button', { type: 'button', class: 'qs-set-more', 'aria-expanded': 'false',
    'aria-controls': explain.id, text: 'More' });
  const about = el('div', { class: 'qs-set-about' }, title, explain, more);

  // ---- Scenario picker ---------------------------------------------------
  async function fillLibrary() {
    try {
      library = await app.library();
    } catch (e) {
      select.replaceChildren(el('option', { value: '', text: 'Scenarios unavailable' }));
      return;
    }
    const fundamentals = el('optgroup', { label: 'Fundamentals' });
    const off = el('optgroup', { label: 'Switches off' });
    // The model checker's shortest runs (`*-found`): marked as found, not written by hand.
    const found = el('optgroup', { label: 'Found by the model checker' });
    for (const entry of library) {
      const group = /-off$/.test(entry.name) ? off : /-found$/.test(entry.name) ? found : fundamentals;
      group.append(el('option', { value: entry.name, text: entry.title }));
    }
    select.replaceChildren(...[fundamentals, off, found].filter((g) => g.childElementCount), customOption);
    if (app.scenario) showScenario(app.scenario, true);
  }

  listen(select, 'change', async () => {
    const name = select.value;
    if (!name || name === '__custom') return;
    try {
      await loadAndShow(name, name);
      setHash(hashForScenario(name));
      say('');
    } catch (e) {
      fail(`Could not load “${name}”: ${e.message}`);
    }
  });

  listen(more, 'click', () => {
    const open = more.getAttribute('aria-expanded') !== 'true';
    more.setAttribute('aria-expanded', String(open));
    more.textContent = open ? 'Less' : 'More';
    explain.classList.toggle('qs-open', open);
  });

  /** Reflects a (newly) loaded scenario: picker, title, explanation, form. */
  async function showScenario(scenario, force = false) {
    if (scenario === shownScenario && !force) return;
    shownScenario = scenario;
    // Cut before layout: a 900 KB single-word title took the browser 27 s to lay out.
    title.textContent = shorten(scenario.title, TITLE_CHARS) || 'Untitled scenario';
    explain.textContent = shorten(scenario.explain, EXPLAIN_CHARS);
    explain.classList.remove('qs-open');
    more.setAttribute('aria-expanded', 'false');
    more.textContent = 'More';
    // Reading the sizes lays the text out now: "More" only when it is clamped.
    more.hidden = false;
    more.hidden = explain.scrollHeight <= explain.clientHeight + 2;
    onShown(scenario);
    let name = names.has(scenario) ? names.get(scenario) : undefined;
    if (name === undefined) {
      name = await builtinName(app).catch(() => null);
      names.set(scenario, name);
    }
    if (scenario !== shownScenario) return;
    if (name && library.some((e) => e.name === name)) {
      select.value = name;
      customOption.hidden = true;
    } else if (library.length) {
      customOption.hidden = false;
      select.value = '__custom';
    }
  }

  cleanups.push(app.on('update', () => {
    if (app.scenario && app.scenario !== shownScenario) showScenario(app.scenario);
  }));

  fillLibrary();
  if (app.scenario) showScenario(app.scenario);
  return { pick, about };
}
