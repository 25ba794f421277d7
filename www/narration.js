// The narration: one sentence per trace event (the core writes each one
// and names the rule at work), newest at the bottom, filterable by node and
// by kind, with the current step's lines highlighted. A polite live region
// reads the important ones aloud, throttled.
import { box as el } from './dom.js';
import { TraceLines } from './narration-list.js';

/** Kind groups, in the order the filter shows them. */
export const GROUPS = [
  { id: 'messages', label: 'Messages', short: 'Messages', on: false,
    kinds: ['message_sent', 'message_delivered', 'message_dropped', 'message_duplicated', 'progress_changed'] },
  { id: 'votes', label: 'Votes & probes', short: 'Votes', on: true,
    kinds: ['probe_granted', 'probe_refused', 'vote_granted', 'vote_refused'] },
  { id: 'roles', label: 'Terms & roles', short: 'Roles', on: true,
    kinds: ['term_changed', 'role_changed', 'leader_elected', 'leader_deposed'] },
  { id: 'log', label: 'Log & commit', short: 'Log', on: true,
    kinds: ['entry_appended', 'commit_advanced', 'applied', 'write_acked', 'write_rejected', 'snapshot_taken',
      'snapshot_installed', 'cp_appended', 'cp_refused', 'membership_changed'] },
  { id: 'handovers', label: 'Handovers', short: 'Handovers', on: true, kinds: ['handover_phase', 'handover_outcome'] },
  { id: 'faults', label: 'Faults & commands', short: 'Faults', on: true,
    kinds: ['crash', 'restart', 'partition', 'heal', 'command_skipped'] },
  { id: 'violations', label: 'Violations', short: 'Violations', on: true, kinds: ['violation'] },
];

const GROUP_OF = new Map();
for (const g of GROUPS) for (const k of g.kinds) GROUP_OF.set(k, g.id);
/** The group of an event kind; unknown kinds count as faults & commands. */
export const groupOf = (kind) => GROUP_OF.get(kind) ?? 'faults';

/** A glyph per kind (shape, not only colour, tells kinds apart). */
const ICONS = {
  message_sent: '→', message_delivered: '↘', message_dropped: '⨯', message_duplicated: '⧉', progress_changed: '⇢',
  probe_granted: '✓', probe_refused: '✕', vote_granted: '✓', vote_refused: '✕',
  term_changed: '⇡', role_changed: '◐', leader_elected: '★', leader_deposed: '☆',
  entry_appended: '+', commit_advanced: '✔', applied: '▣', write_acked: '✔', write_rejected: '✕',
  snapshot_taken: '⧈', snapshot_installed: '⧈', cp_appended: '+', cp_refused: '✕', membership_changed: '⚙',
  handover_phase: '⇄', handover_outcome: '⇄',
  crash: '⚡', restart: '↻', partition: '✂', heal: '⛓', command_skipped: '–',
  violation: '!',
};

/** Tone per kind: good, bad, warn or the group's default. */
const TONE = {
  probe_refused: 'warn', vote_refused: 'warn', write_rejected: 'warn', cp_refused: 'warn', message_dropped: 'warn',
  leader_elected: 'good', write_acked: 'good', commit_advanced: 'good', probe_granted: 'good', vote_granted: 'good',
  leader_deposed: 'warn', crash: 'bad', violation: 'bad',
};

const NODE_FIELDS = ['from', 'to', 'voter', 'candidate', 'node', 'by', 'nodes', 'groups', 'voters', 'follower'];

/** The node ids an event is about. */
export function nodesOf(e) {
  const ids = new Set();
  const add = (v) => {
    if (typeof v === 'number') ids.add(v);
    else if (Array.isArray(v)) v.forEach(add);
  };
  for (const f of NODE_FIELDS) add(e[f]);
  return ids;
}

/**
 * The core's sentence as the narration writes it: message kinds named as
 * words ("probe reply", not "probe_reply"). The trace keeps the kinds'
 * names, which are the contract; only the reader's wording changes here.
 */
const KIND_NAMES = /\b(probe_reply|vote_reply|append_reply|snapshot_reply|timeout_now)\b/g;
export const readable = (text) => text.replace(KIND_NAMES, (name) => name.replace('_', ' '));

/** Whether an event is announced to screen readers. */
function important(e) {
  switch (e.kind) {
    case 'leader_elected':
    case 'leader_deposed':
    case 'handover_outcome':
    case 'violation':
    case 'write_rejected':
      return true;
    case 'vote_refused':
    case 'probe_refused':
      return e.reason?.code === 'watermark_not_covered';
    default:
      return false;
  }
}

/** Lines kept in the DOM (up to a quarter more between trims). */
const CAP = 400;
/** Below this many lines the list may not fill its panel: they are pushed to its foot. */
const FEW_LINES = 60;
/** Least time between two announcements. */
const ANNOUNCE_MS = 2500;
/**
 * While playing, new lines are added at most this often. At fast speeds
 * nearly every frame brings a few lines, and each addition has a cost of
 * its own besides the lines' (the scroll, the hover hit test it sets off,
 * the re-highlight); ten times a second still reads as a flow.
 */
const PLAYING_APPEND_MS = 100;


export function mountNarration(container, app, host) {
  const offs = [];
  const enabled = new Set(GROUPS.filter((g) => g.on).map((g) => g.id));
  let nodeFilter = null;

  // --- DOM ---------------------------------------------------------------
  const root = el('section', 'qs-nar');
  root.setAttribute('aria-label', 'Narration');
  const head = el('div', 'qs-nar-head');
  const title = el('h2', 'qs-nar-title', 'What happened');
  const nodeSel = el('select', 'qs-nar-node');
  nodeSel.setAttribute('aria-label', 'Show events about node');
  head.append(title, nodeSel);

  const chips = el('div', 'qs-nar-groups');
  chips.setAttribute('role', 'group');
  chips.setAttribute('aria-label', 'Kinds of event shown');
  const chipEls = new Map();
  for (const g of GROUPS) {
    const b = el('button', 'qs-nar-chip');
    b.type = 'button';
    b.dataset.group = g.id;
    b.setAttribute('aria-pressed', String(enabled.has(g.id)));
    b.title = `${enabled.has(g.id) ? 'Hide' : 'Show'} ${g.label.toLowerCase()}`;
    b.append(el('span', 'qs-nar-chipdot'), el('span', 'qs-nar-long', g.label), el('span', 'qs-nar-short', g.short));
    chipEls.set(g.id, b);
    chips.append(b);
  }

  const list = el('ol', 'qs-nar-list');
  list.tabIndex = 0;
  list.setAttribute('aria-label', 'Narration, oldest first, newest last');
  const empty = el('p', 'qs-nar-empty', 'Press Play or Step: each event of the protocol appears here as one sentence.');
  const jump = el('button', 'qs-nar-jump');
  jump.type = 'button';
  jump.hidden = true;
  const live = el('div', 'qs-nar-live');
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('role', 'status');
  const body = el('div', 'qs-nar-body');
  body.append(list, empty, jump);
  root.append(head, chips, body, live);
  container.replaceChildren(root);

  // --- state -------------------------------------------------------------
  let lit = [];
  let scenario = null;
  let stick = true;
  let unseen = 0;
  let nodeIds = '';

  const visible = (e) => enabled.has(groupOf(e.kind)) && (nodeFilter === null || nodesOf(e).has(nodeFilter));

  const lineFor = (e) => {
    const li = el('li', 'qs-nar-line');
    const group = groupOf(e.kind);
    li.dataset.group = group;
    li.dataset.kind = e.kind;
    if (TONE[e.kind]) li.dataset.tone = TONE[e.kind];
    li.title = `step ${e.step}, tick ${e.tick}`;
    const icon = el('span', 'qs-nar-icon', ICONS[e.kind] ?? '•');
    icon.setAttribute('aria-hidden', 'true');
    const meta = el('span', 'qs-nar-meta', `tick ${e.tick}`);
    meta.setAttribute('aria-hidden', 'true');
    const text = el('span', 'qs-nar-text', readable(e.text ?? e.kind));
    if (typeof e.term === 'number' && (group === 'votes' || group === 'roles' || group === 'handovers')) {
      const term = el('span', 'qs-nar-term', `term ${e.term}`);
      term.style.setProperty('--qs-nar-term', `var(--qs-term-${e.term % 8})`);
      text.append(' ', term);
    }
    // Screen readers get the time first, as words.
    li.append(el('span', 'qs-nar-vh', `Tick ${e.tick}, step ${e.step}: `), icon, meta, text);
    return { li, meta };
  };
  const shown = new TraceLines(list, { cap: CAP, visible, lineFor });

  const scrollToEnd = () => {
    list.scrollTop = list.scrollHeight;
    unseen = 0;
    jump.hidden = true;
  };

  // Playback adds lines every frame. Scrolling to them at once would read the
  // list's height in the middle of the frame and force a layout; a
  // ResizeObserver on the newest line runs after the browser has laid the
  // frame out and before it paints, so following the end costs no extra layout.
  const pin = new ResizeObserver(() => {
    if (stick) list.scrollTop = list.scrollHeight;
  });
  const follow = () => {
    pin.disconnect();
    const newest = shown.lines.at(-1)?.li;
    if (newest) pin.observe(newest);
  };

  const highlight = () => {
    for (const li of lit) li.classList.remove('qs-nar-now');
    lit = [];
    const now = app.state?.step ?? 0;
    const lines = shown.lines;
    for (let i = lines.length - 1; i >= 0 && lines[i].step >= now - 1; i -= 1) {
      if (lines[i].step >= now + 1) continue;
      lines[i].li.classList.add('qs-nar-now');
      lit.push(lines[i].li);
    }
  };

  const showEmpty = () => {
    const none = shown.lines.length === 0;
    // Few lines sit at the foot of the list (narration.css); more than a panel holds need not.
    list.classList.toggle('qs-nar-few', shown.lines.length < FEW_LINES);
    empty.hidden = !none;
    if (none && app.trace.length > 0) {
      empty.textContent = 'No events match the filter yet. Turn on more kinds above, or choose “All nodes”.';
    } else {
      empty.textContent = 'Press Play or Step: each event of the protocol appears here as one sentence.';
    }
  };

  /** Rebuilds the list (new scenario or filter) and shows its end. */
  const renderAll = () => {
    shown.reset(app.trace);
    afterJump();
  };

  /** After a rebuild or a seek: the current step's lines, at the bottom. */
  const afterJump = () => {
    highlight();
    showEmpty();
    stick = true;
    scrollToEnd();
  };

  let appendedAt = -Infinity;
  /** Adds the trace's new events as lines (while playing, at most every PLAYING_APPEND_MS unless `now`). */
  const append = (now = false) => {
    if (!now && app.playing && performance.now() - appendedAt < PLAYING_APPEND_MS) return;
    appendedAt = performance.now();
    const added = shown.sync(app.trace);
    if (!added) return;
    showEmpty();
    if (stick) follow();
    else {
      unseen += added;
      jump.textContent = `↓ ${unseen} newer`;
      jump.hidden = false;
    }
  };

  const syncNodes = () => {
    const ids = (app.state?.nodes ?? []).map((n) => n.id);
    const key = ids.join(',');
    if (key === nodeIds) return;
    nodeIds = key;
    const opts = [el('option', '', 'All nodes')];
    opts[0].value = '';
    for (const id of ids) {
      const o = el('option', '', `Node ${id}`);
      o.value = String(id);
      opts.push(o);
    }
    nodeSel.replaceChildren(...opts);
    if (nodeFilter !== null && !ids.includes(nodeFilter)) nodeFilter = null;
    nodeSel.value = nodeFilter === null ? '' : String(nodeFilter);
  };

  // --- announcements -------------------------------------------------------
  let queue = [];
  let cooldown = 0;
  const say = () => {
    if (!queue.length) {
      cooldown = 0;
      return;
    }
    // A hidden page says nothing (and schedules nothing): the queue waits for the next events.
    if (document.hidden) {
      cooldown = 0;
      return;
    }
    const last = queue.slice(-2).map((e) => readable(e.text ?? e.kind));
    const more = queue.length - last.length;
    live.textContent = more > 0 ? `${last.join('. ')}. And ${more} more.` : `${last.join('. ')}.`;
    queue = [];
    cooldown = setTimeout(say, ANNOUNCE_MS);
  };
  const announce = (events) => {
    for (const e of events) if (important(e)) queue.push(e);
    if (queue.length && !cooldown) say();
  };

  // --- wiring ----------------------------------------------------------------
  offs.push(app.on('events', (events) => {
    if (app.scenario !== scenario) return;
    append();
    announce(events);
  }));
  offs.push(app.on('update', () => {
    syncNodes();
    if (app.scenario !== scenario) {
      scenario = app.scenario;
      windowMoved();
      renderAll();
    } else append(); // lines held back by an earlier frame
    highlight();
  }));
  offs.push(app.on('play', (playing) => {
    if (!playing && app.scenario === scenario) (append(true), highlight());
  }));
  // Lines are kept by their place in app.trace: when the kept window's start
  // moves (old events dropped on a long run, or re-read after a far seek),
  // those places moved too, so the list is rebuilt from the window.
  let traceStart = 0;
  const windowMoved = () => traceStart !== (traceStart = app.traceStart);
  offs.push(app.on('seek', () => {
    if (app.scenario !== scenario) return; // the update that follows rebuilds
    if (windowMoved()) renderAll();
    else (shown.sync(app.trace), afterJump());
  }));
  offs.push(app.on('trim', () => windowMoved() && renderAll()));

  const listen = (node, type, fn, opts) => {
    node.addEventListener(type, fn, opts);
    offs.push(() => node.removeEventListener(type, fn, opts));
  };
  listen(list, 'scroll', () => {
    stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 12;
    if (stick) {
      unseen = 0;
      jump.hidden = true;
    }
  }, { passive: true });
  listen(jump, 'click', () => {
    stick = true;
    scrollToEnd();
  });
  listen(nodeSel, 'change', () => {
    nodeFilter = nodeSel.value === '' ? null : Number(nodeSel.value);
    renderAll();
  });
  listen(chips, 'click', (ev) => {
    const b = ev.target.closest?.('.qs-nar-chip');
    if (!b) return;
    const id = b.dataset.group;
    if (enabled.has(id)) enabled.delete(id);
    else enabled.add(id);
    const on = enabled.has(id);
    b.setAttribute('aria-pressed', String(on));
    b.title = `${on ? 'Hide' : 'Show'} ${GROUPS.find((g) => g.id === id).label.toLowerCase()}`;
    renderAll();
  });

  if (app.state) {
    scenario = app.scenario;
    syncNodes();
    renderAll();
  } else showEmpty();

  return () => {
    for (const off of offs) off();
    pin.disconnect();
    if (cooldown) clearTimeout(cooldown);
    container.replaceChildren();
  };
}
