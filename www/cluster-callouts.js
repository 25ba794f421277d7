// The HTML overlay over the picture: the term legend, refusal callouts (in
// the free column beside the ring, or docked on narrow stages) and the
// violation label. HTML because callouts wrap text, which SVG cannot.
import { svgEl, htmlEl, termColor } from './svg.js';
import { toPx, along } from './cluster-layout.js';
import { clearAlong } from './cluster-placement.js';

/**
 * The callouts are rebuilt only when the refusals they explain change (or
 * the layout does, which resets `callouts.key`). Returns whether they were.
 */
export function drawOverlay(view, geom, state, marks, callouts) {
  drawLegend(view.legend, state);
  const key = marks.refusals.map((e) => `${e.step}|${e.kind}|${e.voter}>${e.candidate}`).join();
  const rebuilt = key !== callouts.key;
  if (rebuilt) {
    callouts.key = key;
    drawCallouts(view.callouts, view.refusals, geom, marks.refusals, callouts);
  }
  drawViolation(view, marks);
  return rebuilt;
}

/** The boxes the callouts take, in the picture's logical units (read once they are laid out). */
export function calloutsTaken(view, geom) {
  const s = geom.scale;
  return [...view.callouts.querySelectorAll('.cv-callout')].map((el) => ({
    l: el.offsetLeft / s, t: el.offsetTop / s, r: (el.offsetLeft + el.offsetWidth) / s, b: (el.offsetTop + el.offsetHeight) / s,
  }));
}

function drawViolation(view, marks) {
  const v = marks.violation;
  const violationKey = v ? `${v.step}|${v.property}` : '';
  if (violationKey === view.violationKey) return;
  view.violationKey = violationKey;
  view.violation.hidden = !v;
  if (v) {
    view.violation.replaceChildren();
    htmlEl('span', null, `⚠ ${v.property.replace(/_/g, ' ')}`, view.violation);
    htmlEl('span', 'cv-violation-nodes', `: nodes ${(v.nodes ?? []).join(', ')}`, view.violation);
    view.violation.title = `${v.text ?? ''}`;
  }
}

function drawLegend(el, state) {
  const terms = [...new Set(state.nodes.filter((n) => n.role !== 'crashed').map((n) => n.term))].sort((a, b) => a - b);
  const key = terms.join();
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.replaceChildren();
  htmlEl('span', 'cv-legend-head', 'Terms', el);
  for (const t of terms) {
    const chip = htmlEl('span', 'cv-chip', null, el);
    chip.style.setProperty('--term', termColor(t));
    htmlEl('span', 'cv-swatch', null, chip);
    htmlEl('span', null, String(t), chip);
  }
}

/**
 * A refusal explained in words for a few ticks. On a wide stage the callout
 * sits in the free column beside the ring, level with the voter and tied to
 * it by a line; on a narrow one it docks at the bottom.
 */
function drawCallouts(el, svgLayer, geom, refusals, callouts) {
  el.replaceChildren();
  svgLayer.replaceChildren();
  const boxes = [];
  // One callout at a time (the newest refusal): more would cover the term
  // chips, the tallies and the crown. The others keep their ✗ on the link.
  for (const e of refusals) markRefusal(svgLayer, geom, e);
  for (const e of refusals.slice(0, 1)) {
    const p = toPx(geom, geom.pos.get(e.voter));
    const q = toPx(geom, geom.pos.get(e.candidate));
    if (!p || !q) continue;
    const box = htmlEl('div', `cv-callout ${e.kind === 'probe_refused' ? 'probe' : 'vote'}`, null, el);
    const split = e.text.indexOf(': ');
    const what = e.kind === 'probe_refused' ? 'probe' : 'vote';
    htmlEl('strong', null, `✗ ${e.voter} refuses ${e.candidate}'s ${what} (t${e.term})`, box);
    htmlEl('span', null, `refused: ${split >= 0 ? e.text.slice(split + 2) : e.text}`, box);
    if (refusals.length > 1) htmlEl('span', 'cv-callout-more', ` (+${refusals.length - 1} more ✗ on the links)`, box);
    boxes.push({ box, p, e });
  }
  if (geom.side >= 150) callouts.stack(placeBeside(boxes, geom));
  else callouts.stack(placeDocked(boxes));
}

/** A red ✗ on the link (placed by placeRefusalMarks, once the labels are). */
function markRefusal(layer, geom, e) {
  const g = svgEl('g', { class: 'cv-refusal-mark' }, layer);
  g.qsLink = [e.voter, e.candidate];
  svgEl('circle', { r: 8 }, g);
  svgEl('path', { class: 'cv-x', d: 'M-4 -4 L4 4 M4 -4 L-4 4' }, g);
}

/**
 * Puts each refusal's ✗ on its link, just off the voter toward the
 * candidate it refused, moved along the link off the labels and badges in
 * `taken` (a phone's tally sat under one); then takes its box (10 px each
 * way), so the messages and their labels keep off it too.
 */
export function placeRefusalMarks(layer, geom, taken) {
  for (const g of layer.querySelectorAll('.cv-refusal-mark')) {
    const [p, q] = g.qsLink.map((id) => geom.pos.get(id));
    const at = clearAlong(taken, geom, p, q, 0.12, 10, 0.3) ?? along(geom, p, q, 0.12);
    g.setAttribute('transform', `translate(${at.x} ${at.y})`);
    taken.push({ l: at.x - 10, r: at.x + 10, t: at.y - 10, b: at.y + 10 });
  }
}

/** A callout's width per 14 px of its text: its shape at 1280 px (side-column width / text size). */
const CALLOUT_EM_PX = 180;

/** Puts each callout in the column on its voter's side; returns the boxes, to be stacked once laid out. */
function placeBeside(boxes, geom) {
  const Wpx = geom.W * geom.scale;
  // It keeps the shape it has at 1280 px (about 13 em wide): its box and its
  // text grow with the picture as far as the column beside the ring allows,
  // its text never under 14 px. Larger text in the same column made a tower
  // of a projector's callout.
  const width = Math.min(250 * geom.scale, geom.side - 10);
  const textScale = Math.max(1, Math.min(geom.scale, width / CALLOUT_EM_PX));
  const cxPx = geom.cx * geom.scale;
  for (const b of boxes) {
    b.side = b.p.x < cxPx - 1 || (Math.abs(b.p.x - cxPx) <= 1 && b.e.candidate < b.e.voter) ? 'left' : 'right';
    b.width = width;
    b.box.style.width = `${width}px`;
    b.box.style.setProperty('--cv-callout-scale', textScale.toFixed(3));
    b.box.style.left = `${b.side === 'left' ? 6 : Wpx - width - 6}px`;
  }
  return boxes;
}

/** Stacks each column's callouts level with their voters (without overlapping), each tied to its voter by a line. */
export function stackBeside(boxes, layer, geom) {
  const Wpx = geom.W * geom.scale;
  const Hpx = geom.H * geom.scale;
  const columns = { left: [], right: [] };
  for (const b of boxes) columns[b.side].push(b);
  for (const col of Object.values(columns)) {
    col.sort((x, y) => x.p.y - y.p.y);
    let floor = 34 * geom.scale; // below the term legend
    for (const b of col) {
      const h = b.box.offsetHeight;
      const top = Math.max(floor, Math.min(Hpx - h - 30, b.p.y - h / 2));
      b.box.style.top = `${top}px`;
      floor = top + h + 6;
      const s = geom.scale;
      const x1 = (b.side === 'left' ? 6 + b.width : Wpx - b.width - 6) / s;
      const y1 = (top + h / 2) / s;
      const pos = geom.pos.get(b.e.voter);
      const d = Math.hypot(pos.x - x1, pos.y - y1) || 1;
      const rim = geom.r + 8;
      svgEl('line', { class: 'cv-callout-line', x1, y1, x2: pos.x - ((pos.x - x1) / d) * rim, y2: pos.y - ((pos.y - y1) / d) * rim }, layer);
    }
  }
}

/** Narrow stage: the newest callout only, in the band kept free above the key. */
function placeDocked(boxes) {
  boxes.forEach((b, i) => {
    if (i > 0) return b.box.remove();
    b.box.style.left = '6px';
    b.box.style.right = '6px';
    b.box.style.bottom = '28px';
  });
  return boxes.slice(0, 1);
}
