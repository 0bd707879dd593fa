// Maps Tiltfile check results onto a DiagnosticCollection. On open and (debounced) on every change, the
// buffer is syntax-checked and then, when that passes, fully loaded from its unsaved text (trusted=false, in a
// child process with a heap limit, so a hostile repository cannot crash the extension host; a newer change
// cancels the older load). Never executes the Tiltfile's side effects, so it also runs in
// untrusted workspaces.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './ctx';
import { checkTiltfile, type EditorDiagnostic } from './tiltfileCheck';
import { looksLikeTiltfile } from './tiltfilePath';

export interface TiltfileDiagnostics {
  /** Re-checks every open Tiltfile document now. */
  recheckAll(): Promise<void>;
}

export function registerDiagnostics(ctx: Ctx): TiltfileDiagnostics {
  const collection = ctx.push(vscode.languages.createDiagnosticCollection('tiltfile'));
  const timers = new Map<string, NodeJS.Timeout>();
  // Newest check per document wins: an older one is aborted and its late result dropped.
  const running = new Map<string, AbortController>();
  // Other files (loaded .star, YAML) that a document's last load reported on, to clear next time.
  const related = new Map<string, vscode.Uri[]>();
  const loader = join(ctx.extCtx.extensionPath, 'dist', 'tiltfile-loader.js');
  const workerScript = existsSync(loader) ? loader : undefined;
  if (!workerScript) ctx.log.warn(`no ${loader}: Tiltfile diagnostics are syntax-only`);
  ctx.push({
    dispose: () => {
      timers.forEach((t) => clearTimeout(t));
      running.forEach((a) => a.abort());
    },
  });

  const isTiltfile = (doc: vscode.TextDocument): boolean =>
    doc.uri.scheme === 'file' && (doc.languageId === 'tiltfile' || looksLikeTiltfile(doc.uri.fsPath));

  const check = async (doc: vscode.TextDocument): Promise<void> => {
    const key = doc.uri.toString();
    running.get(key)?.abort();
    const abort = new AbortController();
    running.set(key, abort);
    const started = Date.now();
    try {
      const diags = await checkTiltfile(doc.uri.fsPath, doc.getText(), {
        full: true,
        args: ctx.settings.tiltArgs,
        workspaceTrusted: vscode.workspace.isTrusted,
        ...(workerScript ? { workerScript } : {}),
        signal: abort.signal,
      });
      if (abort.signal.aborted || doc.isClosed) return;
      publish(doc, diags);
      ctx.log.debug(`checked ${doc.uri.fsPath}${doc.isDirty ? ' (unsaved)' : ''}: ${diags.length} diagnostics in ${Date.now() - started} ms`);
    } catch (e) {
      ctx.log.error(`checking ${doc.uri.fsPath} failed`, e);
    } finally {
      if (running.get(key) === abort) running.delete(key);
    }
  };

  const publish = (doc: vscode.TextDocument, diags: EditorDiagnostic[]): void => {
    const key = doc.uri.toString();
    for (const u of related.get(key) ?? []) collection.delete(u);
    const byFile = new Map<string, vscode.Diagnostic[]>([[doc.uri.fsPath, []]]);
    for (const d of diags) {
      const file = d.pos?.file ?? doc.uri.fsPath;
      const list = byFile.get(file) ?? [];
      list.push(toVscode(d, file === doc.uri.fsPath ? doc : undefined));
      byFile.set(file, list);
    }
    const others: vscode.Uri[] = [];
    for (const [file, list] of byFile) {
      const uri = vscode.Uri.file(file);
      collection.set(uri, list);
      if (file !== doc.uri.fsPath) others.push(uri);
    }
    related.set(key, others);
  };

  const schedule = (doc: vscode.TextDocument): void => {
    if (!isTiltfile(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void check(doc);
      }, ctx.settings.debounceMs),
    );
  };

  ctx.push(vscode.workspace.onDidOpenTextDocument((d) => (isTiltfile(d) ? void check(d) : undefined)));
  ctx.push(vscode.workspace.onDidChangeTextDocument((e) => (e.contentChanges.length ? schedule(e.document) : undefined)));
  ctx.push(vscode.workspace.onDidSaveTextDocument((d) => (isTiltfile(d) ? void check(d) : undefined)));
  ctx.push(
    vscode.workspace.onDidCloseTextDocument((d) => {
      const key = d.uri.toString();
      running.get(key)?.abort();
      collection.delete(d.uri);
      for (const u of related.get(key) ?? []) collection.delete(u);
      related.delete(key);
    }),
  );
  const recheckAll = async (): Promise<void> => {
    await Promise.all(vscode.workspace.textDocuments.filter(isTiltfile).map(check));
  };
  void recheckAll();
  return { recheckAll };
}

const SEVERITY: Record<EditorDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toVscode(d: EditorDiagnostic, doc: vscode.TextDocument | undefined): vscode.Diagnostic {
  const diag = new vscode.Diagnostic(rangeOf(d, doc), d.message, SEVERITY[d.severity]);
  diag.source = 'Tiltfile';
  return diag;
}

/** 1-based loader positions → 0-based range; without an explicit end, underline the word (or rest of line). */
function rangeOf(d: EditorDiagnostic, doc: vscode.TextDocument | undefined): vscode.Range {
  if (!d.pos) return new vscode.Range(0, 0, 0, 0);
  // `start` (the callee or argument) when the loader gives a range; `pos` is where Tilt reports the error.
  const from = d.start ?? d.pos;
  const start = new vscode.Position(Math.max(0, from.line - 1), Math.max(0, from.col - 1));
  if (d.end) return new vscode.Range(start, new vscode.Position(Math.max(0, d.end.line - 1), Math.max(0, d.end.col - 1)));
  if (doc && start.line < doc.lineCount) {
    const word = doc.getWordRangeAtPosition(start);
    if (word) return word;
    const line = doc.lineAt(start.line);
    if (start.character < line.range.end.character) return new vscode.Range(start, line.range.end);
  }
  return new vscode.Range(start, start.translate(0, 1));
}
