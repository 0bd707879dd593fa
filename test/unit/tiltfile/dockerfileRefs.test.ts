import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtRefReplacer, dockerfileImageRefs, expandArgs, rewriteDockerfileRefs } from '../../../src/engine/build/dockerfileRefs';

const refs = (text: string, args: Record<string, string> = {}): string[] => dockerfileImageRefs(text, args).map((r) => `${r.instruction} ${r.ref}@${r.line}`);

test('FROM and COPY --from refs; stage names, stage indexes and scratch are not images', () => {
  const df = [
    'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
    'COPY --from=build /out /out',
    'COPY --from=0 /x /x',
    'FROM scratch',
    'COPY --chown=1:1 --from=gcr.io/x/tools:1 /bin/t /t',
    'FROM Build',
  ].join('\n');
  assert.deepEqual(refs(df), ['FROM golang:1.22@1', 'COPY gcr.io/x/tools:1@5']);
});

test('ARG substitution: global ARGs feed FROM, build_args override defaults, stages see their own ARGs', () => {
  const df = 'ARG REPO=gcr.io/a\nARG BASE_IMAGE\nFROM ${REPO}/${BASE_IMAGE:-base}:$TAG\nARG TOOLS=tools\nCOPY --from=${TOOLS} /t /t\n';
  assert.deepEqual(refs(df), ['FROM gcr.io/a/base:@3', 'COPY tools@5']);
  assert.deepEqual(refs(df, { BASE_IMAGE: 'common', TOOLS: 'x/tools' }), ['FROM gcr.io/a/common:@3', 'COPY x/tools@5']);
  // Tilt's live_update_base_image Dockerfile.
  assert.deepEqual(refs('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n\nWORKDIR /app\n', { BASE_IMAGE: 'gcr.io/w/common' }), ['FROM gcr.io/w/common@2']);
  // A stage's bare `ARG X` inherits the global default.
  assert.deepEqual(refs('ARG X=img\nFROM busybox\nARG X\nCOPY --from=$X /a /a\n'), ['FROM busybox@2', 'COPY img@4']);
});

test('expandArgs: $V, ${V}, ${V:-d}, ${V-d}, ${V:+a}, escaped $', () => {
  const vars = new Map<string, string | undefined>([['A', 'a'], ['E', ''], ['U', undefined]]);
  assert.equal(expandArgs('$A/${A}/${E:-d}/${E-d}/${U-d}/${A:+p}/${E:+p}/\\$A', vars), 'a/a/d//d/p//$A');
});

test('continuations, comments, the escape directive and CRLF', () => {
  assert.deepEqual(refs('# comment\nFROM \\\n  # inner comment\n  base:1 \\\n  AS b\nCOPY --from=b /a /a\n'), ['FROM base:1@2']);
  assert.deepEqual(refs('# escape=`\nFROM `\n  base:2\r\n'), ['FROM base:2@2']);
});

test('rewrite: FROM/COPY --from refs become the built refs; line numbers are kept', () => {
  const df = 'ARG BASE\nFROM ${BASE} AS app\nRUN echo hi\nCOPY --from=tools \\\n  /t /t\nFROM app\nCMD ["x"]\n';
  const out = rewriteDockerfileRefs(df, { BASE: 'gcr.io/w/common' }, builtRefReplacer([
    { ref: 'gcr.io/w/common', built: 'gcr.io/w/common:innerloop-1' },
    { ref: 'tools', built: 'tools:innerloop-2' },
  ]));
  assert.equal(out, 'ARG BASE\nFROM gcr.io/w/common:innerloop-1 AS app\nRUN echo hi\nCOPY --from=tools:innerloop-2 /t /t\n\nFROM app\nCMD ["x"]\n');
  assert.equal(out.split('\n').length, df.split('\n').length);
  // Nothing to substitute: the text is returned unchanged (same object contents).
  assert.equal(rewriteDockerfileRefs('FROM busybox\n', {}, builtRefReplacer([{ ref: 'x', built: 'x:1' }])), 'FROM busybox\n');
});

test('builtRefReplacer follows Tilt matching: untagged dep matches any tag, tagged only its tag, docker.io folded', () => {
  const r = builtRefReplacer([{ ref: 'base', built: 'base:innerloop-1' }, { ref: 'lib:2', built: 'lib:innerloop-2' }, { ref: 'nobuilt', built: undefined }]);
  assert.equal(r('base:latest'), 'base:innerloop-1');
  assert.equal(r('docker.io/library/base'), 'base:innerloop-1');
  assert.equal(r('lib:2'), 'lib:innerloop-2');
  assert.equal(r('lib:3'), undefined);
  assert.equal(r('nobuilt'), undefined);
});
