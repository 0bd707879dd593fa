// While the engine is stopped, every command that needs it shows the explanation (a warning with an Up button)
// and resolves to it, instead of running or throwing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { installVscodeStub } from './vscodeStub';

const stub = installVscodeStub({ workspaceFolder: tmpdir() });
after(() => stub.restore());
const handlers = new Map<string, (arg?: unknown) => Promise<unknown>>();
const warnings: unknown[][] = [];
Object.assign(stub.module.commands as object, {
  registerCommand: (id: string, fn: (arg?: unknown) => Promise<unknown>) => {
    handlers.set(id, fn);
    return { dispose: () => undefined };
  },
});
Object.assign(stub.module.window as object, {
  showWarningMessage: async (...args: unknown[]) => {
    warnings.push(args);
    return undefined;
  },
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerCommands } = require('../../../src/vscode/commands') as typeof import('../../../src/vscode/commands');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { COMMANDS, ENGINE_NOT_RUNNING } = require('../../../src/vscode/commandIds') as typeof import('../../../src/vscode/commandIds');

test('engine commands show the explanation while the engine is stopped, and resolve to it', async () => {
  const ctx = { session: undefined, push: <T>(d: T): T => d, log: { error: () => assert.fail('no command may fail') } };
  registerCommands(ctx as never, {} as never);
  const needsEngine = Object.entries(COMMANDS).filter(([, spec]) => spec.needsEngine).map(([id]) => id);
  assert.ok(needsEngine.length >= 4);
  for (const id of needsEngine) {
    warnings.length = 0;
    assert.deepEqual(await handlers.get(id)!(), { explained: ENGINE_NOT_RUNNING }, id);
    assert.deepEqual(warnings, [[ENGINE_NOT_RUNNING, 'Up']], `${id} shows the explanation once`);
  }
});
