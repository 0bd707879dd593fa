// .dockerignore matching with Docker's semantics (moby patternmatcher), used for build contexts and for
// watch ignores (.tiltignore, watch_settings, docker_build ignore/only all use the same syntax in Tilt):
//  - patterns are relative to the context root; a leading "/" is dropped; paths are cleaned ("a/./b" = "a/b")
//  - "*" and "?" never cross "/", "**" spans any number of directories (also zero), "[...]" classes, "\" escapes
//  - a pattern matches a path if it matches the path itself or any of its parent directories
//  - "!" re-includes; the last matching pattern wins
// Unlike .gitignore, a bare name like "foo" only matches at the root, not at any depth.

import * as path from 'node:path';

interface CompiledPattern {
  /** Cleaned pattern text without the "!". */
  text: string;
  exclusion: boolean;
  re: RegExp;
  /** One regexp per "/"-separated component, or null for a "**" component (used to decide dir skipping). */
  parts: (RegExp | null)[];
}

/** A .dockerignore-syntax pattern Docker would reject; the message names the file and line when known. */
export class DockerignoreSyntaxError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(message);
    this.name = 'DockerignoreSyntaxError';
  }
}

/**
 * Parse .dockerignore file contents into patterns (comments and blank lines dropped, cleaned). A pattern Docker
 * rejects ("syntax error in pattern") throws a DockerignoreSyntaxError naming `source` and the 1-based line.
 */
export function parseDockerignore(text: string, source = '.dockerignore'): string[] {
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const rawLine = lines[i];
    if (rawLine.startsWith('#')) continue;
    let line = rawLine.trim();
    if (line === '') continue;
    const invert = line.startsWith('!');
    if (invert) line = line.slice(1).trim();
    if (line.length > 0) {
      line = cleanPath(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    const problem = globSyntaxError(line);
    if (problem) throw new DockerignoreSyntaxError(`${source}:${i + 1}: invalid pattern "${rawLine.trim()}": ${problem}`, source, i + 1);
    out.push(invert ? '!' + line : line);
  }
  return out;
}

/**
 * Why Docker would reject this glob (it validates every pattern with Go's filepath.Match syntax), or undefined:
 * a trailing "\\", an unclosed "[", an empty class, a class starting with "-" or a range whose ends are out of order.
 */
export function globSyntaxError(pattern: string): string | undefined {
  const chars = [...pattern];
  let i = 0;
  /** One class character (maybe escaped); undefined at a "-" or "]" that cannot start an item. */
  const classChar = (): string | undefined => {
    const c = chars[i];
    if (c === undefined || c === '-' || c === ']') return undefined;
    if (c === '\\') {
      i++;
      if (chars[i] === undefined) return undefined;
    }
    return chars[i++];
  };
  while (i < chars.length) {
    const c = chars[i++];
    if (c === '\\') {
      if (i >= chars.length) return 'it ends with an unfinished escape "\\"';
      i++;
    } else if (c === '[') {
      if (chars[i] === '^') i++;
      let items = 0;
      for (;;) {
        if (chars[i] === ']' && items > 0) {
          i++;
          break;
        }
        if (i >= chars.length) return 'a character class "[" is not closed';
        const lo = classChar();
        if (lo === undefined) return `a character class has an unexpected "${chars[i] ?? ''}"`;
        let hi = lo;
        if (chars[i] === '-') {
          i++;
          const h = classChar();
          if (h === undefined) return 'a character range has no end';
          hi = h;
        }
        if ((hi.codePointAt(0) ?? 0) < (lo.codePointAt(0) ?? 0)) return `the character range ${lo}-${hi} is out of order`;
        items++;
      }
    }
  }
  return undefined;
}

/** Like Go's filepath.Clean for slash paths: collapse "//", ".", "..", drop a trailing "/"; "" -> ".". */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  if (abs) return '/' + joined;
  return joined === '' ? '.' : joined;
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** Translate one Docker glob into a regexp source (without anchors). */
function globToRegex(pattern: string): string {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++; // "**/" behaves like "**"
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      i++;
      if (i < pattern.length) re += escapeChar(pattern[i]);
    } else if (ch === '[') {
      // Character class (validated by globSyntaxError). Go uses "^" for negation; "!" is passed through as "^" too.
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^' || pattern[j] === '!') {
        cls = '^';
        j++;
      }
      // Validated: the first unescaped "]" after at least one item closes the class.
      for (let first = true; j < pattern.length && !(pattern[j] === ']' && !first); j++, first = false) {
        if (pattern[j] === '-') cls += '-';
        else if (pattern[j] === '\\') cls += classEscape(pattern[++j] ?? '');
        else cls += classEscape(pattern[j]);
      }
      re += '[' + cls + ']';
      i = j;
    } else {
      re += escapeChar(ch);
    }
  }
  return re;
}

function classEscape(ch: string): string {
  return /[A-Za-z0-9]/.test(ch) ? ch : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;
}

function escapeChar(ch: string): string {
  return REGEX_SPECIAL.has(ch) || ch === '\\' || ch === '^' || ch === '[' || ch === ']' || ch === '*' || ch === '?' ? '\\' + ch : ch;
}

function compile(raw: string): CompiledPattern | undefined {
  let p = raw.trim();
  if (p === '') return undefined;
  const exclusion = p.startsWith('!');
  if (exclusion) p = p.slice(1);
  if (p === '') return undefined;
  p = cleanPath(p);
  if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
  const problem = globSyntaxError(p);
  if (problem) throw new DockerignoreSyntaxError(`invalid pattern "${raw.trim()}": ${problem}`);
  return {
    text: p,
    exclusion,
    re: new RegExp('^' + globToRegex(p) + '$', 'u'),
    parts: p.split('/').map((c) => (c === '**' ? null : new RegExp('^' + globToRegex(c) + '$', 'u'))),
  };
}

export class DockerIgnoreMatcher {
  private readonly patterns: CompiledPattern[];
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map(compile).filter((p): p is CompiledPattern => p !== undefined);
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Is this context-relative, "/"-separated path excluded? */
  matches(relPath: string): boolean {
    const file = cleanPath(relPath);
    const parents = file.split('/');
    parents.pop();
    let matched = false;
    for (const pat of this.patterns) {
      // An exclusion can only flip a matched path back, an inclusion only an unmatched one.
      if (pat.exclusion !== matched) continue;
      let hit = pat.re.test(file);
      for (let i = 1; !hit && i <= parents.length; i++) hit = pat.re.test(parents.slice(0, i).join('/'));
      if (hit) matched = !pat.exclusion;
    }
    return matched;
  }

  /**
   * Can a walk skip this excluded directory entirely? Only if no "!" pattern could re-include something in it.
   * Conservative: a "**" component in an exception before the directory's depth means "maybe".
   */
  canSkipDir(relDir: string): boolean {
    if (!this.matches(relDir)) return false;
    if (!this.hasExclusions) return true;
    const dirParts = cleanPath(relDir).split('/');
    return !this.patterns.some((p) => p.exclusion && prefixCouldMatch(p.parts, dirParts));
  }
}

function prefixCouldMatch(parts: (RegExp | null)[], dirParts: string[]): boolean {
  for (let i = 0; i < dirParts.length; i++) {
    const part = parts[i];
    if (part === undefined) return false; // the exception names this dir's ancestor only
    if (part === null) return true; // "**" can reach anything below
    if (!part.test(dirParts[i])) return false;
  }
  return true;
}

/**
 * A matcher rooted at an absolute directory: answers for absolute paths; paths outside the root never match.
 */
export class RootedDockerIgnore {
  private readonly matcher: DockerIgnoreMatcher;
  constructor(readonly root: string, patterns: readonly string[]) {
    this.matcher = new DockerIgnoreMatcher(patterns);
  }

  get empty(): boolean {
    return this.matcher.empty;
  }

  matches(absPath: string): boolean {
    const rel = path.relative(this.root, absPath);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
    return this.matcher.matches(rel.split(path.sep).join('/'));
  }
}

/** `only` patterns as dockerignore patterns: exclude everything, then re-include each listed path. */
export function onlyToDockerignore(only: readonly string[]): string[] {
  if (only.length === 0) return [];
  return ['**', ...only.map((o) => '!' + o)];
}
