// @ts-check
// Dashboard webview script. Renders the DashboardModel the host posts (src/vscode/dashboard/protocol.ts)
// and sends user intents back. Builds DOM nodes with textContent only: resource names, errors and URLs
// come from the user's cluster and must never be parsed as HTML.
(function () {
  /** @typedef {'error'|'building'|'pending'|'warning'|'ok'|'idle'|'disabled'} Status */
  /** @typedef {{ name: string, status: Status, description: string, tooltip: string[], endpoints: string[],
   *   needsTrigger: boolean, labels: string[], type: string, triggerMode: string,
   *   lastBuild?: { durationMs: number, finishedAt: number, error?: string, kind: string },
   *   pods: { name: string, status: string, ready: boolean, restarts: number }[] }} Row */
  /** @typedef {{ running: boolean, counts: Record<Status, number>, total: number, tiltfileError?: string, rows: Row[] }} Model */
  /** @typedef {{ type: 'ready' } | { type: 'trigger', resource: string } | { type: 'showLogs', resource: string } | { type: 'openEndpoint', url: string }} WebviewMessage */

  // @ts-ignore acquireVsCodeApi is injected by VS Code
  const vscode = acquireVsCodeApi();
  /** @param {WebviewMessage} m */
  const send = (m) => vscode.postMessage(m);

  const root = /** @type {HTMLElement} */ (document.getElementById('root'));
  const summary = /** @type {HTMLElement} */ (document.getElementById('summary'));

  /**
   * @param {string} tag
   * @param {string} [cls]
   * @param {string} [text]
   */
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** @param {number} ms */
  function duration(ms) {
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  /** @param {Row} r */
  function row(r) {
    const tr = el('tr', `status-${r.status}`);
    tr.dataset.resource = r.name;
    const status = el('td', 'status');
    status.append(el('span', `dot ${r.status}`), el('span', 'status-text', r.status));
    const name = el('td', 'name');
    const nameText = el('span', 'resource-name', r.name);
    nameText.title = r.tooltip.join('\n');
    name.append(nameText);
    for (const l of r.labels) name.append(el('span', 'label', l));
    const desc = el('td', 'description', r.description);
    const build = el('td', 'build');
    if (r.lastBuild) {
      build.append(el('span', '', `${r.lastBuild.kind === 'live_update' ? 'live update' : 'build'} ${duration(r.lastBuild.durationMs)}`));
      if (r.lastBuild.error) build.append(el('div', 'error', r.lastBuild.error));
    }
    const links = el('td', 'endpoints');
    for (const url of r.endpoints) {
      const a = /** @type {HTMLAnchorElement} */ (el('a', '', url));
      a.href = '#';
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        send({ type: 'openEndpoint', url });
      });
      links.append(a);
    }
    const actions = el('td', 'actions');
    const trigger = el('button', r.needsTrigger ? 'primary' : '', r.needsTrigger ? 'Update now' : 'Update');
    trigger.title = `Trigger an update of ${r.name}`;
    trigger.addEventListener('click', () => send({ type: 'trigger', resource: r.name }));
    const logs = el('button', '', 'Logs');
    logs.addEventListener('click', () => send({ type: 'showLogs', resource: r.name }));
    actions.append(trigger, logs);
    tr.append(status, name, desc, build, links, actions);
    return tr;
  }

  /** @param {Model} m */
  function render(m) {
    root.replaceChildren();
    if (!m.running) {
      summary.textContent = '';
      root.append(el('p', 'empty', 'The engine is not running. Run "Innerloop: Up" to start it.'));
      return;
    }
    const parts = [];
    for (const s of /** @type {Status[]} */ (['error', 'building', 'pending', 'warning'])) if (m.counts[s]) parts.push(`${m.counts[s]} ${s}`);
    parts.push(`${m.counts.ok}/${m.total - m.counts.disabled} ok`);
    summary.textContent = parts.join(' · ');
    if (m.tiltfileError) root.append(el('div', 'banner error', `Tiltfile: ${m.tiltfileError}`));
    const table = el('table');
    const head = el('tr');
    for (const h of ['', 'Resource', 'State', 'Last update', 'Endpoints', '']) head.append(el('th', '', h));
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const r of m.rows) tbody.append(row(r));
    table.append(thead, tbody);
    root.append(table);
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m && m.type === 'state' && m.model) {
      vscode.setState(m.model);
      render(m.model);
    }
  });

  // Show the last state at once when the panel is restored, then ask the host for a fresh one.
  const saved = vscode.getState();
  if (saved) render(saved);
  send({ type: 'ready' });
})();
