// A node's disk when writes take time (a scenario's `cluster.disk_ticks`):
// a badge by the node with a disk glyph, the tick its durable write is done
// at, and how many of its replies wait for that write. It shows why
// durability before send costs latency: a reply leaves only once what it
// promises is on disk. Drawn from the simulator's view of the node, never
// from the trace: `write_done` is the tick its write is done at (null: the
// disk is idle), `waiting` the replies held back, as [to, kind]. Placed like
// the other labels (cluster-placement.js); in a picture too busy for any of
// its texts, the glyph alone sits on the node's own rim (the node's
// accessible name still says it all).
import { svgEl } from './svg.js';
import { setAttr, setShown } from './dom.js';
import { textWidth } from './cluster-placement.js';

/** The glyph's width and the air after it. */
const ICON_W = 12;
const ICON_GAP = 4;
/** A disk: a cylinder, drawn in the text's colour. */
const CYLINDER = 'M0 4a6 2.5 0 0 0 12 0a6 2.5 0 0 0 -12 0v8a6 2.5 0 0 0 12 0v-8';
/** The glyph's height (its top at 1.5, its bottom at 14.5). */
const ICON_H = 16;

/** The badge's parts, hidden until a write is under way. */
export function createDisk(labels) {
  const g = svgEl('g', { class: 'cv-disk' }, labels);
  svgEl('path', { class: 'cv-disk-icon', d: CYLINDER }, g);
  const text = svgEl('text', { class: 'cv-disk-text', x: ICON_W + ICON_GAP, y: 13 }, g);
  const writing = svgEl('tspan', { class: 'cv-disk-writing' }, text);
  const waiting = svgEl('tspan', { class: 'cv-disk-waiting' }, text);
  g.style.display = 'none';
  return { g, text, writing, waiting };
}

const replies = (k) => `${k} ${k === 1 ? 'reply waits' : 'replies wait'}`;

/**
 * Sets node n's badge for its view `node` and returns the words its
 * accessible name adds, or null. The badge shows once placed.
 */
export function drawDisk(n, { write_done: done, waiting = [] }) {
  const parts = n.p.disk;
  n.diskBadge = null;
  setShown(parts.g, false);
  // Replies wait only while a write is under way: a node's next write starts as its last is done.
  if (done == null) return null;
  const k = waiting.length;
  const due = `writing, durable at t${done}`;
  const short = `→t${done}`;
  // Full, then terse: placement takes the first that fits.
  const texts = [[due, k ? ` · ${replies(k)}` : ''], [short, k ? ` · ${k} wait` : '']];
  n.diskBadge = {
    /** Places the badge with `place(width)` (a free spot or null). */
    place(place, family) {
      for (const [w1, w2] of texts) {
        const w = ICON_W + ICON_GAP + textWidth(w1 + w2, 600, family);
        const spot = place(w);
        if (!spot) continue;
        if (parts.writing.textContent !== w1) parts.writing.textContent = w1;
        if (parts.waiting.textContent !== w2) parts.waiting.textContent = w2;
        setShown(parts.text, true);
        setAttr(parts.g, 'transform', `translate(${(spot.dx - w / 2).toFixed(1)} ${(spot.top - n.at.y).toFixed(1)})`);
        setShown(parts.g, true);
        return;
      }
      // No room for words: the glyph alone, in a free place or else on the
      // node's own rim, lower right (inside the box the node itself takes).
      setShown(parts.text, false);
      const spot = place(ICON_W);
      const [x, y] = spot ? [spot.dx - ICON_W / 2, spot.top - n.at.y] : [n.r * 0.7 - ICON_W / 2, n.r * 0.7 - ICON_H / 2];
      setAttr(parts.g, 'transform', `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
      setShown(parts.g, true);
    },
  };
  const to = waiting.map(([id, kind]) => `${kind.replace(/_/g, ' ')} to ${id}`).join(', ');
  const said = `writing to disk until tick ${done}`;
  return k ? `${said}, ${replies(k)} for it (${to})` : said;
}
