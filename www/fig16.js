// "Election timing (Raft paper, Figure 16)": how long a five-node cluster
// takes to elect a new leader after its leader crashes, for the paper's
// election-timeout ranges, measured on the real core in a Web Worker. Plots
// the cumulative distribution per range against the values the paper
// reports. Nothing runs until the reader presses Run. Loaded on demand,
// with its stylesheet, when the reader first opens the panel (lazy-panel.js);
// the trials are in the lab module (www/lab.js), compiled on the first Run.
import { el } from './dom.js';
import { labModule } from './lab.js';

const STYLESHEET = new URL('./fig16.css', import.meta.url);

const SVG = 'http://www.w3.org/2000/svg';

/** [min, max] ms, short name. */
export const RANGES = [
  [[150, 150], 'no randomness'],
  [[150, 151], '1 ms of spread'],
  [[150, 155], '5 ms of spread'],
  [[150, 175], '25 ms of spread'],
  [[150, 200], '50 ms of spread'],
  [[150, 300], "150 ms: the paper's advice"],
  [[12, 24], 'tiny timeouts'],
];
const DASHES = ['', '6 3', '2 3', '9 3 2 3', '', '4 4', '3 2'];
const CAP = 20000;
const X_MIN = 5;
const X_MAX = CAP;

/** What the paper reports, drawn as hollow markers. */
const PAPER = [
  { range: 2, ms: 287, pct: 50, label: 'paper: median ≈ 287 ms', short: '150–155: 287 ms' },
  { range: 4, ms: 513, pct: 100, label: 'paper: worst ≈ 513 ms', short: '150–200: 513 ms' },
];


function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null && v !== '') node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
}

const rangeText = ([min, max]) => `${min}–${max} ms`;

export function formatMs(ms) {
  if (ms == null) return '—';
  if (ms >= CAP) return '> 20 s';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s`;
  return `${Math.round(ms)} ms`;
}

/** A trial whose cluster never had a leader in office to crash (the core's -2). */
export const NEVER_LED = -2;

/**
 * Median, p99, max and mean of the timed trials, capped ones counting as the
 * cap and never-led ones left out and counted apart (as the CLI does).
 */
export function summarize(times) {
  const timed = times.filter((t) => t !== NEVER_LED);
  const sorted = timed.map((t) => t ?? CAP).sort((a, b) => a - b);
  const at = (q) => sorted[Math.round((sorted.length - 1) * q)];
  return {
    trials: timed.length,
    capped: timed.filter((t) => t == null).length,
    neverLed: times.length - timed.length,
    median: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1],
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : undefined,
  };
}

/** Fills `container`, the body of the panel's `details`. */
export function mountFig16(container, details) {
  let worker = null;
  let results = RANGES.map(() => null);

  const trialsId = `qs-f16-trials-${Math.random().toString(36).slice(2, 8)}`;
  const trials = el('select', { id: trialsId },
    el('option', { value: '100', text: '100', selected: true }), el('option', { value: '300', text: '300' }),
    el('option', { value: '1000', text: '1000' }));
  const paperId = `${trialsId}-paper`;
  const paper = el('input', { type: 'checkbox', id: paperId, checked: true });
  const run = el('button', { type: 'button', class: 'qs-f16-run', text: 'Run' });
  const cancel = el('button', { type: 'button', text: 'Cancel', disabled: true });
  const bar = el('div', { class: 'qs-f16-bar' });
  const progress = el('div', { class: 'qs-f16-progress', role: 'progressbar', 'aria-label': 'Trials run',
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, bar);
  const status = el('span', { class: 'qs-f16-status', role: 'status', 'aria-live': 'polite',
    text: 'Nothing measured yet: press Run.' });

  const controls = el('div', { class: 'qs-f16-controls' },
    el('label', { for: trialsId, text: 'Trials per range' }), trials,
    el('span', { class: 'qs-f16-check' }, paper,
      el('label', { for: paperId, text: "paper's Raft (no pre-vote, no stickiness)" })),
    run, cancel);

  const chart = svg('svg', { class: 'qs-f16-chart', viewBox: '0 0 640 300', role: 'img',
    'aria-label': 'Cumulative percentage of trials with a new leader, against milliseconds since the crash, log scale' });
  const legend = el('ul', { class: 'qs-f16-legend', 'aria-label': 'Timeout ranges' });
  const tableCapId = `${trialsId}-cap`;
  const table = el('table', { class: 'qs-f16-table', 'aria-labelledby': tableCapId });
  const tableWrap = el('div', { class: 'qs-f16-tablewrap' },
    el('p', { id: tableCapId, class: 'qs-f16-tablecap', text: 'Time from the crash to a new leader, per timeout range' }), table);

  const intro = el('p', { class: 'qs-f16-intro', text:
    'The Raft paper (Figure 16) crashed the leader of a five-server cluster again and again and timed how long '
    + 'the others took to elect a new one, for several ranges of election timeout. Each trial here does the same on '
    + 'the real core on the paper\'s testbed: a message takes 1–4 ms one way; a durable write takes 8 ms, one at a '
    + 'time per node, and a reply waits for it while a request may leave during its sender\'s write; the heartbeat is '
    + 'half the minimum timeout; a leader that has led for two maximum timeouts crashes at a random point of its heartbeat '
    + 'interval; 10 ticks to the millisecond. On this testbed a write reaches all four followers and back in about 14 ms, '
    + 'the paper\'s "roughly 15 ms". Trials are seeded as `quorumscope elect-times` seeds them, so a run is reproducible '
    + 'and gives the command line\'s numbers; a trial with no leader within 20 s is counted as 20 s, and one whose '
    + 'cluster never had a leader in office to crash is counted apart ("Never led").' });
  const note = el('p', { class: 'qs-f16-note', text:
    'The paper\'s Raft follows its Figure 2 timer rule: a follower restarts its timer when it hears the leader or '
    + 'grants a vote, not when it adopts a higher term. Hollow diamonds mark what the paper reports: for 150–155 ms a median of about 287 ms, for 150–200 ms a worst case '
    + 'of about 513 ms, and for 150–150 ms (no randomness) split votes that went on for more than 10 s. For 12–24 ms the '
    + 'paper reports a mean of 35 ms (compare the Mean column): fast, but timeouts that short invite needless elections '
    + 'when the network slows down. Without the checkbox, quorumscope\'s defaults run: every election first spends a '
    + 'pre-vote probe round trip, and stickiness makes a voter refuse while it has heard from the leader within '
    + 'the minimum timeout; both shift the curves to the right.' });

  const figure = el('figure', { class: 'qs-f16-figure' }, chart, legend);
  const body = el('div', { class: 'qs-f16-body' }, intro, controls,
    el('div', { class: 'qs-f16-progressrow' }, progress, status),
    el('div', { class: 'qs-f16-split' }, figure, note), tableWrap);
  container.append(el('link', { rel: 'stylesheet', href: STYLESHEET.href }), body);

  // ---- Chart -----------------------------------------------------------
  // Drawn at the width it is shown at (one SVG unit = one CSS pixel), so the
  // labels stay legible on a phone; redrawn when the panel's width changes.
  let W = 640;
  let H = 300;
  const M = { l: 46, r: 14, t: 14, b: 40 };
  const lx = (ms) => Math.log10(Math.min(X_MAX, Math.max(X_MIN, ms)));
  const x = (ms) => M.l + ((lx(ms) - lx(X_MIN)) / (lx(X_MAX) - lx(X_MIN))) * (W - M.l - M.r);
  const y = (pct) => H - M.b - (pct / 100) * (H - M.t - M.b);

  function drawChart() {
    const width = Math.round(figure.clientWidth - 2);
    if (width > 0) W = Math.max(320, Math.min(760, width));
    H = W < 480 ? 260 : 300;
    chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
    chart.replaceChildren();
    const grid = svg('g', { class: 'qs-f16-grid' });
    for (const ms of [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]) {
      const major = [10, 100, 1000, 10000].includes(ms);
      grid.append(svg('line', { x1: x(ms), x2: x(ms), y1: y(0), y2: y(100), class: major ? 'qs-major' : '' }));
      const label = (W < 480
        ? { 10: '10 ms', 100: '100 ms', 1000: '1 s', 10000: '10 s' }
        : { 10: '10 ms', 100: '100 ms', 1000: '1 s', 10000: '10 s', 20000: '20 s', 500: '500', 200: '200', 50: '50', 5000: '5 s' })[ms];
      if (label) grid.append(svg('text', { x: x(ms), y: y(0) + 15, 'text-anchor': ms === 20000 ? 'end' : 'middle' }, label));
    }
    for (const pct of [0, 25, 50, 75, 100]) {
      grid.append(svg('line', { x1: M.l, x2: W - M.r, y1: y(pct), y2: y(pct), class: pct === 0 ? 'qs-major' : '' }));
      grid.append(svg('text', { x: M.l - 6, y: y(pct) + 4, 'text-anchor': 'end' }, `${pct}%`));
    }
    grid.append(svg('text', { x: (M.l + W - M.r) / 2, y: H - 4, 'text-anchor': 'middle', class: 'qs-f16-axis' },
      'time without a leader after the crash (log scale)'));
    chart.append(grid);

    // The paper's 150–150 case: beyond 10 s.
    const tenS = svg('g', { class: 'qs-f16-paper qs-f16-s0' });
    tenS.append(svg('line', { x1: x(10000), x2: x(10000), y1: y(100), y2: y(0), class: 'qs-f16-paperline' }));
    tenS.append(svg('text', { x: x(10000) - 4, y: y(100) + 30, 'text-anchor': 'end' },
      W < 480 ? '150–150: > 10 s' : '150–150 ms paper: > 10 s'));
    tenS.append(svg('title', {}, 'The paper: with no randomness (150–150 ms), split votes went on for more than 10 seconds'));
    chart.append(tenS);

    RANGES.forEach(([range], i) => {
      const times = results[i];
      if (!times?.length) return;
      const sorted = times.filter((t) => t != null && t !== NEVER_LED).sort((a, b) => a - b);
      const n = times.filter((t) => t !== NEVER_LED).length;
      if (!n) return;
      let d = `M${x(X_MIN).toFixed(1)},${y(0).toFixed(1)}`;
      for (let k = 0; k < sorted.length; k++) {
        if (sorted[k + 1] === sorted[k]) continue;
        d += ` H${x(sorted[k]).toFixed(1)} V${y(((k + 1) / n) * 100).toFixed(1)}`;
      }
      if (sorted.length) d += ` H${x(X_MAX).toFixed(1)}`;
      const path = svg('path', { d, class: `qs-f16-line qs-f16-s${i}`, 'stroke-dasharray': DASHES[i] || null });
      path.append(svg('title', {}, `${rangeText(range)}: ${summaryText(summarize(times))}`));
      chart.append(path);
    });

    for (const p of PAPER) {
      const cx = x(p.ms);
      const cy = y(p.pct);
      const g = svg('g', { class: `qs-f16-paper qs-f16-s${p.range}` });
      g.append(svg('path', { d: `M${cx},${cy - 6} L${cx + 6},${cy} L${cx},${cy + 6} L${cx - 6},${cy} Z`, class: 'qs-f16-diamond' }));
      const text = W < 480 ? p.short : `${rangeText(RANGES[p.range][0])} ${p.label}`;
      const w = text.length * 6.2;
      let lx0 = cx + 9;
      if (lx0 + w > W - M.r) lx0 = cx - 9 - w >= M.l ? cx - 9 - w : W - M.r - w;
      g.append(svg('text', { x: lx0, y: cy + (p.pct === 100 ? 14 : -6) }, text));
      g.append(svg('title', {}, `${rangeText(RANGES[p.range][0])}: ${p.label}`));
      chart.append(g);
    }
  }

  function summaryText(s) {
    return `median ${formatMs(s.median)}, p99 ${formatMs(s.p99)}, max ${formatMs(s.max)}`
      + (s.capped ? `, ${s.capped} of ${s.trials} with no leader within 20 s` : '')
      + (s.neverLed ? `, ${s.neverLed} never led` : '');
  }

  function drawLegend() {
    legend.replaceChildren(...RANGES.map(([range, name], i) => {
      const swatch = svg('svg', { viewBox: '0 0 28 8', width: 28, height: 8, 'aria-hidden': 'true' });
      swatch.append(svg('line', { x1: 0, x2: 28, y1: 4, y2: 4, class: `qs-f16-line qs-f16-s${i}`, 'stroke-dasharray': DASHES[i] || null }));
      return el('li', {}, swatch, el('strong', { text: rangeText(range) }), el('span', { text: name }));
    }));
  }

  const PAPER_SAYS = { 0: '> 10 s', 2: 'median ≈ 287 ms', 4: 'worst ≈ 513 ms', 6: 'mean 35 ms' };

  function drawTable() {
    const head = el('tr', {}, ...['Timeout range', 'Median', 'p99', 'Max', 'Mean', 'No leader in 20 s', 'Never led', 'Paper']
      .map((t) => el('th', { scope: 'col', text: t })));
    const rows = RANGES.map(([range], i) => {
      const times = results[i];
      const s = times?.length ? summarize(times) : null;
      const timed = s?.trials;
      const cells = s
        ? [...[s.median, s.p99, s.max, s.mean].map((v) => (timed ? formatMs(v) : '—')),
          s.capped ? `${s.capped} of ${s.trials}` : '0', String(s.neverLed)]
        : ['', '', '', '', '', ''].map(() => (worker && !times ? '…' : '—'));
      return el('tr', {}, el('th', { scope: 'row', text: rangeText(range) }),
        ...cells.map((t) => el('td', { text: t })), el('td', { class: 'qs-f16-paper-cell', text: PAPER_SAYS[i] ?? '' }));
    });
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }

  function setProgress(done, total) {
    const pct = total ? Math.round((done / total) * 100) : 0;
    progress.setAttribute('aria-valuenow', String(pct));
    progress.setAttribute('aria-valuetext', `${done} of ${total} trials`);
    bar.style.width = `${pct}%`;
  }

  /** The run under way (a token), so that a Cancel while the lab module loads is heard. */
  let current = null;

  function stop(message) {
    current = null;
    worker?.terminate();
    worker = null;
    run.disabled = false;
    cancel.disabled = true;
    trials.disabled = false;
    paper.disabled = false;
    details.classList.remove('qs-running');
    if (message != null) status.textContent = message;
    drawChart();
    drawTable();
  }

  async function start() {
    stop();
    const n = Number(trials.value);
    const paperRaft = paper.checked;
    results = RANGES.map(() => null);
    setProgress(0, n * RANGES.length);
    run.disabled = true;
    cancel.disabled = false;
    trials.disabled = true;
    paper.disabled = true;
    details.classList.add('qs-running');
    const token = {};
    current = token;
    status.textContent = 'Loading the trials…';
    let module;
    try {
      module = await labModule();
    } catch (e) {
      if (current === token) stop(`Could not load the measurement: ${e.message}`);
      return;
    }
    if (current !== token) return; // cancelled while it loaded
    const started = performance.now();
    try {
      worker = new Worker(new URL('./fig16-worker.js', import.meta.url), { type: 'module' });
    } catch (e) {
      stop(`Could not start the measurement: ${e.message}`);
      return;
    }
    const mode = paperRaft ? "paper's Raft" : 'quorumscope defaults';
    status.textContent = `Running ${n} trials per range (${mode})…`;
    drawTable();
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') {
        setProgress(data.done, data.total);
        status.textContent = `${data.done} of ${data.total} trials (${mode})…`;
      } else if (data.type === 'range') {
        results[data.index] = data.times;
        setProgress(data.done, data.total);
        drawChart();
        drawTable();
      } else if (data.type === 'done') {
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        stop(`Done: ${data.total} elections (${n} per range, ${mode}) in ${secs} s.`);
      } else if (data.type === 'error') {
        stop(`The measurement failed: ${data.message}`);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      stop(`The measurement failed: ${e.message || 'the worker could not load'}`);
    };
    worker.postMessage({ module, ranges: RANGES.map(([range]) => range), trials: n, paper: paperRaft });
  }

  const onRun = () => start();
  const onCancel = () => {
    const done = results.filter(Boolean).length;
    stop(done ? `Cancelled. ${done} of ${RANGES.length} ranges finished; those are shown.` : 'Cancelled before any range finished.');
  };
  run.addEventListener('click', onRun);
  cancel.addEventListener('click', onCancel);

  drawLegend();
  drawTable();
  // The chart is drawn when the panel first opens (its width is known then).
  let drawnWidth = -1;
  const redraw = () => {
    if (!details.open || figure.clientWidth === drawnWidth) return;
    drawnWidth = figure.clientWidth;
    drawChart();
  };
  details.addEventListener('toggle', redraw);
  const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(redraw) : null;
  resize?.observe(figure);

  return () => {
    details.removeEventListener('toggle', redraw);
    resize?.disconnect();
    run.removeEventListener('click', onRun);
    cancel.removeEventListener('click', onCancel);
    worker?.terminate();
    worker = null;
    container.replaceChildren();
  };
}
