// Where the container runs the user's files: local → remote path pairs taken from the Tiltfile's sync() steps, so a
// breakpoint set in the local file binds to the code running at another path in the container. Pure (no 'vscode',
// no fs): the caller passes the Dockerfile text for the WORKDIR fallback. Emitted per runtime by debugTargets.ts.
import type { DockerBuildTarget, ImageTarget, Plan } from '../../tiltfile/plan';

export interface SourceMapping {
  /** Local path as the Plan has it (absolute; may be a Windows path). */
  local: string;
  /** Absolute POSIX path in the container. */
  remote: string;
  /** A sync() step, or the build context → WORKDIR fallback. */
  origin: 'sync' | 'workdir';
}

/** Path segments, whichever separator the path uses ("C:\a\b" and "/a/b" both work). */
function segments(p: string): string[] {
  return p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

/** Local paths compare case-insensitively on Windows-style (drive letter) paths, exactly elsewhere. */
function isWindowsPath(p: string): boolean {
  return /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function sameLocal(a: string, b: string, windows: boolean): boolean {
  return windows ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** The path without a trailing separator (but "/" and "C:\" stay roots). */
function trimSep(p: string): string {
  const t = p.replace(/[\\/]+$/, '');
  if (t === '') return p.slice(0, 1) || p;
  if (/^[a-zA-Z]:$/.test(t)) return t + (p.includes('\\') ? '\\' : '/');
  return t;
}

/** `p` without its last `n` segments, keeping its own separators and drive. */
function dropTrailing(p: string, n: number): string {
  let s = trimSep(p);
  for (let i = 0; i < n; i++) s = s.slice(0, Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')));
  return s;
}

/** Joins a remote (container) path onto a base, POSIX style; absolute `p` wins. */
export function remoteJoin(base: string, p: string): string {
  const parts = p.startsWith('/') ? [] : segments(base);
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return '/' + parts.join('/');
}

/** The images a resource runs, then (transitively) the images their builds depend on; each once. */
export function resourceImages(plan: Plan, resource: string): ImageTarget[] {
  const r = plan.resources.find((x) => x.name === resource);
  const refs = r && 'imageRefs' in r ? [...r.imageRefs] : [];
  const out: ImageTarget[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const img = plan.images.find((x) => x.ref === ref || x.matchName === ref);
    if (!img) continue;
    out.push(img);
    refs.push(...img.imageDeps);
  }
  return out;
}

/** The live-update steps a resource applies: its images' and, for k8s_custom_deploy, its own. */
function syncSteps(plan: Plan, resource: string): Array<{ localPath: string; remotePath: string }> {
  const r = plan.resources.find((x) => x.name === resource);
  const steps = resourceImages(plan, resource).flatMap((img) => img.liveUpdate);
  if (r?.type === 'k8s_custom_deploy') steps.push(...r.liveUpdate);
  return steps.flatMap((s) => (s.kind === 'sync' ? [{ localPath: s.localPath, remotePath: s.remotePath }] : []));
}

/**
 * local → remote mappings for a resource, most specific (deepest local path) first, so a nested sync wins over
 * the one that contains it. Without any sync: each docker_build's context → its final stage's WORKDIR.
 * `dockerfileText` returns an image's Dockerfile (or undefined when it cannot be read).
 */
export function sourceMappings(plan: Plan, resource: string, dockerfileText: (img: DockerBuildTarget) => string | undefined = () => undefined): SourceMapping[] {
  const out: SourceMapping[] = [];
  for (const s of syncSteps(plan, resource)) {
    const local = trimSep(s.localPath);
    const windows = isWindowsPath(local);
    // The first sync of a local path wins (the resource's own image comes before the images it depends on).
    if (out.some((m) => sameLocal(m.local, local, windows))) continue;
    out.push({ local, remote: trimSep(remoteJoin('/', s.remotePath)), origin: 'sync' });
  }
  if (out.length === 0) {
    for (const img of resourceImages(plan, resource)) {
      if (img.kind !== 'docker_build') continue;
      const text = img.dockerfileContents ?? dockerfileText(img);
      const wd = text === undefined ? undefined : finalWorkdir(text, img.target);
      if (wd) out.push({ local: trimSep(img.context), remote: wd, origin: 'workdir' });
    }
  }
  // Stable sort: deeper local paths first; equal depth keeps Tiltfile order.
  return out.map((m, i) => ({ m, i, d: segments(m.local).length })).sort((a, b) => b.d - a.d || a.i - b.i).map((x) => x.m);
}

/**
 * The WORKDIR the final stage (or `target`) of a Dockerfile runs in, or undefined when the Dockerfile does not say
 * (it would be the base image's). Follows `FROM <earlier stage>`, relative WORKDIRs, line continuations and
 * comments; a WORKDIR using a variable gives undefined (its value is only known at build time).
 */
export function finalWorkdir(dockerfile: string, target?: string): string | undefined {
  const escape = /^#\s*escape\s*=\s*`/m.test(dockerfile.split('\n').slice(0, 5).join('\n')) ? '`' : '\\';
  const lines: string[] = [];
  let pending = '';
  for (const raw of dockerfile.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) && pending === '') continue;
    if (/^\s*#/.test(line)) continue; // comments inside a continued instruction are dropped, as Docker does
    if (line.endsWith(escape)) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  if (pending) lines.push(pending);
  const stages: Array<{ name?: string; workdir?: string }> = [];
  for (const line of lines) {
    const m = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const base = words[0]?.toLowerCase();
      const asAt = words.findIndex((w) => w.toLowerCase() === 'as');
      const parent = stages.find((s) => s.name !== undefined && s.name === base);
      stages.push({ name: asAt >= 0 ? words[asAt + 1]?.toLowerCase() : undefined, workdir: parent?.workdir });
    } else if (op === 'WORKDIR' && stages.length > 0) {
      const stage = stages[stages.length - 1]!;
      const dir = args.replace(/^["']|["']$/g, '');
      stage.workdir = dir.includes('$') ? undefined : remoteJoin(stage.workdir ?? '/', dir);
    }
  }
  const chosen = target ? stages.find((s) => s.name === target.toLowerCase()) : stages[stages.length - 1];
  return chosen?.workdir;
}

/**
 * The one localRoot/remoteRoot pair Node's debugger takes. A sync of a file or subfolder whose name is the same on
 * both sides (`sync('frontend/server.js', '/app/server.js')`) says its parents correspond (`frontend` ↔ `/app`); the
 * pair most syncs agree with wins (ties: the most specific). The remote root never shrinks to "/".
 */
export function nodeRoots(mappings: readonly SourceMapping[]): { localRoot: string; remoteRoot: string } | undefined {
  if (mappings.length === 0) return undefined;
  const candidates = mappings.map((m) => {
    const l = segments(m.local);
    const r = segments(m.remote);
    let n = 0;
    while (n < l.length - 1 && n < r.length - 1 && l[l.length - 1 - n] === r[r.length - 1 - n]) n++;
    return { localRoot: dropTrailing(m.local, n), remoteRoot: '/' + r.slice(0, r.length - n).join('/'), l: l.slice(0, l.length - n), r: r.slice(0, r.length - n) };
  });
  const agrees = (c: (typeof candidates)[number], m: SourceMapping): boolean => {
    const l = segments(m.local);
    const r = segments(m.remote);
    if (l.length < c.l.length || r.length < c.r.length) return false;
    const windows = isWindowsPath(m.local);
    if (!c.l.every((s, i) => sameLocal(s, l[i]!, windows)) || !c.r.every((s, i) => s === r[i])) return false;
    const lr = l.slice(c.l.length);
    const rr = r.slice(c.r.length);
    return lr.length === rr.length && lr.every((s, i) => s === rr[i]);
  };
  let best = candidates[0]!;
  let bestScore = -1;
  for (const c of candidates) {
    const score = mappings.filter((m) => agrees(c, m)).length;
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return { localRoot: best.localRoot, remoteRoot: best.remoteRoot };
}
