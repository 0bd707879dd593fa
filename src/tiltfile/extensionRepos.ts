// Extension repositories for `load('ext://NAME')`, as Tilt resolves them: an extension lives at REPO_PATH/Tiltfile
// in an extension repo; by default NAME in tilt-dev's tilt-extensions on GitHub. Remote repos are fetched with the
// system `git` into the user's cache directory, one checkout per (url, ref), and reused from there (so a cached
// extension keeps working offline). A `file://` repo without a ref is used in place, as Tilt does; with a ref it is
// fetched like a remote one, so the ref is honoured.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const DEFAULT_EXTENSION_REPO = 'https://github.com/tilt-dev/tilt-extensions';

export interface ExtensionRepo {
  name: string;
  url: string;
  /** Branch, tag or commit; '' = the repository's default branch. */
  ref: string;
  /** load('ext://LOAD_HOST/PATH') resolves PATH in this repo. */
  loadHost: string;
}

export interface ExtensionSpec {
  name: string;
  repoName: string;
  repoPath: string;
  args: string[];
}

export interface FetchOptions {
  /** Root of the cache (default: $XDG_CACHE_HOME or ~/.cache, + innerloop/extensions). */
  cacheDir?: string;
  /** Environment for git (PATH decides which git runs). */
  env: Record<string, string | undefined>;
  /** false: never fetch (untrusted workspace); only what is cached or local is used. */
  mayFetch: boolean;
  timeoutMs?: number;
}

/** An error loading an extension; the message names the extension and the repository. */
export class ExtensionError extends Error {}

export function defaultCacheDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'innerloop', 'extensions');
}

/** The directory holding the repo's files at its ref, fetching it when needed. */
export function repoDir(repo: ExtensionRepo, opts: FetchOptions): { dir: string; commit?: string } {
  const what = `extension repo ${JSON.stringify(repo.name)} (${repo.url}${repo.ref ? ` at ${repo.ref}` : ''})`;
  if (repo.url.startsWith('file://') && !repo.ref) {
    const dir = resolve(decodeURIComponent(repo.url.slice('file://'.length)));
    let isDir = false;
    try { isDir = statSync(dir).isDirectory(); } catch { /* reported below */ }
    if (!isDir) throw new ExtensionError(`${what}: ${dir} is not a directory`);
    return { dir };
  }
  if (!/^(https?|file|ssh|git):\/\//.test(repo.url) && !/^[\w.-]+@[\w.-]+:/.test(repo.url)) {
    throw new ExtensionError(`${what}: unsupported URL; use https://, ssh://, git@host:path or file://`);
  }
  const root = opts.cacheDir ?? defaultCacheDir(opts.env);
  const slug = repo.url.replace(/^[a-z]+:\/\//, '').replace(/[^\w.-]+/g, '_').slice(-60);
  const key = createHash('sha256').update(`${repo.url}\0${repo.ref}`).digest('hex').slice(0, 12);
  const dir = join(root, `${slug}-${key}`);
  const marker = join(dir, '.innerloop-fetched');
  if (existsSync(marker)) return { dir, commit: readFileSync(marker, 'utf8').trim() || undefined };
  if (!opts.mayFetch) {
    throw new ExtensionError(`${what} is not in the cache (${dir}), and an untrusted workspace never fetches anything; trust the workspace to fetch it`);
  }
  mkdirSync(root, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    git(['clone', '--quiet', '--no-checkout', '--', repo.url, tmp], root, what, opts);
    const ref = repo.ref || 'HEAD';
    // A branch or tag name, or a commit: the remote-tracking name first so a branch means the remote's tip.
    const target = [`origin/${ref}`, ref].find((r) => gitOk(['rev-parse', '--verify', '--quiet', `${r}^{commit}`], tmp, opts));
    if (!target) throw new ExtensionError(`${what}: ref ${JSON.stringify(ref)} not found in the repository (no such branch, tag or commit)`);
    git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', target], tmp, what, opts);
    const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: tmp, env: gitEnv(opts), encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(tmp, '.innerloop-fetched'), commit + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { dir, commit };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function gitEnv(opts: FetchOptions): NodeJS.ProcessEnv {
  // Never prompt for credentials: a private repo without access is an error, not a hung load.
  return { ...opts.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' } as NodeJS.ProcessEnv;
}

function gitOk(args: string[], cwd: string, opts: FetchOptions): boolean {
  return spawnSync('git', args, { cwd, env: gitEnv(opts), encoding: 'utf8', timeout: opts.timeoutMs }).status === 0;
}

function git(args: string[], cwd: string, what: string, opts: FetchOptions): void {
  const r = spawnSync('git', args, { cwd, env: gitEnv(opts), encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ExtensionError(`${what}: git is not installed (or not on PATH); it is needed to fetch extensions. Install git, or vendor the extension under tilt_modules/`);
    if (code === 'ETIMEDOUT') throw new ExtensionError(`${what}: git ${args[0]} timed out`);
    throw new ExtensionError(`${what}: git ${args[0]} failed: ${r.error.message}`);
  }
  if (r.status === 0) return;
  const msg = (r.stderr || r.stdout).trim().split('\n').filter((l) => l.trim()).slice(-2).join(' ');
  if (/Could not resolve host|Failed to connect|Connection refused|Network is unreachable|Connection timed out|unable to access/i.test(msg)) {
    throw new ExtensionError(`${what}: cannot reach the repository (network down or host unreachable): ${msg}`);
  }
  if (/does not exist|not found|does not appear to be a git repository|repository exists/i.test(msg)) {
    throw new ExtensionError(`${what}: repository not found: ${msg}`);
  }
  throw new ExtensionError(`${what}: git ${args[0]} failed: ${msg}`);
}

/** Tilt's record of loaded extensions, next to the Tiltfile: tilt_modules/extensions.json. */
export function recordLoaded(tiltfileDir: string, entry: { name: string; repo: ExtensionRepo; path: string; commit?: string }): void {
  const file = join(tiltfileDir, 'tilt_modules', 'extensions.json');
  let doc: { Extensions: Array<Record<string, string>> } = { Extensions: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Extensions?: unknown };
    if (Array.isArray(parsed.Extensions)) doc = { Extensions: parsed.Extensions as Array<Record<string, string>> };
  } catch { /* first record, or unreadable: start over */ }
  const rec: Record<string, string> = {
    Name: entry.name, ExtensionRegistry: entry.repo.url, Ref: entry.repo.ref, Path: entry.path,
    ...(entry.commit ? { Commit: entry.commit } : {}),
  };
  const prev = doc.Extensions.find((e) => e.Name === entry.name);
  if (prev && ['ExtensionRegistry', 'Ref', 'Path', 'Commit'].every((k) => prev[k] === rec[k])) return;
  doc.Extensions = [...doc.Extensions.filter((e) => e.Name !== entry.name), { ...rec, TimeFetched: new Date().toISOString() }];
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  } catch { /* a read-only workspace still loads */ }
}
