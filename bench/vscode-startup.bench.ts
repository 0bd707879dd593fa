// Real-VS-Code start-up costs, measured with code-server + headless chromium (skipped when not installed:
// run scripts/codeserver-install.sh). Prints how long until the server answers, the workbench renders,
// and our commands are registered after opening a folder with a Tiltfile, and the extension's own activation
// cost in that real VS Code (bundle evaluation and activate(), from the line it logs to its log file).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { locateCodeServer, startCodeServer } from '../test/e2e/lib/codeServer';
import { buildExtension, prepareExtensionsDir } from '../test/e2e/lib/extensions';
import { openWorkbench } from '../test/e2e/lib/workbench';

async function main(): Promise<void> {
  const found = locateCodeServer();
  if (!('dir' in found)) {
    console.log(`skipped: ${found.missing}`);
    return;
  }
  buildExtension();
  const workspace = mkdtempSync(join(tmpdir(), 'innerloop-bench-ws-'));
  cpSync(join(__dirname, '..', 'test', 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
  const extensionsDir = await prepareExtensionsDir({ harness: false });
  const t0 = performance.now();
  const server = await startCodeServer({ dir: found.dir, workspace, extensionsDir });
  const tServer = performance.now();
  try {
    const wb = await openWorkbench(server, { trust: true });
    const tWorkbench = performance.now();
    let entries: string[] = [];
    for (let i = 0; i < 60 && !entries.some((e) => e.includes('Innerloop: Up')); i++) {
      entries = await wb.paletteEntries('Innerloop:');
      if (!entries.length) await wb.page.waitForTimeout(250);
    }
    const tCommands = performance.now();
    let activated: RegExpExecArray | null = null;
    for (let i = 0; i < 40 && !activated; i++) {
      activated = /Innerloop activated \(bundle evaluation ([\d.?]+) ms, activate\(\) ([\d.]+) ms\)/.exec(logText(join(server.userDataDir, 'logs')));
      if (!activated) await wb.page.waitForTimeout(250);
    }
    await wb.close();
    console.log(`code-server answering: ${Math.round(tServer - t0)} ms`);
    console.log(`workbench rendered (login + trust): ${Math.round(tWorkbench - tServer)} ms`);
    console.log(`Innerloop commands in palette after workbench: ${Math.round(tCommands - tWorkbench)} ms`);
    if (activated) {
      console.log(`extension bundle evaluation in VS Code (first line to activate()): ${activated[1]} ms`);
      console.log(`activate() in VS Code: ${activated[2]} ms`);
    } else {
      console.log('activate() in VS Code: not found in the Innerloop log');
    }
  } finally {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(extensionsDir, { recursive: true, force: true });
  }
}

/** Every Innerloop.log under VS Code's logs folder, concatenated. */
function logText(dir: string): string {
  let out = '';
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out += logText(p);
    else if (n === 'Innerloop.log') out += readFileSync(p, 'utf8');
  }
  return out;
}

void main();
