// The dashboard webview: resources (grouped by label, like Tilt's web UI) above a virtualised log pane with
// filters. Renders what the host posts (src/shared/webviewProtocol.ts) and sends user intents back.
// DOM is built with textContent only: names, errors and log text come from the user's cluster and must never
// be parsed as HTML. Bundled by scripts/build.mjs to dist/webview/dashboard.js (iife, browser).
import { isHostMessage, type DashboardModel, type DashboardRow, type WebviewMessage } from '../shared/webviewProtocol';
import { FilteredView, NO_FILTER, WebviewLogStore, type LevelFilter, type LogFilter, type SourceFilter } from './logStore';
import { VirtualLog } from './virtualLog';
import { el, renderResources, summaryText } from './resources';

interface VsCodeApi<S> {
  postMessage(m: WebviewMessage): void;
  getState(): S | undefined;
  setState(s: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

/** What survives the panel being hidden or VS Code restarting (not the logs: the host resends those). */
interface SavedState {
  model?: DashboardModel;
  filter: LogFilter;
  follow: boolean;
}

const vscode = acquireVsCodeApi<SavedState>();
const send = (m: WebviewMessage): void => vscode.postMessage(m);
const saved = vscode.getState();
const state: SavedState = { filter: { ...NO_FILTER, ...saved?.filter }, follow: saved?.follow ?? true, ...(saved?.model ? { model: saved.model } : {}) };
const save = (): void => vscode.setState(state);

const store = new WebviewLogStore();
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const root = $<HTMLElement>('resources');
const summary = $<HTMLElement>('summary');
const logTitle = $<HTMLElement>('log-title');
const logCount = $<HTMLElement>('log-count');
const resourceSelect = $<HTMLSelectElement>('filter-resource');
const sourceSelect = $<HTMLSelectElement>('filter-source');
const levelSelect = $<HTMLSelectElement>('filter-level');
const textInput = $<HTMLInputElement>('filter-text');
const regexBox = $<HTMLInputElement>('filter-regex');
const followBox = $<HTMLInputElement>('follow');

const log = new VirtualLog($<HTMLElement>('log-viewport'), store);
let view = new FilteredView(store, state.filter);
log.follow = state.follow;

function applyFilter(): void {
  view = new FilteredView(store, state.filter);
  log.showResource = state.filter.resource === undefined;
  log.setView(view);
  textInput.classList.toggle('invalid', view.error !== undefined);
  textInput.title = view.error ?? 'Filter lines by text (case-insensitive), or by a regular expression';
  logTitle.textContent = state.filter.resource ?? 'All resources';
  updateCount();
  save();
}

function updateCount(): void {
  logCount.textContent = view.size === store.size ? `${store.size.toLocaleString()} lines` : `${view.size.toLocaleString()} of ${store.size.toLocaleString()} lines`;
}

/** Shows one resource's log (undefined: all), as clicking a resource in Tilt's sidebar does. */
function selectResource(name: string | undefined): void {
  if (name === undefined) delete state.filter.resource;
  else state.filter.resource = name;
  syncControls();
  applyFilter();
  if (state.model) render(state.model);
}

function syncControls(): void {
  const names = state.model?.rows.map((r) => r.name) ?? [];
  const want = ['', ...names];
  const have = Array.from(resourceSelect.options, (o) => o.value);
  if (want.join('\n') !== have.join('\n')) {
    resourceSelect.replaceChildren(...want.map((n) => {
      const o = document.createElement('option');
      o.value = n;
      o.textContent = n || 'All resources';
      return o;
    }));
  }
  resourceSelect.value = state.filter.resource ?? '';
  sourceSelect.value = state.filter.source;
  levelSelect.value = state.filter.level;
  textInput.value = state.filter.text;
  regexBox.checked = state.filter.regex;
  followBox.checked = log.follow;
}

function render(m: DashboardModel): void {
  summary.textContent = summaryText(m);
  renderResources(root, m, state.filter.resource, {
    trigger: (r: DashboardRow) => send({ type: 'trigger', resource: r.name }),
    select: (r: DashboardRow | undefined) => selectResource(r?.name),
    openEndpoint: (url: string) => send({ type: 'openEndpoint', url }),
    outputChannel: (r: DashboardRow) => send({ type: 'showLogs', resource: r.name }),
    attach: (r: DashboardRow) => send({ type: 'attach', resource: r.name }),
  });
  if (m.tiltfileError) root.prepend(el('div', 'banner error', `Tiltfile: ${m.tiltfileError}`));
}

resourceSelect.addEventListener('change', () => selectResource(resourceSelect.value || undefined));
sourceSelect.addEventListener('change', () => {
  state.filter.source = sourceSelect.value as SourceFilter;
  applyFilter();
});
levelSelect.addEventListener('change', () => {
  state.filter.level = levelSelect.value as LevelFilter;
  applyFilter();
});
let typing: ReturnType<typeof setTimeout> | undefined;
textInput.addEventListener('input', () => {
  // Re-filtering a million lines takes a moment: wait until typing pauses.
  clearTimeout(typing);
  typing = setTimeout(() => {
    state.filter.text = textInput.value;
    applyFilter();
  }, 150);
});
regexBox.addEventListener('change', () => {
  state.filter.regex = regexBox.checked;
  applyFilter();
});
followBox.addEventListener('change', () => {
  if (followBox.checked) log.scrollToBottom();
  else log.follow = false;
  state.follow = log.follow;
  save();
});
log.onFollowChange = (f) => {
  followBox.checked = f;
  state.follow = f;
  save();
};

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = event.data;
  if (!isHostMessage(m)) return;
  switch (m.type) {
    case 'state':
      state.model = m.model;
      save();
      syncControls();
      render(m.model);
      return;
    case 'logs':
      if (m.reset) store.clear();
      store.append(m.batch);
      view.update();
      updateCount();
      log.schedule();
      return;
  }
});

// Show the last state at once when the panel is restored, then ask the host for a fresh one.
syncControls();
applyFilter();
if (state.model) render(state.model);
send({ type: 'ready' });
