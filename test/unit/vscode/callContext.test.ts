import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callAt, dottedNameAt, inCommentOrString, memberPrefixAt } from '../../../src/vscode/language/callContext';

/** Splits `text` at the `|` marker: returns the text without it and the marker's offset. */
function at(marked: string): [string, number] {
  const i = marked.indexOf('|');
  assert.ok(i >= 0, 'no | marker');
  return [marked.slice(0, i) + marked.slice(i + 1), i];
}

describe('callAt', () => {
  it('finds the callee and first argument right after the paren', () => {
    const c = callAt(...at("docker_build(|"));
    assert.equal(c?.callee, 'docker_build');
    assert.equal(c?.argIndex, 0);
    assert.equal(c?.atArgumentName, true);
  });

  it('counts arguments and tracks the current keyword', () => {
    const c = callAt(...at("k8s_resource('api', port_forwards=|"));
    assert.equal(c?.callee, 'k8s_resource');
    assert.equal(c?.argIndex, 1);
    assert.equal(c?.currentKeyword, 'port_forwards');
    assert.equal(c?.atArgumentName, false);
    assert.equal(c?.positionalBefore, 1);
  });

  it('collects keywords used before and after the cursor', () => {
    const c = callAt(...at("local_resource('x', cmd='make', |, labels=['a'])"));
    assert.deepEqual(c?.usedKeywords.sort(), ['cmd', 'labels']);
    assert.equal(c?.atArgumentName, true);
  });

  it('ignores commas and parens inside strings and comments', () => {
    const c = callAt(...at("local('echo a, b (c)', # ) , \n  qu|"));
    assert.equal(c?.callee, 'local');
    assert.equal(c?.argIndex, 1);
  });

  it('stays in the call while inside a list argument', () => {
    const c = callAt(...at("docker_build('img', '.', live_update=[sync('a', 'b'), |"));
    assert.equal(c?.callee, 'docker_build');
    assert.equal(c?.currentKeyword, 'live_update');
  });

  it('enters a nested call', () => {
    const c = callAt(...at("docker_build('img', '.', live_update=[sync('a', |"));
    assert.equal(c?.callee, 'sync');
    assert.equal(c?.argIndex, 1);
  });

  it('handles dotted callees and closed calls', () => {
    assert.equal(callAt(...at("x = os.path.join('a', |"))?.callee, 'os.path.join');
    assert.equal(callAt(...at("k8s_yaml('a.yaml')\n|")), undefined);
  });

  it('does not treat == as a keyword', () => {
    const c = callAt(...at("fail(x == |"));
    assert.equal(c?.currentKeyword, undefined);
  });

  it('returns undefined inside a string literal', () => {
    assert.equal(callAt(...at("k8s_yaml('dep|")), undefined);
  });

  it('handles triple-quoted strings spanning lines', () => {
    const c = callAt(...at('local("""a,\n(b""", |'));
    assert.equal(c?.argIndex, 1);
  });
});

describe('dottedNameAt / memberPrefixAt / inCommentOrString', () => {
  it('returns the dotted name up to the hovered segment', () => {
    const [text, off] = at('os.pa|th.join(x)');
    assert.equal(dottedNameAt(text, off)?.name, 'os.path');
    const [t2, o2] = at('docker_bu|ild(');
    assert.equal(dottedNameAt(t2, o2)?.name, 'docker_build');
  });

  it('gives the member prefix after a dot', () => {
    assert.equal(memberPrefixAt(...at('os.path.|')), 'os.path');
    assert.equal(memberPrefixAt(...at('config.pa|')), 'config');
    assert.equal(memberPrefixAt(...at('docker|')), undefined);
  });

  it('knows comments and strings', () => {
    assert.equal(inCommentOrString(...at('# docker_bu|')), true);
    assert.equal(inCommentOrString(...at("k8s_yaml('a|")), true);
    assert.equal(inCommentOrString(...at("k8s_yaml('a', |")), false);
  });
});
