// Drawing the sequence diagram's SVG: the lane labels, and for one window of
// rows (the rows in view, plus a margin) the lanes with their roles, the
// step numbers, heartbeat and gap rows, bands, arrows, marks and the
// playhead. It only places what the model holds (sequence-model.js); where
// the window is and when to redraw is sequence-view.js's job. Elements are
// kept from one redraw to the next and rebuilt only when what they show
// changed, so a redraw while playing costs what moved, not what is drawn.
import { setAttr } from './dom.js';
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
 * Returns {arrows: [{a, y1, y2, lo}] by lo, longest (the tallest arrow, px), marks: [{m, r}] in step order,
 * markAt: those marks by "step node"}.
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
  // The mark a node has at a step, for the label of an arrow it sends then, which starts past the mark.
  const markAt = new Map(marks.map((p) => [`${p.m.step} ${p.m.node}`, p]));
  return { arrows, longest, marks, markAt };
}

/** A mark's token (its items' under the filter), font size and box width, px, as drawn. */
function markBox(scene, m, r) {
  const items = markItems(scene.filter, m);
  const token = items.map((i) => i.token).join(' ');
  const fontPx = Math.min(12, Math.max(8, r.h - 4));
  return { items, token, fontPx, w: Math.min(scene.lane - 6, token.length * fontPx * 0.62 + 8) };
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
 * Children of one group kept across redraws by key: an element is built
 * again only when its signature (everything it shows) changed, and removed
 * when a redraw no longer puts it. While playing, a redraw then touches only
 * what entered or left the window or changed in it, not every element drawn
 * (each new element costs the browser a restyle, a layout and a paint).
 */
class Keyed {
  constructor(g) {
    this.g = g;
    this.items = new Map(); // key → {el, sig, pass}
    this.pass = 0;
  }

  begin() {
    this.pass += 1;
  }

  /** The element for `key`, built by `build()` (detached) unless the one drawn has signature `sig`. */
  put(key, sig, build) {
    const had = this.items.get(key);
    if (had && had.sig === sig) {
      had.pass = this.pass;
      return had.el;
    }
    const el = build();
    if (had) had.el.replaceWith(el);
    else this.g.append(el);
    this.items.set(key, { el, sig, pass: this.pass });
    return el;
  }

  /** Removes what this pass did not put. */
  end() {
    for (const [key, item] of this.items) {
      if (item.pass === this.pass) continue;
      item.el.remove();
      this.items.delete(key);
    }
  }

  clear() {
    this.g.replaceChildren();
    this.items.clear();
  }
}

/**
 * The drawing of the lane labels (`header`) and of one window of rows
 * (`body`, in the layout's coordinates: y 0 is the first row). Its groups
 * keep their elements between redraws (Keyed).
 */
export function createDrawing(header, body) {
  const groups = ['qs-seq-lanes', 'qs-seq-rows', 'qs-seq-arrows', 'qs-seq-marks'].map((cls) => new Keyed(svgEl('g', { class: cls }, body)));
  const [lanes, rows, arrows, marks] = groups;
  const heads = new Keyed(header);
  const playhead = svgEl('line', { class: 'qs-seq-playhead' }, body);
  return {
    /**
     * The lane labels, with each node's role and term now. `scene` is
     * {model, layout, placed (placeItems), filter, lane (px), nodes (the state's), rowHeight}.
     */
    header(scene, width) {
      setAttr(header, 'width', String(width));
      setAttr(header, 'height', String(HEADER));
      heads.begin();
      heads.put('bg', String(width), () => svgEl('rect', { class: 'qs-seq-headbg', x: 0, y: 0, width, height: HEADER }));
      heads.put('gutter', '', () => text('text', { class: 'qs-seq-gutterlabel', x: 4, y: 19 }, 'step'));
      const byId = new Map(scene.nodes.map((n) => [n.id, n]));
      const sel = highlightedNode(scene.filter);
      for (const id of scene.model.nodes) {
        const n = byId.get(id);
        let label = n ? `node ${id} · ${n.role} t${n.term}` : `node ${id}`;
        if (scene.lane < 90) label = n ? `${id} ${n.role[0].toUpperCase()}${n.term}` : String(id);
        const x = laneX(scene, id);
        heads.put(`n${id}`, `${x} ${id === sel} ${label}`, () => text('text',
          { class: `qs-seq-lanelabel${id === sel ? ' sel' : ''}`, x, y: 19, 'text-anchor': 'middle' }, label));
      }
      heads.end();
    },

    /**
     * The rows between `top` and `bottom` (px) and the playhead at step
     * `now`; items from step `futureFrom` on are dimmed. Returns how many
     * arrows and marks are drawn (each kind stops at MAX_DRAWN).
     */
    window(scene, { top, bottom, width, now, futureFrom }) {
      for (const g of groups) g.begin();
      drawLanes(lanes, scene, top, bottom, now);
      drawRows(rows, scene, top, bottom, width, futureFrom);
      const drawn = drawArrows(arrows, scene, top, bottom, futureFrom) + drawMarks(marks, scene, top, bottom, futureFrom);
      for (const g of groups) g.end();
      const head = String(playheadY(scene.layout, now));
      for (const [name, value] of [['x1', '0'], ['x2', String(width)], ['y1', head], ['y2', head], ['data-step', String(now)]]) {
        setAttr(playhead, name, value);
      }
      return drawn;
    },

    /** Forgets every element (a new layout moves them all). */
    clear() {
      for (const g of groups) g.clear();
    },
  };
}

/** An SVG element holding `content` as its text. */
function text(tag, attrs, content) {
  const t = svgEl(tag, attrs);
  t.textContent = content;
  return t;
}

function drawLanes(keyed, scene, top, bottom, now) {
  const { model, layout, lane } = scene;
  const sel = highlightedNode(scene.filter);
  for (const id of model.nodes) {
    const x = laneX(scene, id);
    if (id === sel) {
      const box = { class: 'qs-seq-lanesel', x: x - lane / 2 + 2, y: top, width: lane - 4, height: bottom - top };
      keyed.put(`sel${id}`, `${box.x} ${top} ${bottom} ${lane}`, () => svgEl('rect', box));
    }
    keyed.put(`lane${id}`, `${x} ${top} ${bottom}`, () => svgEl('line', { class: 'qs-seq-lane', x1: x, x2: x, y1: top, y2: bottom, 'data-lane': id }));
    // Role along the lane: leaders thick in their term's colour, candidates dashed, crashed nodes faint.
    const changes = model.roles.get(id) ?? [];
    for (let i = 0; i < changes.length; i += 1) {
      const c = changes[i];
      if (c.role === 'follower' || c.role === 'learner' || c.role === 'witness') continue;
      const y1 = Math.max(top, centre(layout.rowOf(c.step) ?? { y: layout.height, h: 0 }));
      const next = changes[i + 1];
      const y2 = Math.min(bottom, next ? centre(layout.rowOf(next.step) ?? { y: layout.height, h: 0 }) : playheadY(layout, now));
      if (y2 <= y1) continue;
      keyed.put(`role${id}-${c.step}`, `${x} ${y1} ${y2} ${c.role} ${c.term}`, () => {
        const line = svgEl('line', { class: `qs-seq-role role-${c.role}`, x1: x, x2: x, y1, y2 });
        if (c.role === 'leader') line.style.stroke = termColor(c.term);
        return line;
      });
    }
  }
}

function drawRows(keyed, scene, top, bottom, width, futureFrom) {
  const rows = scene.layout.rows;
  for (let i = firstAtOrAfter(rows, top, (r) => r.y + r.h); i < rows.length && rows[i].y <= bottom; i += 1) {
    const r = rows[i];
    const future = r.first >= futureFrom ? ' future' : '';
    const sig = `${r.y} ${r.h} ${r.last} ${r.count} ${future}`;
    if (r.type === 'gap') {
      if (r.count < 2 || r.h < 8) continue;
      keyed.put(`g${r.first}`, sig, () => text('text', { class: `qs-seq-gap${future}`, x: GUTTER - 6, y: centre(r) + 3, 'text-anchor': 'end' },
        `⋯${r.count}`));
    } else if (r.type === 'beats') {
      keyed.put(`h${r.first}`, `${sig} ${width}`, () => {
        const g = svgEl('g');
        svgEl('rect', { class: `qs-seq-beats${future}`, x: GUTTER, y: r.y + 2, width: width - GUTTER - 8, height: r.h - 4, rx: 3 }, g);
        if (r.h >= 12) {
          const steps = r.first === r.last ? `step ${r.first}` : `steps ${r.first}–${r.last}`;
          g.append(text('text', { class: 'qs-seq-beatslabel', x: GUTTER + 6, y: centre(r) + 4 },
            `♥ ${r.count} heartbeat message${r.count === 1 ? '' : 's'}, ${steps}`));
        }
        return g;
      });
    } else if (r.h >= 14 || r.first % 5 === 0) {
      keyed.put(`s${r.first}`, sig, () => text('text', { class: `qs-seq-step${future}`, x: GUTTER - 6, y: centre(r) + 4, 'text-anchor': 'end' },
        String(r.first)));
    }
  }
  const bands = scene.model.bands;
  for (let i = 0; i < bands.length; i += 1) {
    const b = bands[i];
    if (!showsBand(scene.filter, b)) continue;
    const y = centre(scene.layout.rowOf(b.step));
    if (y < top || y > bottom) continue;
    const future = b.step >= futureFrom ? ' future' : '';
    keyed.put(`b${b.step}-${b.kind}-${i}`, `${y} ${width} ${future}`, () => {
      const band = svgEl('g', focusable(`band-${b.step}-${b.kind}`, `qs-seq-band kind-${b.kind}${future}`, b.step, b.text));
      band.dataset.kind = b.kind;
      svgEl('line', { x1: GUTTER, x2: width - 8, y1: y, y2: y }, band);
      band.append(text('text', { x: width - 12, y: y - 3, 'text-anchor': 'end' }, b.kind === 'violation' ? `! ${b.text}` : b.text));
      return band;
    });
  }
}

/** Attributes of a clickable, focusable item that seeks to just after `step` (sequence-interaction.js). */
function focusable(key, cls, step, label) {
  return { class: cls, tabindex: -1, role: 'button', 'data-key': key, 'data-step': step + 1, 'data-event-step': step,
    'aria-label': `${label} (step ${step}): go there`, 'data-tip': label };
}

function drawArrows(keyed, scene, top, bottom, futureFrom) {
  const { model, placed } = scene;
  let drawn = 0;
  const labelled = new Set();
  for (let i = firstAtOrAfter(placed.arrows, top - placed.longest, (p) => p.lo); i < placed.arrows.length; i += 1) {
    const { a, y1, y2, lo } = placed.arrows[i];
    if (lo > bottom || drawn >= MAX_DRAWN) break;
    if (Math.max(y1, y2) < top) continue;
    drawn += 1;
    const at = a.endStep ?? a.sendStep ?? model.lastStep;
    const future = at >= futureFrom ? ' future' : '';
    const x1 = laneX(scene, a.from);
    const x2 = laneX(scene, a.to);
    // One label per sender, step and kind: a broadcast is labelled once.
    const labelKey = `${a.sendStep} ${a.from} ${a.msg}`;
    const label = scene.rowHeight >= LABELS_FROM_ROW_PX && a.sendStep != null && !labelled.has(labelKey);
    if (label) labelled.add(labelKey);
    // The label starts past the sender's mark at that step ("P✗" covered "probe reply"'s first letters).
    const mark = label && placed.markAt.get(`${a.sendStep} ${a.from}`);
    const pad = mark ? markBox(scene, mark.m, mark.r).w / 2 + 4 : 6;
    keyed.put(`m${a.seq}-${a.endStep}`, `${x1} ${y1} ${x2} ${y2} ${a.fate} ${a.held} ${a.released} ${future} ${label} ${pad}`,
      () => arrowElement(a, { x1, y1, x2, y2, at, future, label, pad }));
  }
  return drawn;
}

function arrowElement(a, { x1, y1, x2, y2, at, future, label, pad }) {
  let said = a.fate === 'dropped' ? a.lost : a.fate === 'flight' ? `${a.text} (still on its way)` : a.text;
  if (a.held != null) said += ` (held at step ${a.held}${a.released != null ? `, released at step ${a.released}` : ''})`;
  const cls = `qs-seq-arrow fate-${a.fate}${a.dup ? ' dup' : ''}${a.held != null ? ' held' : ''}${future}`;
  // Named first by the kind its drawn label shows (a reader of the label and a screen reader agree).
  const arrow = svgEl('g', focusable(`m${a.seq}-${a.endStep}`, cls, at, `${shortName(a)}: ${said}`));
  Object.assign(arrow.dataset, { from: a.from, to: a.to, seq: a.seq, fate: a.fate, msg: a.msg });
  if (a.sendStep != null) arrow.dataset.sendStep = a.sendStep;
  if (a.endStep != null) arrow.dataset.endStep = a.endStep;
  if (a.dup) arrow.dataset.duplicate = '';
  if (a.held != null) arrow.dataset.held = a.held;
  svgEl('line', { class: 'qs-seq-hit', x1, y1, x2, y2 }, arrow);
  svgEl('line', { class: 'qs-seq-shaft', x1, y1, x2, y2 }, arrow);
  endGlyph(arrow, a, x1, y1, x2, y2);
  if (label) {
    const right = x2 > x1;
    arrow.append(text('text', { class: 'qs-seq-msg', x: x1 + (right ? pad : -pad), y: y1 - 3, 'text-anchor': right ? 'start' : 'end',
      'aria-hidden': 'true' }, shortName(a)));
  }
  return arrow;
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

function drawMarks(keyed, scene, top, bottom, futureFrom) {
  const marks = scene.placed.marks;
  let drawn = 0;
  for (let i = firstAtOrAfter(marks, top - 20, (p) => centre(p.r)); i < marks.length; i += 1) {
    const { m, r } = marks[i];
    const y = centre(r);
    if (y > bottom + 20 || drawn >= MAX_DRAWN) break;
    drawn += 1;
    const { items, token, fontPx, w } = markBox(scene, m, r);
    const future = m.step >= futureFrom ? ' future' : '';
    const x = laneX(scene, m.node);
    keyed.put(`k${m.step}-${m.node}`, `${x} ${y} ${fontPx} ${w} ${future} ${items.length} ${token}`,
      () => markElement(m, items, { x, y, fontPx, token, future, w }));
  }
  return drawn;
}

function markElement(m, items, { x, y, fontPx, token, future, w }) {
  const refusal = items.some((i) => i.refusal);
  const said = items.map((i) => (i.refusal && i.e.reason?.code ? `${i.text} [${i.e.reason.code}]` : i.text)).join(' · ');
  const cls = `qs-seq-mark${refusal ? ' refusal' : ''}${future}`;
  const mark = svgEl('g', focusable(`k${m.step}-${m.node}`, cls, m.step, `${token}: ${said}`));
  mark.dataset.node = m.node;
  mark.dataset.kinds = items.map((i) => i.kind).join(' ');
  if (refusal) mark.dataset.reason = items.filter((i) => i.refusal).map((i) => i.e.reason?.code ?? '').join(' ');
  svgEl('rect', { class: 'qs-seq-markbg', x: x - w / 2, y: y - fontPx / 2 - 3, width: w, height: fontPx + 6, rx: 3 }, mark);
  // The token abbreviates the label, which says it in full.
  mark.append(text('text', { x, y: y + fontPx / 2 - 1, 'text-anchor': 'middle', 'font-size': fontPx, 'aria-hidden': 'true' }, token));
  return mark;
}
