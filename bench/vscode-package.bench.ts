// The packaged extension: builds, runs `vsce package --no-dependencies` (as `npm run package` does) into a
// temp dir, and prints the .vsix size and what it holds. The bundles are self-contained, so no node_modules ship.
// README's relative image links are kept (no repository to rewrite them to); VS Code shows them from the
// installed extension.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildExtension, REPO } from '../test/e2e/lib/extensions';

function main(): void {
  buildExtension();
  const out = mkdtempSync(join(tmpdir(), 'innerloop-vsix-'));
  try {
    const vsce = join(REPO, 'node_modules', '.bin', 'vsce');
    const t0 = performance.now();
    const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', `${out}/`], { cwd: REPO, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
    const file = readdirSync(out).find((f) => f.endsWith('.vsix'));
    if (!file) throw new Error('no .vsix produced');
    const files = /\((\d+) files/.exec(r.stdout)?.[1] ?? '?';
    console.log(`vsix size: ${(statSync(join(out, file)).size / 1024).toFixed(0)} KiB`);
    console.log(`vsix files: ${files} files`);
    for (const f of ['extension.js', 'cli.js', 'webview/dashboard.js']) {
      console.log(`dist/${f} (uncompressed): ${(statSync(join(REPO, 'dist', f)).size / 1024).toFixed(0)} KiB`);
    }
    console.log(`vsce package time: ${Math.round(ms)} ms`);
    coldLoad(REPO);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** require(dist/extension.js) in fresh processes (compile + evaluate) and activate(), stub vscode; medians of 5. */
function coldLoad(repo: string): void {
  const load: number[] = [];
  const act: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'extensionLoad.ts'), repo], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    if (r.status !== 0 || !line.startsWith('{')) throw new Error(`extensionLoad failed:\n${r.stdout}\n${r.stderr}`);
    const m = JSON.parse(line) as { loadMs: number; activateMs: number };
    load.push(m.loadMs);
    act.push(m.activateMs);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[2]!;
  console.log(`extension bundle cold load (require in a fresh node, stub vscode, median of 5): ${median(load).toFixed(0)} ms`);
  console.log(`activate() after a cold load (stub vscode, median of 5): ${median(act).toFixed(1)} ms`);
}

main();
