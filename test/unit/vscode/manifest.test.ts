// package.json contributions stay in sync with the code that implements them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, COMMAND_CATEGORY } from '../../../src/vscode/commandIds';
import { SETTINGS, type SettingKey } from '../../../src/vscode/settingsSchema';

const root = join(__dirname, '..', '..', '..');
interface Manifest {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: { properties: Record<string, { default: unknown; markdownDescription?: string; description?: string }> };
    languages: Array<{ id: string; configuration?: string }>;
    grammars: Array<{ language: string; scopeName: string; path: string }>;
  };
  capabilities?: { untrustedWorkspaces?: { supported: unknown; description?: string } };
  activationEvents: string[];
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json contributions', () => {
  it('declares exactly the commands the extension registers, with category and title', () => {
    const declared = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.keys(COMMANDS).sort());
    for (const c of pkg.contributes.commands) {
      assert.equal(c.category, COMMAND_CATEGORY);
      assert.equal(c.title, COMMANDS[c.command as keyof typeof COMMANDS].title);
    }
  });

  it('declares every setting with the default the code uses and a description', () => {
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(Object.keys(props).sort(), Object.keys(SETTINGS).map((k) => `innerloop.${k}`).sort());
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      const prop = props[`innerloop.${key}`]!;
      assert.deepEqual(prop.default, SETTINGS[key].default, key);
      assert.ok((prop.markdownDescription ?? prop.description ?? '').length > 10, `${key} lacks a description`);
    }
  });

  it('supports untrusted workspaces in limited mode, with a reason', () => {
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.ok((pkg.capabilities?.untrustedWorkspaces?.description ?? '').length > 20);
  });

  it('points every language and grammar at files that exist and parse', () => {
    for (const l of pkg.contributes.languages) if (l.configuration) JSON.parse(readFileSync(join(root, l.configuration), 'utf8'));
    for (const g of pkg.contributes.grammars) {
      const grammar = JSON.parse(readFileSync(join(root, g.path), 'utf8')) as { scopeName: string };
      assert.equal(grammar.scopeName, g.scopeName);
    }
  });
});

describe('settings coercion', () => {
  it('falls back to defaults for wrong types and out-of-range values', () => {
    assert.equal(SETTINGS.debounceMs.coerce('fast'), 50);
    assert.equal(SETTINGS.debounceMs.coerce(-1), 50);
    assert.equal(SETTINGS.debounceMs.coerce(120.7), 120);
    assert.equal(SETTINGS.autoStart.coerce(undefined), false);
    assert.deepEqual(SETTINGS.tiltArgs.coerce(['--a', 3, 'b']), ['--a', 'b']);
    assert.equal(SETTINGS.logBufferLines.coerce(10), 20000);
  });
});
