// The sequence diagram's arrows read two ways, for tests to compare: from
// the DOM (scrolled through, since only rows in view are drawn) and from
// the trace.

/**
 * Every arrow the diagram draws, read from the DOM while scrolling it from
 * top to bottom (only rows in view are drawn): its endpoints, fate and end
 * step, and whether its line starts and ends on its nodes' lanes.
 */
export function drawnArrows(page) {
  return page.evaluate(async () => {
    const root = document.querySelector('quorum-scope').shadowRoot;
    const scroller = root.querySelector('.qs-seq-scroll');
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r))));
    const seen = new Map();
    for (let top = 0; top < 1e6; top += Math.max(50, scroller.clientHeight / 2)) {
      scroller.scrollTop = top;
      await frames();
      const lanes = new Map([...root.querySelectorAll('.qs-seq-lane')].map((l) => [Number(l.dataset.lane), Number(l.getAttribute('x1'))]));
      for (const g of root.querySelectorAll('.qs-seq-arrow')) {
        const shaft = g.querySelector('.qs-seq-shaft');
        const onLanes = Number(shaft.getAttribute('x1')) === lanes.get(Number(g.dataset.from))
          && Number(shaft.getAttribute('x2')) === lanes.get(Number(g.dataset.to));
        const end = g.dataset.fate === 'flight' ? '' : g.dataset.endStep;
        seen.set(g.dataset.key, { line: `${g.dataset.from}>${g.dataset.to}:${g.dataset.fate}@${end}`, onLanes,
          cross: !!g.querySelector('.qs-seq-cross'), duplicate: 'duplicate' in g.dataset, held: 'held' in g.dataset });
      }
      if (top + scroller.clientHeight >= scroller.scrollHeight) break;
    }
    return [...seen.values()];
  });
}

/**
 * The same lines from the trace: deliveries, losses, and sends still on
 * their way. `exported`: the whole run as Export trace writes it; else the
 * page's kept window (what the diagram holds).
 */
export function tracedArrows(page, { exported = false } = {}) {
  return page.evaluate((whole) => {
    const app = document.querySelector('quorum-scope').cluster;
    const events = whole ? app.cluster.exportTrace().trim().split('\n').map((l) => JSON.parse(l)) : app.trace;
    const open = new Map();
    const lines = [];
    for (const e of events) {
      if (e.kind === 'message_sent') open.set(e.seq, e);
      if (e.kind === 'message_delivered' || e.kind === 'message_dropped') {
        open.delete(e.seq);
        lines.push(`${e.from}>${e.to}:${e.kind === 'message_delivered' ? 'delivered' : 'dropped'}@${e.step}`);
      }
    }
    for (const e of open.values()) lines.push(`${e.from}>${e.to}:flight@`);
    return lines;
  }, exported);
}
