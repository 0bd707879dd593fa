// Tiltfile language features: hover, completion and signature help from the builtin table
// (src/tiltfile/apiDocs.ts); go to definition, the outline and local-name / load()-path completion from the
// interpreter's parser (src/tiltfile/navigation.ts). When tilt-dev's Tiltfile extension is installed its
// language server answers these, so none of ours are registered (no doubled hovers, completions or outline).
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { SourceIndexCache, TiltfileDefinitionProvider, TiltfileSymbolProvider } from './navigation';
import { TILTFILE_SELECTOR, TiltfileCompletionProvider, TiltfileHoverProvider, TiltfileSignatureHelpProvider } from './providers';

/** tilt-dev's Tiltfile extension (the Tilt team's language server for Tiltfiles). */
export const TILT_EXTENSION_ID = 'tilt-dev.Tiltfile';

export function registerLanguageFeatures(ctx: Ctx): void {
  let ours: vscode.Disposable | undefined;
  const update = (): void => {
    const tilt = vscode.extensions.getExtension(TILT_EXTENSION_ID) !== undefined;
    if (tilt && ours) {
      ours.dispose();
      ours = undefined;
      ctx.log.info(`${TILT_EXTENSION_ID} is installed: its language server serves Tiltfiles, Innerloop's language features are off`);
    } else if (!tilt && !ours) {
      ours = registerProviders();
    } else if (tilt) {
      ctx.log.info(`${TILT_EXTENSION_ID} is installed: Innerloop leaves Tiltfile hover, completion, definition and outline to it`);
    }
  };
  update();
  ctx.push(vscode.extensions.onDidChange(update));
  ctx.push({ dispose: () => ours?.dispose() });
}

function registerProviders(): vscode.Disposable {
  const cache = new SourceIndexCache();
  return vscode.Disposable.from(
    vscode.workspace.onDidCloseTextDocument((d) => cache.forget(d)),
    vscode.languages.registerHoverProvider(TILTFILE_SELECTOR, new TiltfileHoverProvider()),
    vscode.languages.registerCompletionItemProvider(TILTFILE_SELECTOR, new TiltfileCompletionProvider(cache), '.', '(', ',', '/', '"', "'"),
    vscode.languages.registerSignatureHelpProvider(TILTFILE_SELECTOR, new TiltfileSignatureHelpProvider(), {
      triggerCharacters: ['(', ','],
      retriggerCharacters: [',', '='],
    }),
    vscode.languages.registerDefinitionProvider(TILTFILE_SELECTOR, new TiltfileDefinitionProvider(cache)),
    vscode.languages.registerDocumentSymbolProvider(TILTFILE_SELECTOR, new TiltfileSymbolProvider(cache)),
  );
}
