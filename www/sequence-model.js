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
    this.heartbeatIn = new Set(); // `${step} ${receiver} ${sender}` of each heartbeat delivered
    this.markAt = new Map(); // `${step} ${node}` → mark
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
      || (e.msg === 'append_reply' && this.heartbeatIn.has(`${e.step} ${e.from} ${e.to}`));
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
    if (arrow.heartbeat && arrow.fate === 'delivered') this.heartbeatIn.add(`${e.step} ${e.to} ${e.from}`);
    this.node(e.from);
    this.node(e.to);
  }

  mark(e) {
    const token = TOKENS[e.kind]?.(e);
    const node = markNode(e);
    if (!token || typeof node !== 'number') return;
    this.node(node);
    const key = `${e.step} ${node}`;
    let mark = this.markAt.get(key);
    if (!mark) {
      mark = { step: e.step, tick: e.tick, node, items: [] };
      this.markAt.set(key, mark);
      this.marks.push(mark);
    }
    mark.items.push({ token, kind: e.kind, group: groupOf(e.kind), text: e.text, refusal: REFUSALS.has(e.kind), e });
  }
}

/** The model of `events` (trace objects, in order). */
export function buildModel(events, nodeIds = []) {
  const model = new SequenceModel(nodeIds);
  model.add(events);
  return model;
}

/**
 * The rows the diagram's time axis is made of, top to bottom: one per step
 * with something to show, a thin `gap` row for each quiet stretch, and,
 * when heartbeats are folded, one `beats` row per run of steps whose only
 * traffic is heartbeats. Returns {rows, height, rowOf(step)}, each row
 * {first, last, y, h, type, count}.
 */
export function layoutRows(model, { rowHeight, collapse, foldHeartbeats, showArrow, showMark }) {
  const busy = new Set();
  const beats = new Map(); // step → heartbeats ending there
  for (const a of model.arrows) {
    if (!showArrow(a)) continue;
    if (a.heartbeat && foldHeartbeats) {
      const at = a.endStep ?? a.sendStep;
      beats.set(at, (beats.get(at) ?? 0) + 1);
      continue;
    }
    if (a.sendStep != null) busy.add(a.sendStep);
    if (a.endStep != null) busy.add(a.endStep);
  }
  for (const m of model.marks) if (showMark(m)) busy.add(m.step);
  for (const b of model.bands) busy.add(b.step);
  const steps = [...new Set([...busy, ...beats.keys()])].sort((a, b) => a - b);
  const rows = [];
  const gapHeight = Math.max(6, Math.round(rowHeight / 3));
  let y = 0;
  let prev = null;
  for (const step of steps) {
    if (prev != null && step > prev + 1) {
      const quiet = step - prev - 1;
      const h = collapse ? gapHeight : Math.min(quiet, 400) * gapHeight;
      rows.push({ first: prev + 1, last: step - 1, y, h, type: 'gap', count: quiet });
      y += h;
    }
    const last = rows[rows.length - 1];
    if (!busy.has(step) && last?.type === 'beats') {
      last.last = step;
      last.count += beats.get(step);
    } else if (!busy.has(step)) {
      rows.push({ first: step, last: step, y, h: rowHeight, type: 'beats', count: beats.get(step) });
      y += rowHeight;
    } else {
      rows.push({ first: step, last: step, y, h: rowHeight, type: 'step', count: 0 });
      y += rowHeight;
    }
    // A run of heartbeats swallows the quiet steps inside it.
    if (rows.length >= 3 && rows[rows.length - 1].type === 'beats' && rows[rows.length - 2].type === 'gap'
      && rows[rows.length - 3].type === 'beats') {
      const [before, gap, now] = rows.splice(-3, 3);
      before.last = now.last;
      before.count += now.count;
      y -= gap.h + now.h;
      rows.push(before);
    }
    prev = step;
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
