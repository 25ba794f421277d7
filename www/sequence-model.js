// The sequence diagram's model: the trace's events placed, not interpreted.
// Each message becomes an arrow from the step it was sent to the step it
// was delivered or lost (paired by the trace's `seq`); a copy the network
// made (it has no send of its own) is a duplicate; a held message waits.
// Each other event the diagram shows becomes a mark on its node's lane
// (one per node and step) or a band across every lane. Every figure and
// sentence comes from the trace as the core wrote it. Loaded on demand with
// the sequence view.
import { groupOf } from './narration.js';

const ROLE_LETTER = { follower: 'F', candidate: 'C', leader: 'L', learner: 'Ln', witness: 'W' };

/** A mark's short token, from the event's own fields (the title carries the core's sentence). */
const TOKENS = {
  // `crashed` is marked by the crash itself.
  role_changed: (e) => (ROLE_LETTER[e.role] ? `${ROLE_LETTER[e.role]}${e.term}` : null),
  term_changed: (e) => `t${e.term}`,
  leader_elected: () => '★',
  leader_deposed: () => '☆',
  vote_granted: () => 'V✓',
  vote_refused: () => 'V✗',
  probe_granted: () => 'P✓',
  probe_refused: () => 'P✗',
  commit_advanced: (e) => `c${e.index}`,
  write_acked: () => 'ack',
  write_rejected: () => 'rej',
  crash: () => '⚡',
  restart: () => '↻',
  handover_phase: (e) => `⇄${e.phase ?? ''}`,
  handover_outcome: (e) => `⇄${e.result ?? ''}`,
  membership_changed: () => '⚙',
  snapshot_taken: () => '⧈',
  snapshot_installed: () => '⧈',
};

/** The node a mark goes on. */
const markNode = (e) => e.voter ?? (e.kind.startsWith('handover') ? e.from : e.node);

const BANDS = new Set(['partition', 'heal', 'violation']);
const REFUSALS = new Set(['vote_refused', 'probe_refused']);

/**
 * The trace read into {nodes, arrows, marks, bands, roles, firstStep,
 * lastStep}. Events are added in order, as the run grows (`add` takes an
 * array and the index to start from), so that playback costs only the new
 * events. `nodes` are the ids given plus every one the events name.
 */
export class SequenceModel {
  constructor(nodeIds = []) {
    this.nodeSet = new Set(nodeIds);
    this.sortedNodes = null;
    this.arrows = [];
    this.open = new Map(); // seq → arrow still on its way
    this.duplicatedAt = new Map(); // from,to,msg,term → {step, heartbeat} of the latest duplicate
    // What the events of the step being read need of its earlier events (a
    // step's events come together): cleared when the step changes.
    this.stepNow = null;
    this.heartbeatIn = new Set(); // `${receiver} ${sender}` of each heartbeat delivered in this step
    this.markAt = new Map(); // node → its mark in this step
    this.marks = [];
    this.bands = [];
    this.roles = new Map(); // node → [{step, role, term}], in order
    this.firstStep = null;
    this.lastStep = 0;
  }

  get nodes() {
    this.sortedNodes ??= [...this.nodeSet].filter((n) => typeof n === 'number').sort((a, b) => a - b);
    return this.sortedNodes;
  }

  node(id) {
    if (!this.nodeSet.has(id)) {
      this.nodeSet.add(id);
      this.sortedNodes = null;
    }
  }

  add(events, from = 0) {
    for (let i = from; i < events.length; i += 1) this.addEvent(events[i]);
  }

  addEvent(e) {
    this.firstStep ??= e.step;
    this.lastStep = e.step;
    if (e.step !== this.stepNow) {
      this.stepNow = e.step;
      this.heartbeatIn.clear();
      this.markAt.clear();
    }
    switch (e.kind) {
      case 'message_sent': return this.sent(e);
      case 'message_delivered':
      case 'message_dropped': return this.ended(e);
      case 'message_duplicated':
        // `seq` names the original, still in flight: its copy is a heartbeat if it is.
        this.duplicatedAt.set(`${e.from},${e.to},${e.msg},${e.term}`, { step: e.step, heartbeat: !!this.open.get(e.seq)?.heartbeat });
        return undefined;
      case 'message_held':
        if (this.open.has(e.seq)) this.open.get(e.seq).held = e.step;
        return undefined;
      case 'message_released':
        if (this.open.has(e.seq)) this.open.get(e.seq).released = e.step;
        return undefined;
      case 'role_changed':
        if (!this.roles.has(e.node)) this.roles.set(e.node, []);
        this.roles.get(e.node).push({ step: e.step, role: e.role, term: e.term });
        break;
      default:
    }
    if (BANDS.has(e.kind)) this.bands.push({ step: e.step, tick: e.tick, kind: e.kind, group: groupOf(e.kind), text: e.text, e });
    else this.mark(e);
    return undefined;
  }

  sent(e) {
    const heartbeat = (e.msg === 'append' && e.entries === 0)
      || (e.msg === 'append_reply' && this.heartbeatIn.has(`${e.from} ${e.to}`));
    const arrow = { seq: e.seq, from: e.from, to: e.to, msg: e.msg, term: e.term, sendStep: e.step, endStep: null,
      fate: 'flight', dup: false, held: null, released: null, heartbeat, text: e.text, lost: null };
    this.open.set(e.seq, arrow);
    this.arrows.push(arrow);
    this.node(e.from);
    this.node(e.to);
  }

  ended(e) {
    let arrow = this.open.get(e.seq);
    if (arrow) this.open.delete(e.seq);
    else {
      // A copy the network made (or one sent before the kept window).
      const copied = this.duplicatedAt.get(`${e.from},${e.to},${e.msg},${e.term}`);
      arrow = { seq: e.seq, from: e.from, to: e.to, msg: e.msg, term: e.term, sendStep: copied?.step ?? null,
        dup: copied != null, held: null, released: null, heartbeat: !!copied?.heartbeat, text: e.text, lost: null };
      this.arrows.push(arrow);
    }
    arrow.endStep = e.step;
    arrow.fate = e.kind === 'message_delivered' ? 'delivered' : 'dropped';
    if (e.kind === 'message_dropped') arrow.lost = e.text;
    if (arrow.heartbeat && arrow.fate === 'delivered') this.heartbeatIn.add(`${e.to} ${e.from}`);
    this.node(e.from);
    this.node(e.to);
  }

  mark(e) {
    const token = TOKENS[e.kind]?.(e);
    const node = markNode(e);
    if (!token || typeof node !== 'number') return;
    this.node(node);
    let mark = this.markAt.get(node);
    if (!mark) {
      mark = { step: e.step, tick: e.tick, node, items: [] };
      this.markAt.set(node, mark);
      this.marks.push(mark);
    }
    mark.items.push({ token, kind: e.kind, group: groupOf(e.kind), text: e.text, refusal: REFUSALS.has(e.kind), e });
  }

  /**
   * Forgets what happened before `step` (the page's kept trace moved on past
   * it), so that the model holds no more than the window it is read from.
   * Messages still on their way, or that arrive from `step` on, stay; each
   * lane keeps the role it had then.
   */
  dropBefore(step) {
    if (this.firstStep == null || step <= this.firstStep) return;
    this.arrows = this.arrows.filter((a) => a.endStep == null || a.endStep >= step);
    this.marks = this.marks.filter((m) => m.step >= step);
    this.bands = this.bands.filter((b) => b.step >= step);
    for (const [node, changes] of this.roles) {
      let from = 0;
      while (from + 1 < changes.length && changes[from + 1].step < step) from += 1;
      if (from > 0) this.roles.set(node, changes.slice(from));
    }
    for (const [key, copy] of this.duplicatedAt) if (copy.step < step) this.duplicatedAt.delete(key);
    this.firstStep = step;
  }
}

/**
 * Where `next` starts in `prev` when it continues it (the page's trace
 * after a trim: the newest events of `prev`, by identity, then newer ones),
 * else -1 (a seek or a new run: read afresh).
 */
export function continuation(prev, next) {
  if (!prev?.length || !next.length) return -1;
  const first = next[0];
  let lo = 0;
  let hi = prev.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (prev[mid].step < first.step) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < prev.length && prev[k].step === first.step; k += 1) {
    if (prev[k] !== first) continue;
    return next[prev.length - 1 - k] === prev[prev.length - 1] ? k : -1;
  }
  return -1;
}

/**
 * The rows the diagram's time axis is made of, top to bottom: one per step
 * with something to show, a thin `gap` row for each quiet stretch, and,
 * when heartbeats are folded, one `beats` row per run of steps whose only
 * traffic is heartbeats. Returns {rows, height, rowOf(step)}, each row
 * {first, last, y, h, type, count}.
 */
export function layoutRows(model, { rowHeight, collapse, foldHeartbeats, showArrow, showMark }) {
  // One flag and one heartbeat count per step of the model (typed arrays:
  // a long run has tens of thousands of steps, laid out again on each redraw).
  const first = model.firstStep ?? 0;
  const span = Math.max(0, model.lastStep - first + 1);
  const busy = new Uint8Array(span);
  const beats = new Uint32Array(span);
  const at = (step) => (step == null ? -1 : Math.max(0, step - first));
  for (const a of model.arrows) {
    if (!showArrow(a)) continue;
    if (a.heartbeat && foldHeartbeats) {
      const i = at(a.endStep ?? a.sendStep);
      if (i >= 0 && i < span) beats[i] += 1;
      continue;
    }
    if (a.sendStep != null && at(a.sendStep) < span) busy[at(a.sendStep)] = 1;
    if (a.endStep != null && at(a.endStep) < span) busy[at(a.endStep)] = 1;
  }
  for (const m of model.marks) if (showMark(m)) busy[at(m.step)] = 1;
  for (const b of model.bands) busy[at(b.step)] = 1;
  const rows = [];
  const gapHeight = Math.max(6, Math.round(rowHeight / 3));
  let y = 0;
  let prev = -1;
  for (let i = 0; i < span; i += 1) {
    if (!busy[i] && !beats[i]) continue;
    const step = first + i;
    const last = rows[rows.length - 1];
    // A run of heartbeats swallows the quiet steps inside it.
    if (!busy[i] && last?.type === 'beats') {
      last.last = step;
      last.count += beats[i];
      prev = i;
      continue;
    }
    if (prev >= 0 && i > prev + 1) {
      const quiet = i - prev - 1;
      const h = collapse ? gapHeight : Math.min(quiet, 400) * gapHeight;
      rows.push({ first: first + prev + 1, last: step - 1, y, h, type: 'gap', count: quiet });
      y += h;
    }
    const type = busy[i] ? 'step' : 'beats';
    rows.push({ first: step, last: step, y, h: rowHeight, type, count: busy[i] ? 0 : beats[i] });
    y += rowHeight;
    prev = i;
  }
  return { rows, height: y, rowOf: (step) => rowAt(rows, step) };
}

/** The row holding `step`, or the first one after it (the last row past the end). */
export function rowAt(rows, step) {
  let lo = 0;
  let hi = rows.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].last < step) lo = mid + 1;
    else hi = mid;
  }
  return rows[lo];
}
