// Debugging for real, inside the extension host (mode 'debug', driven by test/e2e/debug.test.ts on the local
// cluster): Innerloop: Up on a copy of the todo app, then for the Node frontend and the Python API: a breakpoint in
// the LOCAL source file on a line a request executes, Attach Debugger, the request through the port forward, and,
// through the debug API (DAP messages seen by a tracker, custom requests), the stop at that local file and line, a
// local variable's value, continue, the request completing. Then a live update moves the line; after the process
// restarts (the session re-attaches), the breakpoint binds again and the next request stops at the new line.
// INNERLOOP_DEBUG_E2E (JSON) gives the forwarded ports and where to write the attach→first-stop times (the bench).
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '../harness/runner';
import { dapAnswers } from '../../../src/vscode/debug/dapProbe';

interface DebugE2E {
  api: number;
  frontend: number;
  apiDebug: number;
  frontendDebug: number;
  go: number;
  goDebug: number;
  /** File to write { node, python } attach → first stop milliseconds to. */
  timings?: string;
}

const cfg = (): DebugE2E => JSON.parse(process.env.INNERLOOP_DEBUG_E2E ?? '{}') as DebugE2E;
const debugTest = (name: string, fn: () => Promise<void>): void => test(name, fn, ['debug']);
const timings: Record<string, number> = {};

/** Everything the debug adapters said or were asked, with the session it belongs to. */
interface Seen {
  at: number;
  session: vscode.DebugSession;
  dir: 'in' | 'out';
  m: { type?: string; event?: string; command?: string; success?: boolean; body?: Record<string, unknown>; arguments?: Record<string, unknown> };
}
const seen: Seen[] = [];
/** When each debug session started: a breakpoint bound by a session older than a restart says nothing about it. */
const started = new Map<string, number>();
let tracking: vscode.Disposable | undefined;
function track(): void {
  tracking ??= vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker: (session) => {
      started.set(session.id, Date.now());
      return {
        onDidSendMessage: (m: Seen['m']) => void seen.push({ at: Date.now(), session, dir: 'out', m }),
        onWillReceiveMessage: (m: Seen['m']) => void seen.push({ at: Date.now(), session, dir: 'in', m }),
      };
    },
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: r.status, body: await r.text() };
  } catch (e) {
    return { status: 0, body: e instanceof Error ? e.message : String(e) };
  }
}

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'no workspace folder');
  return f.uri.fsPath;
}

/** 0-based line of the first line containing `needle`. */
function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i;
}

function setOnlyBreakpoint(file: string, line: number): void {
  vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
  vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line, 0)))]);
}

/** The latest innerloop-python session that attached (its attach request succeeded) after `since`. */
function pythonAttachedAfter(since: number): vscode.DebugSession | undefined {
  const hits = seen.filter(({ at, dir, session, m }) => at >= since && dir === 'out' && session.type === 'innerloop-python' && m.type === 'response' && m.command === 'attach' && m.success === true);
  return hits[hits.length - 1]?.session;
}

/** A breakpoint at (1-based) `line` reported verified (response or breakpoint event) by a session started after `since`. */
function boundAt(line: number, since: number): boolean {
  return seen.some(({ session, dir, m }) => {
    if ((started.get(session.id) ?? 0) < since || dir !== 'out') return false;
    const bps = m.type === 'response' && m.command === 'setBreakpoints' ? ((m.body?.breakpoints as Array<{ verified?: boolean; line?: number }>) ?? []) : m.type === 'event' && m.event === 'breakpoint' ? [m.body?.breakpoint as { verified?: boolean; line?: number }] : [];
    return bps.some((b) => b?.verified === true && b.line === line);
  });
}

/** The first 'stopped' event after `since`, and the session it came from. */
function stoppedAfter(since: number): { session: vscode.DebugSession; threadId: number } | undefined {
  const s = seen.find(({ at, dir, m }) => at >= since && dir === 'out' && m.type === 'event' && m.event === 'stopped');
  return s ? { session: s.session, threadId: Number(s.m.body?.threadId) } : undefined;
}

interface Frame {
  id: number;
  line: number;
  source?: { path?: string };
}

/** Top frame and one local variable of a stopped thread, through DAP custom requests. */
async function inspectStop(stop: { session: vscode.DebugSession; threadId: number }, variable: string): Promise<{ frame: Frame; value: string }> {
  const st = (await stop.session.customRequest('stackTrace', { threadId: stop.threadId, startFrame: 0, levels: 1 })) as { stackFrames: Frame[] };
  const frame = st.stackFrames[0]!;
  const scopes = (await stop.session.customRequest('scopes', { frameId: frame.id })) as { scopes: Array<{ name: string; variablesReference: number }> };
  const local = scopes.scopes.find((s) => /^local/i.test(s.name)) ?? scopes.scopes[0]!;
  const vars = (await stop.session.customRequest('variables', { variablesReference: local.variablesReference })) as { variables: Array<{ name: string; value: string }> };
  const v = vars.variables.find((x) => x.name === variable);
  assert.ok(v, `no local "${variable}" in ${local.name}: ${vars.variables.map((x) => x.name).join(', ')}`);
  return { frame, value: v.value };
}

/**
 * A stack frame's path as a local file path. In code-server the extension host is remote to the workbench, and
 * VS Code hands the adapter's local paths back as vscode-remote:// URIs of the same file.
 */
function localPath(p: string | undefined): string | undefined {
  return p && /^[a-z][a-z0-9+.-]+:\/\//i.test(p) ? vscode.Uri.parse(p).fsPath : p;
}

/** Inserts lines above `beforeNeedle` through the editor and saves: the live update syncs and restarts the process. */
async function insertAndSave(file: string, beforeNeedle: string, text: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(file);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(lineOf(file, beforeNeedle), 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save(), `could not save ${file}`);
}

/**
 * One runtime's round: breakpoint, attach (or, after a restart, the session re-attaching), request, stop at the
 * local file and line, a variable, continue, the request completes. Returns attach → first stop in ms.
 */
async function breakpointRound(o: { resource: string; file: string; line: number; url: string; variable: string; expectValue: RegExp; attach: boolean; since: number }): Promise<number> {
  const t0 = Date.now();
  if (o.attach) assert.equal(await vscode.commands.executeCommand('innerloop.attachDebugger', o.resource), true, 'Attach Debugger started no session');
  await waitFor(`the breakpoint at ${o.file}:${o.line + 1} to bind`, () => boundAt(o.line + 1, o.since), 120_000);
  const since = Date.now();
  const request = httpGet(o.url, 120_000);
  const stop = await waitFor(`a stop after GET ${o.url}`, () => stoppedAfter(since), 60_000);
  const tStop = Date.now();
  // Continue before asserting, so a failed check does not leave the process paused for the next test.
  const seenStop = await inspectStop(stop, o.variable).catch((e: unknown) => e);
  await stop.session.customRequest('continue', { threadId: stop.threadId });
  const r = await request;
  if (seenStop instanceof Error) throw seenStop;
  const { frame, value } = seenStop as Awaited<ReturnType<typeof inspectStop>>;
  assert.equal(localPath(frame.source?.path), o.file, 'stopped in the local file (source mapping), not the container path');
  assert.equal(frame.line, o.line + 1);
  assert.match(value, o.expectValue);
  assert.equal(r.status, 200, `the request did not complete after continue: ${r.body}`);
  return tStop - t0;
}

debugTest('Up: the todo app is served and both debuggers answer through their forwards', async () => {
  track();
  const c = cfg();
  assert.ok(c.api && c.frontend && c.apiDebug && c.frontendDebug, 'INNERLOOP_DEBUG_E2E not set');
  await vscode.commands.executeCommand('innerloop.up');
  await waitFor('the API through its forward', async () => (await httpGet(`http://127.0.0.1:${c.api}/healthz`)).status === 200, 420_000);
  await waitFor('the frontend through its forward', async () => (await httpGet(`http://127.0.0.1:${c.frontend}/healthz`)).status === 200, 240_000);
  await waitFor("node's inspector through its forward", async () => (await httpGet(`http://127.0.0.1:${c.frontendDebug}/json/version`)).status === 200, 60_000);
  await waitFor('debugpy through its forward', () => dapAnswers('127.0.0.1', c.apiDebug), 60_000);
});

debugTest('Node (frontend): stops at a breakpoint in the local server.js, reads a local, continues; after a live update moves the line it binds again', async () => {
  const c = cfg();
  const file = join(folder(), 'frontend', 'server.js');
  const needle = "log('proxy', req.method";
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  let line = lineOf(file, needle);
  setOnlyBreakpoint(file, line);
  timings.node = await breakpointRound({ resource: 'todo-frontend', file, line, url: `http://127.0.0.1:${c.frontend}/api/todos`, variable: 'target', expectValue: /todo-api/, attach: true, since: Date.now() });
  if (c.timings) writeFileSync(c.timings, JSON.stringify(timings));

  // Live update: two lines above the proxy route move the breakpoint's line; the new process serves the marker.
  const token = `moved-${Date.now().toString(36)}`;
  const since = Date.now();
  await insertAndSave(file, "app.use('/api'", `app.get('/e2e-marker', (_req, res) => res.send('${token}'));\n\n`);
  line = lineOf(file, needle);
  setOnlyBreakpoint(file, line);
  await waitFor('the restarted frontend', async () => (await httpGet(`http://127.0.0.1:${c.frontend}/e2e-marker`)).body === token, 120_000);
  await breakpointRound({ resource: 'todo-frontend', file, line, url: `http://127.0.0.1:${c.frontend}/api/todos`, variable: 'target', expectValue: /todo-api/, attach: false, since });
  await vscode.debug.stopDebugging();
  vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
});

debugTest('Python (API): stops at a breakpoint in the local app.py (innerloop-python, no extension), reads a local, continues', async () => {
  const c = cfg();
  const file = join(folder(), 'api', 'app.py');
  const needle = 'log.info("listing %d todos"';
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  const line = lineOf(file, needle);
  setOnlyBreakpoint(file, line);
  timings.python = await breakpointRound({ resource: 'todo-api', file, line, url: `http://127.0.0.1:${c.api}/todos`, variable: 'items', expectValue: /^\[/, attach: true, since: Date.now() });
  if (c.timings) writeFileSync(c.timings, JSON.stringify(timings));
  const first = pythonAttachedAfter(0);
  assert.ok(first, 'an attached innerloop-python session');
});

// The restarted process's debugpy must be able to listen again: the restart wrapper stops the old debugpy adapter
// (daemonized, so orphaned to the wrapper) before starting the new process.
debugTest('Python (API): after a live update restarts the process it re-attaches and binds at the moved line', pythonReattachAfterLiveUpdate);
async function pythonReattachAfterLiveUpdate(): Promise<void> {
  const c = cfg();
  const file = join(folder(), 'api', 'app.py');
  const needle = 'log.info("listing %d todos"';
  const token = `moved-${Date.now().toString(36)}`;
  const since = Date.now();
  await insertAndSave(file, '@app.get("/todos")', `@app.get("/e2e-marker")\ndef e2e_marker():\n    return "${token}"\n\n\n`);
  const line = lineOf(file, needle);
  setOnlyBreakpoint(file, line);
  await waitFor('the restarted API', async () => (await httpGet(`http://127.0.0.1:${c.api}/e2e-marker`)).body === token, 120_000);
  // The old session ended with its process; Innerloop attached a new one.
  await waitFor('a new innerloop-python session attached', () => pythonAttachedAfter(since), 120_000);
  await breakpointRound({ resource: 'todo-api', file, line, url: `http://127.0.0.1:${c.api}/todos`, variable: 'items', expectValue: /^\[/, attach: false, since });
  if (c.timings) writeFileSync(c.timings, JSON.stringify(timings));
}

debugTest('Python (API): a rebuild replaces the pod; the session re-attaches through the forward, which follows the new pod', async () => {
  const c = cfg();
  const file = join(folder(), 'api', 'app.py');
  const line = lineOf(file, 'log.info("listing %d todos"');
  assert.ok(pythonAttachedAfter(0), 'attached from the previous test');
  const since = Date.now();
  // A Dockerfile edit is in fall_back_on: a full rebuild and a new pod.
  const dockerfile = join(folder(), 'api', 'Dockerfile');
  writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8') + `ENV INNERLOOP_E2E_REBUILD=${since}\n`);
  await waitFor('a new innerloop-python session attached after the rebuild', () => pythonAttachedAfter(since), 300_000);
  await breakpointRound({ resource: 'todo-api', file, line, url: `http://127.0.0.1:${c.api}/todos`, variable: 'items', expectValue: /^\[/, attach: false, since });
  await vscode.debug.stopDebugging();
  vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
});

debugTest('Go (greeter under dlv exec): stops at a breakpoint in the local main.go (innerloop-go, no extension), reads a local, continues, the request completes', async () => {
  const c = cfg();
  assert.ok(c.go && c.goDebug, 'INNERLOOP_DEBUG_E2E has no Go ports');
  await waitFor('the Go service through its forward', async () => (await httpGet(`http://127.0.0.1:${c.go}/healthz`)).status === 200, 420_000);
  await waitFor('Delve through its forward', () => dapAnswers('127.0.0.1', c.goDebug), 60_000);
  const file = join(folder(), 'go-greeter', 'main.go');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  const line = lineOf(file, 'fmt.Fprintln(w, greeting)');
  setOnlyBreakpoint(file, line);
  timings.go = await breakpointRound({ resource: 'go-greeter', file, line, url: `http://127.0.0.1:${c.go}/hello?name=e2e`, variable: 'greeting', expectValue: /hello, e2e/, attach: true, since: Date.now() });
  if (c.timings) writeFileSync(c.timings, JSON.stringify(timings));
  await vscode.debug.stopDebugging();
  vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
});

debugTest('Stop', async () => {
  tracking?.dispose();
  // Stop, not Down: Down asks a modal confirmation (nobody answers it here); the driver deletes the namespace.
  await vscode.commands.executeCommand('innerloop.stop');
});
