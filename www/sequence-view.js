// The sequence diagram: one lane per node, time running down, each message
// an arrow from its send to its delivery (a cross when lost, dashed when a
// duplicate copy, dotted while held or on its way), role changes, terms,
// votes, refusals, commits, crashes and handover phases as marks on the
// lanes, partitions and violations as bands across them. Synced with the
// rest of the element: the playhead is the current step, clicking (or
// Enter on) an arrow or a mark seeks there, the narration's filters apply,
// the node selected in the picture highlights its lane. Only the rows in
// view are drawn (the DOM stays bounded on any run). Loaded on demand by
// sequence-panel.js; everything it shows comes from the trace (app.trace).
import { el, setText } from './dom.js';
import { svgEl, termColor } from './svg.js';
import { SequenceModel, layoutRows, rowAt } from './sequence-model.js';
import { exportSvg } from './sequence-export.js';

const STYLESHEET = new URL('./sequence-view.css', import.meta.url);
/** Row heights the zoom steps through, px. */
const ZOOMS = [8, 12, 16, 22, 30, 40];
const GUTTER = 52;
const HEADER = 30;
/** Rows drawn beyond the visible ones, px, so a small scroll shows drawn rows. */
const MARGIN = 300;
/** Most arrows and marks drawn at once, whatever the zoom: bounds the DOM. */
const MAX_DRAWN = 700;
/** While playing, redraw at most this often (ms). */
const PLAYING_REDRAW_MS = 250;

export function mountSequence(container, app, host) {
  const offs = [];
  const options = { foldHeartbeats: true, collapse: true, zoom: 3 };
  const link = el('link', { rel: 'stylesheet', href: STYLESHEET.href });

  // --- DOM ---------------------------------------------------------------
  const check = (label, key, hint) => {
    const input = el('input', { type: 'checkbox', checked: options[key] });
    input.addEventListener('change', () => {
      options[key] = input.checked;
      invalidate(true);
    });
    return el('label', { class: 'qs-seq-check', title: hint }, input, label);
  };
  const zoomOut = el('button', { type: 'button', class: 'qs-seq-zoom', 'aria-label': 'Zoom out (shorter rows)', text: '−' });
  const zoomIn = el('button', { type: 'button', class: 'qs-seq-zoom', 'aria-label': 'Zoom in (taller rows)', text: '+' });
  const exportBtn = el('button', { type: 'button', class: 'qs-seq-export', text: 'Export SVG',
    title: 'Download the rows in view as an SVG file' });
  const status = el('span', { class: 'qs-seq-status', role: 'status' });
  const toolbar = el('div', { class: 'qs-seq-toolbar', role: 'group', 'aria-label': 'Sequence diagram options' },
    check('Fold heartbeats', 'foldHeartbeats', 'Empty appends and their replies become one band per quiet run'),
    check('Collapse quiet stretches', 'collapse', 'Steps where nothing shown happens take one thin row'),
    el('span', { class: 'qs-seq-zooms' }, zoomOut, zoomIn), exportBtn, status);
  const legend = el('p', { class: 'qs-seq-legend', text:
    '→ delivered · × lost · dashed: duplicate copy · dotted: held or on its way · F/C/L + term: role · t: term · '
    + 'V/P ✓✗: vote/probe granted or refused · c: commit · ★ elected · ⚡ crash · ↻ restart · ⇄ handover. '
    + 'Click or press Enter on an arrow or a mark to go to that step.' });
  const header = svgEl('svg', { class: 'qs-seq-header', 'aria-hidden': 'true' });
  const body = svgEl('svg', { class: 'qs-seq-body', role: 'group', 'aria-label': 'Messages and marks, oldest first' });
  const content = el('div', { class: 'qs-seq-content' }, header, body);
  const scroller = el('div', { class: 'qs-seq-scroll' }, content);
  const tip = el('div', { class: 'qs-seq-tip', role: 'tooltip', id: `qs-seq-tip-${Math.random().toString(36).slice(2, 8)}` });
  tip.hidden = true;
  const root = el('div', { class: 'qs-seq-view' }, link, toolbar, legend, scroller, tip);
  container.replaceChildren(root);

  // --- state -------------------------------------------------------------
  let source = null; // the events drawn: the longest run seen since the last fork
  let sourceLength = -1;
  let scenario = null;
  let model = null;
  let layout = null;
  let filter = null;
  let lane = 60;
  let follow = true;
  let frame = 0;
  let timer = 0;
  let lastDraw = 0;
  let forceNext = false;
  let placed = []; // arrows shown, with their y: [{a, y1, y2, lo}] by lo
  let longest = 0; // the tallest arrow, px
  let marksPlaced = []; // marks shown, with their row, in step order
  let drawnWindow = null; // {top, bottom}: the rows the last redraw drew
  let ordered = []; // the drawn items, in time order (keyboard moves)
  let roveKey = null; // the item that holds the diagram's Tab stop
  let scrolledOnce = false; // scrolled to the playhead once
  let styled = false;
  const styledNow = () => {
    styled = true;
    invalidate(true, true);
  };
  link.addEventListener('load', styledNow, { once: true });
  link.addEventListener('error', styledNow, { once: true });

  /** The narration's filters and the picture's selection, read from their controls. */
  function readFilter() {
    const scope = container.getRootNode();
    const chips = [...(scope.querySelectorAll?.('.qs-nar-chip[data-group]') ?? [])];
    const groups = chips.length ? new Set(chips.filter((c) => c.getAttribute('aria-pressed') === 'true').map((c) => c.dataset.group)) : null;
    const value = scope.querySelector?.('.qs-nar-node')?.value;
    const selected = scope.querySelector?.('.cv-node.selected')?.getAttribute('data-node-id');
    return { groups, node: value ? Number(value) : null, selected: selected != null ? Number(selected) : null };
  }

  const filterKey = (f) => `${f.groups ? [...f.groups].sort().join() : '*'}|${f.node}|${f.selected}`;
  const markItems = (m) => m.items.filter((i) => (!filter.groups || filter.groups.has(i.group)));
  const showArrow = (a) => filter.node == null || a.from === filter.node || a.to === filter.node;
  const showMark = (m) => (filter.node == null || m.node === filter.node) && markItems(m).length > 0;

  /** Picks the events to draw: after a seek back the kept run still shows what comes next (the run is deterministic). */
  function pickSource() {
    if (app.scenario !== scenario) {
      scenario = app.scenario;
      source = null;
      scrolledOnce = false;
      follow = true;
    }
    const trace = app.trace;
    const end = (t) => (t?.length ? t[t.length - 1].step : -1);
    if (!source || end(trace) >= end(source) || trace.length === 0) source = trace;
  }

  function rebuild(force) {
    pickSource();
    const f = readFilter();
    const changed = force || !model || source !== model.source || source.length !== sourceLength || filterKey(f) !== filterKey(filter);
    filter = f;
    if (!changed) return;
    if (model && source === model.source && source.length > sourceLength) model.add(source, sourceLength);
    else if (!model || source !== model.source || source.length !== sourceLength) {
      model = new SequenceModel((app.state?.nodes ?? []).map((n) => n.id));
      model.source = source;
      model.add(source);
    }
    sourceLength = source.length;
    layout = layoutRows(model, { rowHeight: ZOOMS[options.zoom], collapse: options.collapse,
      foldHeartbeats: options.foldHeartbeats, showArrow, showMark });
    place();
  }

  /**
   * Each arrow's and mark's y, once per layout, sorted by top, so that a
   * redraw (a scroll) looks only at the ones in its window.
   */
  function place() {
    const firstY = layout.rows[0]?.y ?? 0;
    placed = [];
    longest = 0;
    for (const a of model.arrows) {
      if ((a.heartbeat && options.foldHeartbeats) || !showArrow(a)) continue;
      const y1 = a.sendStep != null ? centre(layout.rowOf(a.sendStep)) : firstY;
      const y2 = a.endStep != null ? centre(layout.rowOf(a.endStep)) : Math.max(y1 + 8, layout.height);
      const lo = Math.min(y1, y2);
      longest = Math.max(longest, Math.abs(y2 - y1));
      placed.push({ a, y1, y2, lo });
    }
    placed.sort((p, q) => p.lo - q.lo);
    marksPlaced = model.marks.filter(showMark).map((m) => ({ m, r: layout.rowOf(m.step) }));
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

  /** Schedules a redraw on the next frame (throttled while playing, unless `now`); `force` re-lays the rows out. */
  function invalidate(force = false, now = false) {
    forceNext = forceNext || force;
    if (frame || timer) return;
    const run = () => {
      timer = 0;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const f = forceNext;
        forceNext = false;
        draw(f);
      });
    };
    const wait = app.playing && !now ? PLAYING_REDRAW_MS - (performance.now() - lastDraw) : 0;
    if (wait > 0) timer = setTimeout(run, wait);
    else run();
  }

  // --- drawing ---------------------------------------------------------------
  const xOf = (node) => GUTTER + model.nodes.indexOf(node) * lane + lane / 2;
  const centre = (row) => row.y + row.h / 2;

  /** The playhead's y: just after the rows of the steps already taken. */
  function playheadY(step) {
    const row = rowAt(layout.rows, step);
    if (!row) return layout.height;
    if (row.first >= step) return row.y;
    return row.y + (row.h * (step - row.first)) / (row.last - row.first + 1);
  }

  function draw(force) {
    lastDraw = performance.now();
    // Closed panel (no box): nothing to draw; the ResizeObserver redraws on
    // opening. Before the stylesheet, the scroller has no height to scroll in.
    // Scrolled out of the page's view: drawn when it comes back.
    if (!app.state || !styled || !onScreen || scroller.clientWidth === 0) return;
    rebuild(force);
    const width = scroller.clientWidth || 600;
    lane = Math.max(56, Math.min(260, Math.floor((width - GUTTER - 4) / Math.max(1, model.nodes.length))));
    const totalW = GUTTER + lane * model.nodes.length + 8;
    const totalH = layout.height + 24;
    content.style.width = `${totalW}px`;
    content.style.height = `${HEADER + totalH}px`;
    const now = app.state.step;
    const head = playheadY(now);
    // Follow the playhead while playing, and once on opening (or after a new scenario).
    if (follow && (app.playing || !scrolledOnce)) scroller.scrollTop = Math.max(0, HEADER + head - scroller.clientHeight + 40);
    scrolledOnce = true;
    const top = Math.max(0, scroller.scrollTop - HEADER - MARGIN);
    const bottom = Math.min(totalH, scroller.scrollTop - HEADER + scroller.clientHeight + MARGIN);
    drawnWindow = { top, bottom: bottom >= totalH ? Infinity : bottom };
    drawHeader(totalW);
    const focusKey = body.contains(container.getRootNode().activeElement) ? container.getRootNode().activeElement.dataset.key : null;
    body.replaceChildren();
    body.setAttribute('width', String(totalW));
    body.setAttribute('height', String(Math.max(1, bottom - top)));
    body.setAttribute('viewBox', `0 ${top} ${totalW} ${Math.max(1, bottom - top)}`);
    body.style.top = `${HEADER + top}px`;
    const lanesG = svgEl('g', { class: 'qs-seq-lanes' }, body);
    const rowsG = svgEl('g', { class: 'qs-seq-rows' }, body);
    const arrowsG = svgEl('g', { class: 'qs-seq-arrows' }, body);
    const marksG = svgEl('g', { class: 'qs-seq-marks' }, body);
    drawLanes(lanesG, top, bottom, now);
    // Drawn dimmed: what the kept run holds past the playhead (after a seek back).
    const futureFrom = source === app.trace ? Infinity : now;
    drawRows(rowsG, top, bottom, totalW, futureFrom);
    const drawn = drawArrows(arrowsG, top, bottom, futureFrom) + drawMarks(marksG, top, bottom, futureFrom);
    svgEl('line', { class: 'qs-seq-playhead', x1: 0, x2: totalW, y1: head, y2: head, 'data-step': now }, body);
    setText(status, `${model.arrows.length} messages, steps ${model.firstStep}–${model.lastStep}`
      + (drawn >= MAX_DRAWN ? ' · zoom in to draw every one' : ''));
    rove(top);
    if (focusKey) body.querySelector(`[data-key="${focusKey}"]`)?.focus();
  }

  function drawHeader(totalW) {
    header.replaceChildren();
    header.setAttribute('width', String(totalW));
    header.setAttribute('height', String(HEADER));
    svgEl('rect', { class: 'qs-seq-headbg', x: 0, y: 0, width: totalW, height: HEADER }, header);
    svgEl('text', { class: 'qs-seq-gutterlabel', x: 4, y: 19 }, header).textContent = 'step';
    const byId = new Map((app.state?.nodes ?? []).map((n) => [n.id, n]));
    for (const id of model.nodes) {
      const n = byId.get(id);
      const t = svgEl('text', { class: `qs-seq-lanelabel${id === highlighted() ? ' sel' : ''}`, x: xOf(id), y: 19, 'text-anchor': 'middle' }, header);
      t.textContent = n ? `node ${id} · ${n.role} t${n.term}` : `node ${id}`;
      if (lane < 90) t.textContent = n ? `${id} ${n.role[0].toUpperCase()}${n.term}` : String(id);
    }
  }

  const highlighted = () => filter?.node ?? filter?.selected ?? null;

  function drawLanes(g, top, bottom, now) {
    const sel = highlighted();
    for (const id of model.nodes) {
      const x = xOf(id);
      if (id === sel) svgEl('rect', { class: 'qs-seq-lanesel', x: x - lane / 2 + 2, y: top, width: lane - 4, height: bottom - top }, g);
      svgEl('line', { class: 'qs-seq-lane', x1: x, x2: x, y1: top, y2: bottom, 'data-lane': id }, g);
      // Role along the lane: leaders thick in their term's colour, candidates dashed, crashed nodes faint.
      const changes = model.roles.get(id) ?? [];
      for (let i = 0; i < changes.length; i += 1) {
        const c = changes[i];
        if (c.role === 'follower' || c.role === 'learner' || c.role === 'witness') continue;
        const y1 = Math.max(top, centre(layout.rowOf(c.step) ?? { y: layout.height, h: 0 }));
        const next = changes[i + 1];
        const y2 = Math.min(bottom, next ? centre(layout.rowOf(next.step) ?? { y: layout.height, h: 0 }) : playheadY(now));
        if (y2 <= y1) continue;
        const line = svgEl('line', { class: `qs-seq-role role-${c.role}`, x1: x, x2: x, y1, y2 }, g);
        if (c.role === 'leader') line.style.stroke = termColor(c.term);
      }
    }
  }

  function drawRows(g, top, bottom, totalW, futureFrom) {
    const rows = layout.rows;
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
        svgEl('rect', { class: `qs-seq-beats${future}`, x: GUTTER, y: r.y + 2, width: totalW - GUTTER - 8, height: r.h - 4, rx: 3 }, g);
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
    for (const b of model.bands) {
      if (filter.groups && !filter.groups.has(b.group)) continue;
      const y = centre(layout.rowOf(b.step));
      if (y < top || y > bottom) continue;
      const band = svgEl('g', focusable(`band-${b.step}-${b.kind}`, `qs-seq-band kind-${b.kind}${b.step >= futureFrom ? ' future' : ''}`, b.step, b.text), g);
      band.dataset.kind = b.kind;
      svgEl('line', { x1: GUTTER, x2: totalW - 8, y1: y, y2: y }, band);
      const t = svgEl('text', { x: totalW - 12, y: y - 3, 'text-anchor': 'end' }, band);
      t.textContent = b.kind === 'violation' ? `! ${b.text}` : b.text;
    }
  }

  /** Attributes of a clickable, focusable item that seeks to just after `step`. */
  function focusable(key, cls, step, label) {
    return { class: cls, tabindex: -1, role: 'button', 'data-key': key, 'data-step': step + 1, 'data-event-step': step,
      'aria-label': `${label} (step ${step}): go there`, 'data-tip': label };
  }

  function drawArrows(g, top, bottom, futureFrom) {
    let drawn = 0;
    const labelled = new Set();
    for (let i = firstAtOrAfter(placed, top - longest, (p) => p.lo); i < placed.length; i += 1) {
      const { a, y1, y2, lo } = placed[i];
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
      const x1 = xOf(a.from);
      const x2 = xOf(a.to);
      svgEl('line', { class: 'qs-seq-hit', x1, y1, x2, y2 }, arrow);
      svgEl('line', { class: 'qs-seq-shaft', x1, y1, x2, y2 }, arrow);
      endGlyph(arrow, a, x1, y1, x2, y2);
      // One label per sender, step and kind: a broadcast is labelled once.
      const labelKey = `${a.sendStep} ${a.from} ${a.msg}`;
      if (ZOOMS[options.zoom] >= 22 && a.sendStep != null && !labelled.has(labelKey)) {
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

  function drawMarks(g, top, bottom, futureFrom) {
    let drawn = 0;
    for (let i = firstAtOrAfter(marksPlaced, top - 20, (p) => centre(p.r)); i < marksPlaced.length; i += 1) {
      const { m, r } = marksPlaced[i];
      const y = centre(r);
      if (y > bottom + 20 || drawn >= MAX_DRAWN) break;
      drawn += 1;
      const items = markItems(m);
      const refusal = items.some((i) => i.refusal);
      const text = items.map((i) => (i.refusal && i.e.reason?.code ? `${i.text} [${i.e.reason.code}]` : i.text)).join(' · ');
      const cls = `qs-seq-mark${refusal ? ' refusal' : ''}${m.step >= futureFrom ? ' future' : ''}`;
      const token = items.map((i) => i.token).join(' ');
      const mark = svgEl('g', focusable(`k${m.step}-${m.node}`, cls, m.step, `${token}: ${text}`), g);
      mark.dataset.node = m.node;
      mark.dataset.kinds = items.map((i) => i.kind).join(' ');
      if (refusal) mark.dataset.reason = items.filter((i) => i.refusal).map((i) => i.e.reason?.code ?? '').join(' ');
      const fontPx = Math.min(12, Math.max(8, r.h - 4));
      const w = Math.min(lane - 6, token.length * fontPx * 0.62 + 8);
      const x = xOf(m.node);
      svgEl('rect', { class: 'qs-seq-markbg', x: x - w / 2, y: y - fontPx / 2 - 3, width: w, height: fontPx + 6, rx: 3 }, mark);
      // The token abbreviates the label, which says it in full.
      const t = svgEl('text', { x, y: y + fontPx / 2 - 1, 'text-anchor': 'middle', 'font-size': fontPx, 'aria-hidden': 'true' }, mark);
      t.textContent = token;
    }
    return drawn;
  }

  /**
   * One Tab stop for the whole diagram (a roving tabindex): the item last
   * focused, else the first in view; the arrow keys move through the drawn
   * items in time order, Home and End to the first and last.
   */
  function rove(top) {
    const step = (n) => Number(n.dataset.eventStep);
    ordered = [...body.querySelectorAll('[role="button"]')].sort((p, q) => step(p) - step(q));
    const inView = (n) => n.getBBox?.().y >= top + MARGIN - 40;
    const current = ordered.find((n) => n.dataset.key === roveKey) ?? ordered.find(inView) ?? ordered[0];
    if (current) current.tabIndex = 0;
  }

  function moveFocus(from, key) {
    const i = ordered.indexOf(from);
    const next = { ArrowDown: i + 1, ArrowRight: i + 1, ArrowUp: i - 1, ArrowLeft: i - 1, Home: 0, End: ordered.length - 1 }[key];
    const to = ordered[Math.max(0, Math.min(ordered.length - 1, next))];
    if (!to || to === from) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }

  // --- interaction -------------------------------------------------------------
  const seekTo = (node) => {
    const step = Number(node.dataset.step);
    if (!Number.isFinite(step)) return;
    app.pause();
    app.seek(step);
  };
  const target = (ev) => ev.target.closest?.('[data-step][role="button"]');
  const listen = (node, type, fn, opts) => {
    node.addEventListener(type, fn, opts);
    offs.push(() => node.removeEventListener(type, fn, opts));
  };
  listen(body, 'click', (ev) => {
    const t = target(ev);
    if (t) seekTo(t);
  });
  listen(body, 'keydown', (ev) => {
    const t = target(ev);
    if (!t) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      seekTo(t);
    } else if (['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(ev.key)) {
      ev.preventDefault();
      moveFocus(t, ev.key);
    }
  });
  listen(body, 'focusin', (ev) => {
    const t = target(ev);
    if (t) roveKey = t.dataset.key;
  });
  const showTip = (ev) => {
    const t = ev.target.closest?.('[data-tip]');
    if (!t) return;
    tip.textContent = t.dataset.tip;
    tip.hidden = false;
    const box = t.getBoundingClientRect();
    const rootBox = root.getBoundingClientRect();
    const left = Math.min(Math.max(0, box.left - rootBox.left), Math.max(0, rootBox.width - 320));
    tip.style.left = `${left}px`;
    tip.style.top = `${box.bottom - rootBox.top + 4}px`;
    t.setAttribute('aria-describedby', tip.id);
  };
  const hideTip = () => {
    tip.hidden = true;
  };
  listen(body, 'pointerover', showTip);
  listen(body, 'pointerout', hideTip);
  listen(body, 'focusin', showTip);
  listen(body, 'focusout', hideTip);
  listen(scroller, 'scroll', () => {
    const head = HEADER + playheadY(app.state?.step ?? 0);
    follow = head >= scroller.scrollTop && head <= scroller.scrollTop + scroller.clientHeight + 8;
    hideTip();
    const viewTop = scroller.scrollTop - HEADER;
    const inside = drawnWindow && viewTop >= drawnWindow.top && viewTop + scroller.clientHeight <= drawnWindow.bottom;
    if (!inside) invalidate(false, true);
  }, { passive: true });
  const zoom = (d) => {
    const before = ZOOMS[options.zoom];
    options.zoom = Math.max(0, Math.min(ZOOMS.length - 1, options.zoom + d));
    scroller.scrollTop *= ZOOMS[options.zoom] / before;
    zoomOut.disabled = options.zoom === 0;
    zoomIn.disabled = options.zoom === ZOOMS.length - 1;
    invalidate(true);
  };
  listen(zoomOut, 'click', () => zoom(-1));
  listen(zoomIn, 'click', () => zoom(1));
  listen(exportBtn, 'click', () => {
    const from = Math.max(0, scroller.scrollTop - HEADER);
    exportSvg({ header, body, top: from, height: scroller.clientHeight, width: GUTTER + lane * model.nodes.length + 8,
      headerHeight: HEADER, steps: visibleSteps(from, from + scroller.clientHeight) });
  });
  const visibleSteps = (y1, y2) => {
    const rows = layout.rows.filter((r) => r.y + r.h >= y1 && r.y <= y2);
    return rows.length ? [rows[0].first, rows[rows.length - 1].last] : [0, 0];
  };
  // The narration's filter controls and the picture's selection live in the same shadow root.
  const scope = container.getRootNode();
  const elsewhere = (ev) => {
    if (!root.contains(ev.target)) invalidate();
  };
  for (const type of ['click', 'change', 'keyup']) listen(scope, type, elsewhere);
  for (const name of ['update', 'seek', 'trim']) offs.push(app.on(name, () => invalidate()));
  // A command starts a new future: the run kept from before a seek back no longer comes next.
  offs.push(app.on('command', () => {
    source = null;
    invalidate(true);
  }));
  offs.push(app.on('play', (playing) => {
    if (playing) follow = true;
    invalidate(false, true);
  }));
  const resize = new ResizeObserver(() => invalidate(true, true));
  resize.observe(scroller);
  let onScreen = true;
  const seen = new IntersectionObserver((entries) => {
    onScreen = entries[entries.length - 1].isIntersecting;
    if (onScreen) invalidate(false, true);
  }, { rootMargin: '200px 0px' });
  seen.observe(scroller);

  invalidate(true, true);
  return () => {
    for (const off of offs) off();
    resize.disconnect();
    seen.disconnect();
    if (frame) cancelAnimationFrame(frame);
    if (timer) clearTimeout(timer);
    container.replaceChildren();
  };
}
