// Where the picture's labels go so that none covers another label or a
// node: each node's term chip, tally and vote line take the first free
// place around their node, then each message label the first free place
// beside its message. A label with no free place is shortened or left out
// (the node's menu, its tooltip and the narration still say it). Boxes are
// in the picture's logical units; text is measured on a canvas (no layout
// read, so a playing frame stays cheap).

/** Picture text size in logical px (cluster-view.css sets the same). */
const LABEL_PX = 14;
/** A text line's box around its baseline: the font's ascent and descent, with a little air. */
const ASCENT = LABEL_PX * 0.95;
const DESCENT = LABEL_PX * 0.3;
/** Air kept between two labels, and between a label and a node's timer ring. */
const GAP = 2;

let ctx = null;
const widths = new Map();

/** The drawn width of `text` at the picture's label size (cached; the cache is bounded). */
export function textWidth(text, weight = 400, family = 'sans-serif') {
  const key = `${weight}|${text}`;
  let w = widths.get(key);
  if (w != null) return w;
  ctx ??= document.createElement('canvas').getContext('2d');
  if (ctx) {
    ctx.font = `${weight} ${LABEL_PX}px ${family}`;
    w = ctx.measureText(text).width;
  } else {
    w = text.length * LABEL_PX * 0.62; // no canvas: a generous guess
  }
  if (widths.size > 2000) widths.clear();
  widths.set(key, w);
  return w;
}

/** The boxes taken so far; a new label fits where it meets none of them and stays inside the picture. */
export class Occupancy {
  constructor(W, H) {
    this.W = W;
    this.H = H;
    this.boxes = [];
  }

  fits(b) {
    if (b.l < 0 || b.r > this.W || b.t < 0 || b.b > this.H) return false;
    for (const o of this.boxes) if (b.l < o.r && o.l < b.r && b.t < o.b && o.t < b.b) return false;
    return true;
  }

  add(b) {
    this.boxes.push(b);
    return b;
  }

  copy() {
    const c = new Occupancy(this.W, this.H);
    c.boxes = this.boxes.slice();
    return c;
  }
}

/** A text line's box: centred on x (or from x by `anchor`) with its baseline at y. */
export function textBox(x, y, w, anchor = 'middle') {
  const l = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { l: l - GAP, r: l + w + GAP, t: y - ASCENT, b: y + DESCENT };
}

/**
 * Places every node's labels. `nodes` are the drawn nodes (cluster-nodes.js)
 * with their sizes and texts set; `extra` are boxes already taken (the
 * callout). Returns the occupancy, for the message labels to avoid.
 */
export function placeNodeLabels(nodes, geom, family, extra = []) {
  const occ = new Occupancy(geom.W, geom.H);
  for (const b of extra) occ.add(b);
  const list = [...nodes.values()].filter((n) => n.at);
  for (const n of list) {
    const { x, y } = n.at;
    const k = n.r + 8; // the timer ring and its stroke
    occ.add({ l: x - k, r: x + k, t: y - k, b: y + k });
    n.stack = { below: y + n.r + 9, above: y - n.r - 9 };
    if (n.leader) {
      occ.add({ l: x - n.r * 0.75, r: x + n.r * 0.75, t: y - n.r - 25, b: y - n.r - 8 });
      n.stack.above = y - n.r - 25;
    }
  }
  // Essentials first: every term chip, then the tallies, then the vote lines.
  for (const n of list) placeChip(n, occ, geom);
  for (const n of list) placeTally(n, occ, geom, family);
  for (const n of list) placeVoted(n, occ, geom, family);
  return occ;
}

/**
 * The sides to try for a node's label: `first`, the other of above and
 * below, then beside the node, the side away from the ring's centre first
 * (where a crowded ring has room).
 */
function sides(n, first, geom) {
  const out = n.at.x >= geom.cx ? ['right', 'left'] : ['left', 'right'];
  return [...(first === 'below' ? ['below', 'above'] : ['above', 'below']), ...out];
}

/** Horizontal shifts to try: centred (kept inside the picture), then pushed outward, away from the ring's centre. */
function shifts(n, w, geom) {
  const inside = (dx) => {
    const l = n.at.x + dx - w / 2;
    const r = n.at.x + dx + w / 2;
    return l < 4 ? dx + 4 - l : r > geom.W - 4 ? dx + geom.W - 4 - r : dx;
  };
  const out = n.at.x >= geom.cx ? 1 : -1;
  const list = [inside(0)];
  if (w > n.r) list.push(inside(out * (w / 2 - n.r * 0.4)), inside(out * (w / 2 + n.r + 10)));
  return list;
}

/** Tries the free places for a box of height h and width w: returns {side, dx, top, box} or null. */
function findPlace(n, occ, geom, w, h, order, only = null) {
  for (const side of only ?? sides(n, order, geom)) {
    if (side === 'left' || side === 'right') {
      // Beside the node: level with its centre, or just above or below that.
      const dx = side === 'right' ? n.r + 10 + w / 2 : -(n.r + 10 + w / 2);
      for (const dy of [-h / 2, -h - 1, 1]) {
        const box = { l: n.at.x + dx - w / 2 - GAP, r: n.at.x + dx + w / 2 + GAP, t: n.at.y + dy, b: n.at.y + dy + h };
        if (occ.fits(box)) return { side, dx, top: box.t, box };
      }
      continue;
    }
    const top = side === 'below' ? n.stack[side] : n.stack[side] - h;
    for (const dx of shifts(n, w, geom)) {
      const l = n.at.x + dx - w / 2 - GAP;
      const box = { l, r: l + w + 2 * GAP, t: top, b: top + h };
      if (occ.fits(box)) return { side, dx, top, box };
    }
  }
  return null;
}

function take(n, occ, spot, h) {
  occ.add(spot.box);
  if (spot.side === 'below') n.stack.below = spot.top + h + GAP;
  else if (spot.side === 'above') n.stack.above = spot.top - GAP;
}

function placeChip(n, occ, geom) {
  const { p } = n;
  const h = 20;
  const w = n.chipW;
  const spot = findPlace(n, occ, geom, w, h, 'below')
    ?? { side: 'below', dx: 0, top: n.stack.below, box: { l: n.at.x - w / 2, r: n.at.x + w / 2, t: n.stack.below, b: n.stack.below + h } };
  take(n, occ, spot, h);
  n.chipSide = spot.side;
  const top = spot.top - n.at.y;
  p.termChip.setAttribute('x', (spot.dx - w / 2).toFixed(1));
  p.termChip.setAttribute('y', top.toFixed(1));
  p.term.setAttribute('x', spot.dx.toFixed(1));
  p.term.setAttribute('y', (top + 15).toFixed(1));
}

const LINE_H = ASCENT + DESCENT;

/** The tally (or handover badge) goes outward first; if nowhere is free, its short form is tried before leaving it out. */
function placeTally(n, occ, geom, family) {
  const { p } = n;
  if (!n.aboveText) return void (p.probe.style.display = 'none');
  const outward = Math.sin(n.a) > 0.3 && !n.narrow ? 'below' : 'above';
  for (const terse of n.tallyShort ? [false, true] : [false]) {
    const text = terse ? n.tallyShort : n.aboveText;
    const w = textWidth(text, 600, family);
    const spot = findPlace(n, occ, geom, w, LINE_H, outward);
    if (!spot) continue;
    n.setTerse(terse);
    take(n, occ, spot, LINE_H);
    p.probe.style.display = '';
    p.probe.setAttribute('x', spot.dx.toFixed(1));
    p.probe.setAttribute('y', (spot.top + ASCENT - n.at.y).toFixed(1));
    return;
  }
  p.probe.style.display = 'none';
}

/** The vote line under the chip when there is room; the node's label and menu say it otherwise. */
function placeVoted(n, occ, geom, family) {
  const { p } = n;
  if (n.compact || !n.votedText) return void (p.voted.style.display = 'none');
  const w = textWidth(n.votedText, 400, family);
  // Under (or over) its chip only: a vote line elsewhere would read as another node's.
  const beside = n.chipSide === 'left' || n.chipSide === 'right';
  const spot = beside ? null : findPlace(n, occ, geom, w, LINE_H, n.chipSide, [n.chipSide]);
  if (!spot) return void (p.voted.style.display = 'none');
  take(n, occ, spot, LINE_H);
  p.voted.style.display = '';
  p.voted.setAttribute('x', spot.dx.toFixed(1));
  p.voted.setAttribute('y', (spot.top + ASCENT - n.at.y).toFixed(1));
}

/**
 * Places a message's label beside it: on its own side of the link first,
 * then the other side, above and below. Returns [x, y, anchor] relative to
 * the message, or null when no place is free.
 */
export function placeMessageLabel(occ, at, w) {
  const o = 18;
  const anchor = (nx) => (nx > 0.35 ? 'start' : nx < -0.35 ? 'end' : 'middle');
  const tries = [
    [at.nx * o, at.ny * o + 5, anchor(at.nx)],
    [-at.nx * o, -at.ny * o + 5, anchor(-at.nx)],
    [0, -14, 'middle'],
    [0, 25, 'middle'],
  ];
  for (const [dx, dy, a] of tries) {
    const box = textBox(at.x + dx, at.y + dy, w, a);
    if (occ.fits(box)) {
      occ.add(box);
      return [dx, dy, a];
    }
  }
  return null;
}
