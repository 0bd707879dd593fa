// Hostile input through Tilt's data builtins (issue 11): encode/decode of JSON and YAML charge the step budget
// by the work they do, so a loop of them on big values ends with "too many steps" instead of running for minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StarlarkError, createThread, execFile } from '../../../src/starlark/index';
import { predeclared } from '../../../src/tiltfile/loader';
import { TiltfileState } from '../../../src/tiltfile/state';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'innerloop-hostile-'));

/** Runs source as an untrusted Tiltfile with a small budget (2M steps); the error's message, or 'ok'. */
function run(source: string): string {
  const tiltfile = path.join(workspace, 'Tiltfile');
  const state = new TiltfileState(tiltfile, { trusted: false, env: {} });
  const thread = createThread('Tiltfile');
  thread.locals.set('tiltfile', state);
  try {
    execFile({ filename: tiltfile, source, predeclared: predeclared(state), thread, maxSteps: 2_000_000, print: () => {} });
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof StarlarkError, `expected a StarlarkError, got ${String(e)}`);
    return e.shortMessage;
  }
}

const TOO_MANY = /too many steps/;

test('encode_json/encode_yaml of a 100,000-element list in a loop hit the budget', () => {
  assert.match(run('l = list(range(100000))\nfor i in range(1000):\n  x = encode_json(l)\n'), TOO_MANY);
  assert.match(run('l = list(range(100000))\nfor i in range(1000):\n  x = encode_yaml(l)\n'), TOO_MANY);
});

test('decode_json/decode_yaml of megabytes in a loop hit the budget', () => {
  assert.match(run('s = str(encode_json(list(range(100000))))\nfor i in range(1000):\n  x = decode_json(s)\n'), TOO_MANY);
  assert.match(run('s = str(encode_yaml(list(range(100000))))\nfor i in range(1000):\n  x = decode_yaml(s)\n'), TOO_MANY);
});

test('ordinary use stays well within the budget: a few hundred documents round-trip', () => {
  const src = 'docs = [{"kind": "ConfigMap", "metadata": {"name": "c%d" % i}, "data": {"k": "v"}} for i in range(300)]\n' +
    'y = decode_yaml_stream(encode_yaml_stream(docs))\nj = decode_json(encode_json(docs))\nif len(y) != 300 or len(j) != 300:\n  fail("lost documents")\n';
  assert.equal(run(src), 'ok');
});
