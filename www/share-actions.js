// The header's share and file actions: copy a link to the exact state,
// export the scenario (with the operator's actions) or the trace, import a
// scenario file or a trace file. File contents are only ever set as text.
import { linkFor, hashForScenario } from './share.js';
import { el } from './dom.js';
import { scenarioWithActions, slug, download } from './scenario-export.js';
import { mountTraceImport } from './trace-import.js';

const MAX_IMPORT_BYTES = 1_000_000;
/** Longest scenario hash an import puts in the address bar (browsers and chat tools cut longer ones). */
const ADDRESS_BAR_CHARS = 8_000;

/** Builds the action buttons and the copy box; returns both elements. */
export function mountShareActions(ctx) {
  const { app, host, id, listen, say, fail, loadAndShow, setHash } = ctx;
  const copyBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Copy link',
    title: 'Copy a link that reopens this exact scenario, your actions and the current step' });
  const exportScenarioBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Export scenario',
    title: 'Download the scenario as JSON, with your actions appended as script steps at their ticks' });
  const exportTraceBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Export trace',
    title: 'Download every event so far as JSON lines (.jsonl)' });
  const fileId = id('file');
  const fileInput = el('input', { id: fileId, type: 'file', accept: '.json,.jsonl,application/json', class: 'qs-set-file',
    tabindex: -1, 'aria-hidden': 'true' });
  const importBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Import…',
    title: 'Load a scenario file (.json)', 'aria-label': 'Import a scenario file (.json)' });
  const actions = el('div', { class: 'qs-set-actions', role: 'group', 'aria-label': 'Share and files' },
    copyBtn, exportScenarioBtn, exportTraceBtn, importBtn, fileInput);
  const copyField = el('input', { type: 'text', readonly: true, class: 'qs-set-copyfield', 'aria-label': 'Link to this state' });
  const copyClose = el('button', { type: 'button', class: 'qs-set-btn', text: 'Done' });
  const copyBox = el('div', { class: 'qs-set-copybox', hidden: true },
    el('span', { text: 'Copy this link (Ctrl+C or ⌘C):' }), copyField, copyClose);
  const importTrace = mountTraceImport(ctx);

  listen(copyBtn, 'click', async () => {
    if (!app.cluster) return;
    let url;
    try {
      url = await linkFor(app, host);
    } catch (e) {
      fail(`Could not make a link: ${e.message}`);
      return;
    }
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      copyBox.hidden = true;
      say(`Link copied: it reopens this scenario at step ${app.cluster.stepCount()} with your ${app.cluster.inputs().length} action(s).`);
    } catch {
      copyField.value = url;
      copyBox.hidden = false;
      copyField.focus();
      copyField.select();
      say('The clipboard is not available here: the link is selected below, copy it by hand.');
    }
  });
  listen(copyClose, 'click', () => {
    copyBox.hidden = true;
    copyBtn.focus();
  });

  listen(exportScenarioBtn, 'click', () => {
    if (!app.cluster) return;
    try {
      const scenario = scenarioWithActions(app);
      download(`${slug(scenario.title)}.json`, `${JSON.stringify(scenario, null, 2)}\n`, 'application/json');
      const n = app.cluster.inputs().length;
      say(n ? `Exported the scenario with your ${n} action(s) as script steps.` : 'Exported the scenario.');
    } catch (e) {
      fail(`Could not export the scenario: ${e.message}`);
    }
  });

  listen(exportTraceBtn, 'click', () => {
    if (!app.cluster) return;
    download(`${slug(app.scenario?.title)}-trace.jsonl`, app.cluster.exportTrace(), 'application/x-ndjson');
    say(`Exported ${app.cluster.traceLength()} events up to step ${app.cluster.stepCount()}.`);
  });

  listen(importBtn, 'click', () => fileInput.click());
  listen(fileInput, 'change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    const label = `“${file.name}”`;
    if (file.name.endsWith('.jsonl')) {
      await importTrace(file, label);
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      fail(`Could not import ${label}: it is ${Math.round(file.size / 1000)} KB; a scenario file is at most ${MAX_IMPORT_BYTES / 1000} KB.`);
      return;
    }
    let text;
    let parsed;
    try {
      text = await file.text();
      parsed = JSON.parse(text);
    } catch (e) {
      fail(`Could not import ${label}: it is not valid JSON (${e.message}).`);
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail(`Could not import ${label}: a scenario file holds one JSON object.`);
      return;
    }
    try {
      const scenario = await loadAndShow(JSON.stringify(parsed), null);
      // A large import stays out of the address bar: a link that long would
      // be refused on reload ("too long") and lose the scenario anyway.
      const hash = hashForScenario(scenario);
      if (hash.length <= ADDRESS_BAR_CHARS) setHash(hash);
      say(`Imported ${label}: ${scenario.title || 'untitled scenario'}.`);
    } catch (e) {
      fail(`Could not import ${label}: ${e.message}`);
    }
  });

  return { actions, copyBox };
}
