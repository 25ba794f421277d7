// One node of the picture: its shape, role, term chip, vote, election timer
// and the line above it (tally or handover badge), redrawn only on change.
import { svgEl, termColor } from './svg.js';
import { textWidth } from './cluster-placement.js';
import { createDisk, drawDisk } from './cluster-disk.js';

export function createNode(parent, id) {
  const g = svgEl('g', { class: 'cv-node', tabindex: 0, role: 'button', 'data-node-id': id }, parent);
  // The drawn labels sit in a sibling group, outside the button: its
  // aria-label says all they say and more, and axe requires a button's name
  // to repeat any text inside it word for word (label-content-name-mismatch).
  const labels = svgEl('g', { class: 'cv-node cv-labels', 'aria-hidden': 'true', 'data-labels-of': id }, parent);
  const p = {};
  p.halo = svgEl('circle', { class: 'cv-halo' }, g);
  p.track = svgEl('circle', { class: 'cv-timer-track' }, g);
  p.timer = svgEl('circle', { class: 'cv-timer', pathLength: 100 }, g);
  p.ring = svgEl('circle', { class: 'cv-leader-ring' }, g);
  p.body = svgEl('path', { class: 'cv-body' }, g);
  p.cross = svgEl('path', { class: 'cv-cross' }, g);
  p.crown = svgEl('path', { class: 'cv-crown' }, g);
  p.id = svgEl('text', { class: 'cv-id', 'text-anchor': 'middle' }, labels);
  p.role = svgEl('text', { class: 'cv-role', 'text-anchor': 'middle' }, labels);
  p.termChip = svgEl('rect', { class: 'cv-term-chip', rx: 3 }, labels);
  p.term = svgEl('text', { class: 'cv-term', 'text-anchor': 'middle' }, labels);
  p.voted = svgEl('text', { class: 'cv-voted', 'text-anchor': 'middle' }, labels);
  p.probe = svgEl('text', { class: 'cv-probing', 'text-anchor': 'middle' }, labels);
  p.disk = createDisk(labels);
  p.id.textContent = String(id);
  return { g, labels, p };
}

/** Sizes every part for the current radius; runs on layout only. */
export function placeNode(n, geom, id) {
  const { x, y } = geom.pos.get(id);
  const r = geom.r;
  const p = n.p;
  n.r = r;
  n.a = geom.pos.get(id).a;
  n.narrow = geom.narrow;
  n.compact = geom.compact;
  n.at = geom.pos.get(id);
  n.family = geom.family;
  n.g.setAttribute('transform', `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  n.labels.setAttribute('transform', `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
  p.halo.setAttribute('r', r + 16);
  p.track.setAttribute('r', r + 6);
  p.timer.setAttribute('r', r + 6);
  p.ring.setAttribute('r', r + 5);
  const c = r * 0.62;
  p.cross.setAttribute('d', `M${-c} ${-c} L${c} ${c} M${c} ${-c} L${-c} ${c}`);
  const cw = r * 0.7;
  const top = -r - 8;
  p.crown.setAttribute('d', `M${-cw} ${top} L${-cw} ${top - 12} L${-cw / 2} ${top - 5} L0 ${top - 15} L${cw / 2} ${top - 5} L${cw} ${top - 12} L${cw} ${top} Z`);
  // Picture text is 14 logical px at least (LABEL_PX), so a lecture hall's back row can read it.
  // The chip, the tally and the vote line are placed by cluster-placement.js.
  // A small node has no room for its role word inside: its outline and its name say it.
  const small = geom.compact || r < 30;
  n.small = small;
  p.id.setAttribute('y', small ? 6 : -2);
  p.role.setAttribute('y', r * 0.5 + 2);
  p.termChip.setAttribute('height', 20);
  n.g.classList.toggle('compact', geom.compact);
  n.labels.classList.toggle('compact', geom.compact);
  n.sig = null; // sizes changed: redraw the labels
}

/** Where a node stands in the cluster's configuration, when that is worth a word (joint, or not a member). */
const STANDING_WORDS = { old_and_new: 'old+new', old_only: 'old only', new_only: 'new only', removed: 'removed' };

const ROLE_WORDS = { learner: 'learner', witness: 'witness', crashed: 'crashed', leader: 'leader', candidate: 'candidate', follower: 'follower' };

/**
 * Redraws a node's shape and labels only when something they show changed:
 * writing the same text again still makes the browser lay the text out anew,
 * and at 64 ticks/s most frames change nothing but the timers.
 */
export function updateNode(n, node, state, marks) {
  drawTimer(n.p, node);
  const violated = !!marks.violation?.nodes?.includes(node.id);
  const sig = JSON.stringify([node.role, node.kind, node.term, node.voted_for, node.probing, node.handover,
    node.commit, node.last_index, node.snapshot_index, violated && marks.violation.property, node.tally, node.standing, marks.elected?.node === node.id, node.write_done, node.waiting]);
  if (sig === n.sig) return false;
  n.sig = sig;
  const { g, p } = n;
  const role = node.role;
  g.dataset.role = role;
  g.dataset.term = String(node.term);
  g.setAttribute('class', `cv-node role-${role} kind-${node.kind} standing-${node.standing}${g.classList.contains('selected') ? ' selected' : ''}${n.compact ? ' compact' : ''}`);
  g.style.setProperty('--term', termColor(node.term));
  n.labels.style.setProperty('--term', termColor(node.term)); // the term chip's colour
  g.classList.toggle('violated', violated);
  // The unmistakable mark of a win, for the few ticks the election is news.
  g.classList.toggle('elected', marks.elected?.node === node.id && role === 'leader');
  n.labels.setAttribute('class', `${g.getAttribute('class').replace(' selected', '')} cv-labels${n.small ? ' small' : ''}`);

  p.body.setAttribute('d', node.kind === 'witness' ? diamondPath(n.r * 1.15) : circlePath(n.r));
  p.role.textContent = role === 'learner' ? 'learner' : ROLE_WORDS[role] ?? role;
  const termText = n.compact ? `t${node.term}` : `term ${node.term}`;
  p.term.textContent = termText;
  n.chipW = textWidth(termText, 700, n.family) + 12;
  p.termChip.setAttribute('width', n.chipW.toFixed(1));
  const voted = node.voted_for != null && node.voted_for !== 0 ? `voted ${node.voted_for}` : 'no vote';
  const where = STANDING_WORDS[node.standing];
  p.voted.textContent = [voted, node.kind === 'witness' ? 'metadata only' : null, where].filter(Boolean).join(' · ');
  n.votedText = p.voted.textContent;
  n.leader = role === 'leader';
  // The line above (or below) the node, in full and in short: placement picks the one that fits.
  n.terse = null;
  n.setTerse = (terse) => {
    if (terse === n.terse) return;
    n.terse = terse;
    drawAbove(p.probe, node, n.narrow, n.compact || terse);
  };
  n.setTerse(false);
  n.aboveText = shownText(p.probe);
  n.tallyShort = null;
  if (node.tally && !n.compact && node.role !== 'crashed') {
    drawAbove(p.probe, node, n.narrow, true);
    n.tallyShort = shownText(p.probe);
    n.terse = true;
  }

  const label = [`node ${node.id}`, role === 'learner' ? 'learner (catching up)' : role, `term ${node.term}`];
  if (node.voted_for) label.push(`voted for ${node.voted_for}`);
  if (where) label.push(`member: ${where}`);
  if (node.probing) label.push(`probing term ${node.term + 1}`);
  if (violated) label.push(`violation: ${marks.violation.property}`);
  const disk = drawDisk(n, node);
  if (disk) label.push(disk);
  // No <title> tooltip inside the button, for the same reason as the labels'
  // own group: the name says it all; the menu shows more.
  const detail = `commit ${node.commit}, last index ${node.last_index}${node.snapshot_index ? `, snapshot ≤ ${node.snapshot_index}` : ''}`;
  g.setAttribute('aria-label', `${label.join(', ')}, ${detail}. Click for actions`);
  return true;
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
}

/** Every answer a tally holds, in id order: granted, refused, and those that count nowhere. */
function ballotsOf(tally) {
  const ok = new Map();
  for (const q of tally.quorums) {
    for (const id of q.granted) ok.set(id, true);
    for (const id of q.refused) ok.set(id, false);
  }
  for (const id of tally.uncounted) if (!ok.has(id)) ok.set(id, null);
  return [...ok].sort((a, b) => a[0] - b[0]).map(([voter, v]) => ({ voter, ok: v }));
}

/** "2/3 quorum", or per configuration while joint: "old 2/3 ✓ · new 1/3 ✗" (the core's counts, drawn as they are). */
function countText(tally, narrow) {
  const [only] = tally.quorums;
  if (tally.quorums.length === 1) {
    const got = only.granted.length;
    return `${narrow ? ' ' : '· '}${got}/${only.needed}${got >= only.needed && !narrow ? ' quorum' : ''}`;
  }
  const sides = tally.quorums.map((q) => `${q.config} ${q.granted.length}/${q.needed} ${q.granted.length >= q.needed ? '✓' : '✗'}`);
  return ` · ${sides.join(' · ')}`;
}

/**
 * The line above a node: "probing t2 ✓1 ✓3 ✗2 · 2/3" for a prober, "votes t2 …"
 * for a candidate (its ballots so far against each configuration's quorum,
 * as the core counts them), or a handover badge.
 */
function drawAbove(text, node, narrow, compact) {
  const tally = node.tally;
  text.replaceChildren();
  text.setAttribute('class', `cv-probing${tally?.probe ? ' probe' : ''}`);
  if (node.role === 'crashed') return;
  if (!tally) {
    text.textContent = node.handover ? `handing over → ${node.handover.to}` : '';
    return;
  }
  const head = svgEl('tspan', { class: 'cv-tally-head cv-tally-word' }, text);
  head.textContent = `${tally.probe ? 'probing' : 'votes'} t${tally.term} `;
  // Narrow stages drop the spaces and the word "quorum" so neighbours' lines do not collide.
  const gap = narrow ? '' : ' ';
  const ballots = ballotsOf(tally);
  // Big clusters: the count alone; each ballot is still in the tooltip.
  for (const b of compact ? [] : ballots) {
    const t = svgEl('tspan', { class: b.ok ? 'ok' : b.ok === false ? 'no' : 'uncounted' }, text);
    t.textContent = `${b.ok === false ? '✗' : '✓'}${b.voter}${gap}`;
  }
  const need = svgEl('tspan', { class: 'cv-tally-need' }, text);
  need.textContent = countText(tally, narrow);
  const title = svgEl('title', {}, text);
  const list = ballots.map((b) => `${b.ok === false ? '✗' : '✓'}${b.voter}${b.ok == null ? ' (counts nowhere)' : ''}`).join(' ');
  const counts = tally.quorums.map((q) => `${q.config === 'current' ? '' : `${q.config} configuration `}`
    + `{${q.members.join(', ')}}: ${q.granted.length} granted of ${q.needed} needed`).join('; ');
  title.textContent = `${tally.probe ? 'Probe' : 'Vote'} answers for term ${tally.term}: ${list}; ${counts} (self included)`;
}

/** The text a label shows (its tooltip left out). */
function shownText(text) {
  return [...text.childNodes].filter((c) => c.nodeName !== 'title').map((c) => c.textContent).join('');
}

export function circlePath(r) {
  return `M${-r} 0 A${r} ${r} 0 1 0 ${r} 0 A${r} ${r} 0 1 0 ${-r} 0 Z`;
}

export function diamondPath(r) {
  return `M0 ${-r} L${r} 0 L0 ${r} L${-r} 0 Z`;
}
