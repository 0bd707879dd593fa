// Bundle sizes and what they cost at start: the extension's compile time (the part of activation the bundle
// decides) and `innerloop version` wall time. Prints numbers only.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

const dist = join(__dirname, '..', 'dist');
for (const f of ['extension.js', 'cli.js', 'starlark.js', 'webview/dashboard.js']) {
  console.log(`bundle ${f}: ${(statSync(join(dist, f)).size / 1024).toFixed(0)} KiB`);
}
const src = readFileSync(join(dist, 'extension.js'), 'utf8');
const compile: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  new Script(src, { filename: `extension-${i}.js` });
  compile.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(`extension.js compile (median of 5): ${compile.sort((a, b) => a - b)[2]!.toFixed(1)} ms`);
const runs: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, [join(dist, 'cli.js'), 'version']);
  runs.push(Number(process.hrtime.bigint() - t) / 1e6);
}
console.log(`innerloop version wall time (median of 5): ${runs.sort((a, b) => a - b)[2]!.toFixed(0)} ms`);
