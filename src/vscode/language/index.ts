// Tiltfile language features (hover, completion, signature help), all driven by the builtin table in
// src/tiltfile/apiDocs.ts.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { TILTFILE_SELECTOR, TiltfileCompletionProvider, TiltfileHoverProvider, TiltfileSignatureHelpProvider } from './providers';

export function registerLanguageFeatures(ctx: Ctx): void {
  ctx.push(vscode.languages.registerHoverProvider(TILTFILE_SELECTOR, new TiltfileHoverProvider()));
  ctx.push(vscode.languages.registerCompletionItemProvider(TILTFILE_SELECTOR, new TiltfileCompletionProvider(), '.', '(', ','));
  ctx.push(
    vscode.languages.registerSignatureHelpProvider(TILTFILE_SELECTOR, new TiltfileSignatureHelpProvider(), {
      triggerCharacters: ['(', ','],
      retriggerCharacters: [',', '='],
    }),
  );
}
