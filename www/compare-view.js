// "Compare": the loaded scenario (run A) beside the same scenario and seed
// with one difference (run B), as two cluster pictures moved by the page's
// one transport: B follows A's step, whatever moved it (play, step, seek,
// the tour). The core finds and explains the first step where the traces
// differ and summarizes what differs (`compareScenarios`, src/compare.rs);
// this draws it: a marker on both runs' timelines, the explanation, the
// list. Loaded on demand (quorum-scope.js imports it when opened); the
// comparison is in the lab module (www/lab.js), loaded with it.
import { App, messageOf } from './app.js';
import { loadLab } from './lab.js';
import { mountCluster } from './cluster-view.js';
import { el, setText } from './dom.js';
import { readPatch, applyPatch, describePatch, suggestions } from './compare-patch.js';

const SHEET = new URL('./compare-view.css', import.meta.url);
const SVG = 'http://www.w3.org/2000/svg';

/**
 * Mounts the view in `container` for `app` (run A) inside `host` (the
 * <quorum-scope> element). Returns {set(patch), unmount}; `set` takes JSON
 * text or an object and never throws: a problem is shown in the view.
 */
export function mountCompare(container, app, host) {
  // B's events stay out of the host's qs-* DOM events: they are not the page's run.
  const appB = new App(document.createElement('div'));
  let patch = null;
  let result = null;
  let scenarioA = null;

  const ids = { title: uid('title'), input: uid('input'), hint: uid('hint') };
  const sheet = el('link', { rel: 'stylesheet', href: SHEET.href });
  const title = el('h2', { class: 'qs-cmp-title', id: ids.title, text: 'Compare with a variant' });
  const input = el('input', { type: 'text', class: 'qs-cmp-input', id: ids.input, spellcheck: 'false',
    autocomplete: 'off', 'aria-describedby': ids.hint });
  const hint = el('span', { class: 'qs-cmp-hint', id: ids.hint,
    text: 'Scenario fields B changes, as JSON: {"switches":{"pre_vote":false}}, {"cluster":{"election_ticks":[10,10]}}…' });
  const presets = el('select', { class: 'qs-cmp-presets', 'aria-label': 'Try a difference' });
  const form = el('form', { class: 'qs-cmp-form' },
    el('label', { for: input.id, text: 'B differs from A by' }), input,
    el('button', { type: 'submit', text: 'Compare' }), presets, hint);
  const close = el('button', { type: 'button', class: 'qs-cmp-close', text: 'Close compare' });
  const error = el('p', { class: 'qs-cmp-error', role: 'alert', hidden: true });
  const labelA = el('h3', { text: 'A: as loaded' });
  const labelB = el('h3', { text: 'B' });
  // Each pane is a root of its own with no controls: the panes only show
  // (no node menu, no presenting); commands go through the page's own
  // picture, and A's are mirrored to B.
  const stageA = el('div', { class: 'qs-cmp-stage qs-root', 'data-controls': 'none' });
  const stageB = el('div', { class: 'qs-cmp-stage qs-root', 'data-controls': 'none' });
  const panes = el('div', { class: 'qs-cmp-panes' },
    el('section', { class: 'qs-cmp-pane', 'aria-label': 'Run A' }, labelA, stageA),
    el('section', { class: 'qs-cmp-pane', 'aria-label': 'Run B' }, labelB, stageB));
  const timelines = svg('svg', { class: 'qs-cmp-timelines', role: 'img', viewBox: '0 0 1000 64',
    preserveAspectRatio: 'none' });
  const runs = el('p', { class: 'qs-cmp-runs' });
  const where = el('p', { class: 'qs-cmp-step', role: 'status' });
  const headline = el('p', { class: 'qs-cmp-headline' });
  const goto = el('button', { type: 'button', class: 'qs-cmp-goto', hidden: true });
  const onlyLists = el('div', { class: 'qs-cmp-only' });
  const summary = el('ul', { class: 'qs-cmp-summary', 'aria-label': 'What differs by the end' });
  const view = el('section', { class: 'qs-compare', 'aria-labelledby': ids.title },
    sheet, el('div', { class: 'qs-cmp-head' }, title, close), form, error, panes,
    el('div', { class: 'qs-cmp-divergence' }, runs, timelines, where, headline, goto, onlyLists), summary);
  container.prepend(view);

  // Pane B's picture plays and pauses run A (clicking a pane toggles play):
  // one transport for both. B itself never plays, it follows A's step.
  const paneB = Object.create(appB, {
    play: { value: () => app.play() },
    pause: { value: () => app.pause() },
    playing: { get: () => app.playing },
  });
  const offs = [mountCluster(stageA, app, host), mountCluster(stageB, paneB, host),
    app.on('play', (playing) => appB.emit('play', playing))];

  function showError(message) {
    error.hidden = !message;
    error.textContent = message ?? '';
  }

  /** Builds run B from A's scenario and the patch, and asks the core what differs. */
  async function set(raw) {
    const read = readPatch(raw);
    if (read.error) return showError(read.error);
    patch = read.value;
    input.value = JSON.stringify(patch);
    if (!app.scenario) return;
    scenarioA = app.scenario;
    const lab = loadLab(); // fetched while B loads
    lab.catch(() => {}); // its failure is reported below, once awaited
    const merged = applyPatch(scenarioA, patch);
    try {
      await appB.load(JSON.stringify(merged));
    } catch (e) {
      return fail(`B is not a valid scenario: ${messageOf(e)}`);
    }
    const textA = JSON.stringify(scenarioA);
    const textB = JSON.stringify(appB.scenario);
    if (textA === textB) {
      return fail(`B is the same scenario as A: ${describePatch(patch).join(', ')} changes no field the scenario reads.`);
    }
    let compareScenarios;
    try {
      ({ compareScenarios } = await lab);
    } catch (e) {
      return fail(`Compare could not load its part of the simulator: ${messageOf(e)}`);
    }
    try {
      result = compareScenarios(textA, textB);
    } catch (e) {
      return fail(messageOf(e));
    }
    app.compare = patch;
    showError(null);
    setText(labelB, `B: ${describePatch(patch).join(', ')}`);
    renderResult();
    follow();
    host.dispatchEvent(new CustomEvent('qs-compare', { bubbles: true, composed: true,
      detail: { compare: patch, divergence: result.divergence?.step ?? null } }));
  }

  function fail(message) {
    result = null;
    app.compare = null;
    appB.cluster?.free();
    appB.cluster = null;
    appB.state = null;
    showError(message);
    renderResult();
  }

  /** B to A's step: the one transport moves both. */
  function follow() {
    if (app.scenario !== scenarioA && patch) {
      set(patch); // A loaded another scenario: the same difference, on it
      return;
    }
    if (!appB.cluster || !app.cluster) return;
    const step = app.cluster.stepCount();
    if (appB.cluster.stepCount() !== step) appB.seek(step);
    drawTimelines(step);
  }

  /** A's operator commands go to B too, at the same step, so the runs keep one difference. */
  function mirror(command) {
    if (!appB.cluster) return;
    const step = app.cluster.stepCount();
    if (appB.cluster.stepCount() !== step) appB.seek(step);
    try {
      appB.command(command);
    } catch (e) {
      showError(`B could not run A's command ${command.do}: ${messageOf(e)}`);
    }
  }

  function renderResult() {
    const d = result?.divergence;
    panes.hidden = !result; // no B to show until a difference has run
    setText(headline, !result ? '' : d ? d.headline : 'The two runs never differ: every step has the same events.');
    goto.hidden = !d;
    if (d) setText(goto, `Go to the first divergence (step ${d.step})`);
    onlyLists.replaceChildren(...(d ? [only('Only in A', d.only_a), only('Only in B', d.only_b)] : []));
    summary.replaceChildren(...summaryItems(result?.summary ?? []));
    drawTimelines(app.cluster?.stepCount() ?? 0);
  }

  function only(label, events) {
    if (!events.length) return el('p', { text: `${label}: nothing.` });
    const list = el('ul', { 'aria-label': label });
    for (const e of events) list.append(el('li', { text: `${e.kind}: ${e.text}` }));
    return el('div', {}, el('h4', { text: label }), list);
  }

  function drawTimelines(step) {
    timelines.replaceChildren();
    if (!result) return;
    const total = Math.max(1, ...result.steps);
    const x = (s) => (Math.min(s, total) / total) * 1000;
    const d = result.divergence;
    ['A', 'B'].forEach((name, i) => {
      const y = 8 + i * 28;
      timelines.append(svg('rect', { class: `qs-cmp-run qs-cmp-run-${name}`, x: 0, y, width: x(result.steps[i]), height: 20,
        'data-run': name }));
      if (d) timelines.append(svg('rect', { class: 'qs-cmp-mark', x: x(d.step) - 2, y: y - 4, width: 4, height: 28,
        'data-step': d.step, 'data-run': name }));
    });
    setText(runs, `Timelines: A above (${result.steps[0]} steps), B below (${result.steps[1]} steps)${d ? '; the red mark is the first divergence' : ''}. Click to seek.`);
    timelines.append(svg('rect', { class: 'qs-cmp-playhead', x: x(step) - 1, y: 0, width: 2, height: 64 }));
    timelines.setAttribute('aria-label', d
      ? `Both runs take ${result.steps.join(' and ')} steps; they first differ at step ${d.step}; now at step ${step}.`
      : `The runs never differ; now at step ${step}.`);
    setText(where, d ? `Step ${step}: ${step < d.step ? 'before' : step === d.step ? 'at' : 'after'} the first divergence (step ${d.step}).`
      : `Step ${step}.`);
  }

  timelines.addEventListener('click', (e) => {
    if (!result) return;
    const rect = timelines.getBoundingClientRect();
    const total = Math.max(1, ...result.steps);
    app.seek(Math.round(((e.clientX - rect.left) / rect.width) * total));
  });
  goto.addEventListener('click', () => result?.divergence && app.seek(result.divergence.step + 1));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    set(input.value);
  });
  presets.append(el('option', { value: '', text: 'Try a difference…' }));
  const fillPresets = () => {
    presets.length = 1;
    for (const [label, p] of suggestions(app.scenario ?? {})) presets.append(el('option', { value: JSON.stringify(p), text: label }));
  };
  fillPresets();
  presets.addEventListener('change', () => {
    if (presets.value) set(presets.value);
    presets.value = '';
  });
  close.addEventListener('click', () => host.closeCompare?.());
  offs.push(app.on('update', () => {
    if (app.scenario !== scenarioA) fillPresets();
    follow();
  }));
  offs.push(app.on('command', mirror));
  renderResult();

  return {
    set,
    unmount() {
      for (const off of offs) off();
      app.compare = null;
      appB.destroy();
      view.remove();
    },
  };
}

let counter = 0;
function uid(name) {
  counter += 1;
  return `qs-cmp-${name}-${counter}`;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function summaryItems(rows) {
  const items = [];
  const same = [];
  for (const row of rows) {
    if (row.same) same.push(row.topic);
    else items.push(el('li', {}, el('strong', { text: `${row.topic}: ` }), `A ${row.a} · B ${row.b}`));
  }
  if (same.length) items.push(el('li', { class: 'qs-cmp-same', text: `Same in both: ${same.join(', ')}.` }));
  return items;
}
