// Fuzz child process: runs Starlark programs it receives over IPC and reports how each ended. Each runs as a
// Tiltfile does: the production step budget and Tilt's real builtins (loader.ts predeclared), in an empty
// untrusted workspace (local(), helm() and kustomize() are refused and nothing is fetched), so the fuzzer exercises
// the interpreter and the Tilt API without touching processes or the cluster. Names those builtins lack (include,
// v1alpha1, ...) are stubs that convert their arguments with toJS and return None.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Builtin, StarlarkError, createThread, execFile, structBuiltin, toJS, type Value } from '../../src/starlark/index';
import { DEFAULT_MAX_STEPS, predeclared as tiltBuiltins } from '../../src/tiltfile/loader';
import { TiltfileState } from '../../src/tiltfile/state';

export type Outcome = 'ok' | 'error' | 'crash';
export interface Result {
  id: number;
  outcome: Outcome;
  detail?: string;
}

const STUB_NAMES = ['include', 'load_dynamic', 'v1alpha1', 'blob', 'test', 'os', 'config', 'shlex'];

const stub = (name: string): Builtin =>
  new Builtin(name, (c) => {
    for (const a of c.args) JSON.stringify(toJS(a));
    for (const [, v] of c.kwargs) JSON.stringify(toJS(v));
    return null;
  });

const stubs: Record<string, Value> = { struct: structBuiltin };
for (const n of STUB_NAMES) stubs[n] = stub(n);

/** The production budget (loader.ts), so what the fuzzer finds is what a Tiltfile can do. */
export const MAX_STEPS = DEFAULT_MAX_STEPS;

const workspace = mkdtempSync(path.join(os.tmpdir(), 'innerloop-fuzz-'));

export function runOne(source: string): { outcome: Outcome; detail?: string } {
  try {
    const tiltfile = path.join(workspace, 'Tiltfile');
    const state = new TiltfileState(tiltfile, { trusted: false, env: {} });
    const thread = createThread('Tiltfile');
    thread.locals.set('tiltfile', state);
    const predeclared = { ...stubs, ...tiltBuiltins(state), __file__: tiltfile };
    execFile({ filename: tiltfile, source, predeclared, thread, maxSteps: MAX_STEPS, print: () => {}, load: () => ({}) });
    return { outcome: 'ok' };
  } catch (e) {
    if (e instanceof StarlarkError) return { outcome: 'error' };
    return { outcome: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
  }
}

if (process.send) {
  process.send({ ready: true });
  process.on('message', (m: { id: number; source: string }) => {
    const r = runOne(m.source);
    process.send!({ id: m.id, ...r } satisfies Result);
  });
}
