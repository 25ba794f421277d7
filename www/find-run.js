// "Find a run where…": the model checker (src/explore, the search behind
// `quorumscope explore`) in the page. The reader picks what to find (a
// safety violation, or one of the explorer's teaching goals), a switch to
// turn off, a cluster shape and the bounds; the search runs breadth-first
// in a Web Worker on the lab module (www/lab.js, find-run-worker.js), with
// its progress after each depth and every few thousand states within one,
// and a Cancel that ends the worker (keeping a run the walks found while
// the searches for a shorter one went on). The
// shortest run found loads into the picture as an ordinary scenario (play,
// step, back, Copy link), with the explorer's own account of it. Every
// choice offered and every sentence about a result comes from the
// explorer's catalog and report; nothing here knows the protocol. Loaded
// on demand, with its stylesheet, when the reader first opens the panel.
import { el, setText } from './dom.js';
import { labModule, loadLab } from './lab.js';
import { showInAddressBar } from './share.js';

const STYLESHEET = new URL('./find-run.css', import.meta.url);

/** How often the elapsed time is redrawn while a search runs. */
const CLOCK_MS = 250;

/** The bounds' fields, in the form's order: [key, label]. */
const BOUNDS = [
  ['depth', 'Moves at most (depth)'],
  ['writes', 'Client writes'],
  ['crashes', 'Crashes'],
  ['drops', 'Dropped messages'],
  ['duplicates', 'Duplicated messages'],
  ['handovers', 'Handovers'],
  ['snapshots', 'Snapshots'],
  ['in_flight', 'Messages in flight'],
  ['term', 'Highest term'],
];

let uid = 0;
const count = (n) => Number(n).toLocaleString('en');

/** "3 voters + 1 witness", from a shape's members as the explorer lists them. */
function describeMembers(members) {
  const kinds = new Map();
  for (const m of members) {
    const kind = m.kind === 'witness' ? 'witness' : m.state === 'catching_up' ? 'learner' : 'voter';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([kind, n]) => `${n} ${kind}${n > 1 ? 's' : ''}`).join(' + ');
}

/** A bound's text as the request carries it: a whole number, or the text itself for the explorer to refuse. */
function boundValue(text) {
  const t = text.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** What the deeper search did after breadth-first search, a sentence each (as the CLI says it). */
const afterBreadth = (report) => [
  ...report.confirm_states ? [el('p', { text:
    `Searches for a shorter run (narrower bounds, then the run's own): ${count(report.confirm_states)} states.` })] : [],
  ...report.walks ? [el('p', { text:
    `Random walks: ${count(report.walks)} taken (seed ${report.walk_seed}), ${count(report.walk_states)} distinct states reached.` })] : [],
];

/** Fills `container`, the body of the panel's `details`; `app` and `host` are the picture's. */
export function mountFindRun(container, details, app, host) {
  const id = (name) => `qs-find-${name}-${++uid}`;
  const ids = { goal: id('goal'), off: id('off'), shape: id('shape'), states: id('states'), status: id('status') };
  const goal = el('select', { id: ids.goal });
  const off = el('select', { id: ids.off });
  const shape = el('select', { id: ids.shape });
  const inputs = new Map(BOUNDS.map(([key]) => [key, el('input', { type: 'text', inputmode: 'numeric',
    id: id(key), class: 'qs-find-num', autocomplete: 'off', spellcheck: 'false' })]));
  const maxStates = el('input', { type: 'text', inputmode: 'numeric', id: ids.states, class: 'qs-find-num',
    autocomplete: 'off', spellcheck: 'false' });
  const deeper = el('input', { type: 'checkbox', id: id('deeper'), checked: true });
  const seed = el('input', { type: 'text', inputmode: 'numeric', id: id('seed'), class: 'qs-find-num',
    autocomplete: 'off', spellcheck: 'false' });
  const search = el('button', { type: 'submit', class: 'qs-find-search', text: 'Search' });
  const cancel = el('button', { type: 'button', text: 'Cancel', disabled: true });
  const reset = el('button', { type: 'button', text: 'Default bounds' });

  const field = (label, control) => el('span', { class: 'qs-find-field' }, el('label', { for: control.id, text: label }), control);
  const bounds = el('fieldset', { class: 'qs-find-bounds' }, el('legend', { text: 'Bounds (every path stays within them)' }),
    ...BOUNDS.map(([key, label]) => field(label, inputs.get(key))), field('Unique states at most', maxStates));
  const beyond = el('fieldset', { class: 'qs-find-deeper' }, el('legend', { text: 'If breadth-first search finds nothing' }),
    el('span', { class: 'qs-find-check' }, deeper, el('label', { for: deeper.id,
      text: 'Search deeper, as the command line does: narrower bounds, then random walks' })),
    field('Random walk seed', seed));
  const form = el('form', { class: 'qs-find-form', novalidate: true, 'aria-describedby': ids.status },
    el('div', { class: 'qs-find-what' }, field('Find', goal), field('With this switch off', off), field('Cluster', shape)),
    bounds, beyond, el('div', { class: 'qs-find-actions' }, search, cancel, reset));

  const bar = el('div', { class: 'qs-find-bar' });
  const progress = el('div', { class: 'qs-find-progress', role: 'progressbar', 'aria-label': 'Search progress',
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, bar);
  const figure = (name, label) => {
    const value = el('dd', { class: `qs-find-${name}`, text: '—' });
    return [el('div', {}, el('dt', { text: label }), value), value];
  };
  const [statesRow, statesOut] = figure('states', 'States');
  const [depthRow, depthOut] = figure('depth', 'Depth');
  const [rateRow, rateOut] = figure('rate', 'Unique states/s');
  const [timeRow, timeOut] = figure('time', 'Time');
  const [stageRow, stageOut] = figure('stage', 'Now');
  const figures = el('dl', { class: 'qs-find-figures' }, stageRow, statesRow, depthRow, rateRow, timeRow);
  const status = el('p', { class: 'qs-find-status', id: ids.status, role: 'status', 'aria-live': 'polite',
    text: 'Choose what to find, then press Search.' });
  const error = el('p', { class: 'qs-find-error', role: 'alert', hidden: true });
  const result = el('section', { class: 'qs-find-result', 'aria-label': 'What the search found', hidden: true });

  const intro = el('p', { class: 'qs-find-intro', text:
    'The model checker tries every interleaving of a small cluster, breadth-first: from each state it may deliver, '
    + 'drop or copy any one message in flight, let a tick pass, fire any node\'s election timer, write, crash or '
    + 'restart a node, and, where the shape has them, change the membership, hand leadership over or take a snapshot. '
    + 'It checks the safety properties in every state and stops at the first hit: the shortest run there is within '
    + 'the bounds. If it reaches its state limit first, it can go on as the command line does: every run within '
    + 'narrower bounds, then random walks, whose runs are shrunk, and it says what is proven of the run\'s length. '
    + 'The run then plays in the picture above as an ordinary scenario. It is the search behind '
    + '`quorumscope explore` on one thread (the command line also checks four native-only properties).' });
  container.append(el('link', { rel: 'stylesheet', href: STYLESHEET.href }),
    el('div', { class: 'qs-find-body' }, intro, form, el('div', { class: 'qs-find-progressrow' }, progress, figures),
      status, error, result));

  let catalog = null;
  let worker = null;
  let current = null; // the search under way (a token), so a Cancel while the module loads is heard
  let soFar = null; // the search's run found so far, {report, secs}, which a Cancel keeps
  let clock = 0;

  function showError(message, key = null) {
    error.hidden = !message;
    setText(error, message ?? '');
    for (const [k, input] of inputs) input.toggleAttribute('aria-invalid', k === key);
    maxStates.toggleAttribute('aria-invalid', key === 'max_states');
    seed.toggleAttribute('aria-invalid', key === 'walks.seed');
  }

  function fillBounds() {
    const chosen = catalog.shapes.find((s) => s.name === shape.value) ?? catalog.shapes[0];
    for (const [key, input] of inputs) input.value = String(chosen.bounds[key]);
    maxStates.value = String(catalog.default_max_states);
    deeper.checked = true;
    seed.value = String(catalog.default_walk_seed);
  }

  function fillForm() {
    goal.replaceChildren(el('option', { value: '', text: 'a safety violation' }),
      ...catalog.goals.map((g) => el('option', { value: g.name, text: g.describe })));
    off.replaceChildren(el('option', { value: '', text: 'none: every switch on' }),
      ...catalog.switches.map((s) => el('option', { value: s.name,
        text: s.guards_safety ? `${s.name} (guards safety)` : s.name })));
    shape.replaceChildren(...catalog.shapes.map((s) => el('option', { value: s.name,
      text: `${s.name}: ${describeMembers(s.members)}` })));
    fillBounds();
  }

  function request() {
    const b = {};
    for (const [key, input] of inputs) if (input.value.trim()) b[key] = boundValue(input.value);
    const r = { shape: shape.value, off: off.value ? [off.value] : [], bounds: b };
    if (goal.value) r.goal = goal.value;
    if (maxStates.value.trim()) r.max_states = boundValue(maxStates.value);
    if (deeper.checked) r.walks = seed.value.trim() ? { seed: boundValue(seed.value) } : {};
    return r;
  }

  function setRunning(running) {
    details.classList.toggle('qs-running', running);
    // Focus follows the one button that acts: Search hands it to Cancel, and back.
    const focused = [search, cancel].find((b) => b.matches(':focus'));
    for (const control of [goal, off, shape, reset, maxStates, deeper, seed, ...inputs.values()]) control.disabled = running;
    search.disabled = running;
    cancel.disabled = !running;
    if (focused) (running ? cancel : search).focus();
    if (running) search.setAttribute('aria-busy', 'true');
    else search.removeAttribute('aria-busy');
  }

  function stop(message) {
    current = null;
    soFar = null;
    worker?.terminate();
    worker = null;
    clearInterval(clock);
    clock = 0;
    setRunning(false);
    if (message != null) setText(status, message);
  }

  /** A stage of the search as the explorer describes it (its catalog). */
  const stageText = (name) => catalog.stages.find((st) => st.name === name)?.describe ?? name;

  /**
   * Progress of the stage under way. Breadth-first search and the walks
   * have a known end (the depth or state limit; the walks' count), so the
   * bar measures them; the later searches do not, so the bar says only
   * that one runs (no aria-valuenow: an indeterminate progress bar).
   */
  function showProgress(p, bounds, limit, walks, since) {
    const stage = p.stage ?? 'breadth';
    // Each stage counts its own states: the rate is measured from the stage's first report.
    const now = performance.now();
    if (since.stage !== stage) Object.assign(since, { stage, at: now, states: p.states });
    const secs = (now - since.at) / 1000;
    let part = null;
    let where = `${count(p.states)} states`;
    if (stage === 'breadth') {
      // Within a depth (p.expanded of p.frontier states expanded), the bar moves on by that share of a depth.
      const within = p.expanded ? p.expanded / p.frontier : 0;
      part = Math.max((p.depth + within) / bounds.depth, p.states / limit);
      where = `depth ${p.depth} of ${bounds.depth}, ${count(p.states)} states of at most ${count(limit)}`;
    } else if (stage === 'walks') {
      part = p.walks / walks;
      where = `${count(p.walks)} of ${count(walks)} random walks`;
    }
    if (part === null) {
      progress.removeAttribute('aria-valuenow');
    } else {
      progress.setAttribute('aria-valuenow', String(Math.min(100, Math.round(part * 100))));
    }
    progress.setAttribute('aria-valuetext', `${stageText(stage)}: ${where}`);
    bar.classList.toggle('qs-find-unknown', part === null);
    bar.style.width = part === null ? '100%' : `${Math.min(100, Math.round(part * 100))}%`;
    setText(stageOut, stageText(stage));
    setText(statesOut, count(p.states));
    setText(depthOut, stage === 'breadth' ? `${p.depth} of ${bounds.depth}` : String(p.depth));
    setText(rateOut, secs > 0 ? count(Math.round((p.states - since.states) / secs)) : '—');
  }

  /** What the search is doing, in a sentence, from its progress. */
  function describeProgress(p) {
    switch (p.stage) {
      case 'walks': return `Random walks: ${count(p.walks)} taken…`;
      case 'shrink': return `A walk hit: ${stageText('shrink')}…`;
      case 'narrow': case 'confirm': case 'rule_out': {
        const what = p.expanded ? `runs of up to ${p.depth + 1} moves, ${count(p.expanded)} of ${count(p.frontier)} states expanded`
          : `every run of up to ${p.depth} moves searched, ${count(p.states)} states`;
        return `${stageText(p.stage)}: ${what}…`;
      }
      default: return p.expanded ? `Depth ${p.depth + 1}: ${count(p.expanded)} of ${count(p.frontier)} states expanded, ${count(p.states)} states so far…`
        : `Depth ${p.depth} explored completely: ${count(p.states)} states, nothing found yet…`;
    }
  }

  /** The bar full, the search over. */
  function showDone() {
    progress.setAttribute('aria-valuenow', '100');
    progress.setAttribute('aria-valuetext', 'the search is over');
    bar.classList.remove('qs-find-unknown');
    bar.style.width = '100%';
    setText(stageOut, 'finished');
  }

  async function start() {
    stop();
    showError(null);
    result.hidden = true;
    const req = request();
    const token = {};
    current = token;
    setRunning(true);
    setText(status, 'Loading the model checker…');
    let module;
    try {
      module = await labModule();
    } catch (e) {
      if (current === token) stop(`The model checker could not be loaded: ${e.message}${e.fix ? ` ${e.fix}` : ''}`);
      return;
    }
    if (current !== token) return; // cancelled while it loaded
    try {
      worker = new Worker(new URL('./find-run-worker.js', import.meta.url), { type: 'module' });
    } catch (e) {
      stop('The search did not run.');
      showError(cannotStart(e.message));
      return;
    }
    let heard = false; // a worker that never answers did not start (a page's policy may forbid it)
    const started = performance.now();
    const shown = { depth: 0, states: 0 };
    const tick = () => setText(timeOut, `${((performance.now() - started) / 1000).toFixed(1)} s`);
    tick();
    clock = setInterval(tick, CLOCK_MS);
    setText(statesOut, '1');
    setText(depthOut, '0');
    setText(rateOut, '—');
    setText(stageOut, stageText('breadth'));
    // The bounds as the explorer will read them, for the bar: a bad one fails the search before any progress.
    const chosen = catalog.shapes.find((s) => s.name === req.shape);
    const depthBound = Number.isInteger(req.bounds.depth) && req.bounds.depth > 0 ? req.bounds.depth : chosen.bounds.depth;
    const limit = Number.isInteger(req.max_states) && req.max_states > 0 ? req.max_states : catalog.default_max_states;
    const walks = catalog.default_walks;
    // Breadth-first search's rate counts from the start (it reports first after a depth or 2,048 states).
    const since = { stage: 'breadth', at: started, states: 1 };
    setText(status, 'Searching breadth-first…');
    worker.onmessage = ({ data }) => {
      heard = true;
      if (current !== token) return;
      if (data.type === 'progress') {
        Object.assign(shown, data.progress);
        showProgress(data.progress, { depth: depthBound }, limit, walks, since);
        setText(status, describeProgress(data.progress));
      } else if (data.type === 'found') {
        soFar = { report: data.report, secs: (performance.now() - started) / 1000 };
      } else if (data.type === 'done') {
        const secs = (performance.now() - started) / 1000;
        tick();
        setText(statesOut, count(data.report.states + data.report.walk_states + data.report.confirm_states));
        showDone();
        stop(null);
        found(data.report, secs);
      } else if (data.type === 'error') {
        const key = /^(?:bounds\.)?([\w.]+):/.exec(data.message)?.[1] ?? null;
        stop(shown.depth ? 'The search stopped.' : 'The search did not run.');
        showError(friendly(data.message, shown), key);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      if (current !== token) return;
      stop(heard ? 'The search stopped.' : 'The search did not run.');
      showError(heard ? `The search failed: ${e.message || 'its worker stopped'}` : cannotStart(e.message));
    };
    worker.postMessage({ module, request: req });
  }

  /**
   * A worker that could not start, said with the likely fix: the single-file
   * build starts it from a blob: URL, which a page's Content-Security-Policy
   * must allow (README, Embedding).
   */
  function cannotStart(message) {
    return `The model checker's worker could not start${message ? ` (${message})` : ''}. If this page has a `
      + 'Content-Security-Policy, it must allow the worker: worker-src blob: for the single-file build, \'self\' for the folder build.';
  }

  /** A worker's error as the reader needs it: a trap deep in a search is memory running out. */
  function friendly(message, shown) {
    if (/unreachable|out of memory|memory access/i.test(message)) {
      return `The search ran out of memory after ${count(shown.states)} states (depth ${shown.depth}): lower the bounds or the state limit.`;
    }
    return message;
  }

  /**
   * Shows the report, and loads the run into the picture; `cancelled`: the
   * stage a Cancel stopped, the report being the run found so far.
   */
  async function found(report, secs, cancelled = null) {
    const cx = report.counterexample;
    const rate = Math.round((report.states + report.walk_states + report.confirm_states) / Math.max(secs, 1e-3));
    const summary = `states=${report.states} depth=${report.depth} violations=${report.violations}`;
    const searched = `${report.shape} cluster, ${report.switches}; bounds: ${report.bounds}`;
    const head = el('p', { class: 'qs-find-headline' });
    const lines = [head];
    if (!cx) {
      const why = report.truncated
        ? `It stopped at the limit of ${count(report.max_states)} states: depth ${report.depth} is only partly explored.`
        : `Every run of up to ${report.depth} moves was explored.`;
      setText(head, report.goal
        ? `No run reaches ${report.goal.describe} within the bounds.`
        : 'No violation within the bounds.');
      lines.push(el('p', { text: `${why} Searched: ${searched}.` }));
      lines.push(...afterBreadth(report));
      lines.push(el('p', { class: 'qs-find-summary', text: `${summary} (${secs.toFixed(1)} s, ${count(rate)} unique states/s)` }));
      result.replaceChildren(...lines);
      result.hidden = false;
      setText(status, report.goal ? `Not found: ${report.goal.name} within the bounds.` : 'Nothing found within the bounds.');
      return;
    }
    const what = report.goal_reached ? 'reaching' : 'breaking';
    setText(head, `Found ${report.found_by}: ${cx.moves.length} moves, ${what} ${cx.property}.`);
    // What is proven of its length, in the explorer's words ("proven shortest within: …").
    const known = el('ul', { class: 'qs-find-known', 'aria-label': 'How short the run is' },
      ...report.length_known.map((line) => el('li', { text: `${line[0].toUpperCase()}${line.slice(1)}.` })));
    const moves = el('ol', { class: 'qs-find-moves', 'aria-label': 'The moves, in order' },
      ...cx.moves.map((line) => el('li', { text: line })));
    let loaded = null; // the scenario object the picture got, to tell whether it still shows this run
    const play = el('button', { type: 'button', class: 'qs-find-play', text: 'Play it from the start' });
    play.addEventListener('click', async () => {
      try {
        if (app.scenario !== loaded) {
          loaded = await app.load(cx.scenario);
          showInAddressBar(host, loaded);
        }
        app.seek(0);
        app.play();
      } catch (e) {
        showError(e.message);
      }
    });
    const explain = el('p', { class: 'qs-find-explain' });
    // What is proven of the run's length first, under the headline; then how the search got there.
    lines.push(known, ...afterBreadth(report), explain, el('p', { text: `Searched: ${searched}.` }), moves,
      el('p', { class: 'qs-find-summary', text: `${summary} (${secs.toFixed(1)} s, ${count(rate)} unique states/s)` }), play);
    result.replaceChildren(...lines);
    result.hidden = false;
    try {
      loaded = await app.load(cx.scenario);
      host.showError(null);
      setText(explain, loaded.explain);
      // Like any loaded scenario, it goes in the address bar: a reload or a shared link reopens it.
      const noLink = showInAddressBar(host, loaded);
      const how = cancelled ? `Cancelled during ${cancelled}. Kept the run found so far: ${cx.property} in ${cx.moves.length} moves`
        : `Found: ${cx.property} in ${cx.moves.length} moves`;
      setText(status, `${how}. The run is loaded in the picture: play or step through it${
        noLink ? `. ${noLink}` : ', or copy a link to it.'}`);
    } catch (e) {
      setText(status, 'Found a run, but the picture could not load it.');
      showError(e.message);
    }
  }

  const onSubmit = (event) => {
    event.preventDefault();
    if (catalog && !worker && !current) start();
  };
  const onCancel = () => {
    const states = statesOut.textContent;
    const kept = soFar;
    if (!kept) {
      stop(`Cancelled (${states} states explored so far); the picture is unchanged.`);
      return;
    }
    // The walks found a run and a slower search for a shorter one was under way: the reader keeps the run.
    const stage = stageOut.textContent;
    stop(null);
    setText(stageOut, 'cancelled');
    found(kept.report, kept.secs, stage);
  };
  const onShape = () => fillBounds();
  const onReset = () => fillBounds();
  form.addEventListener('submit', onSubmit);
  cancel.addEventListener('click', onCancel);
  shape.addEventListener('change', onShape);
  reset.addEventListener('click', onReset);

  // The form's choices come from the explorer: the lab module loads with the panel.
  search.disabled = true;
  loadLab().then((lab) => {
    catalog = lab.exploreCatalog();
    fillForm();
    search.disabled = false;
  }).catch((e) => {
    showError(`The model checker could not be loaded: ${e.message}${e.fix ? ` ${e.fix}` : ''}`);
  });

  return () => {
    form.removeEventListener('submit', onSubmit);
    cancel.removeEventListener('click', onCancel);
    shape.removeEventListener('change', onShape);
    reset.removeEventListener('click', onReset);
    stop();
    container.replaceChildren();
  };
}
