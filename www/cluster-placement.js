// Where the picture's labels go so that none covers another label or a
// node: each node's term chip, tally and vote line take the first free
// place around their node, then each message label the first free place
// beside its message. A label with no free place is shortened or left out
// (the node's menu, its tooltip and the narration still say it). Boxes are
// {l, t, r, b} in the picture's logical units; text is measured on a
// canvas (no layout read, so a playing frame stays cheap).

import { setAttr, setShown } from './dom.js';
import { along } from './cluster-layout.js';

/** Picture text size in logical px (cluster-view.css sets the same). */
const LABEL_PX = 14;
/** A text line's box around its baseline: the font's ascent and descent, with a little air. */
const ASCENT = LABEL_PX * 0.95;
const LINE_H = LABEL_PX * 1.25;
/** Air kept between two labels. */
const GAP = 2;

let ctx = null;
const widths = new Map();

/** The drawn width of `text` at the picture's label size (cached; the cache is bounded). */
export function textWidth(text, weight, family) {
  const key = `${weight}|${text}`;
  if (!widths.has(key)) {
    if (widths.size > 2000) widths.clear();
    ctx ??= document.createElement('canvas').getContext('2d');
    ctx.font = `${weight} ${LABEL_PX}px ${family}`;
    widths.set(key, ctx.measureText(text).width);
  }
  return widths.get(key);
}

/** Whether box `b` lies inside the picture and meets none of the boxes taken (but message glyphs, if `overGlyphs`). */
function fits(taken, b, overGlyphs) {
  if (b.l < 0 || b.r > taken.W || b.t < 0 || b.b > taken.H) return false;
  return !taken.some((o) => b.l < o.r && o.l < b.r && b.t < o.b && o.t < b.b && !(overGlyphs && o.glyph));
}

/**
 * Places every node's labels. `nodes` are the drawn nodes (cluster-nodes.js)
 * with their texts set; `extra` are boxes already taken (the callout).
 * Returns the boxes taken, for the message labels to avoid.
 */
export function placeNodeLabels(nodes, geom, extra) {
  const taken = Object.assign([...extra], { W: geom.W, H: geom.H });
  const list = [...nodes.values()].filter((n) => n.at);
  for (const n of list) {
    const { x, y } = n.at;
    const k = n.r + 8; // the timer ring and its stroke
    taken.push({ l: x - k, r: x + k, t: y - k, b: y + k, ring: true });
    n.stack = { below: y + n.r + 9, above: y - n.r - (n.leader ? 25 : 9) };
    if (n.leader) taken.push({ l: x - n.r * 0.75, r: x + n.r * 0.75, t: y - n.r - 25, b: y - n.r - 8 }); // the crown
  }
  // Essentials first: every term chip, then the tallies, then the vote lines.
  for (const n of list) {
    const spot = place(n, taken, geom, n.chipW, 20, 'below');
    n.chipSide = spot?.side ?? 'below';
    const top = (spot?.top ?? n.stack.below) - n.at.y;
    const dx = spot?.dx ?? 0;
    setAttr(n.p.termChip, 'x', (dx - n.chipW / 2).toFixed(1));
    setAttr(n.p.termChip, 'y', top.toFixed(1));
    setAttr(n.p.term, 'x', dx.toFixed(1));
    setAttr(n.p.term, 'y', (top + 15).toFixed(1));
  }
  for (const n of list) {
    // Outward first: below the nodes in the bottom half of the ring (phones keep that band for the callout).
    const outward = Math.sin(n.a) > 0.3 && !n.narrow ? 'below' : 'above';
    let spot = null;
    for (const terse of n.aboveText ? [false, true] : []) {
      const text = terse ? n.tallyShort : n.aboveText;
      if (text && (spot = place(n, taken, geom, textWidth(text, 600, geom.family), LINE_H, outward))) {
        n.setTerse(terse);
        break;
      }
    }
    show(n.p.probe, n, spot);
  }
  for (const n of list) {
    // Under (or over) its chip only: a vote line elsewhere would read as another node's.
    const ok = !n.compact && n.votedText && (n.chipSide === 'below' || n.chipSide === 'above');
    show(n.p.voted, n, ok && place(n, taken, geom, textWidth(n.votedText, 400, geom.family), LINE_H, n.chipSide, [n.chipSide]));
  }
  // Last, where there is room: the disk badge of a write under way (cluster-disk.js).
  for (const n of list) n.diskBadge?.place((w) => place(n, taken, geom, w, LINE_H, n.chipSide === 'above' ? 'above' : 'below'), geom.family);
  return taken;
}

function show(text, n, spot) {
  setShown(text, !!spot);
  if (!spot) return;
  setAttr(text, 'x', spot.dx.toFixed(1));
  setAttr(text, 'y', (spot.top + ASCENT - n.at.y).toFixed(1));
}

/**
 * Finds and takes the first free place for a w × h box by node n: on side
 * `first`, the other of above and below, then beside the node, the side away
 * from the ring's centre first (where a crowded ring has room). Above and
 * below, labels stack outward, and each is tried centred, then pushed
 * outward. Returns {side, dx, top} or null.
 */
function place(n, taken, geom, w, h, first, sides) {
  const out = n.at.x >= geom.cx ? 1 : -1;
  const name = out > 0 ? ['right', 'left'] : ['left', 'right'];
  sides ??= [first, first === 'below' ? 'above' : 'below', ...name];
  for (const side of sides) {
    const beside = side === 'left' || side === 'right';
    const s = side === 'right' ? 1 : -1;
    // Beside: level with the node's centre, just above or just below that. Above or below: the next free row.
    const tops = beside ? [n.at.y - h / 2, n.at.y - h - 1, n.at.y + 1] : [side === 'below' ? n.stack.below : n.stack.above - h];
    const dxs = beside ? [s * (n.r + 10 + w / 2)] : w > n.r ? [0, out * (w / 2 - n.r * 0.4)] : [0];
    for (const top of tops) {
      for (let dx of dxs) {
        // Kept inside the picture.
        dx += Math.max(0, 4 - (n.at.x + dx - w / 2)) - Math.max(0, n.at.x + dx + w / 2 - geom.W + 4);
        const box = { l: n.at.x + dx - w / 2 - GAP, r: n.at.x + dx + w / 2 + GAP, t: top, b: top + h };
        if (!fits(taken, box)) continue;
        taken.push(box);
        if (side === 'below') n.stack.below = top + h + GAP;
        if (side === 'above') n.stack.above = top - GAP;
        return { side, dx, top };
      }
    }
  }
  return null;
}

/**
 * The point on the link p → q nearest fraction `f`, at most `reach` from it
 * (tried in 0.05 steps out from it, the link's middle side first), where a
 * glyph of half-size `half` covers no badge or label in `taken` (a crown, a
 * term chip, a tally, a vote line, a callout): a message arriving at a new
 * leader waits just off its crown instead of covering it. Node circles and
 * other glyphs do not count: a message leaves and reaches its node's rim.
 * Returns `along`'s point, or null when no place within reach is free.
 */
export function clearAlong(taken, geom, p, q, f, half, reach = 1) {
  const toward = f < 0.5 ? 1 : -1;
  for (let i = 0; i <= 40 && Math.ceil(i / 2) * 0.05 <= reach; i += 1) {
    const g = f + (i % 2 ? toward : -toward) * Math.ceil(i / 2) * 0.05; // f, then outward from it, the middle's side first
    if (g < 0 || g > 1) continue;
    const at = along(geom, p, q, g);
    const box = { l: at.x - half, r: at.x + half, t: at.y - half, b: at.y + half };
    if (!taken.some((o) => !o.ring && !o.glyph && box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b)) return at;
  }
  return null;
}

/**
 * Places a message's label beside it: on its own side of the link first,
 * then the other side, above and below; clear of other messages' glyphs if
 * it can be, else over one. Returns [x, y, anchor] relative to the
 * message, or null when no place is free.
 */
export function placeMessageLabel(taken, at, w) {
  const o = 18;
  const anchor = (nx) => (nx > 0.35 ? 'start' : nx < -0.35 ? 'end' : 'middle');
  const tries = [[at.nx * o, at.ny * o + 5, anchor(at.nx)], [-at.nx * o, -at.ny * o + 5, anchor(-at.nx)], [0, -14, 'middle'], [0, 25, 'middle']];
  for (const overGlyphs of [false, true]) {
    for (const [dx, dy, a] of tries) {
      const l = at.x + dx - (a === 'start' ? 0 : a === 'end' ? w : w / 2);
      const box = { l: l - GAP, r: l + w + GAP, t: at.y + dy - ASCENT, b: at.y + dy - ASCENT + LINE_H };
      if (fits(taken, box, overGlyphs)) {
        taken.push(box);
        return [dx, dy, a];
      }
    }
  }
  return null;
}
