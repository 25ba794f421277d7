// The "Sequence diagram" panel: a disclosure under the transport whose
// content (sequence-view.js and its stylesheet) is fetched the first time
// the reader opens it, so the element's start-up stays as small as it was.
import { el } from './dom.js';

export function mountSequencePanel(container, app, host) {
  const body = el('div', { class: 'qs-seq-body-wrap' });
  const details = el('details', { class: 'qs-seq' },
    el('summary', { text: 'Sequence diagram (one lane per node, time running down)' }), body);
  container.append(details);
  let unmount = null;
  let loading = null;
  const open = async () => {
    if (!details.open || unmount || loading) return;
    body.textContent = 'Loading the diagram…';
    loading = import('./sequence-view.js');
    try {
      const { mountSequence } = await loading;
      if (details.isConnected) unmount = mountSequence(body, app, host);
    } catch (e) {
      body.textContent = `The diagram could not be loaded: ${e?.message ?? e}`;
    } finally {
      loading = null;
    }
  };
  details.addEventListener('toggle', open);
  return () => {
    details.removeEventListener('toggle', open);
    unmount?.();
    details.remove();
  };
}
