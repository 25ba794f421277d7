// The transport's markers strip: a button above the timeline for each
// election, refusal, handover step and violation in the recorded run (nearby
// ones share a button showing the most serious), which seeks there, and the
// legend of their glyphs. Arrow keys, Home and End move between the markers
// behind one Tab stop. The steps come from the trace; transport.js says how
// far the run is recorded.
import { el } from './dom.js';

/** Trace kinds marked on the timeline, by marker group. */
const MARKED = {
  leader_elected: 'election',
  vote_refused: 'refusal',
  probe_refused: 'refusal',
  handover_phase: 'handover',
  handover_outcome: 'handover',
  violation: 'violation',
};

const MARKER_INFO = {
  violation: { glyph: '!', noun: 'violation', rank: 3 },
  handover: { glyph: '⇄', noun: 'handover step', rank: 2 },
  election: { glyph: '★', noun: 'leader elected', rank: 1 },
  refusal: { glyph: '✕', noun: 'refusal', rank: 0 },
};

/** Markers closer than this (px) share one button. */
const GAP_PX = 18;
/** The strip's left and right insets together, px (transport.css). */
const INSETS_PX = 16;

function describe(e) {
  switch (e.kind) {
    case 'leader_elected':
      return `node ${e.node} elected leader of term ${e.term}`;
    case 'vote_refused':
    case 'probe_refused':
      return `${e.kind === 'vote_refused' ? 'vote' : 'probe'} refused by node ${e.voter} to node ${e.candidate}${e.reason?.code ? ` (${e.reason.code})` : ''}`;
    case 'handover_phase':
      return `handover ${e.from}→${e.to}: ${e.phase}`;
    case 'handover_outcome':
      return `handover ${e.from}→${e.to} ${e.result}`;
    case 'violation':
      return `violation: ${e.property}`;
    default:
      return e.kind;
  }
}

/** A marker's words: one event, or a bucket of nearby ones shown as the most serious. */
function markerLabel(b) {
  const m = b.best;
  const parts = [...b.groups.entries()].map(([g, n]) => (n > 1 ? `${n} × ${MARKER_INFO[g].noun}` : MARKER_INFO[g].noun));
  return b.count > 1
    ? `${parts.join(', ')} around step ${m.step} (tick ${m.tick}); jumps to ${m.text}`
    : `${m.text} at step ${m.step}, tick ${m.tick}`;
}

function describeMarker(node, b, label) {
  const m = b.best;
  node.dataset.group = m.group;
  node.setAttribute('aria-label', label);
  node.title = label;
  node.textContent = MARKER_INFO[m.group].glyph;
  if (b.count > 1) node.dataset.many = 'true';
  else delete node.dataset.many;
  node.dataset.step = String(m.step + 1);
}

/** The legend of the markers' glyphs, shown under the timeline. */
export function markerLegend() {
  const legend = el('div', { class: 'qs-tp-legend', 'aria-hidden': 'true' });
  for (const group of ['election', 'refusal', 'handover', 'violation']) {
    legend.append(el('span', { class: 'qs-tp-leg', 'data-group': group },
      el('span', { class: 'qs-tp-mk', 'data-group': group, text: MARKER_INFO[group].glyph }),
      el('span', { text: group })));
  }
  return legend;
}

/**
 * The strip (`box`, to put above the range input). `recordedSteps()` is
 * how far the run is recorded (the track's end); `seek(step)` is called when
 * a marker is chosen; `listen(node, type, fn)` adds listeners the caller
 * removes on unmount. Returns {box, add(events, fromStep), rebuild(),
 * render(), observeWidth(timeline)}.
 */
export function timelineMarkers(app, { recordedSteps, seek, listen }) {
  const box = el('div', { class: 'qs-tp-markers', role: 'toolbar', 'aria-label': 'Timeline markers: elections, refusals, handovers, violations' });
  let markers = []; // {step, tick, group, text}, ordered by step (the words, not the event: the page's trace window moves on)
  const markerEls = new Map(); // bucket key → {node, label, at}
  let boxWidth = 0;
  // The strip's width in steps: markers sit at (step + 1) / span of the track,
  // and the span grows on every frame of playback. Rather than move every
  // marker on every frame (a style change on each), markers are placed as a
  // fraction of this reference span and the strip is stretched to
  // reference / span of the track; markers are placed again when it has
  // shrunk to half.
  let refSpan = 0;
  // What the buttons were last drawn from: while playing, the track grows
  // every frame, but the buttons change only when a marker is added, the
  // strip is resized, or the track has grown enough to move a marker by a
  // pixel. Drawing them on every frame (and stretching the strip by a
  // fraction of a pixel) laid out and repainted the strip on every frame.
  let drawn = { count: -1, width: -1, span: 0 };
  let stripWidth = '';

  /** Marks the events of `events` from step `fromStep` on. */
  const add = (events, fromStep) => {
    for (const e of events) {
      const group = MARKED[e.kind];
      if (group && e.step >= fromStep) markers.push({ step: e.step, tick: e.tick, group, text: describe(e) });
    }
  };

  /** Marks the whole trace again (a new scenario, or a fork dropped the recorded future). */
  const rebuild = () => {
    markers = [];
    drawn.count = -1;
    add(app.trace, 0);
  };

  /** Shows the markers of the recorded steps. */
  const render = () => {
    const maxStep = recordedSteps();
    const span = Math.max(1, maxStep);
    const width = boxWidth || 600;
    stretch(span);
    const moved = span < drawn.span || span > drawn.span * (1 + 1 / width);
    if (markers.length === drawn.count && width === drawn.width && !moved) return;
    drawn = { count: markers.length, width, span };
    drawButtons(span, width);
  };

  /** The strip is refSpan / span of the track, in whole pixels once the track's width is known. */
  const stretch = (span) => {
    if (!refSpan || span > 2 * refSpan || span < refSpan) {
      refSpan = span;
      for (const m of markerEls.values()) m.at = null;
      drawn.count = -1; // every button is placed again
    }
    const w = boxWidth ? `${Math.round((boxWidth * refSpan) / span)}px` : `calc((100% - ${INSETS_PX}px) * ${refSpan / span})`;
    if (w !== stripWidth) box.style.width = stripWidth = w;
  };

  const drawButtons = (span, width) => {
    const buckets = new Map();
    let open = null;
    for (const m of markers) {
      if (m.step >= span + 1) continue;
      const x = (Math.min(1, (m.step + 1) / span)) * width;
      if (!open || x - open.x > GAP_PX) {
        open = { key: m.step, x, first: m, best: m, count: 0, groups: new Map() };
        buckets.set(open.key, open);
      }
      const b = open;
      b.count += 1;
      b.groups.set(m.group, (b.groups.get(m.group) ?? 0) + 1);
      if (MARKER_INFO[m.group].rank > MARKER_INFO[b.best.group].rank) b.best = m;
    }
    const list = [...buckets.values()];
    const keys = new Set(list.map((b) => b.key));
    let changed = false;
    for (const [key, m] of markerEls) if (!keys.has(key)) (m.node.remove(), markerEls.delete(key), (changed = true));
    list.forEach((b, i) => {
      let m = markerEls.get(b.key);
      if (!m) markerEls.set(b.key, (m = { node: el('button', { type: 'button', class: 'qs-tp-mk', tabIndex: -1 }) }));
      const label = markerLabel(b);
      if (m.label !== label) (m.label = label), describeMarker(m.node, b, label);
      // Clamped at the end of the track: the newest marker can be one step past it.
      const at = Math.min(b.first.step + 1, span) / refSpan;
      if (m.at !== at) (m.at = at), m.node.style.setProperty('--qs-tp-at', String(at));
      if (box.children[i] !== m.node) (box.insertBefore(m.node, box.children[i] ?? null), (changed = true));
    });
    // Keep one roving tab stop among the markers.
    // (None when a new scenario has cleared them all.)
    if (changed && list.length && !list.some((b) => markerEls.get(b.key).node.tabIndex === 0)) box.firstElementChild.tabIndex = 0;
  };

  /** Buckets depend on the strip's width in px: renders again when `timeline` is resized. Returns the way to stop. */
  const observeWidth = (timeline) => {
    if (typeof ResizeObserver !== 'function') return () => {};
    const ro = new ResizeObserver(([entry]) => {
      const w = entry.contentRect.width - INSETS_PX;
      if (Math.abs(w - boxWidth) < 1) return;
      boxWidth = w;
      render();
    });
    ro.observe(timeline);
    return () => ro.disconnect();
  };

  listen(box, 'click', (ev) => {
    const node = ev.target.closest?.('.qs-tp-mk');
    if (!node) return;
    for (const m of box.children) m.tabIndex = m === node ? 0 : -1;
    seek(Number(node.dataset.step));
  });
  listen(box, 'keydown', (ev) => {
    const items = [...box.children];
    const at = items.indexOf(ev.target);
    if (at < 0) return;
    let to = null;
    if (ev.key === 'ArrowRight' || ev.key === 'ArrowDown') to = Math.min(items.length - 1, at + 1);
    else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') to = Math.max(0, at - 1);
    else if (ev.key === 'Home') to = 0;
    else if (ev.key === 'End') to = items.length - 1;
    if (to === null) return;
    ev.preventDefault();
    ev.stopPropagation();
    for (const m of items) m.tabIndex = -1;
    items[to].tabIndex = 0;
    items[to].focus();
  });

  return { box, add, rebuild, render, observeWidth };
}
