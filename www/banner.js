// Banners above the stage: the handover in progress (four phases, the
// target's catch-up toward the frontier) and its outcome in words, and a red
// banner when the checker reports a safety violation. Both are read from the
// trace, so seeking back and forth shows exactly what was true at that step.
import { box as el } from './dom.js';

const PHASES = [
  ['freeze', 'Freeze', 'The leader stops taking writes; the frontier is its last index.'],
  ['catch_up', 'Catch up', 'The leader replicates to the target until it reaches the frontier.'],
  ['hand_over', 'Hand over', 'The target is told to campaign at once (stickiness bypassed); the votes it gets decide.'],
  ['demote', 'Demote', 'The old leader steps down and follows the new one.'],
];
/** How long a finished handover's outcome stays up, in simulated ticks. */
const OUTCOME_TICKS = 80;


export function mountBanner(container, app, host) {
  const root = el('div', 'bn', null, container);
  const memo = { trace: null, scanned: 0, phase: null, outcome: null, violation: null, dismissed: new Set(), key: null };

  function render(state) {
    if (!state) return;
    readTrace(memo, app.trace ?? []);
    const v = memo.violation && !memo.dismissed.has(keyOf(memo.violation)) ? memo.violation : null;
    const o = memo.outcome;
    const live = memo.phase ? liveHandover(state, memo.phase) : null;
    const showOutcome = !memo.phase && o && state.tick - o.tick <= OUTCOME_TICKS && !memo.dismissed.has(keyOf(o));
    // Rebuild only when the text would change: keeps focus and spares playback frames.
    const key = [v && keyOf(v), v && app.playing, memo.phase && keyOf(memo.phase), live?.reached, live?.waited, showOutcome && keyOf(o)].join('|');
    if (key === memo.key) return;
    memo.key = key;
    root.replaceChildren();
    if (v) root.append(violationBanner(v, app, () => dismiss(v)));
    if (memo.phase) root.append(handoverBanner(memo.phase, live));
    else if (showOutcome) root.append(outcomeBanner(o, () => dismiss(o)));
  }
  function dismiss(e) {
    memo.dismissed.add(keyOf(e));
    memo.key = null;
    render(app.state);
  }

  // A wide page's stage gives the banner its height (layout.css), so Play,
  // Step and the scrubber stay where they were: on a 1280×720 screen.
  const qsRoot = container.closest('.qs-root');
  const sizer = new ResizeObserver(() => qsRoot?.style.setProperty('--qs-banner-h', `${root.offsetHeight}px`));
  sizer.observe(root);

  const off = app.on('update', render);
  render(app.state);
  return () => {
    off();
    sizer.disconnect();
    qsRoot?.style.removeProperty('--qs-banner-h');
    root.remove();
  };
}

const keyOf = (e) => `${e.step}:${e.kind}`;

/**
 * Folds new trace events into the memo. Seek and load give the App a new
 * trace array, so a new array means start over from its first event.
 */
function readTrace(memo, trace) {
  if (memo.trace !== trace || memo.scanned > trace.length) {
    Object.assign(memo, { trace, scanned: 0, phase: null, outcome: null, violation: null });
  }
  for (; memo.scanned < trace.length; memo.scanned++) {
    const e = trace[memo.scanned];
    if (e.kind === 'handover_phase') {
      memo.phase = e;
      memo.outcome = null;
    } else if (e.kind === 'handover_outcome') {
      memo.outcome = { ...e, lastPhase: memo.phase?.phase ?? null };
      memo.phase = null;
    } else if (e.kind === 'violation') {
      memo.violation = e;
    }
  }
}

/** The leader's live handover record, when it still has one (it drops it once deposed). */
function liveHandover(state, phase) {
  const node = state.nodes.find((n) => n.id === phase.from && n.handover && n.handover.to === phase.to);
  return node?.handover ?? null;
}

function modeWords(mode) {
  if (!mode) return '';
  if (mode.coordinated) return `coordinated, deadline ${mode.coordinated.deadline_ticks} ticks`;
  if (mode.force) return `forced, timeout ${mode.force.timeout_ticks} ticks`;
  if (mode.transfer) return `transfer, within ${mode.transfer.timeout_ticks} ticks`;
  return typeof mode === 'string' ? mode : '';
}

function handoverBanner(phase, live) {
  const box = el('section', 'bn-box bn-handover');
  box.setAttribute('aria-label', 'Handover in progress');
  box.setAttribute('aria-live', 'polite');
  const title = header(box, '⇄', `Handover ${phase.from} → ${phase.to}`);
  const mode = modeWords(live?.mode);
  if (mode) el('span', 'bn-mode', mode, title);
  box.append(stepsList(phase.phase, null));
  const current = PHASES.find(([k]) => k === phase.phase);
  if (current) el('p', 'bn-explain', current[2], box);
  const frontier = live?.frontier ?? phase.frontier;
  const reached = live?.reached ?? phase.reached;
  if (phase.phase === 'freeze' || phase.phase === 'catch_up') box.append(progress(phase.to, reached, frontier, live));
  else el('p', 'bn-figures', `Target ${phase.to} reached ${reached} of frontier ${frontier}.`, box);
  return box;
}

/** The four phases as steps: done ✓, current ●, failed ✗, still to come ○ (current null: all done). */
function stepsList(current, failedAt) {
  const ol = el('ol', 'bn-steps');
  const at = current == null ? PHASES.length : PHASES.findIndex(([k]) => k === current);
  PHASES.forEach(([key, name, explain], i) => {
    let status = i < at ? 'done' : i === at ? 'current' : 'todo';
    if (failedAt != null) status = i < failedAt ? 'done' : i === failedAt ? 'failed' : 'skipped';
    const li = el('li', `bn-step ${status}`, null, ol);
    li.title = explain;
    const mark = { done: '✓', current: '●', todo: '○', failed: '✗', skipped: '–' }[status];
    el('span', 'bn-step-mark', mark, li).setAttribute('aria-hidden', 'true');
    el('span', null, name, li);
    if (status === 'current') li.setAttribute('aria-current', 'step');
    li.setAttribute('aria-label', `${name}: ${status}`);
  });
  return ol;
}

function progress(to, reached, frontier, live) {
  const wrap = el('div', 'bn-progress');
  const bar = el('div', 'bn-bar', null, wrap);
  const fill = el('div', 'bn-fill', null, bar);
  const pct = frontier > 0 ? Math.max(0, Math.min(100, (reached / frontier) * 100)) : 100;
  fill.style.width = `${pct}%`;
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', String(frontier));
  bar.setAttribute('aria-valuenow', String(reached));
  bar.setAttribute('aria-label', `node ${to} has reached ${reached} of frontier ${frontier}`);
  let text = `node ${to} confirmed ${reached} of frontier ${frontier}`;
  if (live) {
    const limit = live.mode?.coordinated?.deadline_ticks ?? live.mode?.force?.timeout_ticks ?? live.mode?.transfer?.timeout_ticks;
    text += ` · waited ${live.waited} tick${live.waited === 1 ? '' : 's'}`;
    if (limit != null) text += live.mode.force ? ` · hands over anyway in ${Math.max(0, limit - live.waited)}` : ` · aborts in ${Math.max(0, limit - live.waited)}`;
  }
  el('span', 'bn-progress-text', text, wrap);
  return wrap;
}

/** The outcome in words; abort, refusal and a forced skip each get colour, icon and words. */
function outcomeBanner(o, onDismiss) {
  const skippedForced = o.result === 'completed' && o.forced && o.skipped > 0;
  const tone = o.result === 'completed' ? (skippedForced ? 'warn' : 'good') : 'bad';
  const box = el('section', `bn-box bn-outcome ${tone}`);
  box.setAttribute('aria-label', `Handover ${o.result}`);
  box.setAttribute('role', 'status');
  const icon = { good: '✓', warn: '⚠', bad: o.result === 'aborted' ? '✖' : '✗' }[tone];
  const title = header(box, icon, outcomeTitle(o));
  closeButton(title.parentElement, onDismiss, 'Dismiss the handover outcome');
  const failedAt = o.result === 'completed' ? null : Math.max(1, PHASES.findIndex(([k]) => k === o.lastPhase));
  box.append(stepsList(o.result === 'completed' ? null : o.lastPhase, failedAt));
  el('p', 'bn-explain', outcomeWords(o), box);
  const figures = el('dl', 'bn-figures-list', null, box);
  const add = (k, v) => {
    const pair = el('div', null, null, figures); // keeps a name and its figure on one line
    el('dt', null, k, pair);
    el('dd', null, String(v), pair);
  };
  if (o.new_term != null) add('new term', o.new_term);
  add('frontier', o.frontier);
  add('reached', o.reached);
  add('skipped', o.skipped);
  add('waited', `${o.waited} ticks`);
  add('forced', o.forced ? 'yes' : 'no');
  el('p', 'bn-text', o.text, box);
  return box;
}

function outcomeTitle(o) {
  if (o.result === 'aborted') return `Handover ${o.from} → ${o.to} ABORTED`;
  if (o.result === 'refused') return `Handover ${o.from} → ${o.to} REFUSED`;
  if (o.forced && o.skipped > 0) return `Forced handover ${o.from} → ${o.to}: ${o.skipped} entr${o.skipped === 1 ? 'y' : 'ies'} SKIPPED`;
  return `Handover ${o.from} → ${o.to} completed`;
}

function outcomeWords(o) {
  if (o.result === 'aborted' && o.failure === 'target_did_not_campaign') {
    return `Node ${o.to} never stood for election: the hand-over signal was lost. Node ${o.from} still leads; ` +
      `writes resume, no term changed — the cost was ${o.waited} ticks frozen.`;
  }
  if (o.result === 'aborted' && (o.failure === 'superseded' || o.failure === 'cancelled')) {
    return o.failure === 'superseded'
      ? `Replaced by a transfer to another node after ${o.waited} ticks; nothing was lost.`
      : `Cancelled by a transfer back to node ${o.from}: writes resume, no term changed.`;
  }
  if (o.result === 'aborted') {
    return `Node ${o.to} reached only ${o.reached} of frontier ${o.frontier} before the deadline. ` +
      `Writes resume on node ${o.from}; no term changed; nothing was lost — the cost was ${o.waited} ticks frozen.`;
  }
  if (o.result === 'refused') {
    return `The voters refused node ${o.to} (their vote rule held, even against a forced handover), so no handover happened` +
      `${o.new_leader ? `; a normal election chose node ${o.new_leader}` : ''}. No acknowledged write was lost.`;
  }
  const lead = `Node ${o.to} leads term ${o.new_term}; node ${o.from} follows it.`;
  if (o.forced && o.skipped > 0) {
    return `${lead} Forced: ${o.skipped} uncommitted entr${o.skipped === 1 ? 'y' : 'ies'} (frontier ${o.frontier} − reached ${o.reached}) ` +
      'only on the old leader were dropped. They were never acknowledged, so no client was told they were saved.';
  }
  return `${lead} The target held everything up to the frontier, so nothing was skipped.`;
}

function violationBanner(v, app, onDismiss) {
  const box = el('section', 'bn-box bn-violation');
  box.setAttribute('role', 'alert');
  const title = header(box, '⚠', `Safety violation: ${v.property.replace(/_/g, ' ')}`);
  el('code', 'bn-prop', v.property, title);
  closeButton(title.parentElement, onDismiss, 'Dismiss the violation banner');
  const nodes = v.nodes ?? [];
  el('p', 'bn-explain', `${nodes.length === 1 ? 'Node' : 'Nodes'} ${nodes.join(', ')} at step ${v.step}, tick ${v.tick}: ${v.detail ?? ''}`, box);
  if (v.text && v.text !== v.detail) el('p', 'bn-text', v.text, box);
  if (!app.playing && app.pauseOn?.has('violation')) el('p', 'bn-note', 'The run paused here: the checker found the property broken.', box);
  return box;
}

/** Icon, then a title block that wraps (title, mode or property), then room for a close button. */
function header(box, icon, text) {
  const head = el('div', 'bn-head', null, box);
  el('span', 'bn-icon', icon, head).setAttribute('aria-hidden', 'true');
  const title = el('div', 'bn-title', null, head);
  el('strong', null, text, title);
  return title;
}

function closeButton(parent, onClick, label) {
  const b = el('button', 'bn-close', '×', parent);
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}
