// Tokenises sample lines with the real TextMate engine VS Code uses (vscode-textmate + oniguruma wasm).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { TILT_API } from '../../../src/tiltfile/apiDocs';
import { tiltfileGrammar } from '../../../syntaxes/tiltfile.grammar';

const root = join(__dirname, '..', '..', '..');
let registry: textmate.Registry;

before(async () => {
  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => {
      const file = { 'source.tiltfile': 'tiltfile.tmLanguage.json', 'source.innerloop-log': 'innerloop-log.tmLanguage.json' }[scope];
      return file ? textmate.parseRawGrammar(readFileSync(join(root, 'syntaxes', file), 'utf8'), join(root, 'syntaxes', file)) : null;
    },
  });
});

/** Scopes (innermost) of each token of `line`, as `text=scope` pairs (whitespace-only tokens dropped). */
async function tokens(scope: string, line: string): Promise<Map<string, string>> {
  const grammar = await registry.loadGrammar(scope);
  assert.ok(grammar);
  const r = grammar.tokenizeLine(line, textmate.INITIAL);
  const out = new Map<string, string>();
  for (const t of r.tokens) {
    const text = line.slice(t.startIndex, t.endIndex);
    if (text.trim()) out.set(text, t.scopes[t.scopes.length - 1]!);
  }
  return out;
}

describe('Tiltfile grammar', () => {
  it('highlights Tilt builtins, keyword args, strings and comments', async () => {
    const t = await tokens('source.tiltfile', "docker_build('img', '.', live_update=[sync('./a', '/b')])  # build");
    assert.equal(t.get('docker_build'), 'support.function.tilt.tiltfile');
    assert.equal(t.get('sync'), 'support.function.tilt.tiltfile');
    assert.equal(t.get('live_update'), 'variable.parameter.tiltfile');
    assert.equal(t.get('img'), 'string.quoted.single.tiltfile');
    assert.equal(t.get('# build'), 'comment.line.number-sign.tiltfile');
  });

  it('highlights namespaces, constants, defs and Starlark builtins', async () => {
    const t = await tokens('source.tiltfile', 'def f(x):');
    assert.equal(t.get('def'), 'storage.type.function.tiltfile');
    assert.equal(t.get('f'), 'entity.name.function.tiltfile');
    const u = await tokens('source.tiltfile', "p = os.path.join(config.main_dir, str(len(x)), TRIGGER_MODE_MANUAL, None)");
    assert.equal(u.get('os'), 'support.module.tilt.tiltfile');
    assert.equal(u.get('join'), 'support.function.tilt.tiltfile');
    assert.equal(u.get('len'), 'support.function.builtin.tiltfile');
    assert.equal(u.get('TRIGGER_MODE_MANUAL'), 'support.constant.tilt.tiltfile');
    assert.equal(u.get('None'), 'constant.language.tiltfile');
  });

  it('marks keyword arguments only inside parentheses, across lines', async () => {
    const assign = await tokens('source.tiltfile', 'x = local(1)');
    assert.notEqual(assign.get('x'), 'variable.parameter.tiltfile');
    const grammar = (await registry.loadGrammar('source.tiltfile'))!;
    const first = grammar.tokenizeLine('k8s_resource(', textmate.INITIAL);
    const second = grammar.tokenizeLine("  'api', labels=['x'])", first.ruleStack);
    const labels = second.tokens.find((t) => "  'api', labels=['x'])".slice(t.startIndex, t.endIndex) === 'labels');
    assert.equal(labels?.scopes.at(-1), 'variable.parameter.tiltfile');
    const after = grammar.tokenizeLine('y = 2', second.ruleStack);
    assert.ok(!after.tokens.some((t) => t.scopes.includes('variable.parameter.tiltfile')), 'group did not close');
  });

  it('does not treat a method named like a builtin as the builtin', async () => {
    const t = await tokens('source.tiltfile', 'x.local(1)');
    assert.notEqual(t.get('local'), 'support.function.tilt.tiltfile');
  });

  it('is exactly what syntaxes/tiltfile.grammar.ts generates (regenerate: node --import tsx syntaxes/tiltfile.grammar.ts)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(root, 'syntaxes', 'tiltfile.tmLanguage.json'), 'utf8'));
    assert.deepEqual(committed, JSON.parse(JSON.stringify(tiltfileGrammar())));
  });

  it('lists every top-level API function from apiDocs.ts', () => {
    const g = readFileSync(join(root, 'syntaxes', 'tiltfile.tmLanguage.json'), 'utf8');
    const grammar = JSON.parse(g) as { repository: Record<string, { match?: string }> };
    const alternation = grammar.repository['tilt-call']!.match!;
    for (const f of TILT_API.filter((x) => !x.name.includes('.'))) {
      assert.ok(new RegExp(`[(|]${f.name}[|)]`).test(alternation), `grammar lacks ${f.name}: run node --import tsx syntaxes/tiltfile.grammar.ts`);
    }
  });
});

describe('Innerloop log grammar', () => {
  it('marks resource prefixes, steps, errors, warnings and URLs', async () => {
    const a = await tokens('source.innerloop-log', 'api │ STEP 1/3 — Building Dockerfile');
    assert.equal(a.get('api'), 'entity.name.tag.resource.innerloop-log');
    assert.equal(a.get('STEP 1/3'), 'markup.heading.step.innerloop-log');
    const b = await tokens('source.innerloop-log', 'api │ Error: connection refused');
    assert.equal(b.get('Error: connection refused'), 'invalid.illegal.error.innerloop-log');
    const c = await tokens('source.innerloop-log', 'warning: image not used');
    assert.equal(c.get('warning: image not used'), 'markup.changed.warning.innerloop-log');
    const d = await tokens('source.innerloop-log', 'serving on http://localhost:8080/app');
    assert.equal(d.get('http://localhost:8080/app'), 'markup.underline.link.innerloop-log');
  });
});
