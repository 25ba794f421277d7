// The custom-cluster form: nodes, witnesses, catching-up replicas, seed,
// election timeouts and the safety switches, checked as the user types and
// built into a scenario on submit.
import { el } from './dom.js';
import { SWITCHES } from './switches.js';

/**
 * Builds the form inside a <details>; `ctx` is the header's shared kit
 * (app, id, listen, say, fail, loadAndShow, setHash, hashForScenario).
 * Returns the element and `fillForm(scenario)`, which shows a scenario's shape.
 */
export function mountCustomCluster(ctx) {
  const { app, id, listen, say, fail, loadAndShow, setHash, hashForScenario } = ctx;
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
    // The quorum size is the core's fact; the form only states it (the
    // wasm is loaded before the first scenario shows, which fills the form).
    const quorum = app.bindings?.majorityNeeded(voters) ?? 0;
    const parts = [`${d} data voter${d === 1 ? '' : 's'}`];
    if (w) parts.push(`${w} witness${w === 1 ? '' : 'es'}`);
    if (l) parts.push(`${l} catching-up`);
    const offs = [...switchBoxes].filter(([, b]) => !b.checked).map(([k]) => k);
    summary.textContent = `${n} nodes: ${parts.join(', ')}.`
      + (quorum ? ` A quorum is ${quorum} of ${voters} voters, so it survives ${voters - quorum} failure${voters - quorum === 1 ? '' : 's'}.` : '')
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

  return { element: custom, fillForm };
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
