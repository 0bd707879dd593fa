// The resource table: one row per resource, under label group headers when any resource has a label.
// Shows both statuses (update and runtime), pods, endpoints, a Trigger Update button, an Attach button on resources
// with a debugger port forwarded, and the pending mark of manual-mode resources with changes waiting.
import { RUNTIME_STATUS_WORDS, UPDATE_STATUS_WORDS } from '../shared/status';
import type { DashboardModel, DashboardRow, ResourceStatus } from '../shared/webviewProtocol';

export interface RowActions {
  trigger(r: DashboardRow): void;
  /** Show this resource's log below (undefined: all resources). */
  select(r: DashboardRow | undefined): void;
  openEndpoint(url: string): void;
  /** Open the resource's output channel in VS Code. */
  outputChannel(r: DashboardRow): void;
  /** Attach the debugger to the resource's forwarded debugger port. */
  attach(r: DashboardRow): void;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function summaryText(m: DashboardModel): string {
  if (!m.running) return '';
  const parts: string[] = [];
  for (const s of ['error', 'building', 'pending', 'warning'] as ResourceStatus[]) if (m.counts[s]) parts.push(`${m.counts[s]} ${s}`);
  parts.push(`${m.counts.ok}/${m.total - m.counts.disabled} ok`);
  return parts.join(' · ');
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function statusCell(kind: 'update' | 'runtime', text: string, value: string): HTMLTableCellElement {
  const td = el('td', `${kind}-status`);
  td.append(el('span', `pill ${kind}-${value}`, text));
  return td;
}

function row(r: DashboardRow, selected: boolean, a: RowActions, byName: ReadonlyMap<string, DashboardRow>): HTMLTableRowElement {
  const tr = el('tr', `resource status-${r.status}${selected ? ' selected' : ''}`);
  tr.dataset.resource = r.name;
  const name = el('td', 'name');
  name.append(el('span', `dot ${r.status}`));
  const link = el('a', 'resource-name', r.name);
  link.href = '#';
  link.title = `${r.tooltip.join('\n')}\n\nClick to show its log below`;
  link.addEventListener('click', (ev) => {
    ev.preventDefault();
    a.select(selected ? undefined : r);
  });
  name.append(link);
  if (r.needsTrigger) {
    const mark = el('span', 'pending-mark', '●');
    mark.title = `${r.pendingChanges} change(s) waiting for a manual trigger`;
    name.append(mark);
  }
  for (const l of r.labels) name.append(el('span', 'label', l));
  const desc = el('td', 'description', r.description);
  // A typed hold reason names what it waits for: each is a link that shows that resource.
  for (const on of r.waitingFor ?? []) {
    const target = byName.get(on);
    if (!target) continue;
    const w = el('a', 'waiting-for', `waiting for ${on}`);
    w.href = '#';
    w.dataset.waitingFor = on;
    w.addEventListener('click', (ev) => {
      ev.preventDefault();
      a.select(target);
    });
    desc.append(w);
  }
  if (r.lastBuild) {
    desc.append(el('div', 'build', `${r.lastBuild.kind === 'live_update' ? 'live update' : 'build'} ${duration(r.lastBuild.durationMs)}`));
    if (r.lastBuild.error) desc.append(el('div', 'error', r.lastBuild.error));
  }
  const pods = el('td', 'pods');
  for (const p of r.pods) {
    const d = el('div', p.ready ? 'pod ready' : 'pod', p.name);
    d.title = `${p.status}${p.restarts ? `, ${p.restarts} restarts` : ''}`;
    pods.append(d);
  }
  const links = el('td', 'endpoints');
  for (const { url, name: linkName } of r.endpoints) {
    const e = el('a', '', linkName ?? url.replace(/^https?:\/\//, '').replace(/\/$/, ''));
    e.href = '#';
    e.title = url;
    e.addEventListener('click', (ev) => {
      ev.preventDefault();
      a.openEndpoint(url);
    });
    links.append(e);
  }
  const actions = el('td', 'actions');
  const trigger = el('button', r.needsTrigger ? 'trigger primary' : 'trigger', 'Trigger Update');
  trigger.title = r.needsTrigger ? `${r.name} has changes waiting: update it now` : `Update ${r.name} now`;
  trigger.addEventListener('click', () => a.trigger(r));
  const out = el('button', 'channel', 'Output');
  out.title = `Show ${r.name}'s output channel`;
  out.addEventListener('click', () => a.outputChannel(r));
  actions.append(trigger, out);
  if (r.debuggable) {
    const attach = el('button', 'attach', 'Attach');
    attach.title = `Attach the debugger to ${r.name}`;
    attach.addEventListener('click', () => a.attach(r));
    actions.append(attach);
  }
  tr.append(name, statusCell('update', UPDATE_STATUS_WORDS[r.updateStatus], r.updateStatus), statusCell('runtime', RUNTIME_STATUS_WORDS[r.runtimeStatus], r.runtimeStatus), desc, pods, links, actions);
  return tr;
}

export function renderResources(root: HTMLElement, m: DashboardModel, selected: string | undefined, a: RowActions): void {
  root.replaceChildren();
  if (!m.running) {
    root.append(el('p', 'empty', 'The engine is not running. Run "Innerloop: Up" to start it.'));
    return;
  }
  const table = el('table');
  const head = el('tr');
  for (const h of ['Resource', 'Update', 'Runtime', 'State', 'Pods', 'Endpoints', '']) head.append(el('th', '', h));
  const thead = el('thead');
  thead.append(head);
  const byName = new Map(m.rows.map((r) => [r.name, r]));
  const tbody = el('tbody');
  if (m.groups) {
    for (const g of m.groups) {
      const gr = el('tr', 'group');
      gr.dataset.group = g.label;
      const td = el('td');
      td.colSpan = 7;
      td.append(el('span', `dot ${g.status}`), el('span', 'group-label', g.label), el('span', 'group-count', `${g.names.length}`));
      gr.append(td);
      tbody.append(gr);
      for (const n of g.names) {
        const r = byName.get(n);
        if (r) tbody.append(row(r, r.name === selected, a, byName));
      }
    }
  } else {
    for (const r of m.rows) tbody.append(row(r, r.name === selected, a, byName));
  }
  table.append(thead, tbody);
  root.append(table);
}
