// Where things go on the stage: nodes on a ring sized to the container, and
// points along the links between them. Pure geometry, no DOM.
/** Smallest logical width: on a phone the picture shrinks instead of cramping. */
const MIN_LOGICAL_WIDTH = 400;
/**
 * Logical height of a wide stage. Up to it, a logical unit is a CSS pixel
 * (so the 14 px labels are 14 px on a 1280×720 screen); a taller stage
 * scales the whole picture up, so nodes and labels grow with a projector's
 * screen instead of leaving it empty.
 */
const LOGICAL_HEIGHT = 420;
/** Below this width the stage is a phone's: terser labels, no side columns. */
const NARROW_WIDTH = 560;

/** The logical size of the picture and how many CSS px a logical unit is. */
function logicalSize(width, height) {
  if (width < NARROW_WIDTH) {
    const W = Math.max(width, MIN_LOGICAL_WIDTH);
    return { W, H: Math.max(280, (W * height) / Math.max(width, 1)), scale: width / W };
  }
  const scale = Math.max(1, Math.min(height / LOGICAL_HEIGHT, width / (LOGICAL_HEIGHT * 1.45)));
  return { W: width / scale, H: Math.max(280, height / scale), scale };
}

/** Positions on a circle (an ellipse when there is spare width) sized to the container. */
export function layout(ids, width, height) {
  const { W, H, scale } = logicalSize(width, height);
  const n = Math.max(ids.length, 1);
  const compact = n > 7;
  // Room for the line above a node (probing, tally, crown) and the two below (term, vote).
  const narrow = width < NARROW_WIDTH;
  // Big clusters draw one short line per node, so they need less room around the ring.
  const top = narrow ? 50 : compact ? 36 : 44; // phones: the term legend needs its own row
  // Phones have no side columns, so a band at the bottom is kept free for the refusal callout.
  const bottom = (narrow ? 118 : 74) - (compact ? 24 : 0);
  const guess = Math.min(W / 2 - 40, (H - top - bottom) / 2);
  // Neighbours on the ring keep `room` between their rims for the labels
  // between them (a crown, a tally, a term chip): from 2(guess − r)·sin(π/n) ≥ 2r + room.
  const s = Math.sin(Math.PI / n);
  const room = compact ? 36 : 50;
  const r = Math.max(15, Math.min(narrow ? 26 : 40, guess * s * 0.55, (2 * guess * s - room) / (2 + 2 * s)));
  const ring = Math.max(60, Math.min(W / 2 - r - (narrow ? 28 : 40), (H - top - bottom) / 2 - r));
  const cx = W / 2;
  const cy = top + r + ring;
  // Stretch sideways into spare width (an ellipse), keeping ~190 px columns
  // for callouts; a big cluster stretches further, its nodes need the room.
  const rx = Math.max(ring, Math.min(ring * (compact ? 1.6 : 1.3), W / 2 - r - 190));
  const pos = new Map();
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    pos.set(id, { x: cx + rx * Math.cos(a), y: cy + ring * Math.sin(a), a });
  });
  // Free columns left and right of the ring hold the refusal callouts when wide enough.
  const side = (W / 2 - rx - r - 24) * scale;
  return { ids, W, H, r, ring, cx, cy, pos, compact, side, scale, narrow };
}

export function toPx(geom, p) {
  return p && { x: p.x * geom.scale, y: p.y * geom.scale, r: geom.r * geom.scale };
}

/** A point at fraction f from p's rim to q's rim, shifted sideways so the two directions do not overlap. */
export function along(geom, p, q, f) {
  const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  const ux = (q.x - p.x) / len;
  const uy = (q.y - p.y) / len;
  const rim = geom.r + 12;
  const d = rim + (len - 2 * rim) * f;
  const side = 6;
  // (nx, ny): the unit normal on this direction's side of the link.
  return { x: p.x + ux * d - uy * side, y: p.y + uy * d + ux * side, nx: -uy, ny: ux };
}
