// The cluster picture: nodes on a circle, the links between them, messages in
// flight, votes landing, refusals explained, violations flagged, and a node
// menu for operator commands. One SVG plus a thin HTML overlay (callouts wrap
// text, which SVG cannot). Drawn from app.state / app.trace on 'update',
// touching only what changed: playback calls it on every frame. Nothing here
// runs a timer, so a paused page costs nothing.
import { svgEl, htmlEl } from './svg.js';
import { layout, toPx } from './cluster-layout.js';
import { createNode, placeNode, updateNode } from './cluster-nodes.js';
import { linksKey, drawLinks, toggleLink } from './cluster-links.js';
import { drawMessages, drawDrops } from './cluster-messages.js';
import { readTrace } from './cluster-marks.js';
import { drawOverlay, stackBeside, calloutsTaken, placeRefusalMarks } from './cluster-callouts.js';
import { placeNodeLabels } from './cluster-placement.js';
import { buildKey } from './cluster-key.js';
import { NodeMenu } from './node-menu.js';
import { mountPresentation } from './presentation.js';

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
  // Once placed, the callout's box is kept clear of labels: the labels are
  // placed again around it.
  let unstacked = [];
  let calloutBoxes = [];
  let occupancy = null; // where the nodes' labels are: the message labels keep clear of them
  const stacker = new ResizeObserver(() => {
    stacker.disconnect();
    stackBeside(unstacked, view.refusals, geom);
    unstacked = [];
    calloutBoxes = calloutsTaken(view, geom);
    occupancy = null;
    render();
  });
  const callouts = {
    key: null, // what the callouts show, to rebuild them only on change
    stack(boxes) {
      stacker.disconnect();
      unstacked = boxes.filter((b) => b.side);
      calloutBoxes = [];
      for (const b of boxes) stacker.observe(b.box);
    },
  };
  const menu = new NodeMenu(view.root, app, host, {
    anchorOf: (id) => geom && toPx(geom, geom.pos.get(id)),
    onClose: (id) => nodes.get(id)?.g.focus(),
    onSelect: (id) => nodes.forEach((n, k) => n.g.classList.toggle('selected', k === id)),
  });
  // The message menu is loaded the first time a message is clicked: most
  // readers never do, and the page's start-up code has a size budget.
  let messageMenu = null;
  const openMessageMenu = async (seq) => {
    messageMenu ??= (await import('./cluster-message-menu.js')).messageMenuFor(view, app, host);
    messageMenu.open(seq);
  };

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
    let changed = false;
    for (const node of state.nodes) changed = updateNode(ensureNode(node.id), node, state, marks) || changed;
    if (drawOverlay(view, geom, state, marks, callouts)) occupancy = null;
    if (changed || !occupancy) {
      occupancy = placeNodeLabels(nodes, geom, calloutBoxes);
      placeRefusalMarks(view.refusals, geom, occupancy);
    }
    drawMessages(view.messages, messageCache, geom, state, app.virtualTick, occupancy);
    drawDrops(view.marks, dropCache, geom, marks.drops, app.virtualTick);
    menu.refresh(state);
    messageMenu?.refresh(state);
  }

  function relayout(ids) {
    const rect = container.getBoundingClientRect();
    geom = layout(ids, rect.width || 600, rect.height || 400);
    geom.family = getComputedStyle(view.svg).fontFamily || 'sans-serif'; // what labels are measured in
    view.svg.setAttribute('viewBox', `0 0 ${geom.W} ${geom.H}`);
    view.root.classList.toggle('narrow', geom.narrow); // phones: terser labels
    view.root.style.setProperty('--cv-scale', geom.scale.toFixed(3)); // the HTML overlay grows with the picture
    for (const [id, n] of nodes) if (!geom.pos.has(id)) (n.g.remove(), n.labels.remove(), nodes.delete(id));
    for (const [id, n] of nodes) placeNode(n, geom, id);
    linkKey = '';
    callouts.key = null;
    occupancy = null;
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

  // Clicks: a node opens its menu, a link toggles cut / heal. Without
  // controls (a self-running illustration) there are no commands: a click or
  // Space pauses and resumes it instead (WCAG 2.2.2, pause moving content).
  const qsRoot = container.closest('.qs-root');
  const commandsAllowed = qsRoot?.dataset.controls !== 'none';
  const togglePlay = () => (app.playing ? app.pause() : app.play());
  let offPlay = () => {};
  if (!commandsAllowed) {
    view.svg.setAttribute('tabindex', '0');
    view.svg.setAttribute('aria-label', 'Cluster picture: click or press Space to pause or resume');
    // A visible Play while paused (reduced motion starts an autoplay embed paused).
    const resume = htmlEl('button', 'cv-resume', '▶ Play', view.root);
    resume.type = 'button';
    resume.addEventListener('click', () => app.play());
    const sync = () => (resume.hidden = app.playing);
    offPlay = app.on('play', sync);
    sync();
  }
  function onClick(e) {
    if (!commandsAllowed) return togglePlay();
    const g = e.target.closest('[data-node-id]');
    if (g) return menu.open(Number(g.dataset.nodeId));
    const msg = e.target.closest('[data-msg-seq]');
    if (msg) return openMessageMenu(Number(msg.dataset.msgSeq));
    const link = e.target.closest('[data-link]');
    if (link) toggleLink(app, host, link.dataset.link.split('-').map(Number));
  }
  function onKey(e) {
    if (!commandsAllowed) {
      if (e.key === ' ' || e.key === 'Enter') (e.preventDefault(), togglePlay());
      return;
    }
    const g = e.target.closest?.('[data-node-id], [data-msg-seq]');
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (g?.dataset.msgSeq && step) {
      // A roving Tab stop: the arrows move it from message to message.
      const list = [...view.messages.children];
      const next = list[(list.indexOf(g) + step + list.length) % list.length];
      e.preventDefault();
      g.setAttribute('tabindex', -1);
      next.setAttribute('tabindex', 0);
      return next.focus();
    }
    if (g && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      e.stopPropagation(); // Space must not also reach a play/pause shortcut
      if (g.dataset.nodeId) menu.open(Number(g.dataset.nodeId));
      else openMessageMenu(Number(g.dataset.msgSeq));
    }
  }
  view.svg.addEventListener('click', onClick);
  view.svg.addEventListener('keydown', onKey);
  const offUpdate = app.on('update', render);
  // Presenting is for a full page: embeds without controls keep their size.
  const unpresent = qsRoot?.dataset.controls === 'full' ? mountPresentation(view.root, qsRoot, app, host) : () => {};
  // A resize redraws once; ResizeObserver fires only on change, so idle stays free.
  const resize = new ResizeObserver(() => {
    if (app.state) relayout(app.state.nodes.map((n) => n.id));
    render();
  });
  resize.observe(container);
  render();

  return () => {
    offUpdate();
    offPlay();
    unpresent();
    resize.disconnect();
    stacker.disconnect();
    menu.destroy();
    messageMenu?.destroy();
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
  // Messages pass under the nodes, so a node's term chip and vote stay readable.
  const layer = (name) => svgEl('g', { class: `cv-${name}` }, svg);
  const view = { root, svg, links: layer('links'), messages: layer('messages'), nodes: layer('nodes'), marks: layer('marks'),
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
