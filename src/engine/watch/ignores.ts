// Which file changes each watch target ignores. All user patterns use .dockerignore syntax, as in Tilt:
// .tiltignore and watch_settings(ignore) are relative to the Tiltfile directory; docker_build ignore/only and the
// context's .dockerignore (or <Dockerfile>.dockerignore) are relative to the build context.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerIgnoreMatcher, onlyToDockerignore, parseDockerignore } from '../dockerignore';
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
  if (patterns.length === 0) return NO_IGNORE;
  const m = new DockerIgnoreMatcher(patterns);
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

/** Read a dockerignore-syntax file; a missing file is no patterns. */
export function readIgnoreFile(file: string): string[] {
  try {
    return parseDockerignore(fs.readFileSync(file, 'utf8'));
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
  const patterns = [...readIgnoreFile(path.join(tiltfileDir, '.tiltignore')), ...watchIgnore];
  return anyOf([EPHEMERAL_FILTER, patternFilter(tiltfileDir, patterns)]);
}

/**
 * A docker_build's own ignores as independent pattern sets (a path is excluded if ANY set excludes it, so a
 * "!" exception in .dockerignore cannot re-include what `only` left out): `only=`, the context .dockerignore,
 * `ignore=`. All relative to the context.
 */
export function dockerBuildPatternSets(context: string, dockerfile: string | undefined, ignorePatterns: readonly string[], only: readonly string[]): string[][] {
  const file = contextIgnoreFile(context, dockerfile);
  return [onlyToDockerignore(only), file ? readIgnoreFile(file) : [], [...ignorePatterns]].filter((s) => s.length > 0);
}
