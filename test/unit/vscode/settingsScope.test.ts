// Settings that decide what runs or where it deploys cannot come from a repository: a workspace's
// .vscode/settings.json must not switch autoStart on or point the engine at another cluster. VS Code ignores
// workspace and folder values of `machine`-scoped settings (only user and remote settings apply).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { scope?: string }> } | Array<{ properties: Record<string, { scope?: string }> }> };
};
const sections = [manifest.contributes.configuration].flat();
const properties = Object.assign({}, ...sections.map((c) => c.properties)) as Record<string, { scope?: string }>;

test('autoStart, kubeconfig, context and namespace are machine-scoped (a workspace cannot set them)', () => {
  for (const key of ['innerloop.autoStart', 'innerloop.kubeconfig', 'innerloop.context', 'innerloop.namespace']) {
    assert.ok(properties[key], `${key} is contributed`);
    assert.equal(properties[key].scope, 'machine', key);
  }
});
