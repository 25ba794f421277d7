// The logs, one row per node, columns aligned by index so divergence and
// catch-up read straight down a column. Shows each node's commit watermark,
// its snapshot boundary, the uncommitted tail, witness metadata and
// acknowledged writes. Rows redraw only when what they show changes.
import { box as el } from './dom.js';

/** Indexes drawn at most (the latest ones): enough to see a story, cheap to draw. The view carries 64 per node (LOG_TAIL, src/sim/view.rs). */
const WINDOW = 60;


const termColor = (term) => `var(--qs-term-${((term % 8) + 8) % 8})`;

export function mountLogs(container, app, host) {
  const root = el('section', 'lv', null, container);
  root.setAttribute('aria-label', 'Logs of every node');
  buildHead(root);
  const scroller = el('div', 'lv-scroll', null, root);
  scroller.tabIndex = 0; // a scrollable region must be reachable by keyboard
  scroller.setAttribute('role', 'region');
  scroller.setAttribute('aria-label', 'Logs by index; scroll sideways for older entries');
  const grid = el('div', 'lv-grid', null, scroller);
  const rows = new Map(); // id → {row, sig}
  let lastCols = -1;
  let lastPrefix = null;

  function render(state) {
    if (!state) return;
    const hi = Math.max(1, ...state.nodes.map((n) => n.last_index));
    const lo = Math.max(1, hi - WINDOW + 1);
    const cols = hi - lo + 1;
    if (cols !== lastCols) {
      grid.style.setProperty('--lv-cols', String(cols));
      lastCols = cols;
    }
    // The "older indexes" column takes room only when something is collapsed into it.
    const prefix = lo > 1 || state.nodes.some((n) => n.snapshot_index > 0 && n.snapshot_index < lo);
    if (prefix !== lastPrefix) {
      grid.style.setProperty('--lv-pre', prefix ? '58px' : '6px');
      lastPrefix = prefix;
    }
    const acked = new Set(state.acked.map((a) => `${a.index}@${a.term}`));
    const pending = new Set(state.pending.map((p) => `${p.node}:${p.index}@${p.term}`));
    const seen = new Set();
    state.nodes.forEach((node, order) => {
      seen.add(node.id);
      let r = rows.get(node.id);
      if (!r) rows.set(node.id, (r = newRow(grid)));
      if (r.order !== order) r.row.style.order = String((r.order = order));
      const sig = rowSignature(node, lo, hi, acked, pending);
      if (sig !== r.sig) {
        r.sig = sig;
        updateRow(r, node, lo, acked, pending);
      }
    });
    for (const [id, r] of rows) if (!seen.has(id)) (r.row.remove(), rows.delete(id));
  }

  const off = app.on('update', render);
  render(app.state);
  return () => {
    off();
    root.remove();
  };
}

function buildHead(root) {
  const head = el('div', 'lv-head', null, root);
  el('h3', null, 'Logs', head);
  const key = el('ul', 'lv-key', null, head);
  key.setAttribute('aria-label', 'Key');
  const items = [
    ['lv-cell', 'committed entry (term colour, term number)'],
    ['lv-cell uncommitted', 'not yet committed'],
    ['lv-cell meta', 'metadata only (witness)'],
    ['lv-commit-sample', 'commit watermark'],
    ['lv-ack-sample', 'acknowledged write'],
    ['lv-wait-sample', 'write waiting for its ack'],
  ];
  for (const [cls, text] of items) {
    const li = el('li', null, null, key);
    const s = el('span', `${cls} lv-sample`, { 'lv-ack-sample': '✓', 'lv-wait-sample': '…' }[cls] ?? null, li);
    s.style.setProperty('--term', termColor(1));
    s.setAttribute('aria-hidden', 'true');
    el('span', null, text, li);
  }
}

/** Everything a row shows, as one string: an unchanged row is not redrawn. */
function rowSignature(node, lo, hi, acked, pending) {
  let terms = '';
  // The log is in index order: walk back from its end to the window's start only.
  for (let i = node.log.length - 1; i >= 0 && node.log[i].index >= lo; i -= 1) {
    const e = node.log[i];
    terms += `${e.term}${e.kind[0]}${acked.has(`${e.index}@${e.term}`) ? '✓' : ''}${pending.has(`${node.id}:${e.index}@${e.term}`) ? 'p' : ''},`;
  }
  return [lo, hi, node.role, node.term, node.commit, node.last_index, node.snapshot_index, terms].join('|');
}

/**
 * A node's row and its parts, kept between updates: a change redraws only
 * what it touches (a new entry adds one cell, a commit restyles the cells
 * it covers). Rebuilding every cell of every row on each change made the
 * browser repaint the whole log area many times a second, and the frame
 * rate fell as the logs filled (15 nodes, 60 columns: 3,600 elements).
 */
function newRow(grid) {
  const row = el('div', 'lv-row', null, grid);
  const label = el('div', 'lv-label', null, row);
  const prefix = el('div', 'lv-prefix', null, row);
  return { row, sig: '', label, labelSig: '', prefix, prefixSig: '', commit: null, snapshot: null, cells: new Map(), lo: 0 };
}

function updateRow(r, node, lo, acked, pending) {
  const cls = `lv-row role-${node.role} kind-${node.kind}`;
  if (r.row.className !== cls) r.row.className = cls;
  const labelSig = [node.role, node.term, node.commit, node.applied, node.last_index].join('|');
  if (labelSig !== r.labelSig) {
    r.labelSig = labelSig;
    const label = rowLabel(node);
    r.label.replaceWith(label);
    r.label = label;
  }
  updatePrefix(r, node, lo);
  updateCommit(r, node, lo);
  updateSnapshot(r, node, lo);
  updateCells(r, node, lo, acked, pending);
  r.lo = lo;
}

/** The entries in the window, cell by cell: unchanged cells stay, and only move when the window does. */
function updateCells(r, node, lo, acked, pending) {
  const snap = node.snapshot_index;
  const shown = new Set();
  for (const e of node.log) {
    if (e.index < lo || e.index <= snap) continue;
    shown.add(e.index);
    const isAcked = acked.has(`${e.index}@${e.term}`) && e.kind !== 'meta';
    const isPending = pending.has(`${node.id}:${e.index}@${e.term}`);
    const sig = `${e.term}|${e.kind}|${e.index <= node.commit}|${isAcked}|${isPending}|${e.label}`;
    const had = r.cells.get(e.index);
    if (had?.sig === sig) {
      if (r.lo !== lo) had.cell.style.gridColumn = String(3 + e.index - lo);
      continue;
    }
    const cell = entryCell(node, e, lo, isAcked, isPending);
    if (had) had.cell.replaceWith(cell);
    else insertCell(r, e.index, cell);
    r.cells.set(e.index, { cell, sig });
  }
  for (const [index, { cell }] of r.cells) {
    if (!shown.has(index)) (cell.remove(), r.cells.delete(index));
  }
}

/** Cells stay in index order in the document (screen readers read them in it). */
function insertCell(r, index, cell) {
  let next = null;
  for (const [i, c] of r.cells) if (i > index && (!next || i < next.index)) next = { index: i, cell: c.cell };
  if (next) next.cell.before(cell);
  else r.row.append(cell);
}

function updatePrefix(r, node, lo) {
  const snap = node.snapshot_index;
  const sig = snap > 0 && snap < lo ? `s${snap}|${lo}` : lo > 1 ? `${lo}` : '';
  if (sig === r.prefixSig) return;
  r.prefixSig = sig;
  const prefix = prefixCell(node, lo);
  r.prefix.replaceWith(prefix);
  r.prefix = prefix;
}

/** A bar on the right edge of the commit index's column: everything left of it is committed. */
function updateCommit(r, node, lo) {
  if (node.commit === 0) {
    r.commit?.remove();
    r.commit = null;
    return;
  }
  if (!r.commit) r.prefix.after((r.commit = el('div', 'lv-commit')));
  const col = String(node.commit >= lo ? 3 + node.commit - lo : 2);
  if (r.commit.style.gridColumn !== col) r.commit.style.gridColumn = col;
  r.commit.title = `node ${node.id}'s commit watermark: ${node.commit}`;
}

function updateSnapshot(r, node, lo) {
  const snap = node.snapshot_index;
  if (snap < lo) {
    r.snapshot?.remove();
    r.snapshot = null;
    return;
  }
  if (!r.snapshot) (r.commit ?? r.prefix).after((r.snapshot = el('div', 'lv-snapshot')));
  r.snapshot.textContent = `snapshot ≤ ${snap}`;
  r.snapshot.style.gridColumn = `3 / span ${snap - lo + 1}`;
  r.snapshot.title = `Entries up to ${snap} are compacted into a snapshot on node ${node.id}`;
}

function rowLabel(node) {
  const label = el('div', 'lv-label');
  const name = el('span', 'lv-name', null, label);
  el('strong', null, `${node.id}`, name);
  el('span', 'lv-role', node.role === 'learner' ? 'learner' : node.role, name);
  const facts = el('span', 'lv-facts', `t${node.term} · commit ${node.commit}`, label);
  facts.title = `term ${node.term}, commit watermark ${node.commit}, applied ${node.applied}, last index ${node.last_index}`;
  label.setAttribute('aria-label', `node ${node.id}, ${node.role}, term ${node.term}, commit ${node.commit}, last index ${node.last_index}`);
  return label;
}

/** The column left of the window: older indexes, collapsed. */
function prefixCell(node, lo) {
  const cell = el('div', 'lv-prefix');
  const snap = node.snapshot_index;
  if (snap > 0 && snap < lo) {
    cell.textContent = `snap ≤ ${snap}`;
    cell.classList.add('snap');
    cell.title = `Entries up to ${snap} are compacted into a snapshot; ${snap + 1}–${lo - 1} are not drawn`;
  } else if (lo > 1) {
    cell.textContent = `≤ ${lo - 1}`;
    cell.title = `Indexes up to ${lo - 1} are not drawn`;
  }
  return cell;
}

function entryCell(node, e, lo, isAcked, isPending) {
  const committed = e.index <= node.commit;
  const cls = ['lv-cell', `k-${e.kind}`];
  if (!committed) cls.push('uncommitted');
  if (e.kind === 'meta') cls.push('meta');
  const cell = el('div', cls.join(' '));
  cell.dataset.entry = `${node.id}:${e.index}`; // a tour moment may point at it (tour-highlight.js)
  cell.style.gridColumn = String(3 + e.index - lo);
  cell.style.setProperty('--term', termColor(e.term));
  el('span', 'lv-index', String(e.index), cell);
  el('span', 'lv-term', `t${e.term}`, cell);
  if (isAcked) el('span', 'lv-ack', '✓', cell);
  else if (isPending) el('span', 'lv-pending', '…', cell);
  const state = committed ? 'committed' : 'not committed';
  const extra = isAcked ? ', acknowledged to the client' : isPending ? ', client waiting for the ack' : '';
  cell.title = `${e.index}@t${e.term} ${e.kind}: ${e.label} (${state}${extra})`;
  return cell;
}
