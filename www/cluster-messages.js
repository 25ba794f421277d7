// Messages in flight along their links, their glyphs and labels, and the ✕
// where one was lost.
import { svgEl, termColor } from './svg.js';
import { along } from './cluster-layout.js';
import { setAttr } from './dom.js';
import { clearAlong, placeMessageLabel, textWidth } from './cluster-placement.js';
import { DROP_TICKS } from './cluster-marks.js';

/**
 * Moves the messages along their links. Each message keeps its SVG group
 * between frames (keyed by seq and content), so a playing frame only
 * updates positions instead of rebuilding dozens of elements.
 */
export function drawMessages(layer, cache, geom, state, vt, occ) {
  const live = new Set();
  const stepwise = REDUCED_MOTION.matches;
  const drawn = [];
  const waiting = new Map(); // held messages from each sender so far: each waits a little further on
  for (const m of [...state.messages, ...(state.held ?? []).map((h) => ({ ...h, held: true }))]) {
    const p = geom.pos.get(m.from);
    const q = geom.pos.get(m.to);
    if (!p || !q) continue;
    const key = `${m.seq}|${m.from}|${m.to}|${m.kind}|${m.label}|${m.doomed}|${m.held}`;
    live.add(key);
    let c = cache.get(key);
    if (!c) cache.set(key, (c = createMessage(layer, m, geom.family)));
    const span = m.deliver_tick - m.sent_tick;
    // Reduced motion: a message moves once per tick instead of gliding.
    const now = stepwise ? Math.floor(vt) : vt;
    let f = Math.max(0, Math.min(1, span > 0 ? (now - m.sent_tick) / span : 1));
    if (m.held) {
      // Held: it waits just off its sender until released or delivered.
      const k = waiting.get(p) ?? 0;
      waiting.set(p, k + 1);
      f = Math.min(0.4, 0.05 + 0.08 * k);
    }
    const dying = m.doomed && f >= 0.5;
    // Never over a badge: it waits just off a crown, a term chip or a tally (hidden if the whole link is covered).
    const at = clearAlong(occ, geom, p, q, dying ? 0.5 : f, GLYPH_HALF);
    c.g.style.visibility = at ? '' : 'hidden';
    if (!at) {
      c.label.style.display = 'none'; // and its label with it, until it is placed again
      c.placeKey = '';
      continue;
    }
    c.g.setAttribute('transform', `translate(${at.x.toFixed(1)} ${at.y.toFixed(1)})`);
    if (dying && !c.dying) {
      c.dying = true;
      c.g.classList.add('dying');
      svgEl('path', { class: 'cv-x', d: 'M-7 -7 L7 7 M7 -7 L-7 7' }, c.g);
    }
    if (dying) c.g.style.opacity = String(Math.max(0.15, 1 - (f - 0.5) * 1.7));
    drawn.push({ m, c, at, f });
  }
  for (const [key, c] of cache) if (!live.has(key)) (c.g.remove(), cache.delete(key));
  // One Tab stop for all the messages (arrow keys move between them,
  // cluster-view.js): dozens of stops would bury what follows the picture.
  if (!layer.querySelector('[tabindex="0"]')) layer.firstElementChild?.setAttribute('tabindex', 0);
  // A label keeps clear of the nodes' labels, and of other glyphs where it can.
  const taken = Object.assign([...occ], { W: occ.W, H: occ.H });
  for (const { at } of drawn) taken.push({ l: at.x - 10, r: at.x + 10, t: at.y - 10, b: at.y + 10, glyph: true });
  labelMessages(drawn, geom.compact, taken);
}

/**
 * Labels the messages that have something to add, most telling first
 * (refusals, then requests, then the rest), each where it covers no other
 * label and no node; the others go unlabelled this frame.
 */
function labelMessages(drawn, compact, taken) {
  const labelled = new Set(); // one label per burst: "vote? t2" ×4 leaving a node reads as one
  let refusalsLabelled = 0;
  let placed = 0;
  const rank = ({ m }) => (m.held || /✗/.test(m.label ?? '') ? 0 : ['vote', 'timeout_now', 'snapshot'].includes(m.kind) ? 1 : 2);
  drawn.sort((a, b) => rank(a) - rank(b) || a.m.seq - b.m.seq);
  for (const { m, c, at, f } of drawn) {
    const burst = f < 0.2 ? `s${m.from}|${m.label}` : f > 0.8 ? `r${m.to}|${m.label}` : null;
    let place = null;
    if (m.held || (showLabel(m, placed, compact, refusalsLabelled) && !(burst && labelled.has(burst)))) {
      place = placeMessageLabel(taken, at, c.width);
    }
    if (place) placed += 1;
    if (place && /✗/.test(m.label ?? '')) refusalsLabelled += 1;
    if (place && burst) labelled.add(burst);
    const placeKey = place ? place.join() : '';
    if (placeKey === c.placeKey) continue;
    c.placeKey = placeKey;
    c.label.style.display = place ? '' : 'none';
    if (place) ['x', 'y', 'text-anchor'].forEach((a, i) => c.label.setAttribute(a, place[i]));
  }
}

function createMessage(layer, m, family) {
  const heartbeat = m.label === 'heartbeat';
  // Only vote and probe refusals are red: an append answered with a resend
  // hint is the protocol working (out-of-order pipelined appends), not a failure.
  const refused = /✗/.test(m.label ?? '');
  const resend = m.kind === 'append_reply' && /^resend/.test(m.label ?? '');
  // A button: a click, Enter or Space opens its menu (drop, duplicate, hold;
  // cluster-message-menu.js). data-msg-seq is also what a tour moment
  // points at (tour-highlight.js).
  const g = svgEl('g', { class: `cv-msg k-${m.kind}${heartbeat ? ' heartbeat' : ''}${refused ? ' refused' : ''}${resend ? ' resend' : ''}`,
    tabindex: -1, role: 'button', 'data-msg-seq': m.seq }, layer);
  g.style.setProperty('--term', termColor(m.term));
  g.setAttribute('aria-label', `${m.held ? 'held ' : ''}${m.label}: ${m.from}→${m.to} ${m.kind.replace(/_/g, ' ')}. Click for actions`);
  svgEl('title', {}, g).textContent = m.held ? `${m.text} — held: it waits until released` : m.doomed ? `${m.text} — lost on the way` : m.text;
  drawGlyph(g, m);
  g.lastElementChild.setAttribute('aria-hidden', 'true'); // the glyph's mark is not part of the name
  const label = svgEl('text', { class: 'cv-msg-label' }, g);
  label.textContent = m.held ? `⏸ ${m.label}` : m.label;
  if (m.held) {
    g.classList.add('held');
    // The pause sign stays on the glyph even when its label finds no free place.
    svgEl('text', { class: 'cv-held-mark', x: 11, y: -7, 'aria-hidden': 'true' }, g).textContent = '⏸';
  }
  return { g, label, dying: false, width: textWidth(label.textContent, refused || m.held ? 600 : 400, family) };
}

/** The reader asked for less motion (checked per frame: it can change while the page is open). */
const REDUCED_MOTION = matchMedia('(prefers-reduced-motion: reduce)');

/** Most message labels the picture carries at once: more would pile up. */
const LABEL_BUDGET = 8;

/**
 * Labels where they add something: a couple of refusals (their glyph says
 * ✗ and the callout explains one; not one label per voter piled on the new
 * leader), then the others by rank, up to the budget, each only where it
 * is free: a busy picture thins its labels instead of dropping them all.
 */
function showLabel(m, placed, compact, refusalsLabelled) {
  if (/✗/.test(m.label ?? '')) return refusalsLabelled < 2;
  return placed < (compact ? LABEL_BUDGET / 2 : LABEL_BUDGET);
}

/** Glyphs are drawn at GLYPH_SCALE so that their marks (?, ✓, ✗) read at 14 px on a projector. */
const GLYPH_SCALE = 1.5;
/** Half the largest glyph's box (a snapshot's 16 × 15, scaled), in logical px. */
const GLYPH_HALF = 12;

/** One glyph per message kind; probes are hollow and dashed because they change no term. */
export function drawGlyph(parent, m) {
  const g = svgEl('g', { transform: `scale(${GLYPH_SCALE})` }, parent);
  const mark = (txt, y = 3.5) => {
    const t = svgEl('text', { class: 'cv-glyph-mark', y, 'text-anchor': 'middle' }, g);
    t.textContent = txt;
  };
  const verdict = /✗/.test(m.label ?? '') ? '✗' : /^resend/.test(m.label ?? '') ? '↺' : '✓';
  switch (m.kind) {
    case 'probe':
      svgEl('circle', { class: 'cv-glyph hollow dashed', r: 7 }, g);
      return mark('?');
    case 'probe_reply':
      svgEl('circle', { class: 'cv-glyph hollow dashed', r: 6 }, g);
      return mark(verdict);
    case 'vote':
      svgEl('circle', { class: 'cv-glyph solid', r: 7 }, g);
      return mark('?');
    case 'vote_reply':
      svgEl('circle', { class: 'cv-glyph solid', r: 6 }, g);
      return mark(verdict);
    case 'append':
      if (m.label === 'heartbeat') return void svgEl('rect', { class: 'cv-glyph hollow', x: -5, y: -3.5, width: 10, height: 7, rx: 1.5 }, g);
      return void svgEl('rect', { class: 'cv-glyph solid', x: -7, y: -5, width: 14, height: 10, rx: 2 }, g);
    case 'append_reply':
      svgEl('rect', { class: 'cv-glyph hollow', x: -6, y: -5, width: 12, height: 10, rx: 2 }, g);
      return mark(verdict, 3);
    case 'snapshot':
      svgEl('rect', { class: 'cv-glyph solid', x: -6, y: -8, width: 14, height: 12, rx: 2 }, g);
      return void svgEl('rect', { class: 'cv-glyph solid', x: -8, y: -5, width: 14, height: 12, rx: 2 }, g);
    case 'snapshot_reply':
      svgEl('rect', { class: 'cv-glyph hollow', x: -7, y: -6, width: 14, height: 12, rx: 2 }, g);
      return mark(verdict, 3.5);
    case 'timeout_now':
      return void svgEl('path', { class: 'cv-glyph bolt', d: 'M2 -9 L-6 1 L-1 1 L-3 9 L6 -2 L1 -2 Z' }, g);
    default:
      return void svgEl('circle', { class: 'cv-glyph solid', r: 5 }, g);
  }
}

/** A ✕ where a message was lost, fading over DROP_TICKS; each keeps its element while it fades. */
export function drawDrops(layer, cache, geom, drops, vt) {
  const live = new Set();
  for (const e of drops) {
    const p = geom.pos.get(e.from);
    const q = geom.pos.get(e.to);
    if (!p || !q) continue;
    const key = `${e.step}|${e.from}|${e.to}|${e.text}`;
    live.add(key);
    let g = cache.get(key);
    if (!g) {
      cache.set(key, (g = svgEl('g', { class: 'cv-drop' }, layer)));
      svgEl('title', {}, g).textContent = e.text;
      svgEl('path', { class: 'cv-x', d: 'M-7 -7 L7 7 M7 -7 L-7 7' }, g);
    }
    const at = along(geom, p, q, 0.5);
    // It stays where it was lost (until a resize): only its fading is redrawn.
    setAttr(g, 'transform', `translate(${at.x.toFixed(1)} ${at.y.toFixed(1)})`);
    const opacity = Math.max(0.2, 1 - (vt - e.tick) / DROP_TICKS).toFixed(2);
    if (g.style.opacity !== opacity) g.style.opacity = opacity;
  }
  for (const [key, g] of cache) if (!live.has(key)) (g.remove(), cache.delete(key));
}
