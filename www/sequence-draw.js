// Drawing the sequence diagram's SVG: the lane labels, and for one window of
// rows (the rows in view, plus a margin) the lanes with their roles, the
// step numbers, heartbeat and gap rows, bands, arrows, marks and the
// playhead. It only places what the model holds (sequence-model.js); where
// the window is and when to redraw is sequence-view.js's job.
import { svgEl, termColor } from './svg.js';
import { rowAt } from './sequence-model.js';
import { highlightedNode, markItems, showsArrow, showsBand, showsMark } from './sequence-filter.js';

/** Width of the step column left of the lanes, px. */
export const GUTTER = 52;
/** Height of the lane labels above the rows, px. */
export const HEADER = 30;
/** Most arrows and marks drawn at once, whatever the zoom: bounds the DOM. */
export const MAX_DRAWN = 700;
/** Row height from which each message kind is written next to its arrow, px. */
const LABELS_FROM_ROW_PX = 22;

const centre = (row) => row.y + row.h / 2;

/** The playhead's y: just after the rows of the steps already taken. */
export function playheadY(layout, step) {
  const row = rowAt(layout.rows, step);
  if (!row) return layout.height;
  if (row.first >= step) return row.y;
  return row.y + (row.h * (step - row.first)) / (row.last - row.first + 1);
}

/**
 * Each arrow's and mark's y, once per layout, sorted by top, so that a
 * redraw (a scroll) looks only at the ones in its window.
 * Returns {arrows: [{a, y1, y2, lo}] by lo, longest (the tallest arrow, px), marks: [{m, r}] in step order}.
 */
export function placeItems(model, layout, filter, foldHeartbeats) {
  const firstY = layout.rows[0]?.y ?? 0;
  const arrows = [];
  let longest = 0;
  for (const a of model.arrows) {
    if ((a.heartbeat && foldHeartbeats) || !showsArrow(filter, a)) continue;
    const y1 = a.sendStep != null ? centre(layout.rowOf(a.sendStep)) : firstY;
    const y2 = a.endStep != null ? centre(layout.rowOf(a.endStep)) : Math.max(y1 + 8, layout.height);
    const lo = Math.min(y1, y2);
    longest = Math.max(longest, Math.abs(y2 - y1));
    arrows.push({ a, y1, y2, lo });
  }
  arrows.sort((p, q) => p.lo - q.lo);
  const marks = model.marks.filter((m) => showsMark(filter, m)).map((m) => ({ m, r: layout.rowOf(m.step) }));
  return { arrows, longest, marks };
}

/** The index of the first of `items` whose `key(item)` is at least `y` (items sorted by it). */
function firstAtOrAfter(items, y, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) < y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The width the diagram needs for `lane` px per node. */
export const diagramWidth = (model, lane) => GUTTER + lane * model.nodes.length + 8;

const laneX = (scene, node) => GUTTER + scene.model.nodes.indexOf(node) * scene.lane + scene.lane / 2;

/**
 * The lane labels, with each node's role and term now. `scene` is
 * {model, layout, placed (placeItems), filter, lane (px), nodes (the state's), rowHeight}.
 */
export function drawHeader(header, scene, width) {
  header.replaceChildren();
  header.setAttribute('width', String(width));
  header.setAttribute('height', String(HEADER));
  svgEl('rect', { class: 'qs-seq-headbg', x: 0, y: 0, width, height: HEADER }, header);
  svgEl('text', { class: 'qs-seq-gutterlabel', x: 4, y: 19 }, header).textContent = 'step';
  const byId = new Map(scene.nodes.map((n) => [n.id, n]));
  const sel = highlightedNode(scene.filter);
  for (const id of scene.model.nodes) {
    const n = byId.get(id);
    const t = svgEl('text', { class: `qs-seq-lanelabel${id === sel ? ' sel' : ''}`, x: laneX(scene, id), y: 19, 'text-anchor': 'middle' }, header);
    t.textContent = n ? `node ${id} · ${n.role} t${n.term}` : `node ${id}`;
    if (scene.lane < 90) t.textContent = n ? `${id} ${n.role[0].toUpperCase()}${n.term}` : String(id);
  }
}

/**
 * The rows between `top` and `bottom` (px) into `body`, emptied first, and
 * the playhead at step `now`; items from step `futureFrom` on are dimmed.
 * Returns how many arrows and marks were drawn (each kind stops at MAX_DRAWN).
 */
export function drawWindow(body, scene, { top, bottom, width, now, futureFrom }) {
  body.replaceChildren();
  const lanesG = svgEl('g', { class: 'qs-seq-lanes' }, body);
  const rowsG = svgEl('g', { class: 'qs-seq-rows' }, body);
  const arrowsG = svgEl('g', { class: 'qs-seq-arrows' }, body);
  const marksG = svgEl('g', { class: 'qs-seq-marks' }, body);
  drawLanes(lanesG, scene, top, bottom, now);
  drawRows(rowsG, scene, top, bottom, width, futureFrom);
  const drawn = drawArrows(arrowsG, scene, top, bottom, futureFrom) + drawMarks(marksG, scene, top, bottom, futureFrom);
  const head = playheadY(scene.layout, now);
  svgEl('line', { class: 'qs-seq-playhead', x1: 0, x2: width, y1: head, y2: head, 'data-step': now }, body);
  return drawn;
}

function drawLanes(g, scene, top, bottom, now) {
  const { model, layout, lane } = scene;
  const sel = highlightedNode(scene.filter);
  for (const id of model.nodes) {
    const x = laneX(scene, id);
    if (id === sel) svgEl('rect', { class: 'qs-seq-lanesel', x: x - lane / 2 + 2, y: top, width: lane - 4, height: bottom - top }, g);
    svgEl('line', { class: 'qs-seq-lane', x1: x, x2: x, y1: top, y2: bottom, 'data-lane': id }, g);
    // Role along the lane: leaders thick in their term's colour, candidates dashed, crashed nodes faint.
    const changes = model.roles.get(id) ?? [];
    for (let i = 0; i < changes.length; i += 1) {
      const c = changes[i];
      if (c.role === 'follower' || c.role === 'learner' || c.role === 'witness') continue;
      const y1 = Math.max(top, centre(layout.rowOf(c.step) ?? { y: layout.height, h: 0 }));
      const next = changes[i + 1];
      const y2 = Math.min(bottom, next ? centre(layout.rowOf(next.step) ?? { y: layout.height, h: 0 }) : playheadY(layout, now));
      if (y2 <= y1) continue;
      const line = svgEl('line', { class: `qs-seq-role role-${c.role}`, x1: x, x2: x, y1, y2 }, g);
      if (c.role === 'leader') line.style.stroke = termColor(c.term);
    }
  }
}

function drawRows(g, scene, top, bottom, width, futureFrom) {
  const rows = scene.layout.rows;
  let i = rows.indexOf(rowAt(rows, 0));
  for (i = Math.max(0, i); i < rows.length && rows[i].y <= bottom; i += 1) {
    const r = rows[i];
    if (r.y + r.h < top) continue;
    const future = r.first >= futureFrom ? ' future' : '';
    if (r.type === 'gap') {
      if (r.count < 2 || r.h < 8) continue;
      const t = svgEl('text', { class: `qs-seq-gap${future}`, x: GUTTER - 6, y: centre(r) + 3, 'text-anchor': 'end' }, g);
      t.textContent = `⋯${r.count}`;
    } else if (r.type === 'beats') {
      svgEl('rect', { class: `qs-seq-beats${future}`, x: GUTTER, y: r.y + 2, width: width - GUTTER - 8, height: r.h - 4, rx: 3 }, g);
      if (r.h >= 12) {
        const t = svgEl('text', { class: 'qs-seq-beatslabel', x: GUTTER + 6, y: centre(r) + 4 }, g);
        const steps = r.first === r.last ? `step ${r.first}` : `steps ${r.first}–${r.last}`;
        t.textContent = `♥ ${r.count} heartbeat message${r.count === 1 ? '' : 's'}, ${steps}`;
      }
    } else if (r.h >= 14 || r.first % 5 === 0) {
      const t = svgEl('text', { class: `qs-seq-step${future}`, x: GUTTER - 6, y: centre(r) + 4, 'text-anchor': 'end' }, g);
      t.textContent = String(r.first);
    }
  }
  for (const b of scene.model.bands) {
    if (!showsBand(scene.filter, b)) continue;
    const y = centre(scene.layout.rowOf(b.step));
    if (y < top || y > bottom) continue;
    const band = svgEl('g', focusable(`band-${b.step}-${b.kind}`, `qs-seq-band kind-${b.kind}${b.step >= futureFrom ? ' future' : ''}`, b.step, b.text), g);
    band.dataset.kind = b.kind;
    svgEl('line', { x1: GUTTER, x2: width - 8, y1: y, y2: y }, band);
    const t = svgEl('text', { x: width - 12, y: y - 3, 'text-anchor': 'end' }, band);
    t.textContent = b.kind === 'violation' ? `! ${b.text}` : b.text;
  }
}

/** Attributes of a clickable, focusable item that seeks to just after `step` (sequence-interaction.js). */
function focusable(key, cls, step, label) {
  return { class: cls, tabindex: -1, role: 'button', 'data-key': key, 'data-step': step + 1, 'data-event-step': step,
    'aria-label': `${label} (step ${step}): go there`, 'data-tip': label };
}

function drawArrows(g, scene, top, bottom, futureFrom) {
  const { model, placed } = scene;
  let drawn = 0;
  const labelled = new Set();
  for (let i = firstAtOrAfter(placed.arrows, top - placed.longest, (p) => p.lo); i < placed.arrows.length; i += 1) {
    const { a, y1, y2, lo } = placed.arrows[i];
    if (lo > bottom || drawn >= MAX_DRAWN) break;
    if (Math.max(y1, y2) < top) continue;
    drawn += 1;
    const at = a.endStep ?? a.sendStep ?? model.lastStep;
    let said = a.fate === 'dropped' ? a.lost : a.fate === 'flight' ? `${a.text} (still on its way)` : a.text;
    if (a.held != null) said += ` (held at step ${a.held}${a.released != null ? `, released at step ${a.released}` : ''})`;
    // Named first by the kind its drawn label shows (a reader of the label and a screen reader agree).
    const label = `${shortName(a)}: ${said}`;
    const future = at >= futureFrom ? ' future' : '';
    const cls = `qs-seq-arrow fate-${a.fate}${a.dup ? ' dup' : ''}${a.held != null ? ' held' : ''}${future}`;
    const arrow = svgEl('g', focusable(`m${a.seq}-${a.endStep}`, cls, at, label), g);
    Object.assign(arrow.dataset, { from: a.from, to: a.to, seq: a.seq, fate: a.fate, msg: a.msg });
    if (a.sendStep != null) arrow.dataset.sendStep = a.sendStep;
    if (a.endStep != null) arrow.dataset.endStep = a.endStep;
    if (a.dup) arrow.dataset.duplicate = '';
    if (a.held != null) arrow.dataset.held = a.held;
    const x1 = laneX(scene, a.from);
    const x2 = laneX(scene, a.to);
    svgEl('line', { class: 'qs-seq-hit', x1, y1, x2, y2 }, arrow);
    svgEl('line', { class: 'qs-seq-shaft', x1, y1, x2, y2 }, arrow);
    endGlyph(arrow, a, x1, y1, x2, y2);
    // One label per sender, step and kind: a broadcast is labelled once.
    const labelKey = `${a.sendStep} ${a.from} ${a.msg}`;
    if (scene.rowHeight >= LABELS_FROM_ROW_PX && a.sendStep != null && !labelled.has(labelKey)) {
      labelled.add(labelKey);
      const right = x2 > x1;
      const t = svgEl('text', { class: 'qs-seq-msg', x: x1 + (right ? 6 : -6), y: y1 - 3, 'text-anchor': right ? 'start' : 'end',
        'aria-hidden': 'true' }, arrow);
      t.textContent = shortName(a);
    }
  }
  return drawn;
}

const shortName = (a) => a.msg.replace('_', ' ') + (a.dup ? ' (copy)' : '');

/** The arrow's end: a head when delivered, a cross when lost, an open circle while on its way. */
function endGlyph(g, a, x1, y1, x2, y2) {
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ux = (x2 - x1) / len;
  const uy = (y2 - y1) / len;
  if (a.fate === 'delivered') {
    const bx = x2 - ux * 8;
    const by = y2 - uy * 8;
    svgEl('path', { class: 'qs-seq-head', d: `M${x2},${y2}L${bx - uy * 4},${by + ux * 4}L${bx + uy * 4},${by - ux * 4}Z` }, g);
  } else if (a.fate === 'dropped') {
    svgEl('path', { class: 'qs-seq-cross', d: `M${x2 - 5},${y2 - 5}L${x2 + 5},${y2 + 5}M${x2 - 5},${y2 + 5}L${x2 + 5},${y2 - 5}` }, g);
  } else {
    svgEl('circle', { class: 'qs-seq-open', cx: x2, cy: y2, r: 3.5 }, g);
  }
  if (a.held != null) {
    const t = svgEl('text', { class: 'qs-seq-heldmark', x: x1 + ux * 14, y: y1 + uy * 14 + 4, 'text-anchor': 'middle' }, g);
    t.textContent = '‖';
  }
}

function drawMarks(g, scene, top, bottom, futureFrom) {
  const marks = scene.placed.marks;
  let drawn = 0;
  for (let i = firstAtOrAfter(marks, top - 20, (p) => centre(p.r)); i < marks.length; i += 1) {
    const { m, r } = marks[i];
    const y = centre(r);
    if (y > bottom + 20 || drawn >= MAX_DRAWN) break;
    drawn += 1;
    const items = markItems(scene.filter, m);
    const refusal = items.some((i) => i.refusal);
    const text = items.map((i) => (i.refusal && i.e.reason?.code ? `${i.text} [${i.e.reason.code}]` : i.text)).join(' · ');
    const cls = `qs-seq-mark${refusal ? ' refusal' : ''}${m.step >= futureFrom ? ' future' : ''}`;
    const token = items.map((i) => i.token).join(' ');
    const mark = svgEl('g', focusable(`k${m.step}-${m.node}`, cls, m.step, `${token}: ${text}`), g);
    mark.dataset.node = m.node;
    mark.dataset.kinds = items.map((i) => i.kind).join(' ');
    if (refusal) mark.dataset.reason = items.filter((i) => i.refusal).map((i) => i.e.reason?.code ?? '').join(' ');
    const fontPx = Math.min(12, Math.max(8, r.h - 4));
    const w = Math.min(scene.lane - 6, token.length * fontPx * 0.62 + 8);
    const x = laneX(scene, m.node);
    svgEl('rect', { class: 'qs-seq-markbg', x: x - w / 2, y: y - fontPx / 2 - 3, width: w, height: fontPx + 6, rx: 3 }, mark);
    // The token abbreviates the label, which says it in full.
    const t = svgEl('text', { x, y: y + fontPx / 2 - 1, 'text-anchor': 'middle', 'font-size': fontPx, 'aria-hidden': 'true' }, mark);
    t.textContent = token;
  }
  return drawn;
}
