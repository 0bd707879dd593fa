import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { is, isHostMessage, isWebviewMessage, packLogBatch, type HostMessage } from '../../../src/shared/webviewProtocol';
import { dashboardModel } from '../../../src/vscode/resourceModel';
import { dashboardHtml } from '../../../src/vscode/dashboard/html';
import { initialResourceState, initialSessionState, type EngineState } from '../../../src/shared/state';

// What the webview itself sends and renders is proven in a real browser: test/e2e/dashboardWebview.test.ts.

describe('webview protocol', () => {
  it('accepts well-formed intents and rejects everything else', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'trigger', resource: 'api' }));
    assert.ok(isWebviewMessage({ type: 'attach', resource: 'api' }));
    assert.ok(!isWebviewMessage({ type: 'attach' }));
    assert.ok(!isWebviewMessage({ type: 'attach', resource: '' }));
    assert.ok(isWebviewMessage({ type: 'openEndpoint', url: 'http://localhost:8080/' }));
    assert.ok(!isWebviewMessage({ type: 'openEndpoint', url: 'file:///etc/passwd' }));
    assert.ok(!isWebviewMessage({ type: 'openEndpoint', url: 'command:workbench.action.terminal.new' }));
    assert.ok(!isWebviewMessage({ type: 'trigger' }));
    assert.ok(!isWebviewMessage({ type: 'exec', cmd: 'rm -rf /' }));
    assert.ok(!isWebviewMessage(null));
  });

  it('validates host messages, including the column lengths of a log batch', () => {
    const batch = packLogBatch([
      { resource: 'api', source: 'runtime', level: 'info', text: 'listening' },
      { resource: 'db', source: 'build', level: 'error', text: 'boom' },
      { resource: 'api', source: 'system', level: 'warn', text: 'slow' },
    ]);
    assert.deepEqual(batch, { resources: ['api', 'db'], res: [0, 1, 0], src: 'rbs', lvl: 'iew', text: ['listening', 'boom', 'slow'] });
    const m: unknown = { type: 'logs', reset: true, batch };
    assert.ok(isHostMessage(m));
    assert.ok(is(m, 'logs'));
    assert.ok(!isHostMessage({ type: 'logs', reset: false, batch: { ...batch, src: 'rb' } }));
    assert.ok(isHostMessage({ type: 'state', model: dashboardModel(undefined) }));
    assert.ok(!isHostMessage({ type: 'state' }));
    assert.ok(!isHostMessage({ type: 'eval', code: '1' }));
  });

  it('the page has a strict CSP: one nonce script, own styles, nothing remote', () => {
    const html = dashboardHtml({ cspSource: 'vscode-resource:', nonce: 'abc123', css: 'x.css', js: 'x.js' });
    const csp = /content="([^"]+)"/.exec(html)![1]!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal([...html.matchAll(/<script/g)].length, 1);
    assert.match(html, /<script nonce="abc123" src="x\.js">/);
    assert.doesNotMatch(html, /style=/);
  });
});

describe('dashboardModel', () => {
  it('is empty and not running without a session', () => {
    assert.deepEqual(dashboardModel(undefined).running, false);
  });

  it('projects rows with both statuses, pending changes, build details and label groups', () => {
    const s: EngineState = { session: initialSessionState(), order: ['api', 'web'], resources: {} };
    s.resources.api = {
      ...initialResourceState({ name: 'api', type: 'k8s', labels: ['be'], triggerMode: 'manual', autoInit: true }),
      runtimeStatus: 'ok',
      pendingChanges: [{ path: '/src/a.py', images: [] }, { path: '/src/b.py', images: [] }],
      buildHistory: [{ startTime: 1000, finishTime: 3500, kind: 'full', error: 'step 2 failed\nmore' }],
    };
    s.resources.web = initialResourceState({ name: 'web', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true });
    const m = dashboardModel(s, (name) => name === 'web');
    assert.equal(m.running, true);
    assert.deepEqual(m.rows.map((r) => [r.name, r.debuggable]), [['api', false], ['web', true]], 'Attach only where a debugger target is');
    assert.equal(m.counts.error, 1);
    const api = m.rows[0]!;
    assert.deepEqual(api.lastBuild, { durationMs: 2500, finishedAt: 3500, kind: 'full', error: 'step 2 failed' });
    assert.equal(api.triggerMode, 'manual');
    assert.equal(api.updateStatus, 'error');
    assert.equal(api.runtimeStatus, 'ok');
    assert.equal(api.pendingChanges, 2);
    assert.equal(api.needsTrigger, true);
    assert.deepEqual(m.groups?.map((g) => [g.label, g.names]), [['be', ['api']], ['unlabeled', ['web']]]);
    // Plain JSON: survives postMessage.
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
    const msg: HostMessage = { type: 'state', model: m };
    assert.ok(isHostMessage(JSON.parse(JSON.stringify(msg))));
  });
});
