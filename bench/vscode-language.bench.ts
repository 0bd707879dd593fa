// Editor-side hot paths, measured in plain Node: the cursor analysis behind completion / signature help
// (runs on every keystroke over the whole buffer), TextMate tokenisation of a large Tiltfile with our
// grammar, and the resource projection behind the tree and status bar (runs on every store change).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { callAt, inCommentOrString } from '../src/vscode/language/callContext';
import { groupByLabel, resourceView, summarize } from '../src/vscode/resourceModel';
import { initialResourceState, initialSessionState, type EngineState } from '../src/shared/state';

const root = join(__dirname, '..');

function bigTiltfile(resources: number): string {
  const out: string[] = ['# generated', "load('ext://restart_process', 'docker_build_with_restart')", ''];
  for (let i = 0; i < resources; i++) {
    out.push(
      `docker_build('svc-${i}', './svc-${i}', build_args={'N': '${i}'},`,
      `  live_update=[sync('./svc-${i}/src', '/app/src'), run('make', trigger=['./svc-${i}/Makefile'])])`,
      `k8s_resource('svc-${i}', port_forwards=['${8000 + i}:80'], labels=['group-${i % 7}'], resource_deps=[])  # svc ${i}`,
      `local_resource('gen-${i}', cmd="echo 'a, (b)'", deps=['./svc-${i}/api.proto'])`,
      '',
    );
  }
  return out.join('\n');
}

function timeIt(fn: () => void, minMs = 300): number {
  fn(); // warm up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

async function main(): Promise<void> {
  const text = bigTiltfile(500); // ~2,500 lines, far beyond typical Tiltfiles
  const lines = text.split('\n').length;
  const end = text.length - 40;
  const perCall = timeIt(() => callAt(text, end));
  console.log(`callAt at end of ${lines}-line Tiltfile: ${(perCall * 1000).toFixed(0)} µs`);
  const perScan = timeIt(() => inCommentOrString(text, end));
  console.log(`inCommentOrString at end of ${lines}-line Tiltfile: ${(perScan * 1000).toFixed(0)} µs`);

  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) =>
      scope === 'source.tiltfile'
        ? textmate.parseRawGrammar(readFileSync(join(root, 'syntaxes', 'tiltfile.tmLanguage.json'), 'utf8'), 'tiltfile.tmLanguage.json')
        : null,
  });
  const grammar = (await registry.loadGrammar('source.tiltfile'))!;
  const src = text.split('\n');
  const tokenizeAll = (): void => {
    let stack = textmate.INITIAL;
    for (const l of src) stack = grammar.tokenizeLine(l, stack).ruleStack;
  };
  const perFile = timeIt(tokenizeAll, 1000);
  console.log(`tokenize ${lines}-line Tiltfile: ${perFile.toFixed(1)} ms`);
  console.log(`tokenize throughput: ${Math.round(lines / (perFile / 1000))} lines/s`);

  const n = 1000;
  const state: EngineState = { session: initialSessionState(), order: [], resources: {} };
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    state.order.push(name);
    state.resources[name] = {
      ...initialResourceState({ name, type: 'k8s', labels: [`group-${i % 13}`], triggerMode: 'auto', autoInit: true }),
      buildHistory: [{ startTime: 0, finishTime: 1, kind: 'full', ...(i % 10 === 0 ? { error: 'failed' } : {}) }],
      runtimeStatus: 'ok',
    };
  }
  const perProjection = timeIt(() => {
    summarize(state);
    groupByLabel(state);
    for (const name of state.order) resourceView(state.resources[name]!);
  });
  console.log(`tree+status projection of ${n} resources: ${perProjection.toFixed(2)} ms`);
}

void main();
