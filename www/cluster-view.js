// The cluster picture: nodes on a circle, the links between them, messages in
// flight, votes landing, refusals explained, violations flagged, and a node
// menu for operator commands. One SVG plus a thin HTML overlay (callouts wrap
// text, which SVG cannot). Drawn from app.state / app.trace on 'update',
// touching only what changed: playback calls it on every frame. Nothing here
// runs a timer, so a paused page costs nothing.
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Smallest logical width: on a phone the picture shrinks instead of cramping. */
const MIN_LOGICAL_WIDTH = 400;
/** How many ticks a refusal callout stays (tied to simulated time, not the wall clock). */
const CALLOUT_TICKS = 5;
/** How many refusal callouts at once, newest first: more would bury the picture. */
const CALLOUT_MAX = 3;
/** How many ticks the ✕ of a dropped message stays visible. */
const DROP_TICKS = 2;
/** Bound on the backwards trace scans, so a huge trace never stalls a frame. */
const SCAN_MAX = 4000;

export function svgEl(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

export function htmlEl(tag, className, text, parent = null) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text != null) el.textContent = text;
  if (parent) parent.append(el);
  return el;
}

const termColor = (term) => `var(--qs-term-${((term % 8) + 8) % 8})`;

export function mountCluster(container, app, host) {
  const view = buildSkeleton(container);
  const nodes = new Map(); // id → {g, parts}
  let geom = null;
  let linkKey = '';
  const messageCache = new Map(); // message key → its SVG group, reused across frames
  const dropCache = new Map(); // dropped message's key → its ✕, reused while it fades
  // Callouts beside the ring are stacked by their heights. Reading those right
  // after building them would force a layout in the middle of the frame; a
  // ResizeObserver gets them once the browser has laid the frame out, before
  // it paints.
  let unstacked = [];
  const stacker = new ResizeObserver(() => {
    stacker.disconnect();
    stackBeside(unstacked, view.refusals, geom);
    unstacked = [];
  });
  const callouts = {
    key: null, // what the callouts show, to rebuild them only on change
    stack(boxes) {
      stacker.disconnect();
      unstacked = boxes;
      for (const b of boxes) stacker.observe(b.box);
    },
  };
  const menu = new NodeMenu(view.root, app, host, {
    anchorOf: (id) => geom && toPx(geom, geom.pos.get(id)),
    onClose: (id) => nodes.get(id)?.g.focus(),
    onSelect: (id) => nodes.forEach((n, k) => n.g.classList.toggle('selected', k === id)),
  });

  function render() {
    const state = app.state;
    if (!state) return;
    const ids = state.nodes.map((n) => n.id);
    if (!geom || geom.ids.join() !== ids.join()) relayout(ids);
    const key = linksKey(state);
    if (key !== linkKey) {
      linkKey = key;
      drawLinks(view.links, geom, state);
    }
    const marks = readTrace(app, state);
    for (const node of state.nodes) updateNode(ensureNode(node.id), node, state, marks);
    drawMessages(view.messages, messageCache, geom, state, app.virtualTick);
    drawDrops(view.marks, dropCache, geom, marks.drops, app.virtualTick);
    drawOverlay(view, geom, state, marks, callouts);
    menu.refresh(state);
  }

  function relayout(ids) {
    const rect = container.getBoundingClientRect();
    geom = layout(ids, rect.width || 600, rect.height || 400);
    view.svg.setAttribute('viewBox', `0 0 ${geom.W} ${geom.H}`);
    view.root.classList.toggle('narrow', geom.narrow); // phones: terser labels
    for (const [id, n] of nodes) if (!geom.pos.has(id)) (n.g.remove(), nodes.delete(id));
    for (const [id, n] of nodes) placeNode(n, geom, id);
    linkKey = '';
    callouts.key = null;
  }

  function ensureNode(id) {
    let n = nodes.get(id);
    if (!n) {
      n = createNode(view.nodes, id);
      nodes.set(id, n);
      placeNode(n, geom, id);
    }
    return n;
  }

  // Clicks: a node opens its menu, a link toggles cut / heal.
  function onClick(e) {
    const g = e.target.closest('[data-node-id]');
    if (g) return menu.open(Number(g.dataset.nodeId));
    const link = e.target.closest('[data-link]');
    if (link) toggleLink(app, host, link.dataset.link.split('-').map(Number));
  }
  function onKey(e) {
    const g = e.target.closest?.('[data-node-id]');
    if (g && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      e.stopPropagation(); // Space must not also reach a play/pause shortcut
      menu.open(Number(g.dataset.nodeId));
    }
  }
  view.svg.addEventListener('click', onClick);
  view.svg.addEventListener('keydown', onKey);
  const offUpdate = app.on('update', render);
  // A resize redraws once; ResizeObserver fires only on change, so idle stays free.
  const resize = new ResizeObserver(() => {
    if (app.state) relayout(app.state.nodes.map((n) => n.id));
    render();
  });
  resize.observe(container);
  render();

  return () => {
    offUpdate();
    resize.disconnect();
    stacker.disconnect();
    menu.destroy();
    view.svg.removeEventListener('click', onClick);
    view.svg.removeEventListener('keydown', onKey);
    view.root.remove();
  };
}

/** The static DOM: svg with ordered layers, and the HTML overlay. */
function buildSkeleton(container) {
  const root = htmlEl('div', 'cv-root', null, container);
  const svg = svgEl('svg', { class: 'cv-svg', preserveAspectRatio: 'xMidYMid meet', role: 'group' }, root);
  svg.setAttribute('aria-label', 'Cluster: nodes, links and messages in flight');
  const layer = (name) => svgEl('g', { class: `cv-${name}` }, svg);
  const view = { root, svg, links: layer('links'), nodes: layer('nodes'), messages: layer('messages'), marks: layer('marks'),
    refusals: layer('refusals') };
  view.legend = htmlEl('div', 'cv-legend', null, root);
  view.legend.setAttribute('aria-label', 'Terms in use');
  view.callouts = htmlEl('div', 'cv-callouts', null, root);
  view.callouts.setAttribute('aria-live', 'polite');
  view.violation = htmlEl('div', 'cv-violation', null, root);
  view.violation.hidden = true;
  buildKey(root);
  return view;
}

/** A collapsible key of message glyphs: what each shape means. */
function buildKey(root) {
  const details = htmlEl('details', 'cv-key', null, root);
  htmlEl('summary', null, 'Key', details);
  const list = htmlEl('ul', null, null, details);
  const rows = [
    ['probe', 'probe: "would you vote for me?" (bumps no term)'],
    ['vote', 'vote request (real election, new term)'],
    ['vote_reply', 'reply: ✓ granted / ✗ refused'],
    ['append', 'append entries'],
    ['heartbeat', 'heartbeat (append with no entries)'],
    ['snapshot', 'snapshot'],
    ['timeout_now', 'timeout now: campaign at once'],
    ['doomed', 'lost on the way (cut or drop)'],
  ];
  for (const [kind, text] of rows) {
    const li = htmlEl('li', null, null, list);
    const s = svgEl('svg', { viewBox: '-10 -9 20 18', width: 20, height: 18, 'aria-hidden': 'true' }, li);
    const label = kind === 'vote_reply' ? 'vote ✓' : '';
    const m = { kind: kind === 'heartbeat' || kind === 'doomed' ? 'append' : kind, term: 1, label: kind === 'heartbeat' ? 'heartbeat' : label };
    const g = svgEl('g', { class: `cv-msg k-${m.kind}${kind === 'heartbeat' ? ' heartbeat' : ''}` }, s);
    g.style.setProperty('--term', termColor(1));
    drawGlyph(g, m);
    if (kind === 'doomed') svgEl('path', { class: 'cv-x', d: 'M-6 -6 L6 6 M6 -6 L-6 6' }, g);
    htmlEl('span', null, text, li);
  }
}

/** Positions on a circle sized to the container; logical units ≈ CSS px above MIN_LOGICAL_WIDTH. */
function layout(ids, width, height) {
  const W = Math.max(width, MIN_LOGICAL_WIDTH);
  const H = Math.max(280, (W * height) / Math.max(width, 1));
  const n = Math.max(ids.length, 1);
  const compact = n > 7;
  // Room for the line above a node (probing, tally, crown) and the two below (term, vote).
  const narrow = W < 560;
  // Big clusters draw one short line per node, so they need less room around the ring.
  const top = narrow ? 50 : compact ? 30 : 34; // phones: the term legend needs its own row
  // Phones have no side columns, so a band at the bottom is kept free for the refusal callout.
  const bottom = (narrow ? 118 : 62) - (compact ? 24 : 0);
  const guess = Math.min(W / 2 - 40, (H - top - bottom) / 2);
  const r = Math.max(15, Math.min(narrow ? 26 : 30, guess * Math.sin(Math.PI / n) * 0.5));
  const ring = Math.max(60, Math.min(W / 2 - r - (narrow ? 28 : 40), (H - top - bottom) / 2 - r));
  const cx = W / 2;
  const cy = top + r + ring;
  // Stretch sideways into spare width (an ellipse), keeping ~190 px columns for callouts.
  const rx = Math.max(ring, Math.min(ring * 1.3, W / 2 - r - 190));
  const pos = new Map();
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    pos.set(id, { x: cx + rx * Math.cos(a), y: cy + ring * Math.sin(a), a });
  });
  // Free columns left and right of the ring hold the refusal callouts when wide enough.
  const side = (W / 2 - rx - r - 24) * (width / W);
  return { ids, W, H, r, ring, cx, cy, pos, compact, side, scale: width / W, narrow };
}

function toPx(geom, p) {
  return p && { x: p.x * geom.scale, y: p.y * geom.scale, r: geom.r * geom.scale };
}

/* ---------- nodes ---------- */

function createNode(parent, id) {
  const g = svgEl('g', { class: 'cv-node', tabindex: 0, role: 'button', 'data-node-id': id }, parent);
  const p = {};
  p.title = svgEl('title', {}, g);
  p.halo = svgEl('circle', { class: 'cv-halo' }, g);
  p.track = svgEl('circle', { class: 'cv-timer-track' }, g);
  p.timer = svgEl('circle', { class: 'cv-timer', pathLength: 100 }, g);
  p.ring = svgEl('circle', { class: 'cv-leader-ring' }, g);
  p.body = svgEl('path', { class: 'cv-body' }, g);
  p.cross = svgEl('path', { class: 'cv-cross' }, g);
  p.crown = svgEl('path', { class: 'cv-crown' }, g);
  p.id = svgEl('text', { class: 'cv-id', 'text-anchor': 'middle' }, g);
  p.role = svgEl('text', { class: 'cv-role', 'text-anchor': 'middle' }, g);
  p.termChip = svgEl('rect', { class: 'cv-term-chip', rx: 3 }, g);
  p.term = svgEl('text', { class: 'cv-term', 'text-anchor': 'middle' }, g);
  p.voted = svgEl('text', { class: 'cv-voted', 'text-anchor': 'middle' }, g);
  p.probe = svgEl('text', { class: 'cv-probing', 'text-anchor': 'middle' }, g);
  p.id.textContent = String(id);
  return { g, p };
}

/** Sizes every part for the current radius; runs on layout only. */
function placeNode(n, geom, id) {
  const { x, y } = geom.pos.get(id);
  const r = geom.r;
  const p = n.p;
  n.r = r;
  n.a = geom.pos.get(id).a;
  n.narrow = geom.narrow;
  n.compact = geom.compact;
  n.x = geom.pos.get(id).x;
  n.W = geom.W;
  n.g.setAttribute('transform', `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  p.halo.setAttribute('r', r + 16);
  p.track.setAttribute('r', r + 6);
  p.timer.setAttribute('r', r + 6);
  p.ring.setAttribute('r', r + 5);
  const c = r * 0.62;
  p.cross.setAttribute('d', `M${-c} ${-c} L${c} ${c} M${c} ${-c} L${-c} ${c}`);
  const cw = r * 0.7;
  const top = -r - 8;
  p.crown.setAttribute('d', `M${-cw} ${top} L${-cw} ${top - 12} L${-cw / 2} ${top - 5} L0 ${top - 15} L${cw / 2} ${top - 5} L${cw} ${top - 12} L${cw} ${top} Z`);
  p.id.setAttribute('y', geom.compact ? 5 : -1);
  p.role.setAttribute('y', r * 0.55);
  p.term.setAttribute('y', r + 22);
  p.termChip.setAttribute('y', r + 11);
  p.termChip.setAttribute('height', 15);
  p.voted.setAttribute('y', r + 37);
  p.probe.setAttribute('y', -r - 13);
  n.g.classList.toggle('compact', geom.compact);
  n.sig = null; // sizes changed: redraw the labels
}

const ROLE_WORDS = { learner: 'learner', witness: 'witness', crashed: 'crashed', leader: 'leader', candidate: 'candidate', follower: 'follower' };

/**
 * Redraws a node's shape and labels only when something they show changed:
 * writing the same text again still makes the browser lay the text out anew,
 * and at 64 ticks/s most frames change nothing but the timers.
 */
function updateNode(n, node, state, marks) {
  drawTimer(n.p, node);
  const tally = marks.tallies.get(node.id);
  const violated = !!marks.violation?.nodes?.includes(node.id);
  const sig = JSON.stringify([node.role, node.kind, node.term, node.voted_for, node.probing, node.handover,
    node.commit, node.last_index, node.snapshot_index, violated && marks.violation.property, tally]);
  if (sig === n.sig) return;
  n.sig = sig;
  const { g, p } = n;
  const role = node.role;
  g.dataset.role = role;
  g.dataset.term = String(node.term);
  g.setAttribute('class', `cv-node role-${role} kind-${node.kind}${g.classList.contains('selected') ? ' selected' : ''}${n.compact ? ' compact' : ''}`);
  g.style.setProperty('--term', termColor(node.term));
  g.classList.toggle('violated', violated);

  p.body.setAttribute('d', node.kind === 'witness' ? diamondPath(n.r * 1.15) : circlePath(n.r));
  p.role.textContent = role === 'learner' ? 'learner' : ROLE_WORDS[role] ?? role;
  const termText = n.compact ? `t${node.term}` : `term ${node.term}`;
  p.term.textContent = termText;
  const chipW = termText.length * 6.6 + 10;
  p.termChip.setAttribute('x', -chipW / 2);
  p.termChip.setAttribute('width', chipW);
  const voted = node.voted_for != null && node.voted_for !== 0 ? `voted ${node.voted_for}` : 'no vote';
  p.voted.textContent = role === 'witness' || node.kind === 'witness' ? `${voted} · metadata only` : voted;
  drawAbove(p.probe, node, tally, n.narrow, n.compact);
  // The extra line goes outward: above nodes in the top half, below those in the bottom half.
  const below = Math.sin(n.a) > 0.3 && !n.narrow; // phones keep the bottom band for the callout
  p.probe.setAttribute('y', below ? n.r + 52 : role === 'leader' ? -n.r - 28 : -n.r - 13);
  keepInside(p.probe, n, n.narrow ? 12.5 : 11);

  const label = [`node ${node.id}`, role === 'learner' ? 'learner (catching up)' : role, `term ${node.term}`];
  if (node.voted_for) label.push(`voted for ${node.voted_for}`);
  if (node.probing) label.push(`probing term ${node.term + 1}`);
  if (violated) label.push(`violation: ${marks.violation.property}`);
  g.setAttribute('aria-label', label.join(', '));
  p.title.textContent = `${label.join(', ')}\ncommit ${node.commit}, last index ${node.last_index}` +
    `${node.snapshot_index ? `, snapshot ≤ ${node.snapshot_index}` : ''}\nClick for actions`;
}

/** The election timer drains as a ring: full when reset, empty when it fires. Redrawn when it moves. */
function drawTimer(p, node) {
  const runs = ['follower', 'candidate'].includes(node.role) && node.voter !== false && node.kind !== 'witness';
  const [elapsed, timeout] = node.timer ?? [0, 0];
  const show = runs && timeout > 0;
  const key = show ? `${elapsed}/${timeout}` : '';
  if (key === p.timerKey) return;
  p.timerKey = key;
  p.track.style.display = show ? '' : 'none';
  p.timer.style.display = show ? '' : 'none';
  if (!show) return;
  const left = Math.max(0, Math.min(1, 1 - elapsed / timeout));
  p.timer.setAttribute('stroke-dasharray', `${(left * 100).toFixed(2)} 100`);
  p.timer.classList.toggle('low', left < 0.25);
  p.timerTitle ??= svgEl('title', {}, p.timer);
  p.timerTitle.textContent = `election timer: ${elapsed} of ${timeout} ticks`;
}

/**
 * The line above a node: "probing t2 ✓1 ✓3 ✗2 2/3" for a prober, "votes t2 …"
 * for a candidate (its ballots so far against the quorum), or a handover badge.
 */
function drawAbove(text, node, tally, narrow, compact) {
  text.replaceChildren();
  text.setAttribute('class', `cv-probing${tally?.probe ? ' probe' : ''}`);
  if (node.role === 'crashed') return;
  if (!tally) {
    text.textContent = node.handover ? `handing over → ${node.handover.to}` : '';
    return;
  }
  const head = svgEl('tspan', { class: 'cv-tally-head' }, text);
  head.textContent = `${tally.probe ? 'probing' : 'votes'} t${tally.term} `;
  head.classList.add('cv-tally-word');
  // Narrow stages drop the spaces and the word "quorum" so neighbours' lines do not collide.
  const gap = narrow ? '' : ' ';
  // Big clusters: the count alone; each ballot is still in the tooltip.
  for (const b of compact ? [] : tally.ballots) {
    const t = svgEl('tspan', { class: b.ok ? 'ok' : 'no' }, text);
    t.textContent = `${b.ok ? '✓' : '✗'}${b.voter}${gap}`;
  }
  const need = svgEl('tspan', { class: 'cv-tally-need' }, text);
  const got = tally.ballots.filter((b) => b.ok).length;
  need.textContent = `${narrow ? ' ' : '· '}${got}/${tally.need}${got >= tally.need && !narrow ? ' quorum' : ''}`;
  const title = svgEl('title', {}, text);
  const list = tally.ballots.map((b) => `${b.ok ? '✓' : '✗'}${b.voter}`).join(' ');
  title.textContent = `${tally.probe ? 'Probe' : 'Vote'} answers for term ${tally.term}: ${list}; ` +
    `${got} granted (self included), ${tally.need} needed for a quorum`;
}

/** Shifts a centred label sideways so it stays inside the picture (width estimated, no layout read). */
function keepInside(text, n, fontSize) {
  const shown = [...text.childNodes].filter((c) => c.nodeName !== 'title').map((c) => c.textContent).join('');
  const w = shown.length * fontSize * 0.62;
  const left = n.x - w / 2;
  const right = n.x + w / 2;
  const dx = left < 4 ? 4 - left : right > n.W - 4 ? n.W - 4 - right : 0;
  text.setAttribute('x', dx.toFixed(1));
}

function circlePath(r) {
  return `M${-r} 0 A${r} ${r} 0 1 0 ${r} 0 A${r} ${r} 0 1 0 ${-r} 0 Z`;
}

function diamondPath(r) {
  return `M0 ${-r} L${r} 0 L0 ${r} L${-r} 0 Z`;
}

/* ---------- links ---------- */

function linksKey(state) {
  const ho = state.nodes.find((n) => n.handover);
  return `${state.cuts.map((c) => c.join('>')).sort().join()}|${ho ? `${ho.id}>${ho.handover.to}` : ''}`;
}

function drawLinks(layer, geom, state) {
  layer.replaceChildren();
  const cut = new Set(state.cuts.map(([a, b]) => `${a}>${b}`));
  const ho = state.nodes.find((n) => n.handover);
  const ids = geom.ids;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i];
      const b = ids[j];
      const ab = cut.has(`${a}>${b}`);
      const ba = cut.has(`${b}>${a}`);
      const isHandover = ho && ((ho.id === a && ho.handover.to === b) || (ho.id === b && ho.handover.to === a));
      drawLink(layer, geom, a, b, ab, ba, isHandover);
    }
  }
}

function drawLink(layer, geom, a, b, ab, ba, isHandover) {
  const p = geom.pos.get(a);
  const q = geom.pos.get(b);
  const g = svgEl('g', { class: `cv-link${ab || ba ? ' cut' : ''}${isHandover ? ' handover' : ''}`, 'data-link': `${a}-${b}` }, layer);
  const title = svgEl('title', {}, g);
  svgEl('line', { class: 'cv-link-hit', x1: p.x, y1: p.y, x2: q.x, y2: q.y }, g);
  if (!ab && !ba) {
    svgEl('line', { class: 'cv-link-line', x1: p.x, y1: p.y, x2: q.x, y2: q.y }, g);
    title.textContent = `link ${a}–${b}${isHandover ? ' (handover)' : ''}: click to cut`;
    return;
  }
  // A cut link: red dashes with a gap at the middle and scissors in it.
  const mx = (p.x + q.x) / 2;
  const my = (p.y + q.y) / 2;
  const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  const ux = (q.x - p.x) / len;
  const uy = (q.y - p.y) / len;
  const gap = 12;
  svgEl('line', { class: 'cv-cut-line', x1: p.x, y1: p.y, x2: mx - ux * gap, y2: my - uy * gap }, g);
  svgEl('line', { class: 'cv-cut-line', x1: mx + ux * gap, y1: my + uy * gap, x2: q.x, y2: q.y }, g);
  svgEl('circle', { class: 'cv-cut-badge', cx: mx, cy: my, r: 10 }, g);
  const sc = svgEl('text', { class: 'cv-scissors', x: mx, y: my + 4.5, 'text-anchor': 'middle' }, g);
  sc.textContent = '✂';
  if (ab !== ba) {
    // One way: an arrow past the scissors shows which direction is lost.
    const [from, to] = ab ? [a, b] : [b, a];
    const s = ab ? 1 : -1;
    const tipX = mx + s * ux * 26;
    const tipY = my + s * uy * 26;
    const bx = mx + s * ux * 16;
    const by = my + s * uy * 16;
    svgEl('path', { class: 'cv-cut-arrow', d: `M${tipX} ${tipY} L${bx - uy * 6} ${by + ux * 6} L${bx + uy * 6} ${by - ux * 6} Z` }, g);
    title.textContent = `link ${from}→${to} cut one way: messages from ${from} to ${to} are lost, ${to}→${from} still works. Click to heal.`;
  } else {
    title.textContent = `link ${a}–${b} cut both ways: every message between them is lost. Click to heal.`;
  }
}

/**
 * Toggles one link. The App has only a global heal, so healing one link heals
 * all, then re-cuts the others (see the report: a per-link heal would be cleaner).
 */
function toggleLink(app, host, [a, b]) {
  const cuts = app.state.cuts;
  const isCut = cuts.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  try {
    if (!isCut) {
      app.command({ do: 'cut', from: a, to: b });
    } else {
      const keep = cuts.filter(([x, y]) => !((x === a && y === b) || (x === b && y === a)));
      app.command({ do: 'heal' });
      for (const [x, y] of keep) app.command({ do: 'cut', from: x, to: y, one_way: true });
    }
    host.showError?.(null);
    return true;
  } catch (e) {
    host.showError?.(e.message);
    return false;
  }
}

/* ---------- messages ---------- */

/**
 * Moves the messages along their links. Each message keeps its SVG group
 * between frames (keyed by seq and content), so a playing frame only
 * updates positions instead of rebuilding dozens of elements.
 */
function drawMessages(layer, cache, geom, state, vt) {
  const labelled = new Set(); // one label per burst: "vote? t2" ×4 leaving a node reads as one
  const live = new Set();
  for (const m of state.messages) {
    const p = geom.pos.get(m.from);
    const q = geom.pos.get(m.to);
    if (!p || !q) continue;
    const key = `${m.seq}|${m.from}|${m.to}|${m.kind}|${m.label}|${m.doomed}`;
    live.add(key);
    let c = cache.get(key);
    if (!c) cache.set(key, (c = createMessage(layer, m)));
    const span = m.deliver_tick - m.sent_tick;
    const f = Math.max(0, Math.min(1, span > 0 ? (vt - m.sent_tick) / span : 1));
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
    const show = showLabel(m, state.messages.length, geom.compact) && !(burst && labelled.has(burst));
    if (show && burst) labelled.add(burst);
    // Beside the path on the message's own side, so it clears the link and the nodes' rims.
    const place = show ? [(at.nx * 15).toFixed(1), (at.ny * 15 + 3.5).toFixed(1), labelAnchor(at.nx)] : null;
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
  const refused = /✗|reject/.test(m.label ?? '');
  const g = svgEl('g', { class: `cv-msg k-${m.kind}${heartbeat ? ' heartbeat' : ''}${refused ? ' refused' : ''}` }, layer);
  g.style.setProperty('--term', termColor(m.term));
  svgEl('title', {}, g).textContent = m.doomed ? `${m.text} — lost on the way` : m.text;
  drawGlyph(g, m);
  const label = svgEl('text', { class: 'cv-msg-label' }, g);
  label.textContent = m.label;
  return { g, label, dying: false };
}

/** Labels only where they add something: all when the network is calm, the telling ones when it is busy. */
function showLabel(m, count, compact) {
  if (compact) return count <= 6 || (count <= 12 && /✗|reject/.test(m.label ?? ''));
  if (/✗|reject/.test(m.label ?? '')) return count <= 20;
  if (['vote', 'timeout_now', 'snapshot'].includes(m.kind)) return count <= 14;
  if (m.label === 'heartbeat' || m.kind === 'append_reply') return count <= 6 && !compact;
  return count <= 8;
}

/** A point at fraction f from p's rim to q's rim, shifted sideways so the two directions do not overlap. */
function along(geom, p, q, f) {
  const len = Math.hypot(q.x - p.x, q.y - p.y) || 1;
  const ux = (q.x - p.x) / len;
  const uy = (q.y - p.y) / len;
  const rim = geom.r + 12;
  const d = rim + (len - 2 * rim) * f;
  const side = 6;
  // (nx, ny): the unit normal on this direction's side of the link.
  return { x: p.x + ux * d - uy * side, y: p.y + uy * d + ux * side, nx: -uy, ny: ux };
}

function labelAnchor(nx) {
  return nx > 0.35 ? 'start' : nx < -0.35 ? 'end' : 'middle';
}

/** One glyph per message kind; probes are hollow and dashed because they change no term. */
function drawGlyph(g, m) {
  const mark = (txt, y = 3.5) => {
    const t = svgEl('text', { class: 'cv-glyph-mark', y, 'text-anchor': 'middle' }, g);
    t.textContent = txt;
  };
  const verdict = /✗|reject/.test(m.label ?? '') ? '✗' : '✓';
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

/* ---------- marks from the trace: tallies, refusals, drops, violations ---------- */

/** Reads what the picture needs from the tail of the trace, within a few ticks of now. */
function readTrace(app, state) {
  const trace = app.trace ?? [];
  const now = state.tick;
  const windowTicks = (state.election_ticks?.[1] ?? 20) + 4;
  const tallies = collectTallies(trace, state, now - windowTicks);
  const refusals = [];
  const drops = [];
  const seen = new Set();
  for (let i = trace.length - 1, k = 0; i >= 0 && k < SCAN_MAX; i--, k++) {
    const e = trace[i];
    if (e.tick < now - CALLOUT_TICKS) break;
    if ((e.kind === 'vote_refused' || e.kind === 'probe_refused') && refusals.length < CALLOUT_MAX) {
      const key = `${e.voter}>${e.candidate}`;
      if (!seen.has(key)) (seen.add(key), refusals.push(e));
    }
    if (e.kind === 'message_dropped' && e.tick >= app.virtualTick - DROP_TICKS) drops.push(e);
  }
  return { tallies, refusals, drops, violation: lastViolation(app) };
}

/** Ballots for each candidate (its term) and each prober (term + 1), self included. */
function collectTallies(trace, state, minTick) {
  const want = new Map();
  for (const n of state.nodes) {
    if (n.role === 'candidate') want.set(n.id, { term: n.term, probe: false });
    else if (n.probing && n.role !== 'crashed') want.set(n.id, { term: n.term + 1, probe: true });
  }
  const tallies = new Map();
  if (!want.size) return tallies;
  for (const [id, w] of want) {
    const node = state.nodes.find((n) => n.id === id);
    tallies.set(id, { ...w, need: quorumOf(node.membership), ballots: [{ voter: id, ok: true }] });
  }
  const seen = new Set();
  for (let i = trace.length - 1, k = 0; i >= 0 && k < SCAN_MAX; i--, k++) {
    const e = trace[i];
    if (e.tick < minTick) break;
    const probe = e.kind === 'probe_granted' || e.kind === 'probe_refused';
    if (!probe && e.kind !== 'vote_granted' && e.kind !== 'vote_refused') continue;
    const t = tallies.get(e.candidate);
    if (!t || t.probe !== probe || t.term !== e.term || e.voter === e.candidate) continue;
    const key = `${e.candidate}<${e.voter}`;
    if (seen.has(key)) continue; // newest answer per voter wins
    seen.add(key);
    t.ballots.push({ voter: e.voter, ok: e.kind.endsWith('granted') });
  }
  for (const t of tallies.values()) t.ballots.sort((x, y) => x.voter - y.voter);
  return tallies;
}

/** Strict majority of the voters (joint: the stricter of old and new, shown as one number). */
function quorumOf(m) {
  const need = (list) => Math.floor((list?.length ?? 0) / 2) + 1;
  return Math.max(need(m?.voters), m?.outgoing ? need(m.outgoing) : 0);
}

/** The last violation in the trace; cached per trace array (seek and load replace the array). */
const violationCache = new WeakMap();
function lastViolation(app) {
  const trace = app.trace ?? [];
  let c = violationCache.get(trace);
  if (!c) violationCache.set(trace, (c = { scanned: 0, last: null }));
  if (c.scanned > trace.length) (c.scanned = 0), (c.last = null);
  for (; c.scanned < trace.length; c.scanned++) if (trace[c.scanned].kind === 'violation') c.last = trace[c.scanned];
  return c.last;
}

/** A ✕ where a message was lost, fading over DROP_TICKS; each keeps its element while it fades. */
function drawDrops(layer, cache, geom, drops, vt) {
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

/* ---------- HTML overlay: term legend, refusal callouts, violation label ---------- */

/** The callouts are rebuilt only when the refusals they explain change (or the layout does, which resets `callouts.key`). */
function drawOverlay(view, geom, state, marks, callouts) {
  drawLegend(view.legend, state);
  const key = marks.refusals.map((e) => `${e.step}|${e.kind}|${e.voter}>${e.candidate}`).join();
  if (key !== callouts.key) {
    callouts.key = key;
    drawCallouts(view.callouts, view.refusals, geom, marks.refusals, callouts);
  }
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
  for (const e of refusals) {
    const p = toPx(geom, geom.pos.get(e.voter));
    const q = toPx(geom, geom.pos.get(e.candidate));
    if (!p || !q) continue;
    const box = htmlEl('div', `cv-callout ${e.kind === 'probe_refused' ? 'probe' : 'vote'}`, null, el);
    const split = e.text.indexOf(': ');
    const what = e.kind === 'probe_refused' ? 'probe' : 'vote';
    htmlEl('strong', null, `✗ ${e.voter} refuses ${e.candidate}'s ${what} (t${e.term})`, box);
    htmlEl('span', null, `refused: ${split >= 0 ? e.text.slice(split + 2) : e.text}`, box);
    boxes.push({ box, p, e });
    markRefusal(svgLayer, geom, e);
  }
  if (geom.side >= 150) callouts.stack(placeBeside(boxes, geom));
  else placeDocked(boxes);
}

/** A red ✗ on the link, just off the voter, toward the candidate it refused. */
function markRefusal(layer, geom, e) {
  const p = geom.pos.get(e.voter);
  const q = geom.pos.get(e.candidate);
  const at = along(geom, p, q, 0.12);
  const g = svgEl('g', { class: 'cv-refusal-mark', transform: `translate(${at.x} ${at.y})` }, layer);
  svgEl('circle', { r: 8 }, g);
  svgEl('path', { class: 'cv-x', d: 'M-4 -4 L4 4 M4 -4 L-4 4' }, g);
}

/** Puts each callout in the column on its voter's side; returns the boxes, to be stacked once laid out. */
function placeBeside(boxes, geom) {
  const Wpx = geom.W * geom.scale;
  const width = Math.min(250, geom.side - 10);
  const cxPx = geom.cx * geom.scale;
  for (const b of boxes) {
    b.side = b.p.x < cxPx - 1 || (Math.abs(b.p.x - cxPx) <= 1 && b.e.candidate < b.e.voter) ? 'left' : 'right';
    b.width = width;
    b.box.style.width = `${width}px`;
    b.box.style.left = `${b.side === 'left' ? 6 : Wpx - width - 6}px`;
  }
  return boxes;
}

/** Stacks each column's callouts level with their voters (without overlapping), each tied to its voter by a line. */
function stackBeside(boxes, layer, geom) {
  const Wpx = geom.W * geom.scale;
  const Hpx = geom.H * geom.scale;
  const columns = { left: [], right: [] };
  for (const b of boxes) columns[b.side].push(b);
  for (const col of Object.values(columns)) {
    col.sort((x, y) => x.p.y - y.p.y);
    let floor = 34; // below the term legend
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
}

/* ---------- node menu: operator commands for one node ---------- */

/** A small HTML panel next to the node; arrows move, Escape closes, focus returns to the node. */
class NodeMenu {
  constructor(root, app, host, hooks) {
    this.root = root;
    this.app = app;
    this.host = host;
    this.hooks = hooks;
    this.id = null;
    this.el = htmlEl('div', 'cv-menu', null, root);
    this.el.setAttribute('role', 'dialog');
    this.el.hidden = true;
    this.onKey = (e) => this.key(e);
    this.onOutside = (e) => {
      if (this.id != null && !e.composedPath().includes(this.el)) this.close(false);
    };
    this.el.addEventListener('keydown', this.onKey);
    this.scope = root.getRootNode();
    this.scope.addEventListener('pointerdown', this.onOutside);
  }

  open(id) {
    this.id = id;
    this.sig = '';
    this.refresh(this.app.state);
    this.el.hidden = false;
    this.place();
    this.hooks.onSelect(id);
    this.el.querySelector('.cv-menu-item')?.focus(); // the first action, not the close button
  }

  close(returnFocus = true) {
    const id = this.id;
    this.id = null;
    this.el.hidden = true;
    this.hooks.onSelect(null);
    if (returnFocus && id != null) this.hooks.onClose(id);
  }

  /** Rebuilds only when what the menu shows changes, so focus survives playback frames. */
  refresh(state) {
    if (this.id == null || !state) return;
    const node = state.nodes.find((n) => n.id === this.id);
    if (!node) return this.close(false);
    const sig = `${node.role}|${node.term}|${state.nodes.length}`;
    if (sig === this.sig) return;
    this.sig = sig;
    const keepDeadline = this.el.querySelector('input')?.value;
    this.build(node, state, keepDeadline);
  }

  build(node, state, keepDeadline) {
    const id = node.id;
    const el = this.el;
    const hadFocus = el.contains(this.root.getRootNode().activeElement);
    el.replaceChildren();
    el.setAttribute('aria-label', `Actions for node ${id}`);
    const head = htmlEl('div', 'cv-menu-head', null, el);
    htmlEl('strong', null, `Node ${id}`, head);
    htmlEl('span', null, ` ${node.role}, term ${node.term}`, head);
    const x = htmlEl('button', 'cv-menu-close', '×', head);
    x.setAttribute('aria-label', 'Close');
    x.addEventListener('click', () => this.close());
    const crashed = node.role === 'crashed';
    this.item(crashed ? `Restart node ${id}` : `Crash node ${id}`, { do: crashed ? 'restart' : 'crash', node: id });
    this.item('Time out now (campaign)', { do: 'timeout_now', node: id });
    this.item('Transfer leadership here', { do: 'transfer', to: id });
    const row = htmlEl('label', 'cv-menu-row', 'Deadline ', el);
    const input = htmlEl('input', null, null, row);
    Object.assign(input, { type: 'number', min: 1, max: 10000, value: keepDeadline ?? state.election_ticks?.[1] ?? 20 });
    input.setAttribute('aria-label', 'Failover deadline in ticks');
    htmlEl('span', null, ' ticks', row);
    const deadline = () => Math.max(1, Number(input.value) || 1);
    this.item('Coordinated failover here', () => ({ do: 'failover', to: id, mode: 'coordinated', deadline_ticks: deadline() }));
    this.item('Forced failover here', () => ({ do: 'failover', to: id, mode: 'force', deadline_ticks: deadline() }));
    const others = state.nodes.map((n) => n.id).filter((k) => k !== id);
    this.item(`Isolate node ${id}`, { do: 'partition', groups: [[id], others] });
    this.cutRow(id, others);
    this.item('Heal all links', { do: 'heal' });
    if (hadFocus) el.querySelector('.cv-menu-item')?.focus();
  }

  /** Keyboard route to cutting or healing one link (the links themselves are mouse targets only). */
  cutRow(id, others) {
    const row = htmlEl('div', 'cv-menu-row', null, this.el);
    const select = htmlEl('select', null, null, row);
    select.setAttribute('aria-label', `A link of node ${id}`);
    const isCut = (k) => this.app.state.cuts.some(([a, b]) => (a === id && b === k) || (a === k && b === id));
    for (const k of others) {
      const o = htmlEl('option', null, `link ${id}–${k}${isCut(k) ? ' (cut)' : ''}`, select);
      o.value = String(k);
    }
    const b = htmlEl('button', null, 'Cut', row);
    const sync = () => (b.textContent = isCut(Number(select.value)) ? 'Heal' : 'Cut');
    select.addEventListener('change', sync);
    sync();
    b.addEventListener('click', () => {
      if (toggleLink(this.app, this.host, [id, Number(select.value)])) this.close();
    });
  }

  item(text, command) {
    const b = htmlEl('button', 'cv-menu-item', text, this.el);
    b.addEventListener('click', () => this.run(typeof command === 'function' ? command() : command));
    return b;
  }

  run(command) {
    try {
      this.app.command(command);
      this.host.showError?.(null);
      this.close();
    } catch (e) {
      this.host.showError?.(e.message);
    }
  }

  focusables() {
    return [...this.el.querySelectorAll('button, input, select')];
  }

  key(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      return this.close();
    }
    const list = this.focusables();
    const i = list.indexOf(this.root.getRootNode().activeElement);
    const typing = e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT';
    let next = null;
    if (e.key === 'ArrowDown' && !typing) next = i + 1;
    else if (e.key === 'ArrowUp' && !typing) next = i - 1;
    else if (e.key === 'Tab') next = e.shiftKey ? i - 1 : i + 1; // keep focus inside the menu
    else if (e.key === 'Home' && !typing) next = 0;
    else if (e.key === 'End' && !typing) next = list.length - 1;
    if (next == null) return;
    e.preventDefault();
    e.stopPropagation();
    list[(next + list.length) % list.length]?.focus();
  }

  /** Beside the node, flipped to whichever side has room, clamped inside the stage. */
  place() {
    const a = this.hooks.anchorOf(this.id);
    if (!a) return;
    const W = this.root.clientWidth;
    const H = this.root.clientHeight;
    const w = this.el.offsetWidth || 230;
    const h = this.el.offsetHeight || 300;
    let left = a.x + a.r + 14;
    if (left + w > W - 4) left = a.x - a.r - 14 - w;
    left = Math.max(4, Math.min(W - w - 4, left));
    const top = Math.max(4, Math.min(H - h - 4, a.y - h / 3));
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  destroy() {
    this.el.removeEventListener('keydown', this.onKey);
    this.scope.removeEventListener('pointerdown', this.onOutside);
    this.el.remove();
  }
}
