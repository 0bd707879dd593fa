// The image references a Dockerfile names in `FROM` and `COPY --from=` (after ARG / build-arg substitution, as
// the Docker builder expands them), and rewriting those references to other refs. Tilt uses the first to make an
// image built FROM another Tiltfile image depend on it, and the second to build the child FROM the exact ref just
// built (instead of whatever `name:latest` happens to be around). Pure: text in, text out. Lives in shared because
// both the loader (assembly) and the engine (the build) use it; src/engine/build/dockerfileRefs.ts adds the engine's
// matching of references to built images.

export interface DockerfileImageRef {
  /** The reference after substitution, e.g. `localhost:5000/base:dev`. */
  ref: string;
  /** 1-based line of the instruction (its first physical line). */
  line: number;
  instruction: 'FROM' | 'COPY';
}

interface Instruction {
  /** Physical line range [first, last] (0-based) the logical instruction spans. */
  first: number;
  last: number;
  keyword: string;
  /** Words after the keyword (whitespace-split, continuation lines joined). */
  words: string[];
}

/** Logical instructions: comments and blank lines dropped, `\` (or the `# escape=` char) continuations joined. */
function instructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives are comments at the very top, before any other line.
  for (const l of lines) {
    const m = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
  }
  const out: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = i;
    let body = '';
    for (;;) {
      const raw = lines[i] ?? '';
      i++;
      // Comment lines inside a continuation are skipped, as the Docker parser does.
      if (/^\s*#/.test(raw)) { if (body === '' || i >= lines.length) break; continue; }
      const trimmed = raw.replace(/\s+$/, '');
      if (trimmed.endsWith(escape) && i < lines.length) { body += trimmed.slice(0, -1) + ' '; continue; }
      body += raw;
      break;
    }
    const t = body.trim();
    if (t === '' || t.startsWith('#')) continue;
    const words = t.split(/\s+/);
    out.push({ first, last: i - 1, keyword: words[0]!.toUpperCase(), words: words.slice(1) });
  }
  return out;
}

/** Expands `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}` (Dockerfile rules). */
export function expandArgs(word: string, vars: ReadonlyMap<string, string | undefined>): string {
  return word.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, braced: string | undefined, op: string | undefined, alt: string | undefined, bare: string | undefined) => {
      if (m === '\\$') return '$';
      const name = braced ?? bare!;
      const set = vars.has(name) && vars.get(name) !== undefined;
      const v = vars.get(name) ?? '';
      if (!op) return v;
      const nonEmpty = op.startsWith(':') ? set && v !== '' : set;
      if (op.endsWith('-')) return nonEmpty ? v : expandArgs(alt ?? '', vars);
      return nonEmpty ? expandArgs(alt ?? '', vars) : '';
    });
}

/** `ARG a=1 b` -> [['a','1'], ['b', undefined]]; quotes around a default are dropped. */
function argDecls(words: string[]): Array<[string, string | undefined]> {
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return [w, undefined];
    return [w.slice(0, eq), w.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2')];
  });
}

interface Located extends DockerfileImageRef {
  inst: Instruction;
  /** Index in inst.words of the word holding the ref (the image, or the `--from=` flag). */
  word: number;
}

/**
 * Walks the Dockerfile like the builder: global ARGs (before the first FROM) feed FROM lines, each stage sees the
 * ARGs it (re)declares; build args override declared defaults. Stage names (`AS x`) and stage indexes are not
 * images. Returns every other FROM / COPY --from reference with where it is.
 */
function locate(text: string, buildArgs: Readonly<Record<string, string>>): Located[] {
  const out: Located[] = [];
  const global = new Map<string, string | undefined>();
  let stage: Map<string, string | undefined> | undefined;
  const stages = new Set<string>();
  const value = (name: string, dflt: string | undefined): string | undefined =>
    Object.prototype.hasOwnProperty.call(buildArgs, name) ? buildArgs[name] : dflt;
  for (const inst of instructions(text)) {
    const line = inst.first + 1;
    if (inst.keyword === 'ARG') {
      for (const [name, dflt] of argDecls(inst.words)) {
        if (!stage) { global.set(name, value(name, dflt === undefined ? undefined : expandArgs(dflt, global))); continue; }
        // A stage's `ARG NAME` without a default inherits the global one.
        const d = dflt === undefined ? global.get(name) : expandArgs(dflt, stage);
        stage.set(name, value(name, d));
      }
      continue;
    }
    if (inst.keyword === 'FROM') {
      const idx = inst.words.findIndex((w) => !w.startsWith('--'));
      stage = new Map();
      if (idx < 0) continue;
      const ref = expandArgs(inst.words[idx]!, global);
      const as = inst.words[idx + 1]?.toLowerCase() === 'as' ? inst.words[idx + 2] : undefined;
      if (ref && !stages.has(ref.toLowerCase()) && ref.toLowerCase() !== 'scratch') out.push({ ref, line, instruction: 'FROM', inst, word: idx });
      if (as) stages.add(as.toLowerCase());
      continue;
    }
    if (inst.keyword === 'COPY') {
      for (let w = 0; w < inst.words.length && inst.words[w]!.startsWith('--'); w++) {
        const m = /^--from=(.*)$/i.exec(inst.words[w]!);
        if (!m) continue;
        const ref = expandArgs(m[1]!, stage ?? global);
        if (ref && !/^\d+$/.test(ref) && !stages.has(ref.toLowerCase())) out.push({ ref, line, instruction: 'COPY', inst, word: w });
      }
    }
  }
  return out;
}

/** The images a Dockerfile builds FROM or copies from, after ARG/build_args substitution. */
export function dockerfileImageRefs(text: string, buildArgs: Readonly<Record<string, string>> = {}): DockerfileImageRef[] {
  return locate(text, buildArgs).map(({ ref, line, instruction }) => ({ ref, line, instruction }));
}

/**
 * Rewrites FROM / COPY --from references: `replace(ref)` returns the new ref or undefined to keep it. A rewritten
 * instruction becomes one line with the substituted ref (ARG expressions in it are resolved), padded with empty
 * lines so every later line keeps its number (build errors still point at the user's lines).
 */
export function rewriteDockerfileRefs(text: string, buildArgs: Readonly<Record<string, string>>, replace: (ref: string) => string | undefined): string {
  const hits = locate(text, buildArgs);
  const edits = new Map<Instruction, Map<number, string>>();
  for (const h of hits) {
    const to = replace(h.ref);
    if (to === undefined || to === h.ref && !h.inst.words[h.word]!.includes('$')) continue;
    const words = edits.get(h.inst) ?? new Map<number, string>();
    words.set(h.word, h.instruction === 'FROM' ? to : `--from=${to}`);
    edits.set(h.inst, words);
  }
  if (edits.size === 0) return text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  for (const [inst, words] of edits) {
    const keyword = /^\s*(\S+)/.exec(lines[inst.first]!)?.[1] ?? inst.keyword;
    const rebuilt = [keyword, ...inst.words.map((w, i) => words.get(i) ?? w)].join(' ');
    for (let l = inst.first; l <= inst.last; l++) lines[l] = l === inst.first ? rebuilt : '';
  }
  return lines.join(nl);
}
