// A disclosure under the picture whose content is fetched the first time
// the reader opens it (a dynamic import), so that a panel few readers open
// (the sequence diagram, the Figure 16 experiment) costs nothing at
// start-up. `load` returns the module; `mount(module, body, details)`
// fills `body` and returns its unmount.
import { el } from './dom.js';

export function mountLazyPanel(container, { className, summary, loading, load, mount }) {
  const body = el('div', { class: `${className}-body-wrap` });
  const details = el('details', { class: className }, el('summary', { text: summary }), body);
  container.append(details);
  let unmount = null;
  let pending = null;
  const open = async () => {
    if (!details.open || unmount || pending) return;
    body.textContent = loading;
    pending = load();
    try {
      const module = await pending;
      if (details.isConnected) {
        body.textContent = '';
        unmount = mount(module, body, details);
      }
    } catch (e) {
      body.textContent = `This panel could not be loaded: ${e?.message ?? e}`;
    } finally {
      pending = null;
    }
  };
  details.addEventListener('toggle', open);
  return () => {
    details.removeEventListener('toggle', open);
    unmount?.();
    details.remove();
  };
}
