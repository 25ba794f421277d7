// The sequence diagram: one lane per node, time running down, each message
// an arrow from its send to its delivery (a cross when lost, dashed when a
// duplicate copy, dotted while held or on its way), role changes, terms,
// votes, refusals, commits, crashes and handover phases as marks on the
// lanes, partitions and violations as bands across them. Synced with the
// rest of the element: the playhead is the current step, clicking (or
// Enter on) an arrow or a mark seeks there, the narration's filters apply,
// the node selected in the picture highlights its lane. Loaded on demand by
// lazy-panel.js; everything it shows comes from the trace (app.trace).
//
// This module mounts the panel and decides what to draw and when: the
// toolbar (folding, collapsing, zoom, export), which run the model holds,
// redraws scheduled per frame, and only the rows in view (the DOM stays
// bounded on any run). The SVG itself is sequence-draw.js's; clicks, keys
// and tooltips are sequence-interaction.js's.
import { el, setAttr, setText } from './dom.js';
import { svgEl } from './svg.js';
import { SequenceModel, continuation, layoutRows } from './sequence-model.js';
import { exportSvg } from './sequence-export.js';
import { filterKey, readFilter, showsArrow, showsMark } from './sequence-filter.js';
import { GUTTER, HEADER, MAX_DRAWN, createDrawing, diagramWidth, placeItems, playheadY } from './sequence-draw.js';
import { wireSequenceInteraction } from './sequence-interaction.js';

const STYLESHEET = new URL('./sequence-view.css', import.meta.url);
/** Row heights the zoom steps through, px. */
const ZOOMS = [8, 12, 16, 22, 30, 40];
/** Rows drawn beyond the visible ones, px, so a small scroll shows drawn rows. */
const MARGIN = 300;
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
  let missed = false; // a redraw came due while the page was hidden: drawn when it shows again
  // The scroller's size (from a ResizeObserver) and scroll position (from its
  // scroll events and our own writes): reading them from the element in a
  // redraw, which runs after the picture has changed the page in the same
  // frame, forced the browser to lay the whole page out there and then.
  const size = { width: 0, height: 0 };
  let scrollTop = 0;
  let scrollTo = null; // where to scroll once the browser has laid the frame out
  let placed = null; // each arrow's and mark's y for the current layout (placeItems)
  let drawnWindow = null; // {top, bottom}: the rows the last redraw drew
  let scrolledOnce = false; // scrolled to the playhead once
  let reveal = false; // a seek happened: scroll to the playhead if it is out of view
  let styled = false;
  const styledNow = () => {
    styled = true;
    invalidate(true, true);
  };
  link.addEventListener('load', styledNow, { once: true });
  link.addEventListener('error', styledNow, { once: true });

  const listen = (node, type, fn, opts) => {
    node.addEventListener(type, fn, opts);
    offs.push(() => node.removeEventListener(type, fn, opts));
  };
  const { rove, scrolled } = wireSequenceInteraction({ app, body, root, tip, listen });
  const drawing = createDrawing(header, body);
  body.style.top = `${HEADER}px`;
  // Set by a command or a new scenario: the elements drawn may show another
  // run under the same keys. (A seek or a trim keeps the run: it is
  // deterministic, so a message keeps its key and its elements stay.)
  let stale = true;

  /** Picks the events to draw: after a seek back the kept run still shows what comes next (the run is deterministic). */
  function pickSource() {
    if (app.scenario !== scenario) {
      scenario = app.scenario;
      stale = true;
      source = null;
      scrolledOnce = false;
      follow = true;
    }
    const trace = app.trace;
    const end = (t) => (t?.length ? t[t.length - 1].step : -1);
    // The kept run is drawn only while it holds the whole page's trace: a seek
    // back before its first step (history re-derived) draws the trace itself.
    const holds = source?.length && trace.length && source[0].step <= trace[0].step && end(trace) < end(source);
    if (!holds) source = trace;
  }

  function rebuild(force) {
    pickSource();
    const f = readFilter(container.getRootNode());
    const changed = force || !model || source !== model.source || source.length !== sourceLength || filterKey(f) !== filterKey(filter);
    filter = f;
    if (!changed) return;
    const from = model && source !== model.source ? continuation(model.source, source) : -1;
    if (model && source === model.source && source.length > sourceLength) model.add(source, sourceLength);
    else if (from >= 0) {
      // The page dropped its oldest events: read the rest of the old array
      // (the same events as the new one's first), then the new one's newer
      // ones, and forget what is no longer in it; no re-read of the whole window.
      model.add(model.source, sourceLength);
      model.add(source, model.source.length - from);
      model.source = source;
      model.dropBefore(source[0].step);
    } else if (!model || source !== model.source || source.length !== sourceLength) {
      model = new SequenceModel((app.state?.nodes ?? []).map((n) => n.id));
      model.source = source;
      model.add(source);
    }
    sourceLength = source.length;
    if (stale) drawing.clear();
    stale = false;
    layout = layoutRows(model, { rowHeight: ZOOMS[options.zoom], collapse: options.collapse,
      foldHeartbeats: options.foldHeartbeats, showArrow: (a) => showsArrow(filter, a), showMark: (m) => showsMark(filter, m) });
    placed = placeItems(model, layout, filter, options.foldHeartbeats);
  }

  /** Schedules a redraw on the next frame (throttled while playing, unless `now`); `force` re-lays the rows out. */
  function invalidate(force = false, now = false) {
    forceNext = forceNext || force;
    if (frame || timer) return;
    const run = () => {
      timer = 0;
      // A hidden page asks for no frame (its idle cost is zero, as the picture's).
      if (document.hidden) {
        missed = true;
        return;
      }
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

  function draw(force) {
    lastDraw = performance.now();
    // Closed panel (no box): nothing to draw; the ResizeObserver redraws on
    // opening. Before the stylesheet, the scroller has no height to scroll in.
    // Scrolled out of the page's view: drawn when it comes back.
    if (!app.state || !styled || !onScreen || size.width === 0) return;
    rebuild(force);
    const width = size.width;
    lane = Math.max(56, Math.min(260, Math.floor((width - GUTTER - 4) / Math.max(1, model.nodes.length))));
    const totalW = diagramWidth(model, lane);
    const totalH = layout.height + 24;
    const heightBefore = content.style.height;
    content.style.width = `${totalW}px`;
    content.style.height = `${HEADER + totalH}px`;
    const now = app.state.step;
    const head = playheadY(layout, now);
    // Follow the playhead while playing, once on opening (or after a new
    // scenario), and after a seek that leaves it out of view: scrolled once
    // the new height is laid out (`grown` below), drawn for that place now.
    const shown = HEADER + head >= scrollTop && HEADER + head <= scrollTop + size.height;
    if ((follow && (app.playing || !scrolledOnce)) || (reveal && !shown)) {
      const want = Math.max(0, Math.min(HEADER + head - size.height + 40, HEADER + totalH - size.height));
      if (Math.abs(want - scrollTop) >= 1) scrollTo = scrollTop = want;
    }
    scrolledOnce = true;
    reveal = false;
    const top = Math.max(0, scrollTop - HEADER - MARGIN);
    const bottom = Math.min(totalH, scrollTop - HEADER + size.height + MARGIN);
    drawnWindow = { top, bottom: bottom >= totalH ? Infinity : bottom };
    const scene = { model, layout, placed, filter, lane, nodes: app.state.nodes ?? [], rowHeight: ZOOMS[options.zoom] };
    drawing.header(scene, totalW);
    const active = container.getRootNode().activeElement;
    const focusKey = body.contains(active) ? active.dataset.key : null;
    // The body spans every row (its y is the layout's): a redraw changes only the elements that moved, not a viewBox over all of them.
    setAttr(body, 'width', String(totalW));
    setAttr(body, 'height', String(Math.max(1, totalH)));
    // Drawn dimmed: what the kept run holds past the playhead (after a seek back).
    const futureFrom = source === app.trace ? Infinity : now;
    const drawn = drawing.window(scene, { top, bottom, width: totalW, now, futureFrom });
    setText(status, `${model.arrows.length} messages, steps ${model.firstStep}–${model.lastStep}`
      + (drawn >= MAX_DRAWN ? ' · zoom in to draw every one' : ''));
    rove(top + MARGIN, (step) => layout.rowOf(step)?.y ?? layout.height);
    // Kept elements keep their focus; one built again takes it back.
    if (focusKey && !active.isConnected) body.querySelector(`[data-key="${focusKey}"]`)?.focus();
    // The height did not change (no new rows): no layout is coming, scroll now.
    if (scrollTo != null && content.style.height === heightBefore) scrollNow();
  }

  function scrollNow() {
    if (scrollTo == null) return;
    scroller.scrollTop = scrollTo;
    scrollTo = null;
  }
  // The content grew: the browser has laid it out, so scrolling costs no extra layout.
  const grown = new ResizeObserver(scrollNow);
  grown.observe(content);

  // --- scrolling, zoom, export and the element's events -------------------------
  listen(scroller, 'scroll', () => {
    scrollTop = scroller.scrollTop;
    const head = HEADER + playheadY(layout, app.state?.step ?? 0);
    follow = head >= scrollTop && head <= scrollTop + size.height + 8;
    scrolled();
    const viewTop = scrollTop - HEADER;
    const inside = drawnWindow && viewTop >= drawnWindow.top && viewTop + size.height <= drawnWindow.bottom;
    if (!inside) invalidate(false, true);
  }, { passive: true });
  const zoom = (d) => {
    const before = ZOOMS[options.zoom];
    options.zoom = Math.max(0, Math.min(ZOOMS.length - 1, options.zoom + d));
    scroller.scrollTop = scrollTop = scroller.scrollTop * (ZOOMS[options.zoom] / before);
    zoomOut.disabled = options.zoom === 0;
    zoomIn.disabled = options.zoom === ZOOMS.length - 1;
    invalidate(true);
  };
  listen(zoomOut, 'click', () => zoom(-1));
  listen(zoomIn, 'click', () => zoom(1));
  listen(exportBtn, 'click', () => {
    const from = Math.max(0, scroller.scrollTop - HEADER);
    exportSvg({ header, body, top: from, height: scroller.clientHeight, width: diagramWidth(model, lane),
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
  for (const name of ['update', 'trim']) offs.push(app.on(name, () => invalidate()));
  offs.push(app.on('seek', () => {
    reveal = true;
    invalidate();
  }));
  // A command starts a new future: the run kept from before a seek back no longer comes next.
  offs.push(app.on('command', () => {
    source = null;
    stale = true;
    invalidate(true);
  }));
  offs.push(app.on('play', (playing) => {
    if (playing) follow = true;
    // Paused: the throttled redraw still waiting is drawn now, not in a frame after the pause.
    if (!playing && timer) (clearTimeout(timer), (timer = 0));
    invalidate(false, true);
  }));
  listen(document, 'visibilitychange', () => {
    if (document.hidden || !missed) return;
    missed = false;
    invalidate(false, true);
  });
  const resize = new ResizeObserver(([entry]) => {
    size.width = entry.contentRect.width;
    size.height = entry.contentRect.height;
    invalidate(true, true);
  });
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
    grown.disconnect();
    seen.disconnect();
    if (frame) cancelAnimationFrame(frame);
    if (timer) clearTimeout(timer);
    container.replaceChildren();
  };
}
