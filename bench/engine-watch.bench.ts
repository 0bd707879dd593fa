// Watcher start-up on a generated 100,000-file tree (1,000 directories x 100 files, plus an ignored
// node_modules with another 20,000 files that must never be walked). Goal: < 5 s and < 200 MB RSS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realClock } from '../src/engine/clock';
import { anyOf, EPHEMERAL_FILTER, patternFilter } from '../src/engine/watch/ignores';
import { PathRouter } from '../src/engine/watch/router';
import { FileWatcher } from '../src/engine/watch/watcher';

const DIRS = 1000;
const FILES_PER_DIR = 100;

function generate(root: string): void {
  for (let d = 0; d < DIRS; d++) {
    const dir = path.join(root, 'src', `pkg${Math.floor(d / 50)}`, `mod${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) fs.writeFileSync(path.join(dir, `file${f}.ts`), '');
  }
  for (let d = 0; d < 200; d++) {
    const dir = path.join(root, 'node_modules', `dep${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `f${f}.js`), '');
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'il-watch-bench-'));
  try {
    generate(root);
    if (global.gc) global.gc();
    const rssBefore = process.memoryUsage().rss;
    const router = new PathRouter([
      { id: 'image:app', deps: [root], filter: anyOf([EPHEMERAL_FILTER, patternFilter(root, ['node_modules', '**/*.log'])]) },
    ]);
    const t0 = process.hrtime.bigint();
    let events = 0;
    const w = await FileWatcher.start(router, { clock: realClock, onChanges: (m) => (events += m.size), onError: () => undefined });
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const rss = process.memoryUsage().rss;
    // One change after start-up must still arrive.
    const got = new Promise<number>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (events > 0 || Date.now() - started > 5000) {
          clearInterval(poll);
          resolve(Date.now() - started);
        }
      }, 5);
    });
    fs.writeFileSync(path.join(root, 'src', 'pkg3', 'mod150', 'file7.ts'), 'changed');
    const latency = await got;
    w.dispose();
    console.log(`engine-watch files: ${DIRS * FILES_PER_DIR} files (+20000 ignored)`);
    console.log(`engine-watch startup: ${secs.toFixed(2)} s`);
    console.log(`engine-watch rss: ${(rss / 1024 / 1024).toFixed(1)} MB`);
    console.log(`engine-watch rss growth: ${((rss - rssBefore) / 1024 / 1024).toFixed(1)} MB`);
    console.log(`engine-watch change latency: ${events > 0 ? latency : 'lost'} ms`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
