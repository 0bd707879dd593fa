// The re-attach state machine (src/vscode/debug/reattach.ts) against a fake debug API and a real DAP server on
// loopback (what the forward reaches): which ended sessions re-attach, which do not, and what the new attach carries.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { installVscodeStub } from './vscodeStub';
import { Store } from '../../../src/engine/store';
import { LogStore } from '../../../src/engine/logs';
import { initialResourceState } from '../../../src/shared/state';
import { dapFrame, dapParse } from '../../../src/vscode/debug/dapProbe';
import type { Ctx } from '../../../src/vscode/ctx';

const stub = installVscodeStub({ workspaceFolder: tmpdir() });
after(() => stub.restore());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerReattach } = require('../../../src/vscode/debug/reattach') as typeof import('../../../src/vscode/debug/reattach');

type Msg = { type?: string; event?: string; command?: string; success?: boolean };
interface Tracker {
  onWillReceiveMessage?(m: Msg): void;
  onDidSendMessage?(m: Msg): void;
}
interface FakeSession {
  id: string;
  type: string;
  configuration: Record<string, unknown>;
}

/** A DAP server that answers `initialize` (all dapAnswers asks), like debugpy behind the forward. */
function dapServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const parsed = dapParse(Buffer.concat([buf, chunk]));
      buf = parsed.rest;
      for (const m of parsed.messages) {
        if (m.command === 'initialize') socket.write(dapFrame({ seq: 1, type: 'response', request_seq: m.seq, command: 'initialize', success: true, body: {} }));
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('re-attach after the debugged process goes away', () => {
  let server: net.Server;
  let port = 0;
  const logs: string[] = [];
  const started: Array<Record<string, unknown>> = [];
  let onStarted: (() => void) | undefined;
  let trackerFactory: { createDebugAdapterTracker(s: FakeSession): Tracker | undefined } | undefined;
  let terminate: ((s: FakeSession) => void) | undefined;
  let onStart: ((s: FakeSession) => void) | undefined;
  const stopped: FakeSession[] = [];
  let n = 0;

  before(async () => {
    server = await dapServer();
    port = (server.address() as net.AddressInfo).port;
    const debug = stub.module.debug as Record<string, unknown>;
    debug.registerDebugAdapterTrackerFactory = (_type: string, f: typeof trackerFactory) => ((trackerFactory = f), { dispose: () => undefined });
    debug.onDidStartDebugSession = (f: (s: FakeSession) => void) => ((onStart = f), { dispose: () => undefined });
    debug.stopDebugging = async (s: FakeSession) => void stopped.push(s);
    debug.onDidTerminateDebugSession = (f: (s: FakeSession) => void) => ((terminate = f), { dispose: () => undefined });
    debug.startDebugging = async (_folder: unknown, config: Record<string, unknown>) => {
      started.push(config);
      onStart?.({ id: `attempt-${started.length}`, type: String(config.type), configuration: config });
      onStarted?.();
      return true;
    };
    const store = new Store();
    store.setResources([initialResourceState({ name: 'todo-api', type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })]);
    store.updateResource('todo-api', { portForwards: [{ localPort: port, containerPort: 5678, state: 'active' }] });
    const session = { tiltfile: 'Tiltfile', store, logs: new LogStore(), trigger: () => undefined, reload: () => undefined, dispose: () => undefined };
    const ctx = { session, folder: undefined, log: { info: (...a: unknown[]) => logs.push(a.map(String).join(' ')) }, push: <T>(d: T) => d };
    registerReattach(ctx as unknown as Ctx);
  });

  after(() => server.close());

  /**
   * A session of `runtime` that runs the given DAP exchange (client → adapter 'in', adapter → client 'out'), then
   * ends (unless `end` is false: a re-attach attempt that stays attached).
   */
  function run(runtime: 'python' | 'node', exchange: Array<['in' | 'out', Msg]>, extra: Record<string, unknown> = {}, end = true): FakeSession {
    const s: FakeSession = {
      id: `s${++n}`,
      type: runtime === 'python' ? 'innerloop-python' : 'node',
      configuration: { type: 'innerloop-python', request: 'attach', connect: { host: '127.0.0.1', port }, innerloop: { resource: 'todo-api', runtime, containerPort: 5678 }, ...extra },
    };
    const t = trackerFactory!.createDebugAdapterTracker(s);
    for (const [dir, m] of exchange) (dir === 'in' ? t?.onWillReceiveMessage : t?.onDidSendMessage)?.(m);
    if (end) terminate!(s);
    return s;
  }
  const attached: ['out', Msg] = ['out', { type: 'response', command: 'attach', success: true }];

  it('re-attaches a session whose connection ended by itself, through the forward, with a token', async () => {
    const next = new Promise<void>((r) => (onStarted = r));
    run('python', [attached]);
    await next;
    const c = started.at(-1)!;
    assert.deepEqual(c.connect, { host: '127.0.0.1', port });
    assert.match(String(c.__innerloopReattach), /^todo-api-/);
    assert.deepEqual(c.innerloop, { resource: 'todo-api', runtime: 'python', containerPort: 5678 });
    // The attempt attaches: the loop ends.
    run('python', [attached], { __innerloopReattach: c.__innerloopReattach }, false);
  });

  it('re-attaches when the program ended (terminated event), even though the client then sends disconnect', async () => {
    const before = started.length;
    const next = new Promise<void>((r) => (onStarted = r));
    run('python', [attached, ['out', { type: 'event', event: 'terminated' }], ['in', { type: 'request', command: 'disconnect' }]]);
    await next;
    assert.equal(started.length, before + 1);
    run('python', [attached], { __innerloopReattach: started.at(-1)!.__innerloopReattach }, false);
  });

  it('re-attaches when the connection closed and VS Code then sent a disconnect nobody answered (the process died)', async () => {
    const before = started.length;
    const next = new Promise<void>((r) => (onStarted = r));
    run('python', [attached, ['in', { type: 'request', command: 'disconnect' }]]);
    await next;
    assert.equal(started.length, before + 1);
    run('python', [attached], { __innerloopReattach: started.at(-1)!.__innerloopReattach }, false);
  });

  it('does not re-attach a session the user stopped, one that never attached, or a Node session', () => {
    logs.length = 0;
    run('python', [attached, ['in', { type: 'request', command: 'disconnect' }], ['out', { type: 'response', command: 'disconnect', success: true }]]);
    run('python', [['out', { type: 'response', command: 'attach', success: false }]]);
    run('node', [attached]);
    // A re-attach would first log "went away" (before any await): none did.
    assert.deepEqual(logs, ['debug session for todo-api ended (stopped from the editor): not re-attaching', 'debug session for todo-api ended before attaching']);
  });

  it('stops an attempt that neither attaches nor ends (it reached the old adapter) and tries again', async () => {
    const before = started.length;
    let second: (() => void) | undefined;
    const first = new Promise<void>((r) => (onStarted = () => (onStarted = () => second?.(), r())));
    const again = new Promise<void>((r) => (second = r));
    run('python', [attached]);
    await first; // the first attempt never answers
    await again;
    assert.equal(started.length, before + 2);
    assert.equal(stopped.at(-1)?.configuration.__innerloopReattach, started[before]!.__innerloopReattach, 'the hung attempt was stopped');
    assert.ok(logs.some((l) => /did not attach within 10 s; stopped it, trying again/.test(l)));
    run('python', [attached], { __innerloopReattach: started.at(-1)!.__innerloopReattach }, false);
  });
  it('an attempt whose startDebugging never returns (the old adapter took the connection) is stopped and tried again', { timeout: 60_000 }, async () => {
    const debug = stub.module.debug as Record<string, unknown>;
    const normal = debug.startDebugging as (folder: unknown, config: Record<string, unknown>) => Promise<boolean>;
    const before = started.length;
    let hangs = true;
    debug.startDebugging = (folder: unknown, config: Record<string, unknown>): Promise<boolean> => {
      if (!hangs) return normal(folder, config);
      hangs = false;
      started.push(config);
      onStart?.({ id: `attempt-${started.length}`, type: String(config.type), configuration: config });
      return new Promise<boolean>(() => undefined); // VS Code waits for an initialize answer that never comes
    };
    try {
      const again = new Promise<void>((r) => (onStarted = r));
      run('python', [attached]);
      await again;
      assert.equal(started.length, before + 2);
      assert.equal(stopped.at(-1)?.configuration.__innerloopReattach, started[before]!.__innerloopReattach, 'the hung attempt was stopped');
      run('python', [attached], { __innerloopReattach: started.at(-1)!.__innerloopReattach }, false);
    } finally {
      debug.startDebugging = normal;
    }
  });
});
