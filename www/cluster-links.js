// The links between nodes: plain, cut one way or both (scissors), the
// handover link highlighted; clicking one cuts or heals it.
import { svgEl } from './svg.js';

export function linksKey(state) {
  const ho = state.nodes.find((n) => n.handover);
  return `${state.cuts.map((c) => c.join('>')).sort().join()}|${ho ? `${ho.id}>${ho.handover.to}` : ''}`;
}

export function drawLinks(layer, geom, state) {
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
export function toggleLink(app, host, [a, b]) {
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
