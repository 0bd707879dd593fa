// Hover, completion and signature help for Tiltfiles, driven by the builtin table (src/tiltfile/apiDocs.ts)
// and the pure cursor analysis in callContext.ts. This file only translates to VS Code types.
import * as vscode from 'vscode';
import {
  lookupFunction,
  lookupValue,
  membersOf,
  paramLabel,
  signatureLabel,
  signatureParts,
  topLevelNames,
  TILT_API,
  type ApiFunction,
  type ApiParam,
} from '../../tiltfile/apiDocs';
import { callAt, dottedNameAt, inCommentOrString, memberPrefixAt } from './callContext';
import { loadPathItems, localNameItems, type SourceIndexCache } from './navigation';

export const TILTFILE_SELECTOR: vscode.DocumentSelector = [{ language: 'tiltfile' }];

export function functionMarkdown(f: ApiFunction): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendCodeblock(signatureLabel(f), 'python');
  md.appendMarkdown(`${f.doc}\n\n`);
  if (f.params.length) {
    md.appendMarkdown(f.params.map((p) => `- \`${paramLabel(p)}\` *${escapeMd(p.type)}*: ${p.doc}`).join('\n'));
  }
  return md;
}

function paramMarkdown(f: ApiFunction, p: ApiParam): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendCodeblock(`${f.name}(${paramLabel(p)})`, 'python');
  md.appendMarkdown(`*${escapeMd(p.type)}*: ${p.doc}`);
  return md;
}

function escapeMd(s: string): string {
  return s.replace(/([*_[\]|])/g, '\\$1');
}

export class TiltfileHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const text = doc.getText();
    const offset = doc.offsetAt(pos);
    const word = dottedNameAt(text, offset);
    if (!word) return undefined;
    const range = new vscode.Range(doc.positionAt(word.start), doc.positionAt(word.end));
    // A keyword argument name: `port_forwards=` inside k8s_resource(...).
    if (!word.name.includes('.') && /^\s*=(?!=)/.test(text.slice(word.end))) {
      const call = callAt(text, word.start);
      const f = call && lookupFunction(call.callee);
      const param = f?.params.find((p) => p.name === word.name);
      if (f && param) return new vscode.Hover(paramMarkdown(f, param), range);
    }
    const f = lookupFunction(word.name);
    if (f) return new vscode.Hover(functionMarkdown(f), range);
    const v = lookupValue(word.name);
    if (v) {
      const md = new vscode.MarkdownString();
      md.appendCodeblock(`${v.name}: ${v.type}`, 'python');
      md.appendMarkdown(v.doc);
      return new vscode.Hover(md, range);
    }
    return undefined;
  }
}

export class TiltfileCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly cache: SourceIndexCache) {}

  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] | undefined {
    const paths = loadPathItems(doc, pos);
    if (paths) return paths;
    const text = doc.getText();
    const offset = doc.offsetAt(pos);
    if (inCommentOrString(text, offset)) return undefined;

    const member = memberPrefixAt(text, offset);
    if (member !== undefined) {
      return membersOf(member).map((m) => this.nameItem(`${member}.${m}`, m));
    }

    const items: vscode.CompletionItem[] = [];
    const call = callAt(text, offset);
    const f = call && lookupFunction(call.callee);
    if (call && f && call.atArgumentName) {
      const used = new Set(call.usedKeywords);
      // Parameters already filled positionally are not offered again.
      f.params.forEach((p, i) => {
        if (used.has(p.name) || p.variadic || i < call.positionalBefore) return;
        const item = new vscode.CompletionItem(`${p.name}=`, vscode.CompletionItemKind.Property);
        item.insertText = `${p.name}=`;
        item.detail = p.type + (p.default === undefined ? '' : ` = ${p.default}`);
        item.documentation = new vscode.MarkdownString(p.doc);
        item.sortText = `0${String(i).padStart(3, '0')}`; // keyword args first, in signature order
        item.command = { title: 'signature', command: 'editor.action.triggerParameterHints' };
        items.push(item);
      });
    }
    const locals = localNameItems(this.cache, doc, pos);
    const shadowed = new Set(locals.map((i) => i.label as string));
    items.push(...locals);
    for (const n of topLevelNames()) if (!shadowed.has(n)) items.push(this.nameItem(n, n));
    return items;
  }

  private nameItem(full: string, label: string): vscode.CompletionItem {
    const f = lookupFunction(full);
    if (f) {
      const item = new vscode.CompletionItem(label, vscode.CompletionItemKind.Function);
      item.detail = signatureLabel(f);
      item.documentation = functionMarkdown(f);
      item.sortText = `1${label}`;
      return item;
    }
    const v = lookupValue(full);
    const isNamespace = !v && TILT_API.some((x) => x.name.startsWith(`${full}.`));
    const item = new vscode.CompletionItem(label, isNamespace ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Constant);
    if (v) {
      item.detail = `${v.name}: ${v.type}`;
      item.documentation = v.doc;
    }
    item.sortText = `1${label}`;
    return item;
  }
}

export class TiltfileSignatureHelpProvider implements vscode.SignatureHelpProvider {
  provideSignatureHelp(doc: vscode.TextDocument, pos: vscode.Position): vscode.SignatureHelp | undefined {
    const text = doc.getText();
    const call = callAt(text, doc.offsetAt(pos));
    const f = call && lookupFunction(call.callee);
    if (!call || !f) return undefined;
    const parts = signatureParts(f);
    const sig = new vscode.SignatureInformation(signatureLabel(f), new vscode.MarkdownString(f.doc));
    // Labels as [start, end) offsets into the signature label, so identical names never mismatch.
    let at = f.name.length + 1;
    const paramIndexOfPart: number[] = [];
    let pi = 0;
    for (const part of parts) {
      if (part === '*') {
        at += part.length + 2;
        continue;
      }
      const p = f.params[pi]!;
      sig.parameters.push(new vscode.ParameterInformation([at, at + part.length], new vscode.MarkdownString(`*${escapeMd(p.type)}*: ${p.doc}`)));
      paramIndexOfPart.push(pi);
      at += part.length + 2;
      pi++;
    }
    const help = new vscode.SignatureHelp();
    help.signatures = [sig];
    help.activeSignature = 0;
    help.activeParameter = activeParam(f, call.currentKeyword, call.argIndex);
    return help;
  }
}

function activeParam(f: ApiFunction, keyword: string | undefined, argIndex: number): number {
  if (keyword !== undefined) {
    const k = f.params.findIndex((p) => p.name === keyword);
    return k >= 0 ? k : f.params.length; // unknown keyword: highlight nothing
  }
  const variadic = f.params.findIndex((p) => p.variadic === '*');
  if (variadic >= 0 && argIndex >= variadic) return variadic;
  return Math.min(argIndex, f.params.length);
}
