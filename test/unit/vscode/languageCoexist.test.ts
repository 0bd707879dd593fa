// With tilt-dev's Tiltfile extension installed, Innerloop registers none of its Tiltfile editing providers
// (hover, completion, signature help, definition, outline), and follows installs and uninstalls.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { installVscodeStub } from './vscodeStub';

const stub = installVscodeStub({ workspaceFolder: tmpdir() });
after(() => stub.restore());
let tiltInstalled = true;
let onChange: (() => void) | undefined;
// Set before the module under test is loaded: the compiled import copies the namespace's keys.
(stub.module as Record<string, unknown>).extensions = {
  getExtension: (id: string) => (tiltInstalled && id === 'tilt-dev.Tiltfile' ? { id } : undefined),
  onDidChange: (l: () => void) => {
    onChange = l;
    return { dispose: () => undefined };
  },
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerLanguageFeatures, TILT_EXTENSION_ID } = require('../../../src/vscode/language') as typeof import('../../../src/vscode/language');

describe('coexistence with tilt-dev.Tiltfile', () => {
  it('registers no language providers while it is installed, all five once it is gone, and turns them off again', () => {
    assert.equal(TILT_EXTENSION_ID, 'tilt-dev.Tiltfile');
    const logged: string[] = [];
    const ctx = { push: <T>(d: T) => d, log: { info: (m: string) => logged.push(m) } };
    const registered = () => stub.calls.filter((c) => c.startsWith('languages.register')).sort();
    registerLanguageFeatures(ctx as unknown as Parameters<typeof registerLanguageFeatures>[0]);
    assert.deepEqual(registered(), []);
    assert.match(logged.join('\n'), /tilt-dev\.Tiltfile is installed/);

    tiltInstalled = false;
    onChange!();
    assert.deepEqual(registered(), [
      'languages.registerCompletionItemProvider',
      'languages.registerDefinitionProvider',
      'languages.registerDocumentSymbolProvider',
      'languages.registerHoverProvider',
      'languages.registerSignatureHelpProvider',
    ]);
    onChange!(); // another extension changed: nothing registered twice
    assert.equal(registered().length, 5);

    tiltInstalled = true;
    logged.length = 0;
    onChange!();
    assert.match(logged.join('\n'), /language features are off/);
    assert.equal(registered().length, 5);
  });
});
