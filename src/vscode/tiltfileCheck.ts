// Produces editor diagnostics for a Tiltfile without running anything with side effects. No 'vscode' import
// (unit-tested). Positions are 1-based, as the loader reports them.
//
// Two levels: the (possibly unsaved) buffer is syntax-checked in-process, which is instant; a full load
// (builtins, load(), k8s_yaml, assembly) runs the real loader with trusted=false on the buffer's text in a child
// process with a heap limit (childLoader.ts): an untrusted repository can exhaust memory or abort V8 there,
// and the extension host only sees a diagnostic.
import { parse } from '../starlark/parser';
import { StarlarkError } from '../starlark/errors';
import { loadTiltfileInChild } from '../tiltfile/childLoader';
import type { Diagnostic } from '../tiltfile/plan';

export type EditorSeverity = 'error' | 'warning' | 'info';
export interface EditorDiagnostic extends Omit<Diagnostic, 'severity'> {
  severity: EditorSeverity;
}

export interface CheckOptions {
  /** Run the full loader too (on the buffer's text, saved or not), not only the syntax check. */
  full: boolean;
  /** Tiltfile args (`innerloop.tiltArgs`), seen by config.parse(). */
  args: string[];
  /** Whether the workspace is trusted: decides how "disabled in an untrusted workspace" notes are shown. */
  workspaceTrusted: boolean;
  /** Script that serves as the loader child (dist/cli.js); without it only syntax is checked. */
  workerScript?: string;
  /** Node flags for the child (tests run it from TypeScript with ['--import', 'tsx']). */
  execArgv?: string[];
  /** Heap limit of the loader child (default EDITOR_HEAP_MB). */
  maxHeapMb?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Checking runs on every pause in typing: a smaller heap than a real load, so a runaway Tiltfile dies sooner. */
export const EDITOR_HEAP_MB = 512;

const UNTRUSTED_REFUSAL = /is disabled in an untrusted workspace$/;

export function syntaxCheck(path: string, text: string): EditorDiagnostic[] {
  try {
    parse(text, path);
    return [];
  } catch (e) {
    if (e instanceof StarlarkError) {
      return [{ severity: 'error', message: e.shortMessage, pos: { file: e.pos.file, line: e.pos.line, col: e.pos.col } }];
    }
    // A RangeError from a pathologically nested buffer ("f(" * 1500) is still the buffer's fault: say so.
    const why = e instanceof RangeError ? 'the Tiltfile is nested too deeply to parse' : `cannot parse: ${(e as Error).message}`;
    return [{ severity: 'error', message: why, pos: { file: path, line: 1, col: 1 } }];
  }
}

export async function checkTiltfile(path: string, text: string, opts: CheckOptions): Promise<EditorDiagnostic[]> {
  const syntax = syntaxCheck(path, text);
  if (syntax.length || !opts.full || !opts.workerScript) return syntax;
  const r = await loadTiltfileInChild(
    path,
    // The buffer's text, saved or not; files it reads still come from disk.
    // A trusted workspace may fetch ext:// repos (as Up would), so the check sees what Up will load.
    { trusted: false, fetchExtensions: opts.workspaceTrusted, args: opts.args, subcommand: 'up', source: text },
    {
      childScript: opts.workerScript, timeoutMs: opts.timeoutMs ?? 15_000, maxHeapMb: opts.maxHeapMb ?? EDITOR_HEAP_MB,
      ...(opts.execArgv ? { execArgv: opts.execArgv } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
  return mapLoadDiagnostics(r.diagnostics, opts.workspaceTrusted);
}

/**
 * The editor always loads untrusted, so command builtins (local, helm, kustomize) are refused. In a trusted
 * workspace that is our choice, not the user's problem: hide the note. In an untrusted one, say it as info.
 */
export function mapLoadDiagnostics(diags: Diagnostic[], workspaceTrusted: boolean): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  for (const d of diags) {
    if (UNTRUSTED_REFUSAL.test(d.message)) {
      if (!workspaceTrusted) out.push({ ...d, severity: 'info', message: `${d.message}: not run while checking` });
      continue;
    }
    out.push(d);
  }
  return out;
}
