// Messages in flight along their links, their glyphs and labels, and the ✕
// where one was lost.
import { svgEl, termColor } from './svg.js';
import { along, labelAnchor } from './cluster-layout.js';
import { DROP_TICKS } from './cluster-marks.js';

/**
 * Moves the messages along their links. Each message keeps its SVG group
 * between frames (keyed by seq and content), so a playing frame only
 * updates positions instead of rebuilding dozens of elements.
 */
export function drawMessages(layer, cache, geom, state, vt) {
  const labelled = new Set(); // one label per burst: "vote? t2" ×4 leaving a node reads as one
  const live = new Set();
  let refusalsLabelled = 0;
  const stepwise = REDUCED_MOTION.matches;
  for (const m of state.messages) {
    const p = geom.pos.get(m.from);
    const q = geom.pos.get(m.to);
    if (!p || !q) continue;
    const key = `${m.seq}|${m.from}|${m.to}|${m.kind}|${m.label}|${m.doomed}`;
    live.add(key);
    let c = cache.get(key);
    if (!c) cache.set(key, (c = createMessage(layer, m)));
    const span = m.deliver_tick - m.sent_tick;
    // Reduced motion: a message moves once per tick instead of gliding.
    const now = stepwise ? Math.floor(vt) : vt;
    const f = Math.max(0, Math.min(1, span > 0 ? (now - m.sent_tick) / span : 1));
    const dying = m.doomed && f >= 0.5;
    const at = along(geom, p, q, dying ? 0.5 : f);
    c.g.setAttribute('transform', `translate(${at.x.toFixed(1)} ${at.y.toFixed(1)})`);
    if (dying && !c.dying) {
      c.dying = true;
      c.g.classList.add('dying');
      svgEl('path', { class: 'cv-x', d: 'M-7 -7 L7 7 M7 -7 L-7 7' }, c.g);
    }
    if (dying) c.g.style.opacity = String(Math.max(0.15, 1 - (f - 0.5) * 1.7));
    const burst = f < 0.2 ? `s${m.from}|${m.label}` : f > 0.8 ? `r${m.to}|${m.label}` : null;
    const show = showLabel(m, state.messages.length, geom.compact, refusalsLabelled) && !(burst && labelled.has(burst));
    if (show && /✗/.test(m.label ?? '')) refusalsLabelled += 1;
    if (show && burst) labelled.add(burst);
    // Beside the path on the message's own side, so it clears the link and the nodes' rims.
    const place = show ? [(at.nx * 18).toFixed(1), (at.ny * 18 + 5).toFixed(1), labelAnchor(at.nx)] : null;
    const placeKey = place ? place.join() : '';
    if (placeKey !== c.placeKey) {
      c.placeKey = placeKey;
      c.label.style.display = show ? '' : 'none';
      if (place) {
        c.label.setAttribute('x', place[0]);
        c.label.setAttribute('y', place[1]);
        c.label.setAttribute('text-anchor', place[2]);
      }
    }
  }
  for (const [key, c] of cache) if (!live.has(key)) (c.g.remove(), cache.delete(key));
}

function createMessage(layer, m) {
  const heartbeat = m.label === 'heartbeat';
  // Only vote and probe refusals are red: an append answered with a resend
  // hint is the protocol working (out-of-order pipelined appends), not a failure.
  const refused = /✗/.test(m.label ?? '');
  const resend = m.kind === 'append_reply' && /^resend/.test(m.label ?? '');
  // data-seq: a tour moment may point at this message (tour-highlight.js).
  const g = svgEl('g', { class: `cv-msg k-${m.kind}${heartbeat ? ' heartbeat' : ''}${refused ? ' refused' : ''}${resend ? ' resend' : ''}`, 'data-seq': m.seq }, layer);
  g.style.setProperty('--term', termColor(m.term));
  svgEl('title', {}, g).textContent = m.doomed ? `${m.text} — lost on the way` : m.text;
  drawGlyph(g, m);
  const label = svgEl('text', { class: 'cv-msg-label' }, g);
  label.textContent = m.label;
  return { g, label, dying: false };
}

/** The reader asked for less motion (checked per frame: it can change while the page is open). */
const REDUCED_MOTION = matchMedia('(prefers-reduced-motion: reduce)');

/** About how many message labels the picture carries at once: more would pile up. */
const LABEL_BUDGET = 8;

/**
 * Labels where they add something: all while the network is calm; when it
 * is busy, a couple of refusals, vote requests, and an even sample of the
 * rest (every k-th), so a busy picture thins its labels instead of dropping them.
 */
function showLabel(m, count, compact, refusalsLabelled) {
  // Refusals: their glyph says ✗ and the callout explains one; a couple of
  // labels more, not one per voter piled on the new leader.
  if (/✗/.test(m.label ?? '')) return refusalsLabelled < 2;
  if (!compact && ['vote', 'timeout_now', 'snapshot'].includes(m.kind)) return count <= 14;
  const stride = Math.max(1, Math.ceil(count / (compact ? LABEL_BUDGET / 2 : LABEL_BUDGET)));
  // By sequence number, not position: a message keeps its label (or not)
  // while others come and go, so labels do not flicker from frame to frame.
  return m.seq % stride === 0;
}

/** Glyphs are drawn at GLYPH_SCALE so that their marks (?, ✓, ✗) read at 14 px on a projector. */
const GLYPH_SCALE = 1.5;

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
    g.setAttribute('transform', `translate(${at.x} ${at.y})`);
    g.style.opacity = String(Math.max(0.2, 1 - (vt - e.tick) / DROP_TICKS));
  }
  for (const [key, g] of cache) if (!live.has(key)) (g.remove(), cache.delete(key));
}
