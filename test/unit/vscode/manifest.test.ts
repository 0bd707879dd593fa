// package.json contributions stay in sync with the code that implements them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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

describe('Marketplace fitness', () => {
  interface Listing {
    icon?: string;
    categories?: string[];
    keywords?: string[];
    contributes: {
      languages: Array<{ id: string; extensions?: string[]; filenames?: string[] }>;
      walkthroughs?: Array<{ id: string; steps: Array<{ id: string; description: string; media: { image?: string; markdown?: string; svg?: string }; completionEvents?: string[] }> }>;
      commands: Array<{ command: string }>;
    };
  }
  const listing = pkg as unknown as Listing;
  // The categories the Marketplace accepts (vsce's list).
  const CATEGORIES = new Set([
    'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
    'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
    'Snippets', 'Testing', 'Themes', 'Visualization',
  ]);
  const shipped = readFileSync(join(root, '.vscodeignore'), 'utf8');

  it('has a 128×128 PNG icon that the package ships', () => {
    assert.ok(listing.icon, 'no icon');
    const png = readFileSync(join(root, listing.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'IHDR width × height');
    assert.match(shipped, /^!media\/\*\*$/m);
  });

  it('lists real Marketplace categories and Tilt users\' keywords', () => {
    assert.ok(listing.categories?.length);
    for (const c of listing.categories) assert.ok(CATEGORIES.has(c), `${c} is not a Marketplace category`);
    for (const k of ['tilt', 'tiltfile', 'kubernetes']) assert.ok(listing.keywords?.includes(k), `keyword ${k}`);
    assert.ok((listing.keywords?.length ?? 0) <= 30, 'vsce refuses more than 30 keywords');
  });

  it('does not claim .star (Starlark/Bazel tools own it): Tiltfile and .tiltfile only', () => {
    for (const l of listing.contributes.languages) {
      for (const e of l.extensions ?? []) assert.notEqual(e.toLowerCase(), '.star', `${l.id} claims .star`);
    }
    const tf = listing.contributes.languages.find((l) => l.id === 'tiltfile')!;
    assert.deepEqual(tf.filenames, ['Tiltfile']);
  });

  it('has a Get started walkthrough whose media exist and whose links run registered commands', () => {
    const w = listing.contributes.walkthroughs ?? [];
    assert.equal(w.length, 1);
    const ids = new Set(listing.contributes.commands.map((c) => c.command));
    for (const step of w[0]!.steps) {
      for (const m of [step.media.image, step.media.markdown, step.media.svg]) {
        if (m) assert.ok(existsSync(join(root, m)), `${step.id}: ${m} missing`);
      }
      for (const [, cmd] of step.description.matchAll(/\(command:(innerloop\.[\w.]+)\)/g)) {
        assert.ok(ids.has(cmd!) || cmd === 'innerloop.resources.focus', `${step.id}: ${cmd} is not a command`);
      }
      for (const e of step.completionEvents ?? []) {
        const cmd = /^onCommand:(.+)$/.exec(e)?.[1];
        if (cmd) assert.ok(ids.has(cmd), `${step.id}: completion on unknown command ${cmd}`);
      }
    }
  });

  it('ships a CHANGELOG with an entry for the current version', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## ${version.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(shipped, /^!CHANGELOG\.md$/m);
  });
});
