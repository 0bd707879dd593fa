// Loads a Tiltfile: runs it with Tilt's builtins, resolves load()/include(), then assembles the typed Plan.
import { dirname, join, resolve } from 'node:path';
import { Builtin, Dict, StarlarkError, Struct, createThread, execFile, type Thread, type Value } from '../starlark';
import { str, strList, unpack } from './args';
import { AssemblyError, assemble } from './assemble';
import { composeBuiltins } from './compose';
import { configModule } from './config';
import { dockerBuiltins } from './docker';
import { encodingBuiltins } from './encoding';
import { DEFAULT_EXTENSION_REPO, ExtensionError, recordLoaded, repoDir, type ExtensionRepo, type ExtensionSpec } from './extensionRepos';
import { gitBuiltins } from './git';
import { shlexModule } from './shlex';
import { builtInExtension } from './extensions';
import { k8sBuiltins } from './k8s';
import { liveUpdateBuiltins } from './liveUpdate';
import { localResourceBuiltins } from './localResource';
import { ExitRequest, osBuiltins } from './os';
import type { Diagnostic, Plan } from './plan';
import { addRanges } from './ranges';
import { settingsBuiltins } from './settings';
import { TiltfileState, fsMessage, exists, type LoadOptions } from './state';
import { readTextFileSafely, SafeReadError } from './safeRead';

export type { LoadOptions } from './state';

export interface LoadResult {
  /** The assembled plan; after an error, whatever was registered before it (may be incomplete). */
  plan: Plan;
  /** Errors and warnings, in the order found. `ok` is false when any is an error. */
  diagnostics: Diagnostic[];
  configFiles: string[];
  /** print() output and local() echo, in order. */
  output: string[];
  ok: boolean;
}

/** Default step budget: generous for real Tiltfiles, small enough that `while True: pass` ends in seconds. */
export const DEFAULT_MAX_STEPS = 20_000_000;

export function predeclared(s: TiltfileState): Record<string, Value> {
  const b: Record<string, Value> = {
    ...dockerBuiltins(s),
    ...liveUpdateBuiltins(s),
    ...k8sBuiltins(s),
    ...localResourceBuiltins(s),
    ...composeBuiltins(s),
    ...settingsBuiltins(s),
    ...osBuiltins(s),
    ...encodingBuiltins(s),
    ...gitBuiltins(s),
    config: configModule(s),
    shlex: shlexModule(),
  };
  return b;
}

class ModuleLoader {
  private cache = new Map<string, Record<string, Value>>();
  private loading = new Set<string>();
  /** v1alpha1.extension_repo(...) by name. */
  readonly repos = new Map<string, ExtensionRepo>();
  /** v1alpha1.extension(...) by extension name. */
  readonly extensions = new Map<string, ExtensionSpec>();
  /** Text of every file executed, for diagnostic ranges. */
  readonly sources = new Map<string, string>();

  constructor(private s: TiltfileState, private builtins: Record<string, Value>, private thread: Thread) {}

  /** Resolves one load() target: ext://NAME (built in, or vendored under tilt_modules/), or a file path. */
  load(module: string): Record<string, Value> {
    if (module.startsWith('ext://')) return this.extension(module.slice('ext://'.length));
    if (/^[a-z]+:\/\//.test(module)) throw new Error(`cannot load ${module}: only ext:// and file paths are supported`);
    return this.file(this.s.resolve(module));
  }

  private extension(name: string): Record<string, Value> {
    const key = `ext://${name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const reg = this.extensions.get(name);
    if (!reg) {
      // Ours first for the six we ship: same job offline, no shelling out, safe untrusted (see README).
      const own = builtInExtension(name, this.s, this.builtins);
      if (own) { this.cache.set(key, own); return own; }
      // An extension vendored next to the Tiltfile (Tilt's legacy tilt_modules/ store, often committed).
      for (const dir of [dirname(this.s.tiltfile), this.s.dir()]) {
        const vendored = join(dir, 'tilt_modules', name, 'Tiltfile');
        if (exists(vendored)) return this.file(vendored);
      }
    }
    // As Tilt: an unregistered NAME is REPO_PATH NAME in the "default" repo, or PATH in the repo whose load_host
    // is the first segment of NAME.
    const slash = name.indexOf('/');
    const hostRepo = !reg && slash > 0 ? [...this.repos.values()].find((r) => r.loadHost !== '' && r.loadHost === name.slice(0, slash)) : undefined;
    const spec = reg ?? (hostRepo ? { name, repoName: hostRepo.name, repoPath: name.slice(slash + 1), args: [] } : { name, repoName: 'default', repoPath: name, args: [] });
    const repo = this.repos.get(spec.repoName) ?? (spec.repoName === 'default' ? { name: 'default', url: DEFAULT_EXTENSION_REPO, ref: '', loadHost: '' } : undefined);
    if (!repo) throw new Error(`extension repo ${JSON.stringify(spec.repoName)} is not defined (add v1alpha1.extension_repo(name=${JSON.stringify(spec.repoName)}, url=...))`);
    const where = `extension repo ${JSON.stringify(repo.name)} (${repo.url}${repo.ref ? ` at ${repo.ref}` : ''})`;
    let fetched: { dir: string; commit?: string };
    try {
      fetched = repoDir(repo, { env: this.s.env, mayFetch: this.s.opts.fetchExtensions ?? this.s.opts.trusted, cacheDir: this.s.opts.extensionCacheDir, timeoutMs: this.s.opts.commandTimeoutMs });
    } catch (e) {
      if (e instanceof ExtensionError) throw new Error(e.message);
      throw e;
    }
    const repoPath = spec.repoPath || name;
    const p = join(fetched.dir, repoPath, 'Tiltfile');
    if (!exists(p)) throw new Error(`no ${repoPath}/Tiltfile in ${where}`);
    if (this.s.opts.trusted) recordLoaded(dirname(this.s.tiltfile), { name, repo, path: repoPath, commit: fetched.commit });
    try {
      const out = this.file(p);
      this.cache.set(key, out);
      return out;
    } catch (e) {
      // An error in the extension's own top level (syntax, a failing call): say which extension and repo.
      if (e instanceof StarlarkError && e.pos?.file === p) {
        throw new Error(`${where}: ${p}:${e.pos.line}:${e.pos.col}: ${e.shortMessage}`);
      }
      throw e;
    }
  }

  file(abs: string): Record<string, Value> {
    const cached = this.cache.get(abs);
    if (cached) return cached;
    if (this.loading.has(abs)) throw new Error(`cycle in load graph: ${abs} is already being loaded`);
    let source: string;
    try { source = readTextFileSafely(abs, this.s.readGuard()); } catch (e) { throw new Error(`cannot load ${abs}: ${fsMessage(e, abs)}`); }
    this.s.configFiles.add(abs);
    this.sources.set(abs, source);
    this.loading.add(abs);
    this.s.execStack.push(abs);
    try {
      const { globals } = execFile({
        filename: abs, source, predeclared: { ...this.builtins, __file__: abs }, thread: this.thread,
        load: (m) => this.load(m), print: (msg) => { this.s.output.push(msg); },
        maxSteps: this.s.opts.maxSteps ?? DEFAULT_MAX_STEPS, cancel: this.s.opts.cancel,
      });
      const out: Record<string, Value> = {};
      for (const [k, v] of globals) if (!k.startsWith('_')) out[k] = v;
      this.cache.set(abs, out);
      return out;
    } finally {
      this.s.execStack.pop();
      this.loading.delete(abs);
    }
  }
}

function emptyPlan(s: TiltfileState): Plan {
  return {
    tiltfile: s.tiltfile, resources: [], images: s.images, k8s: { allowedContexts: s.allowedContexts, imageLocators: [] },
    settings: s.settings, buttons: s.buttons, configFiles: [...s.configFiles], config: s.config, secrets: [...s.secrets], warnings: [],
  };
}

/** starlark-go style traceback, with deep recursion elided to the first and last few frames. */
function traceback(e: StarlarkError): string {
  const f = e.frames;
  const line = (x: (typeof f)[number]): string => `  ${x.file}:${x.line}:${x.col}: in ${x.fn}`;
  const shown = f.length <= 12 ? f.map(line) : [...f.slice(0, 5).map(line), `  ... ${f.length - 10} more frames ...`, ...f.slice(-5).map(line)];
  const last = e.shortMessage.startsWith('Error') ? e.shortMessage : `Error: ${e.shortMessage}`;
  return ['Traceback (most recent call last):', ...shown, last].join('\n');
}

function diagnosticFromError(e: unknown, s: TiltfileState): Diagnostic {
  if (e instanceof StarlarkError) {
    const msg = e.kind === 'cancelled' ? `${e.shortMessage} (the Tiltfile ran too long: an endless loop?)` : e.shortMessage;
    const trace = e.frames.length > 1 ? '\n' + traceback(e) : '';
    return { severity: 'error', message: msg + trace, pos: e.pos };
  }
  if (e instanceof AssemblyError) return { severity: 'error', message: e.message, pos: e.pos };
  const err = e as Error;
  return { severity: 'error', message: `internal error: ${err?.message ?? String(e)}`, pos: { file: s.tiltfile, line: 1, col: 1 } };
}

/** Runs the Tiltfile at `path` synchronously and returns the plan with diagnostics; never throws for bad input. */
export function loadTiltfile(path: string, options: LoadOptions = {}): LoadResult {
  const abs = resolve(path);
  const s = new TiltfileState(abs, { ...options, env: { ...(options.env ?? process.env) } });
  s.configFiles.add(abs);
  let source: string;
  try {
    source = options.source ?? readTextFileSafely(abs);
  } catch (e) {
    const d: Diagnostic = { severity: 'error', message: `cannot read Tiltfile: ${fsMessage(e, abs)}`, pos: { file: abs, line: 1, col: 1 } };
    return { plan: emptyPlan(s), diagnostics: [d], configFiles: [abs], output: [], ok: false };
  }

  // .tiltignore next to the Tiltfile adds to watch_settings(ignore=...), as in Tilt.
  const tiltignore = join(dirname(abs), '.tiltignore');
  s.configFiles.add(tiltignore);
  try {
    const lines = readTextFileSafely(tiltignore, s.readGuard()).split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    s.settings.watchIgnore.push(...lines);
  } catch (e) {
    // Missing is normal; a .tiltignore we refuse to read (a device, huge, a symlink out of the repo) is worth a word.
    if (e instanceof SafeReadError) s.diagnostics.push({ severity: 'warning', message: `.tiltignore ignored: ${e.message}`, pos: { file: abs, line: 1, col: 1 } });
  }

  const thread = createThread('Tiltfile');
  thread.locals.set('tiltfile', s);
  const builtins = predeclared(s);
  const loader = new ModuleLoader(s, builtins, thread);
  loader.sources.set(abs, source);
  const include = (fname: string): Builtin => new Builtin(fname, (call) => {
    const a = unpack(call, ['path']);
    const p = s.resolve(str(a.path, 'path'));
    const target = exists(p) && !p.endsWith('Tiltfile') && exists(join(p, 'Tiltfile')) ? join(p, 'Tiltfile') : p;
    const globals = loader.file(target);
    if (fname === 'include') return null;
    const d = new Dict();
    for (const [k, v] of Object.entries(globals)) d.set(k, v);
    return d;
  });
  builtins.v1alpha1 = new Struct({
    extension_repo: new Builtin('v1alpha1.extension_repo', (call) => {
      const a = unpack(call, ['name', 'url', 'path?', 'ref?', 'load_host?', 'labels?', 'annotations?']);
      const name = str(a.name, 'name');
      if (!name) throw new Error('v1alpha1.extension_repo: name must not be empty');
      let url = str(a.url, 'url');
      if (!url) throw new Error(`v1alpha1.extension_repo ${JSON.stringify(name)}: url must not be empty`);
      // A relative file:// path is relative to the file declaring the repo.
      if (url.startsWith('file://')) url = `file://${s.resolve(decodeURIComponent(url.slice('file://'.length)))}`;
      loader.repos.set(name, { name, url, ref: str(a.ref, 'ref'), loadHost: str(a.load_host, 'load_host') });
      return null;
    }),
    extension: new Builtin('v1alpha1.extension', (call) => {
      const a = unpack(call, ['name', 'repo_name', 'repo_path?', 'args?', 'labels?', 'annotations?']);
      const name = str(a.name, 'name');
      if (!name) throw new Error('v1alpha1.extension: name must not be empty');
      // args are accepted for compatibility; Tilt passes them to the extension's own config, which we do not model.
      loader.extensions.set(name, { name, repoName: str(a.repo_name, 'repo_name'), repoPath: str(a.repo_path, 'repo_path'), args: strList(a.args, 'args') });
      return null;
    }),
  });
  builtins.include = include('include');
  builtins.load_dynamic = include('load_dynamic');

  let failure: Diagnostic | undefined;
  s.execStack.push(abs);
  try {
    execFile({
      // Tilt sets __file__ in each file it executes.
      filename: abs, source, predeclared: { ...builtins, __file__: abs }, thread,
      load: (m) => loader.load(m), print: (msg) => { s.output.push(msg); },
      maxSteps: s.opts.maxSteps ?? DEFAULT_MAX_STEPS, cancel: s.opts.cancel,
    });
  } catch (e) {
    if (s.exitCode === undefined && !(e instanceof ExitRequest)) failure = diagnosticFromError(e, s);
    else if (s.exitCode) failure = { severity: 'error', message: `exit(${s.exitCode}) called`, pos: e instanceof StarlarkError ? e.pos : undefined };
  } finally {
    s.execStack.length = 0;
  }

  let plan: Plan;
  try {
    plan = assemble(s);
  } catch (e) {
    if (!failure) failure = diagnosticFromError(e, s);
    plan = emptyPlan(s);
  }
  const diagnostics = [...s.diagnostics];
  if (failure) diagnostics.push(failure);
  addRanges(diagnostics, loader.sources);
  plan.warnings = diagnostics.filter((d) => d.severity === 'warning');
  plan.configFiles = [...s.configFiles];
  return { plan, diagnostics, configFiles: plan.configFiles, output: s.output, ok: !diagnostics.some((d) => d.severity === 'error') };
}
