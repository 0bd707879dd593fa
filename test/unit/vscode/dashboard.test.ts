import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_MESSAGE_TYPES, isWebviewMessage, WEBVIEW_MESSAGE_TYPES } from '../../../src/vscode/dashboard/protocol';
import { dashboardModel } from '../../../src/vscode/resourceModel';
import { initialResourceState, initialSessionState, type EngineState } from '../../../src/shared/state';

describe('dashboard protocol', () => {
  it('accepts well-formed intents and rejects everything else', () => {
    assert.ok(isWebviewMessage({ type: 'ready' }));
    assert.ok(isWebviewMessage({ type: 'trigger', resource: 'api' }));
    assert.ok(isWebviewMessage({ type: 'openEndpoint', url: 'http://localhost:8080/' }));
    assert.ok(!isWebviewMessage({ type: 'openEndpoint', url: 'file:///etc/passwd' }));
    assert.ok(!isWebviewMessage({ type: 'openEndpoint', url: 'command:workbench.action.terminal.new' }));
    assert.ok(!isWebviewMessage({ type: 'trigger' }));
    assert.ok(!isWebviewMessage({ type: 'exec', cmd: 'rm -rf /' }));
    assert.ok(!isWebviewMessage(null));
  });

  it('media/dashboard.js sends and handles exactly the protocol message types', () => {
    const js = readFileSync(join(__dirname, '..', '..', '..', 'media', 'dashboard.js'), 'utf8');
    const sent = new Set([...js.matchAll(/send\(\{ type: '([a-zA-Z]+)'/g)].map((m) => m[1]));
    assert.deepEqual([...sent].sort(), [...WEBVIEW_MESSAGE_TYPES].sort());
    for (const t of HOST_MESSAGE_TYPES) assert.ok(js.includes(`m.type === '${t}'`), `webview ignores ${t}`);
    assert.ok(!/innerHTML/.test(js), 'webview must not parse data as HTML');
  });
});

describe('dashboardModel', () => {
  it('is empty and not running without a session', () => {
    assert.deepEqual(dashboardModel(undefined).running, false);
  });

  it('projects rows with build details', () => {
    const s: EngineState = { session: initialSessionState(), order: ['api'], resources: {} };
    s.resources.api = {
      ...initialResourceState({ name: 'api', type: 'k8s', labels: ['be'], triggerMode: 'manual', autoInit: true }),
      updateStatus: 'error',
      lastBuild: { startTime: 1000, finishTime: 3500, kind: 'full', error: 'step 2 failed\nmore' },
    };
    const m = dashboardModel(s);
    assert.equal(m.running, true);
    assert.equal(m.counts.error, 1);
    assert.deepEqual(m.rows[0]!.lastBuild, { durationMs: 2500, finishedAt: 3500, kind: 'full', error: 'step 2 failed' });
    assert.equal(m.rows[0]!.triggerMode, 'manual');
    // Plain JSON: survives postMessage.
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
  });
});
