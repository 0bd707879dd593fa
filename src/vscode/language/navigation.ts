// Go to definition, the outline and local-name / load()-path completion for Tiltfiles: thin translations of
// src/tiltfile/navigation.ts (the pure logic, on the interpreter's own parser) into VS Code types.
import * as vscode from 'vscode';
import {
  bindingOf,
  documentSymbols,
  globalBinding,
  indexSource,
  indexSourceLenient,
  loadPathAt,
  loadPathCandidates,
  namesInScope,
  resolveLoad,
  targetAt,
  type Binding,
  type Pos,
  type SourceIndex,
  type SourceSymbol,
} from '../../tiltfile/navigation';

const toPosition = (p: Pos): vscode.Position => new vscode.Position(p.line, p.character);

/**
 * The last index that parsed, per document version; while a line is half typed the document does not parse,
 * and the previous good tree (positions slightly stale) beats no answer.
 */
export class SourceIndexCache {
  private readonly byUri = new Map<string, { version: number; idx: SourceIndex }>();

  get(doc: vscode.TextDocument, cursorLine?: number): SourceIndex | undefined {
    const key = doc.uri.toString();
    const hit = this.byUri.get(key);
    if (hit && hit.version === doc.version) return hit.idx;
    const text = doc.getText();
    const idx = cursorLine === undefined ? indexSource(text, doc.fileName) : indexSourceLenient(text, cursorLine, doc.fileName);
    if (idx) {
      this.byUri.set(key, { version: doc.version, idx });
      return idx;
    }
    return hit?.idx;
  }

  forget(doc: vscode.TextDocument): void {
    this.byUri.delete(doc.uri.toString());
  }
}

export class TiltfileDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly cache: SourceIndexCache) {}

  async provideDefinition(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Location | undefined> {
    const idx = this.cache.get(doc);
    if (!idx) return undefined;
    const at = { line: position.line, character: position.character };
    const target = targetAt(idx, at);
    if (!target) return undefined;
    if (target.kind === 'module') {
      const file = resolveLoad(target.module, doc.fileName);
      return file ? new vscode.Location(vscode.Uri.file(file), new vscode.Position(0, 0)) : undefined;
    }
    const b = bindingOf(idx, target.name, at);
    if (!b) return undefined; // a builtin or an unknown name
    if (b.kind === 'import') return (await this.imported(b, doc.fileName)) ?? new vscode.Location(doc.uri, toPosition(b.at));
    return new vscode.Location(doc.uri, toPosition(b.at));
  }

  /** Follows a load()ed name to its top-level binding in the loaded file (and on through that file's loads). */
  private async imported(b: Binding, fromFile: string, depth = 0): Promise<vscode.Location | undefined> {
    if (depth > 8 || !b.module || !b.original) return undefined;
    const file = resolveLoad(b.module, fromFile);
    if (!file) return undefined;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const idx = this.cache.get(doc);
    const there = idx && globalBinding(idx, b.original);
    if (!there) return new vscode.Location(doc.uri, new vscode.Position(0, 0));
    if (there.kind === 'import') return (await this.imported(there, file, depth + 1)) ?? new vscode.Location(doc.uri, toPosition(there.at));
    return new vscode.Location(doc.uri, toPosition(there.at));
  }
}

const SYMBOL_KIND: Record<SourceSymbol['kind'], vscode.SymbolKind> = {
  function: vscode.SymbolKind.Function,
  variable: vscode.SymbolKind.Variable,
  import: vscode.SymbolKind.Module,
  resource: vscode.SymbolKind.Object,
  image: vscode.SymbolKind.Package,
};

export class TiltfileSymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly cache: SourceIndexCache) {}

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const idx = this.cache.get(doc);
    return idx ? documentSymbols(idx).map(toSymbol) : [];
  }
}

function toSymbol(s: SourceSymbol): vscode.DocumentSymbol {
  const full = new vscode.Range(toPosition(s.start), toPosition(s.stop));
  const sel = new vscode.Range(toPosition(s.at), toPosition(s.end));
  const sym = new vscode.DocumentSymbol(s.name, s.detail ?? '', SYMBOL_KIND[s.kind], full.union(sel), sel);
  sym.children = s.children.map(toSymbol);
  return sym;
}

const COMPLETION_KIND: Record<Binding['kind'], vscode.CompletionItemKind> = {
  function: vscode.CompletionItemKind.Function,
  parameter: vscode.CompletionItemKind.Variable,
  variable: vscode.CompletionItemKind.Variable,
  import: vscode.CompletionItemKind.Reference,
};

/** Names bound in the file and visible at the cursor, sorted after keyword arguments and before builtins. */
export function localNameItems(cache: SourceIndexCache, doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
  const idx = cache.get(doc, position.line);
  if (!idx) return [];
  return namesInScope(idx, { line: position.line, character: position.character }).map((b) => {
    const item = new vscode.CompletionItem(b.name, COMPLETION_KIND[b.kind]);
    item.detail = b.kind === 'import' ? `load(${JSON.stringify(b.module)}, ${JSON.stringify(b.original)})` : b.kind;
    item.sortText = `0~${b.name}`;
    return item;
  });
}

/** Inside load("…"): the built-in ext:// names and files/folders relative to this file; undefined elsewhere. */
export function loadPathItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
  const ctx = loadPathAt(doc.lineAt(position.line).text, position.character);
  if (!ctx) return undefined;
  const range = new vscode.Range(position.line, position.character - ctx.prefix.length, position.line, position.character);
  return loadPathCandidates(ctx.prefix, doc.fileName).map((c) => {
    const kind = c.kind === 'folder' ? vscode.CompletionItemKind.Folder : c.kind === 'file' ? vscode.CompletionItemKind.File : vscode.CompletionItemKind.Module;
    const item = new vscode.CompletionItem(c.text, kind);
    item.range = range;
    item.filterText = c.text;
    if (c.kind === 'folder') item.command = { title: 'more', command: 'editor.action.triggerSuggest' };
    return item;
  });
}
