// A node's disk when writes take time (a scenario's `cluster.disk_ticks`):
// a badge by the node with a disk glyph, the tick its durable write is done
// at, and how many of its replies wait for that write. It shows why
// durability before send costs latency: a reply leaves only once what it
// promises is on disk. Drawn from the simulator's view of the node, never
// from the trace: `write_done` is the tick its write is done at (null: the
// disk is idle), `waiting` the replies held back, as [to, kind]. Placed like
// the other labels (cluster-placement.js).
import { svgEl } from './svg.js';
import { textWidth } from './cluster-placement.js';

/** The glyph's width and the air after it. */
const ICON_W = 12;
const ICON_GAP = 4;
/** A disk: a cylinder, drawn in the text's colour. */
const CYLINDER = 'M0 4a6 2.5 0 0 0 12 0a6 2.5 0 0 0 -12 0v8a6 2.5 0 0 0 12 0v-8';

/** The badge's parts, hidden until a write is under way. */
export function createDisk(labels) {
  const g = svgEl('g', { class: 'cv-disk' }, labels);
  svgEl('path', { class: 'cv-disk-icon', d: CYLINDER }, g);
  const text = svgEl('text', { class: 'cv-disk-text', x: ICON_W + ICON_GAP, y: 13 }, g);
  const writing = svgEl('tspan', { class: 'cv-disk-writing' }, text);
  const waiting = svgEl('tspan', { class: 'cv-disk-waiting' }, text);
  g.style.display = 'none';
  return { g, writing, waiting };
}

const replies = (k) => `${k} ${k === 1 ? 'reply waits' : 'replies wait'}`;

/**
 * Sets node n's badge for its view `node` and returns the words its
 * accessible name adds, or null. The badge shows once placed.
 */
export function drawDisk(n, { write_done: done, waiting = [] }) {
  const parts = n.p.disk;
  n.diskBadge = null;
  parts.g.style.display = 'none';
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
        parts.writing.textContent = w1;
        parts.waiting.textContent = w2;
        parts.g.setAttribute('transform', `translate(${(spot.dx - w / 2).toFixed(1)} ${(spot.top - n.at.y).toFixed(1)})`);
        parts.g.style.display = '';
        return;
      }
      parts.g.style.display = 'none';
    },
  };
  const to = waiting.map(([id, kind]) => `${kind.replace(/_/g, ' ')} to ${id}`).join(', ');
  const said = `writing to disk until tick ${done}`;
  return k ? `${said}, ${replies(k)} for it (${to})` : said;
}
