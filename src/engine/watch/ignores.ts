// Which file changes each watch target ignores. All user patterns use .dockerignore syntax, as in Tilt:
// .tiltignore and watch_settings(ignore) are relative to the Tiltfile directory; docker_build ignore/only and the
// context's .dockerignore (or <Dockerfile>.dockerignore) are relative to the build context.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerIgnoreMatcher, DockerignoreSyntaxError, globSyntaxError, onlyToDockerignore, parseDockerignore } from '../dockerignore';
import { isEphemeral } from './ephemeral';

export interface PathFilter {
  /** Should a change to this absolute path be ignored? */
  ignores(absPath: string): boolean;
  /** Can a watcher skip this whole directory (nothing below it can be un-ignored)? */
  canSkipDir(absPath: string): boolean;
}

export const NO_IGNORE: PathFilter = { ignores: () => false, canSkipDir: () => false };

/** Dockerignore patterns applied below `root`; paths outside the root are not ignored. */
export function patternFilter(root: string, patterns: readonly string[]): PathFilter {
  // A pattern Docker rejects fails the build with a clear error; the watcher must not die of it, so it skips it.
  const valid = patterns.filter((p) => globSyntaxError(p.replace(/^!/, '').trim()) === undefined);
  if (valid.length === 0) return NO_IGNORE;
  const m = new DockerIgnoreMatcher(valid);
  const rel = (p: string): string | undefined => {
    const r = path.relative(root, p);
    if (r === '' || r.startsWith('..') || path.isAbsolute(r)) return undefined;
    return r.split(path.sep).join('/');
  };
  return {
    ignores: (p) => {
      const r = rel(p);
      return r !== undefined && m.matches(r);
    },
    canSkipDir: (p) => {
      const r = rel(p);
      return r !== undefined && m.canSkipDir(r);
    },
  };
}

/** Ignored if any filter ignores it. */
export function anyOf(filters: readonly PathFilter[]): PathFilter {
  const fs2 = filters.filter((f) => f !== NO_IGNORE);
  if (fs2.length === 0) return NO_IGNORE;
  if (fs2.length === 1) return fs2[0];
  return {
    ignores: (p) => fs2.some((f) => f.ignores(p)),
    canSkipDir: (p) => fs2.some((f) => f.canSkipDir(p)),
  };
}

/** Editor temp files and .git. */
export const EPHEMERAL_FILTER: PathFilter = {
  ignores: isEphemeral,
  canSkipDir: (p) => path.basename(p) === '.git',
};

/** Ignore files bigger than this are refused (a .tiltignore symlinked to /dev/zero must not hang or exhaust memory). */
const MAX_IGNORE_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Read a dockerignore-syntax file; a missing file is no patterns. A pattern Docker rejects throws a
 * DockerignoreSyntaxError naming the file and line; so does a special or huge file.
 */
export function readIgnoreFile(file: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  if (!st.isFile()) throw new DockerignoreSyntaxError(`${file}: not a regular file`, file);
  if (st.size > MAX_IGNORE_FILE_BYTES) throw new DockerignoreSyntaxError(`${file}: too large for an ignore file (${st.size} bytes)`, file);
  return parseDockerignore(fs.readFileSync(file, 'utf8'), file);
}

/** readIgnoreFile for the watcher: an unreadable or invalid file contributes no patterns (the build reports it). */
function readIgnoreFileLenient(file: string): string[] {
  try {
    return readIgnoreFile(file);
  } catch {
    return [];
  }
}

/** Docker's choice of ignore file: `<Dockerfile>.dockerignore` next to the Dockerfile wins over `<context>/.dockerignore`. */
export function contextIgnoreFile(context: string, dockerfile?: string): string | undefined {
  if (dockerfile) {
    const specific = dockerfile + '.dockerignore';
    if (fs.existsSync(specific)) return specific;
  }
  const generic = path.join(context, '.dockerignore');
  return fs.existsSync(generic) ? generic : undefined;
}

/** The session-wide filter: .tiltignore + watch_settings(ignore) + editor temp files + .git. */
export function sessionFilter(tiltfileDir: string, watchIgnore: readonly string[]): PathFilter {
  const patterns = [...readIgnoreFileLenient(path.join(tiltfileDir, '.tiltignore')), ...watchIgnore];
  return anyOf([EPHEMERAL_FILTER, patternFilter(tiltfileDir, patterns)]);
}

/** Options for dockerBuildPatternSets. */
export interface BuildContextOptions {
  /** The main Tiltfile: never part of a build context (as in Tilt), so editing it does not rebuild images. */
  tiltfile?: string;
  /** For the watcher: an invalid ignore file or pattern contributes nothing instead of throwing. */
  lenient?: boolean;
}

/**
 * A docker_build's own ignores as independent pattern sets (a path is excluded if ANY set excludes it, so a
 * "!" exception in .dockerignore cannot re-include what `only` left out): `only=`, the context .dockerignore,
 * `ignore=`, and what Tilt always leaves out (the Tiltfile, and `.git` when the context is a git repository's
 * root). All relative to the context. Invalid patterns throw a DockerignoreSyntaxError naming their source
 * unless `lenient`.
 */
export function dockerBuildPatternSets(
  context: string,
  dockerfile: string | undefined,
  ignorePatterns: readonly string[],
  only: readonly string[],
  opts: BuildContextOptions = {},
): string[][] {
  const file = contextIgnoreFile(context, dockerfile);
  const fromFile = !file ? [] : opts.lenient ? readIgnoreFileLenient(file) : readIgnoreFile(file);
  const checked = (patterns: readonly string[], source: string): string[] => {
    const out: string[] = [];
    for (const p of patterns) {
      const problem = globSyntaxError(p.replace(/^!/, '').trim());
      if (problem === undefined) out.push(p);
      else if (!opts.lenient) throw new DockerignoreSyntaxError(`${source}: invalid pattern "${p}": ${problem}`);
    }
    return out;
  };
  return [
    onlyToDockerignore(checked(only, 'docker_build(only=...)')),
    fromFile,
    checked(ignorePatterns, 'docker_build(ignore=...)'),
    alwaysExcluded(context, opts.tiltfile),
  ].filter((s) => s.length > 0);
}

/** Escape a literal path for dockerignore syntax. */
function literalPattern(rel: string): string {
  return rel.replace(/[*?[\\\]]/g, '\\$&');
}

/** Tilt's fixed exclusions for a context: the Tiltfile inside it, and `.git` of the repository rooted at it. */
export function alwaysExcluded(context: string, tiltfile: string | undefined): string[] {
  const out: string[] = [];
  if (tiltfile) {
    const rel = path.relative(context, tiltfile);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) out.push(literalPattern(rel.split(path.sep).join('/')));
  }
  // A context below the repository root cannot contain the root's .git; one at the root can (a dir, or a file
  // for worktrees and submodules).
  if (fs.existsSync(path.join(context, '.git'))) out.push('.git');
  return out;
}
