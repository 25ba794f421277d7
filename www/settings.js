// The header: pick a scenario (what it shows, in a sentence or two), build
// a custom cluster, share the exact state as a link, export the scenario or
// the trace, import a scenario file. Every text that comes from a scenario
// or a file is set with textContent, never parsed as HTML.
import { readHash, applyHash, linkFor, hashForScenario, builtinName, takeHashProblem } from './share.js';
import { el } from './dom.js';

/** The eight teaching switches (PROTOCOL.md §10): label and what turning it off shows. */
export const SWITCHES = [
  ['pre_vote', 'Pre-vote',
    'Off: a node cut off in a minority keeps raising its term and, on heal, deposes a healthy leader.'],
  ['stickiness', 'Leader stickiness',
    'Off: with only one leader–follower link cut, that follower wins; leadership flaps between the two ends of the cut.'],
  ['check_quorum', 'Check quorum',
    'Off: a leader cut off in a minority keeps leading and accepts writes that are never acknowledged.'],
  ['durable_vote', 'Durable vote',
    'Off (vote kept in memory only): crash after voting, restart, vote again: two leaders in one term (election_safety).'],
  ['current_term_commit', 'Current-term commit',
    'Off: Raft\'s Figure 8: an entry of an earlier term is counted as committed, then overwritten.'],
  ['log_guards', 'Log guards',
    'Off (watermark rule and up-to-date check): a lagging node is elected and an acknowledged write disappears.'],
  ['watermark_rule', 'Watermark rule',
    'Off alone: still safe; the up-to-date check refuses instead (log_behind rather than watermark_not_covered).'],
  ['force_respects_vote_rule', 'Force respects vote rule',
    'Off: a forced handover installs a target that lacks committed entries (acked_write_lost).'],
];

const MAX_IMPORT_BYTES = 1_000_000;
/** Traces are longer than scenarios: a 10,000-step run is a few megabytes. */
const MAX_TRACE_BYTES = 20_000_000;
/** Lines the trace viewer renders (the count of the rest is shown). */
const TRACE_LINES_SHOWN = 2000;


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
  let library = [];
  let shownScenario = null;
  let lastHash = null;

  // ---- Scenario picker and its description ------------------------------
  const selectId = id('pick');
  const select = el('select', { id: selectId, class: 'qs-set-select', 'aria-label': 'Scenario' },
    el('option', { value: '', text: 'Loading scenarios…' }));
  const customOption = el('option', { value: '__custom', text: 'Custom / imported scenario', disabled: true });
  const pick = el('div', { class: 'qs-set-pick' }, el('label', { for: selectId, text: 'Scenario' }), select);

  const copyBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Copy link',
    title: 'Copy a link that reopens this exact scenario, your actions and the current step' });
  const exportScenarioBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Export scenario',
    title: 'Download the scenario as JSON, with your actions appended as script steps at their ticks' });
  const exportTraceBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Export trace',
    title: 'Download every event so far as JSON lines (.jsonl)' });
  const fileId = id('file');
  const fileInput = el('input', { id: fileId, type: 'file', accept: '.json,.jsonl,application/json', class: 'qs-set-file',
    tabindex: -1, 'aria-hidden': 'true' });
  const importBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Import…',
    title: 'Load a scenario file (.json)', 'aria-label': 'Import a scenario file (.json)' });
  const actions = el('div', { class: 'qs-set-actions', role: 'group', 'aria-label': 'Share and files' },
    copyBtn, exportScenarioBtn, exportTraceBtn, importBtn, fileInput);

  const title = el('h2', { class: 'qs-set-title' });
  const explain = el('p', { class: 'qs-set-explain', id: id('explain') });
  const more = el('button', { type: 'button', class: 'qs-set-more', 'aria-expanded': 'false',
    'aria-controls': explain.id, text: 'More' });
  const about = el('div', { class: 'qs-set-about' }, title, explain, more);

  const status = el('div', { class: 'qs-set-status', role: 'status', 'aria-live': 'polite' });
  const copyField = el('input', { type: 'text', readonly: true, class: 'qs-set-copyfield', 'aria-label': 'Link to this state' });
  const copyClose = el('button', { type: 'button', class: 'qs-set-btn', text: 'Done' });
  const copyBox = el('div', { class: 'qs-set-copybox', hidden: true },
    el('span', { text: 'Copy this link (Ctrl+C or ⌘C):' }), copyField, copyClose);

  // ---- Custom cluster ----------------------------------------------------
  const form = el('form', { class: 'qs-set-form', novalidate: true });
  const num = (name, label, min, max, value, hint) => {
    const inputId = id(name);
    const input = el('input', { id: inputId, type: 'number', name, min, max, step: 1, value, inputmode: 'numeric' });
    const field = el('div', { class: 'qs-set-field' }, el('label', { for: inputId, text: label }), input);
    if (hint) field.append(el('small', { text: hint }));
    return { field, input };
  };
  const nodes = num('nodes', 'Nodes', 3, 9, 5, '3 to 9 in all');
  const witnesses = num('witnesses', 'Witnesses', 0, 8, 0, 'vote, hold no data');
  const learners = num('learners', 'Catching-up', 0, 8, 0, 'replicas that do not vote yet');
  const seed = num('seed', 'Seed', 0, 4294967295, 1);
  const dice = el('button', { type: 'button', class: 'qs-set-dice', 'aria-label': 'Draw a random seed',
    title: 'Draw a random seed' }, diceIcon());
  seed.field.querySelector('input').after(dice);
  seed.field.classList.add('qs-set-seed');
  seed.field.append(el('small', { text: 'same seed, same run' }));
  const tmin = num('tmin', 'Timeout min', 6, 10000, 10, 'election, in ticks');
  const tmax = num('tmax', 'Timeout max', 6, 10000, 20, 'drawn at random between');

  const switchBoxes = new Map();
  const switchList = el('div', { class: 'qs-set-switches' });
  for (const [name, label, off] of SWITCHES) {
    const boxId = id(name);
    const tipId = id(`${name}-tip`);
    const box = el('input', { type: 'checkbox', id: boxId, name, checked: true, 'aria-describedby': tipId });
    switchBoxes.set(name, box);
    switchList.append(el('div', { class: 'qs-set-switch', title: off },
      box,
      el('label', { for: boxId }, el('span', { text: label }), el('code', { text: name })),
      el('small', { id: tipId, class: 'qs-set-tip', text: off })));
  }
  const switchSet = el('fieldset', { class: 'qs-set-switchset' },
    el('legend', { text: 'Safety mechanisms: uncheck one to see why it exists' }), switchList);

  const keepId = id('keep');
  const keepScript = el('input', { type: 'checkbox', id: keepId });
  const keep = el('div', { class: 'qs-set-keep' }, keepScript,
    el('label', { for: keepId, text: 'Keep the current scenario\'s script (its writes and faults)' }));

  const summary = el('p', { class: 'qs-set-summary', 'aria-live': 'polite' });
  const build = el('button', { type: 'submit', class: 'qs-set-build', text: 'Build cluster' });
  const reset = el('button', { type: 'button', class: 'qs-set-btn', text: 'Defaults' });

  form.append(
    el('div', { class: 'qs-set-grid' }, nodes.field, witnesses.field, learners.field, seed.field, tmin.field, tmax.field),
    switchSet, keep, summary, el('div', { class: 'qs-set-formbtns' }, build, reset));
  const custom = el('details', { class: 'qs-set-custom' }, el('summary', { text: 'Custom cluster' }), form);

  const root = el('div', { class: 'qs-settings' },
    el('div', { class: 'qs-set-bar' }, pick, actions), about, status, copyBox, custom);
  container.append(root);

  // ---- Helpers -------------------------------------------------------------
  const say = (text) => {
    status.textContent = text;
  };
  const fail = (text) => host.showError(text);

  const setHash = (hash) => {
    if (!useHash() || location.hash === hash) return;
    lastHash = hash;
    location.hash = hash;
  };

  async function loadAndShow(source, nameForHash) {
    const wasPlaying = app.playing;
    const scenario = await app.load(source);
    names.set(scenario, nameForHash ?? null);
    host.showError(null);
    copyBox.hidden = true;
    if (wasPlaying) app.play();
    return scenario;
  }

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
    for (const entry of library) {
      const group = /-off$/.test(entry.name) ? off : fundamentals;
      group.append(el('option', { value: entry.name, text: entry.title }));
    }
    select.replaceChildren(...[fundamentals, off].filter((g) => g.childElementCount), customOption);
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
    title.textContent = scenario.title || 'Untitled scenario';
    explain.textContent = scenario.explain || '';
    explain.classList.remove('qs-open');
    more.setAttribute('aria-expanded', 'false');
    more.textContent = 'More';
    // Reading the sizes lays the text out now: "More" only when it is clamped.
    more.hidden = false;
    more.hidden = explain.scrollHeight <= explain.clientHeight + 2;
    fillForm(scenario);
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

  // ---- Custom cluster ----------------------------------------------------
  const int = (input) => Number.parseInt(input.value, 10);

  function fillForm(s) {
    const members = s.cluster?.members ?? [];
    nodes.input.value = Math.min(9, Math.max(3, members.length || 5));
    witnesses.input.value = members.filter((m) => m.kind === 'witness').length;
    learners.input.value = members.filter((m) => m.state === 'catching_up').length;
    seed.input.value = Number.isSafeInteger(s.seed) ? s.seed : 1;
    const [lo, hi] = s.cluster?.election_ticks ?? [10, 20];
    tmin.input.value = lo;
    tmax.input.value = hi;
    for (const [name, box] of switchBoxes) box.checked = s.switches?.[name] !== false;
    refreshForm();
  }

  /** Checks the form; returns a readable problem or null, and updates the summary. */
  function problem() {
    const n = int(nodes.input);
    const w = int(witnesses.input);
    const l = int(learners.input);
    const lo = int(tmin.input);
    const hi = int(tmax.input);
    const sd = Number(seed.input.value);
    if (!(n >= 3 && n <= 9)) return 'Nodes must be 3 to 9.';
    if (!(w >= 0) || !(l >= 0)) return 'Witnesses and catching-up replicas cannot be negative.';
    if (w + l > n - 1) return `With ${n} nodes, witnesses + catching-up can be at most ${n - 1}: one voting data node must remain.`;
    if (!Number.isSafeInteger(sd) || sd < 0) return 'The seed must be a whole number, 0 or more.';
    if (!(lo >= 6)) return 'The minimum election timeout must be at least 6 ticks (two heartbeats of 3 ticks).';
    if (!(hi >= lo)) return 'The maximum election timeout must be at least the minimum.';
    if (hi > 10000) return 'The maximum election timeout must be at most 10000 ticks.';
    return null;
  }

  function refreshForm() {
    const bad = problem();
    build.disabled = Boolean(bad);
    if (bad) {
      summary.textContent = bad;
      summary.classList.add('qs-bad');
      return;
    }
    summary.classList.remove('qs-bad');
    const n = int(nodes.input);
    const w = int(witnesses.input);
    const l = int(learners.input);
    const d = n - w - l;
    const voters = d + w;
    const quorum = Math.floor(voters / 2) + 1;
    const parts = [`${d} data voter${d === 1 ? '' : 's'}`];
    if (w) parts.push(`${w} witness${w === 1 ? '' : 'es'}`);
    if (l) parts.push(`${l} catching-up`);
    const offs = [...switchBoxes].filter(([, b]) => !b.checked).map(([k]) => k);
    summary.textContent = `${n} nodes: ${parts.join(', ')}. A quorum is ${quorum} of ${voters} voters, so it survives `
      + `${voters - quorum} failure${voters - quorum === 1 ? '' : 's'}.`
      + (offs.length ? ` Switched off: ${offs.join(', ')}.` : ' Every safety mechanism on.')
      + (keepScript.checked ? '' : ' It starts with no script: act on it with the controls below (write, crash, cut a link…).');
  }
  listen(form, 'input', refreshForm);

  listen(dice, 'click', () => {
    seed.input.value = crypto.getRandomValues(new Uint32Array(1))[0];
    refreshForm();
  });

  listen(reset, 'click', () => {
    fillForm({ seed: 1, cluster: { members: [1, 2, 3, 4, 5].map((i) => ({ id: i })), election_ticks: [10, 20] }, switches: {} });
    keepScript.checked = false;
  });

  /** The scenario object the form describes. */
  function formScenario() {
    const n = int(nodes.input);
    const w = int(witnesses.input);
    const l = int(learners.input);
    const d = n - w - l;
    const members = [];
    for (let i = 1; i <= n; i++) {
      if (i <= d) members.push({ id: i });
      else if (i <= d + l) members.push({ id: i, state: 'catching_up' });
      else members.push({ id: i, kind: 'witness' });
    }
    const switches = {};
    for (const [name, box] of switchBoxes) switches[name] = box.checked;
    const offs = SWITCHES.filter(([name]) => !switches[name]);
    const shape = [`${n} nodes`];
    if (w) shape.push(`${w} witness${w === 1 ? '' : 'es'}`);
    if (l) shape.push(`${l} catching-up`);
    const lo = int(tmin.input);
    const hi = int(tmax.input);
    const explainText = [
      `A cluster you built: ${d} data voter${d === 1 ? '' : 's'}${w ? `, ${w} witness${w === 1 ? '' : 'es'} (they vote and count toward quorums but hold no data)` : ''}`
        + `${l ? `, ${l} catching-up replica${l === 1 ? '' : 's'} (replicated to, not voting until promoted)` : ''}.`,
      `Election timeouts are drawn from [${lo}, ${hi}] ticks with seed ${int(seed.input)}.`,
      offs.length
        ? `Switched off: ${offs.map(([name, , off]) => `${name} (${off.replace(/^Off[^:]*: /, '').replace(/\.$/, '')})`).join('; ')}.`
        : 'Every safety mechanism is on.',
    ].join(' ');
    const base = app.scenario;
    const keepIt = keepScript.checked && base;
    return {
      title: `Custom cluster: ${shape.join(', ')}${offs.length ? `, ${offs.map(([name]) => name).join(', ')} off` : ''}`,
      explain: keepIt ? `${explainText} Script from “${base.title}”.` : explainText,
      seed: int(seed.input),
      cluster: { members, election_ticks: [lo, hi] },
      switches,
      script: keepIt ? structuredClone(base.script ?? []) : [],
      run_until: keepIt ? Math.max(100000, base.run_until ?? 0) : 100000,
    };
  }

  listen(form, 'submit', async (ev) => {
    ev.preventDefault();
    const bad = problem();
    if (bad) {
      fail(bad);
      return;
    }
    const scenario = formScenario();
    try {
      await loadAndShow(JSON.stringify(scenario), null);
      setHash(hashForScenario(scenario));
      say(`Built: ${scenario.title}.`);
    } catch (e) {
      fail(`Could not build this cluster: ${e.message}`);
    }
  });

  // ---- Share, export, import -------------------------------------------
  listen(copyBtn, 'click', async () => {
    if (!app.cluster) return;
    let url;
    try {
      url = await linkFor(app, host);
    } catch (e) {
      fail(`Could not make a link: ${e.message}`);
      return;
    }
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      copyBox.hidden = true;
      say(`Link copied: it reopens this scenario at step ${app.cluster.stepCount()} with your ${app.cluster.inputs().length} action(s).`);
    } catch {
      copyField.value = url;
      copyBox.hidden = false;
      copyField.focus();
      copyField.select();
      say('The clipboard is not available here: the link is selected below, copy it by hand.');
    }
  });
  listen(copyClose, 'click', () => {
    copyBox.hidden = true;
    copyBtn.focus();
  });

  listen(exportScenarioBtn, 'click', () => {
    if (!app.cluster) return;
    try {
      const scenario = scenarioWithActions(app);
      download(`${slug(scenario.title)}.json`, `${JSON.stringify(scenario, null, 2)}\n`, 'application/json');
      const n = app.cluster.inputs().length;
      say(n ? `Exported the scenario with your ${n} action(s) as script steps.` : 'Exported the scenario.');
    } catch (e) {
      fail(`Could not export the scenario: ${e.message}`);
    }
  });

  listen(exportTraceBtn, 'click', () => {
    if (!app.cluster) return;
    download(`${slug(app.scenario?.title)}-trace.jsonl`, app.cluster.exportTrace(), 'application/x-ndjson');
    say(`Exported ${app.cluster.traceLength()} events up to step ${app.cluster.stepCount()}.`);
  });

  listen(importBtn, 'click', () => fileInput.click());
  listen(fileInput, 'change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    const label = `“${file.name}”`;
    if (file.name.endsWith('.jsonl')) {
      await importTrace(file, label);
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      fail(`Could not import ${label}: it is ${Math.round(file.size / 1000)} KB; a scenario file is at most ${MAX_IMPORT_BYTES / 1000} KB.`);
      return;
    }
    let text;
    let parsed;
    try {
      text = await file.text();
      parsed = JSON.parse(text);
    } catch (e) {
      fail(`Could not import ${label}: it is not valid JSON (${e.message}).`);
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail(`Could not import ${label}: a scenario file holds one JSON object.`);
      return;
    }
    try {
      const scenario = await loadAndShow(JSON.stringify(parsed), null);
      setHash(hashForScenario(scenario));
      say(`Imported ${label}: ${scenario.title || 'untitled scenario'}.`);
    } catch (e) {
      fail(`Could not import ${label}: ${e.message}`);
    }
  });

  // ---- Trace files: read back and shown as narration, read-only ---------
  let traceView = null;
  const importTrace = async (file, label) => {
    if (file.size > MAX_TRACE_BYTES) {
      fail(`Could not import ${label}: it is ${Math.round(file.size / 1e6)} MB; a trace file is at most ${MAX_TRACE_BYTES / 1e6} MB.`);
      return;
    }
    let events;
    try {
      // The core's own reader validates every line (kind, fields) and names
      // the line that is wrong.
      events = app.bindings.importTrace(await file.text());
    } catch (e) {
      fail(`Could not import ${label}: ${e?.message ?? e}`);
      return;
    }
    traceView?.remove();
    const close = el('button', { type: 'button', text: 'Close' });
    const list = el('ol', { class: 'qs-set-trace-lines' });
    for (const e of events.slice(0, TRACE_LINES_SHOWN)) {
      list.append(el('li', { text: `step ${e.step} · tick ${e.tick} · ${e.text}` }));
    }
    const more = events.length > TRACE_LINES_SHOWN ? ` (the first ${TRACE_LINES_SHOWN} shown)` : '';
    traceView = el('section', { class: 'qs-set-trace', 'aria-label': 'Imported trace' },
      el('div', { class: 'qs-set-trace-head' },
        el('strong', { text: `Imported trace ${label}: ${events.length} events${more}` }), close),
      list);
    container.append(traceView);
    listen(close, 'click', () => {
      traceView?.remove();
      traceView = null;
    });
    host.showError(null);
    say(`Imported ${label}: ${events.length} trace events, shown read-only below the header.`);
  };

  // ---- Back and forward through scenarios --------------------------------
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

  fillLibrary();
  if (app.scenario) showScenario(app.scenario);

  return () => {
    for (const fn of cleanups) fn();
    root.remove();
  };
}

/**
 * The loaded scenario with the operator's commands appended as script
 * steps at the tick each was given (found by replaying a copy of the run).
 * A command given between deliveries of a tick runs at the start of that
 * tick when the file is replayed.
 */
export function scenarioWithActions(app) {
  const scenario = structuredClone(app.scenario);
  const inputs = app.cluster.inputs();
  if (!inputs.length) return scenario;
  const copy = app.bindings.Cluster.fromScenario(JSON.stringify(app.scenario));
  const steps = [];
  try {
    for (const [at, command] of inputs) {
      copy.seek(at);
      const { tick } = copy.state();
      copy.command(command);
      steps.push({ at: tick, ...command });
    }
  } finally {
    copy.free();
  }
  const script = [...(scenario.script ?? []), ...steps];
  // Stable by tick: the scenario's own steps first at equal ticks, as they ran.
  scenario.script = script.map((s, i) => [s, i]).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map(([s]) => s);
  const lastTick = steps[steps.length - 1].at;
  scenario.run_until = Math.max(scenario.run_until ?? 0, lastTick + 100);
  return scenario;
}

/** A die showing five, drawn in SVG (no emoji font needed). */
function diceIcon() {
  const NS = 'http://www.w3.org/2000/svg';
  const icon = document.createElementNS(NS, 'svg');
  icon.setAttribute('viewBox', '0 0 16 16');
  icon.setAttribute('width', '16');
  icon.setAttribute('height', '16');
  icon.setAttribute('aria-hidden', 'true');
  const rect = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ x: 1.5, y: 1.5, width: 13, height: 13, rx: 3, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 })) {
    rect.setAttribute(k, String(v));
  }
  icon.append(rect);
  for (const [cx, cy] of [[5, 5], [11, 5], [8, 8], [5, 11], [11, 11]]) {
    const dot = document.createElementNS(NS, 'circle');
    dot.setAttribute('cx', String(cx));
    dot.setAttribute('cy', String(cy));
    dot.setAttribute('r', '1.3');
    dot.setAttribute('fill', 'currentColor');
    icon.append(dot);
  }
  return icon;
}

function slug(text) {
  const s = String(text ?? 'scenario').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  return s || 'scenario';
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
