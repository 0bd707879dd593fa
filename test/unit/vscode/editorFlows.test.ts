// The editor's first-run paths, with the vscode stub: autoStart asks once per workspace (the answer lives in the
// workspace state), the picked Tiltfile is remembered, and the welcome view's "Create a Tiltfile" writes the
// template and its context key follows the workspace.
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installVscodeStub } from './vscodeStub';
import { SETTINGS, type Settings, type SettingKey } from '../../../src/vscode/settingsSchema';

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-editor-'));
const stub = installVscodeStub({ workspaceFolder: ws });
after(() => stub.restore());
/* eslint-disable @typescript-eslint/no-require-imports */
const { autoStart } = require('../../../src/vscode/autoStart') as typeof import('../../../src/vscode/autoStart');
const pick = require('../../../src/vscode/tiltfilePick') as typeof import('../../../src/vscode/tiltfilePick');
/* eslint-enable @typescript-eslint/no-require-imports */
type Ctx = Parameters<typeof autoStart>[0];

/** What the code asked the editor, and the answers the "user" gives. */
let calls: string[] = [];
let answer: string | undefined;
let quickPick: ((items: Array<{ label: string; path: string }>) => unknown) | undefined;
let tiltfiles: string[] = [];
const vs = stub.module as Record<string, unknown>;
vs.window = {
  showInformationMessage: async (msg: string) => { calls.push(`ask: ${msg}`); return answer; },
  showErrorMessage: async (msg: string) => { calls.push(`error: ${msg}`); },
  showQuickPick: async (items: Array<{ label: string; path: string }>) => { calls.push(`pick: ${items.map((i) => i.label).join(', ')}`); return quickPick?.(items); },
  showTextDocument: async (u: { fsPath: string }) => { calls.push(`open: ${u.fsPath}`); },
  showWorkspaceFolderPick: async () => undefined,
};
vs.commands = { executeCommand: async (...args: unknown[]) => { calls.push(`run: ${args.map(String).join(' ')}`); } };
const workspace = vs.workspace as Record<string, unknown>;
workspace.findFiles = async (_glob: string, _exclude: string, max: number) => tiltfiles.slice(0, max).map((p) => ({ fsPath: p }));
workspace.asRelativePath = (p: string) => path.relative(ws, p);
workspace.fs = { writeFile: async (u: { fsPath: string }, data: Uint8Array) => fs.writeFileSync(u.fsPath, data) };
workspace.createFileSystemWatcher = () => ({ onDidCreate: () => ({ dispose: () => undefined }), onDidDelete: () => ({ dispose: () => undefined }), dispose: () => undefined });

function settings(over: Partial<Settings> = {}): Settings {
  const s = {} as Record<SettingKey, unknown>;
  for (const k of Object.keys(SETTINGS) as SettingKey[]) s[k] = SETTINGS[k].coerce(undefined);
  return { ...(s as unknown as Settings), ...over };
}

/** A Ctx with one workspace folder and a workspace state that persists across "windows" (ctx instances). */
function ctxWith(state: Map<string, unknown>, over: Partial<Settings> = {}, folder: string | null = ws): Ctx {
  return {
    settings: settings(over),
    folder: folder === null ? undefined : { uri: { fsPath: folder }, name: 'ws', index: 0 },
    extCtx: { workspaceState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => { state.set(k, v); } } },
    log: { info: (m: string) => calls.push(`log: ${m}`) },
    push: <T>(d: T) => d,
  } as unknown as Ctx;
}

beforeEach(() => {
  calls = [];
  answer = undefined;
  quickPick = undefined;
  tiltfiles = [];
});

describe('autoStart asks once per workspace', () => {
  it('off (the default): never asks, never starts', async () => {
    await autoStart(ctxWith(new Map()));
    assert.deepEqual(calls, []);
  });

  it('yes: starts now, and on the next open starts without asking', async () => {
    const state = new Map<string, unknown>();
    answer = 'Start now and on every open';
    await autoStart(ctxWith(state, { autoStart: true }));
    assert.equal(calls.length, 2);
    assert.match(calls[0]!, /^ask: Innerloop: start this workspace's Tiltfile automatically/);
    assert.equal(calls[1], 'run: innerloop.up');
    calls = [];
    answer = 'Not in this workspace'; // Would be the answer if it asked again: it must not.
    await autoStart(ctxWith(state, { autoStart: true }));
    assert.deepEqual(calls, ['run: innerloop.up']);
  });

  it('no: does not start, and does not ask again in this workspace', async () => {
    const state = new Map<string, unknown>();
    answer = 'Not in this workspace';
    await autoStart(ctxWith(state, { autoStart: true }));
    assert.equal(calls.filter((c) => c.startsWith('run:')).length, 0);
    calls = [];
    await autoStart(ctxWith(state, { autoStart: true }));
    assert.deepEqual(calls, ['log: autoStart: declined for this workspace']);
  });

  it('dismissed: nothing starts, nothing is remembered, so it asks again next time', async () => {
    const state = new Map<string, unknown>();
    await autoStart(ctxWith(state, { autoStart: true }));
    assert.equal(state.size, 0);
    assert.equal(calls.length, 1);
    calls = [];
    await autoStart(ctxWith(state, { autoStart: true }));
    assert.match(calls[0]!, /^ask: /);
  });
});

describe('which Tiltfile runs', () => {
  it('the only one, without asking; several: asks once, then remembers the choice per workspace', async () => {
    const a = path.join(ws, 'Tiltfile');
    const b = path.join(ws, 'svc', 'Tiltfile');
    fs.mkdirSync(path.dirname(b), { recursive: true });
    fs.writeFileSync(a, '');
    fs.writeFileSync(b, '');
    const state = new Map<string, unknown>();
    tiltfiles = [a];
    assert.equal(await pick.chooseTiltfile(ctxWith(state)), a);
    assert.deepEqual(calls, []);

    tiltfiles = [b, a];
    quickPick = (items) => items.find((i) => i.path === b);
    assert.equal(await pick.chooseTiltfile(ctxWith(state)), b);
    assert.deepEqual(calls, [`pick: Tiltfile, ${path.join('svc', 'Tiltfile')}`], 'sorted shallow first');
    calls = [];
    assert.equal(await pick.chooseTiltfile(ctxWith(state)), b);
    assert.equal(pick.knownTiltfile(ctxWith(state)), b);
    assert.deepEqual(calls, [], 'remembered: no second question');

    // "Select Tiltfile" asks again even with a remembered choice; a dismissed pick keeps the old one.
    quickPick = () => undefined;
    assert.equal(await pick.chooseTiltfile(ctxWith(state), true), undefined);
    assert.equal(pick.knownTiltfile(ctxWith(state)), b);
    // The innerloop.tiltfilePath setting wins over the remembered pick.
    assert.equal(await pick.chooseTiltfile(ctxWith(state, { tiltfilePath: 'Tiltfile' })), a);
    fs.rmSync(b);
    assert.equal(pick.knownTiltfile(ctxWith(state)), a, 'a remembered Tiltfile that was deleted is not used');
    fs.rmSync(a);
  });
});

describe('welcome view and Create a Tiltfile', () => {
  it('the welcome view shows Create a Tiltfile while the innerloop.hasTiltfile key is false', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { viewsWelcome: Array<{ view: string; contents: string; when?: string }> };
    };
    const welcome = manifest.contributes.viewsWelcome.find((v) => v.contents.includes('command:innerloop.createTiltfile'));
    assert.ok(welcome, 'a welcome view offers innerloop.createTiltfile');
    assert.match(welcome.when ?? '', /!innerloop\.hasTiltfile/);

    pick.registerTiltfileContext(ctxWith(new Map()));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, ['run: setContext innerloop.hasTiltfile false']);
    calls = [];
    tiltfiles = [path.join(ws, 'Tiltfile')];
    pick.registerTiltfileContext(ctxWith(new Map()));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, ['run: setContext innerloop.hasTiltfile true']);
  });

  it('writes the template into the folder and opens it; an existing Tiltfile is opened, never overwritten', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-create-'));
    const tf = path.join(dir, 'Tiltfile');
    await pick.createTiltfile(ctxWith(new Map(), {}, dir));
    assert.equal(fs.readFileSync(tf, 'utf8'), pick.TILTFILE_TEMPLATE);
    assert.deepEqual(calls, [`open: ${tf}`]);
    fs.writeFileSync(tf, '# mine\n');
    await pick.createTiltfile(ctxWith(new Map(), {}, dir));
    assert.equal(fs.readFileSync(tf, 'utf8'), '# mine\n');
    calls = [];
    await pick.createTiltfile(ctxWith(new Map(), {}, null));
    assert.deepEqual(calls, ['error: Innerloop: open a folder first.']);
  });

  it('the template loads as a Tiltfile with its hello resource', async () => {
    const { loadTiltfile } = await import('../../../src/tiltfile/loader');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h-cli-template-'));
    fs.writeFileSync(path.join(dir, 'Tiltfile'), pick.TILTFILE_TEMPLATE);
    const r = loadTiltfile(path.join(dir, 'Tiltfile'), { args: [], subcommand: 'up', trusted: true });
    assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
    assert.deepEqual(r.plan.resources.map((x) => x.name), ['hello']);
  });
});
