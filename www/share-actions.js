// The header's share and file actions: copy a link to the exact state,
// export the scenario (with the operator's actions) or the trace, import a
// scenario file or a trace file. File contents are only ever set as text.
import { linkFor, showInAddressBar } from './share.js';
import { el } from './dom.js';
import { scenarioWithActions, slug, download } from './scenario-export.js';
import { mountTraceImport } from './trace-import.js';

const MAX_IMPORT_BYTES = 1_000_000;

/** Builds the action buttons and the copy box; returns both elements. */
export function mountShareActions(ctx) {
  const { app, host, id, listen, say, fail, loadAndShow } = ctx;
  const copyBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Copy link',
    title: 'Copy a link that reopens this exact scenario, your actions and the current step' });
  const exportScenarioBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Export scenario',
    title: 'Download the scenario as JSON, with your actions appended as script steps at their ticks' });
  const exportTraceBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Export trace',
    title: 'Download every event of the run so far as JSON lines (.jsonl)' });
  const fileId = id('file');
  const fileInput = el('input', { id: fileId, type: 'file', accept: '.json,.jsonl,application/json', class: 'qs-set-file',
    tabindex: -1, 'aria-hidden': 'true' });
  const tourBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Write a tour…',
    title: 'Write your own guided tour of this scenario: captions and highlights at the moments you pick' });
  const importBtn = el('button', { type: 'button', class: 'qs-set-btn', text: 'Import…',
    title: 'Load a scenario file (.json)', 'aria-label': 'Import a scenario file (.json)' });
  const actions = el('div', { class: 'qs-set-actions', role: 'group', 'aria-label': 'Share and files' },
    copyBtn, exportScenarioBtn, exportTraceBtn, tourBtn, importBtn, fileInput);
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

  // The whole run, always: when the page no longer holds its oldest events,
  // trace-export.js (loaded then) re-derives them by replay, with progress.
  let exporting = false;
  listen(exportTraceBtn, 'click', async () => {
    if (!app.cluster || exporting) return;
    const cluster = app.cluster;
    const name = `${slug(app.scenario?.title)}-trace.jsonl`;
    const count = cluster.traceLength();
    const step = cluster.stepCount();
    const done = () => say(`Exported the whole run: ${count} events, steps 0 to ${step}.`);
    if (cluster.traceBase() === 0) {
      download(name, cluster.exportTrace(), 'application/x-ndjson');
      done();
      return;
    }
    exporting = true;
    exportTraceBtn.setAttribute('aria-busy', 'true');
    try {
      const { wholeTrace } = await import('./trace-export.js');
      say(`Exporting the whole run (${count} events): replaying the older ones…`);
      const text = await wholeTrace(app, {
        progress: (at, total) => say(`Exporting the whole run: replayed ${Math.floor((100 * at) / total)}% of ${total} steps…`),
        stopped: () => app.cluster !== cluster,
      });
      if (text === null) say('Trace export stopped: another scenario was loaded.');
      else {
        download(name, text, 'application/x-ndjson');
        done();
      }
    } catch (e) {
      fail(`Could not export the trace: ${e.message}`);
    } finally {
      exporting = false;
      exportTraceBtn.removeAttribute('aria-busy');
    }
  });

  // The tour writer is loaded the first time it is asked for (most readers never write a tour).
  listen(tourBtn, 'click', async () => {
    if (!app.cluster) return;
    try {
      const { openTourAuthor } = await import('./tour-author.js');
      host.dispatchEvent(new CustomEvent('qs-tour-exit'));
      openTourAuthor(ctx);
    } catch (e) {
      fail(`Could not open the tour writer: ${e.message}`);
    }
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
      const noLink = showInAddressBar(host, scenario);
      say(`Imported ${label}: ${scenario.title || 'untitled scenario'}.${noLink ? ` ${noLink}` : ''}`);
    } catch (e) {
      fail(`Could not import ${label}: ${e.message}`);
    }
  });

  return { actions, copyBox };
}
