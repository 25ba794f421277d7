// The logs, one row per node, columns aligned by index so divergence and
// catch-up read straight down a column. Shows each node's commit watermark,
// its snapshot boundary, the uncommitted tail, witness metadata and
// acknowledged writes. Rows redraw only when what they show changes.
import { box as el } from './dom.js';

/** Indexes drawn at most (the latest ones): enough to see a story, cheap to draw. */
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
      if (!r) rows.set(node.id, (r = { row: el('div', 'lv-row', null, grid), sig: '' }));
      if (r.order !== order) r.row.style.order = String((r.order = order));
      const sig = rowSignature(node, lo, hi, acked, pending);
      if (sig !== r.sig) {
        r.sig = sig;
        drawRow(r.row, node, lo, acked, pending);
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

function drawRow(row, node, lo, acked, pending) {
  row.replaceChildren();
  row.className = `lv-row role-${node.role} kind-${node.kind}`;
  row.append(rowLabel(node));
  row.append(prefixCell(node, lo));
  const snap = node.snapshot_index;
  if (snap >= lo) {
    const block = el('div', 'lv-snapshot', `snapshot ≤ ${snap}`, row);
    block.style.gridColumn = `3 / span ${snap - lo + 1}`;
    block.title = `Entries up to ${snap} are compacted into a snapshot on node ${node.id}`;
  }
  for (const e of node.log) {
    if (e.index < lo || e.index <= snap) continue;
    row.append(entryCell(node, e, lo, acked, pending));
  }
  if (node.commit > 0) row.append(commitMarker(node, lo));
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

function entryCell(node, e, lo, acked, pending) {
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
  const isAcked = acked.has(`${e.index}@${e.term}`) && e.kind !== 'meta';
  const isPending = pending.has(`${node.id}:${e.index}@${e.term}`);
  if (isAcked) el('span', 'lv-ack', '✓', cell);
  else if (isPending) el('span', 'lv-pending', '…', cell);
  const state = committed ? 'committed' : 'not committed';
  const extra = isAcked ? ', acknowledged to the client' : isPending ? ', client waiting for the ack' : '';
  cell.title = `${e.index}@t${e.term} ${e.kind}: ${e.label} (${state}${extra})`;
  return cell;
}

/** A bar on the right edge of the commit index's column: everything left of it is committed. */
function commitMarker(node, lo) {
  const m = el('div', 'lv-commit');
  const col = node.commit >= lo ? 3 + node.commit - lo : 2;
  m.style.gridColumn = String(col);
  m.title = `node ${node.id}'s commit watermark: ${node.commit}`;
  return m;
}
