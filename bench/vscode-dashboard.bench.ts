/// <reference lib="dom" />
// The dashboard webview with a million log lines. Loads the real bundle (dist/webview/dashboard.js) and page
// (src/vscode/dashboard/html.ts, same CSP) in headless Debian chromium through playwright-core, with a fake
// acquireVsCodeApi; serves the files from an intercepted origin so nothing leaves the machine. Feeds 1,000,000
// lines in the host's batch size through window.postMessage (structured clone, like a real webview), then
// measures JS heap (CDP, after a forced GC), DOM size, filter time and frame times while scrolling.
// Skips when chromium is not installed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../test/e2e/lib/codeServer';
import { buildExtension, REPO } from '../test/e2e/lib/extensions';
import { dashboardHtml } from '../src/vscode/dashboard/html';

const LINES = 1_000_000;
const BATCH = 20_000; // the host's LOG_BATCH_LINES
const ORIGIN = 'http://innerloop.bench';

interface PageStats {
  ms: number;
  count: string;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: chromium not found at ${CHROMIUM}`);
    return;
  }
  buildExtension();
  const js = readFileSync(join(REPO, 'dist', 'webview', 'dashboard.js'));
  const css = readFileSync(join(REPO, 'media', 'dashboard.css'));
  const html = dashboardHtml({ cspSource: ORIGIN, nonce: 'benchnonce', css: `${ORIGIN}/dashboard.css`, js: `${ORIGIN}/dashboard.js` });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--enable-precise-memory-info'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `${ORIGIN}/`) return route.fulfill({ contentType: 'text/html', body: html });
      if (url.endsWith('/dashboard.js')) return route.fulfill({ contentType: 'text/javascript', body: js });
      if (url.endsWith('/dashboard.css')) return route.fulfill({ contentType: 'text/css', body: css });
      return route.abort();
    });
    // A string, not a function: tsx's transform would reference its __name helper inside the page.
    // __name is defined for the page.evaluate callbacks below for the same reason.
    await page.addInitScript({
      content: `globalThis.__name = (f) => f;
        globalThis.__sent = [];
        globalThis.acquireVsCodeApi = () => ({
          postMessage: (m) => globalThis.__sent.push(m),
          getState: () => globalThis.__state,
          setState: (s) => { globalThis.__state = s; },
        });`,
    });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    page.on('console', (m) => (m.type() === 'error' ? console.error('console:', m.text()) : undefined));
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => (globalThis as unknown as { __sent: unknown[] }).__sent.length > 0);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const m = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
      return m.metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    const before = await heap();

    // A model with a few resources, then the lines, generated in the page and posted in host-sized batches.
    const feed = (await page.evaluate(
      async ({ lines, batch }) => {
        const post = (m: unknown): void => window.postMessage(m, '*');
        const names = ['api', 'web', 'db', 'worker', 'frontend', 'migrations'];
        const rows = names.map((name) => ({
          name, status: 'ok', description: '', tooltip: [name], endpoints: [], needsTrigger: false, labels: [], type: 'k8s',
          triggerMode: 'auto', updateStatus: 'ok', runtimeStatus: 'ok', pendingChanges: 0, pods: [{ name: `${name}-5d9c7b-x2x4q`, status: 'Running', ready: true, restarts: 0 }],
        }));
        const counts = { error: 0, building: 0, pending: 0, warning: 0, ok: names.length, idle: 0, disabled: 0 };
        post({ type: 'state', model: { running: true, counts, total: names.length, rows } });
        const start = performance.now();
        for (let at = 0; at < lines; at += batch) {
          const n = Math.min(batch, lines - at);
          const res: number[] = new Array<number>(n);
          const text: string[] = new Array<string>(n);
          let src = '';
          let lvl = '';
          for (let i = 0; i < n; i++) {
            const k = at + i;
            res[i] = k % names.length;
            src += k % 7 === 0 ? 'b' : 'r';
            lvl += k % 997 === 0 ? 'e' : k % 101 === 0 ? 'w' : 'i';
            text[i] = `2026-11-22T05:00:${String(k % 60).padStart(2, '0')}Z ${k % 997 === 0 ? 'ERROR' : 'INFO'} request id=${k} path=/api/todos/${k % 500} status=${k % 997 === 0 ? 500 : 200} took=${k % 250}ms`;
          }
          post({ type: 'logs', reset: at === 0, batch: { resources: names, res, src, lvl, text } });
          // Yield like the host's 50 ms flush interval would, so the page renders between batches.
          await new Promise((r) => setTimeout(r, 0));
        }
        const want = lines.toLocaleString();
        while (!(document.getElementById('log-count')?.textContent ?? '').startsWith(want)) await new Promise((r) => setTimeout(r, 5));
        return { ms: performance.now() - start, count: document.getElementById('log-count')?.textContent ?? '' };
      },
      { lines: LINES, batch: BATCH },
    )) as PageStats;
    const after = await heap();
    const dom = await page.evaluate(() => ({
      nodes: document.getElementsByTagName('*').length,
      rows: document.querySelectorAll('.log-row').length,
    }));

    // Scrolling: a rAF loop moves the viewport every frame (steady wheel-like, then random jumps).
    const scroll = async (mode: 'steady' | 'jump'): Promise<number[]> =>
      page.evaluate(async (m) => {
        const vp = document.getElementById('log-viewport')!;
        const follow = document.getElementById('follow') as HTMLInputElement;
        if (follow.checked) follow.click();
        vp.scrollTop = 0;
        const deltas: number[] = [];
        let last = performance.now();
        for (let f = 0; f < 240; f++) {
          if (m === 'steady') vp.scrollTop += 120;
          else vp.scrollTop = Math.floor(Math.random() * vp.scrollHeight);
          await new Promise((r) => requestAnimationFrame(() => r(undefined)));
          const now = performance.now();
          deltas.push(now - last);
          last = now;
        }
        return deltas;
      }, mode);
    const steady = await scroll('steady');
    const jump = await scroll('jump');
    const visibleOk = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('.log-row')).filter((r) => (r as HTMLElement).style.display !== 'none');
      return rows.length > 0 && rows.every((r) => /request id=\d+/.test(r.textContent ?? ''));
    });

    // Filters over the whole million: level (synchronous) and a regex (after the 150 ms typing pause).
    const levelMs = await page.evaluate(() => {
      const sel = document.getElementById('filter-level') as HTMLSelectElement;
      sel.value = 'error';
      const t = performance.now();
      sel.dispatchEvent(new Event('change'));
      return performance.now() - t;
    });
    const levelCount = await page.locator('#log-count').innerText();
    const regex = await page.evaluate(async () => {
      (document.getElementById('filter-level') as HTMLSelectElement).value = 'all';
      document.getElementById('filter-level')!.dispatchEvent(new Event('change'));
      const box = document.getElementById('filter-regex') as HTMLInputElement;
      box.click();
      const input = document.getElementById('filter-text') as HTMLInputElement;
      const count = document.getElementById('log-count')!;
      const was = count.textContent;
      input.value = 'status=500 took=1\\d\\dms';
      const t = performance.now();
      input.dispatchEvent(new Event('input'));
      while (count.textContent === was) await new Promise((r) => setTimeout(r, 1));
      return { ms: performance.now() - t - 150, count: count.textContent ?? '' };
    });

    console.log(`dashboard ingest of ${LINES.toLocaleString()} log lines (${BATCH.toLocaleString()}-line batches via postMessage): ${Math.round(feed.ms)} ms`);
    console.log(`dashboard JS heap before logs: ${(before / 1048576).toFixed(1)} MiB`);
    console.log(`dashboard JS heap with ${LINES.toLocaleString()} lines: ${(after / 1048576).toFixed(1)} MiB`);
    console.log(`dashboard heap per log line: ${Math.round((after - before) / LINES)} bytes`);
    console.log(`dashboard DOM elements with ${LINES.toLocaleString()} lines: ${dom.nodes} (log rows in DOM: ${dom.rows})`);
    console.log(`scroll frame time p50 (steady, 240 frames): ${pct(steady, 50).toFixed(1)} ms`);
    console.log(`scroll frame time p95 (steady): ${pct(steady, 95).toFixed(1)} ms`);
    console.log(`scroll frame time max (steady): ${Math.max(...steady).toFixed(1)} ms`);
    console.log(`scroll frame time p50 (random jumps, 240 frames): ${pct(jump, 50).toFixed(1)} ms`);
    console.log(`scroll frame time p95 (random jumps): ${pct(jump, 95).toFixed(1)} ms`);
    console.log(`scroll frame time max (random jumps): ${Math.max(...jump).toFixed(1)} ms`);
    console.log(`visible rows correct after scrolling: ${visibleOk ? 1 : 0} bool`);
    console.log(`level filter (errors) over ${LINES.toLocaleString()} lines: ${levelMs.toFixed(0)} ms (${levelCount})`);
    console.log(`regex filter over ${LINES.toLocaleString()} lines: ${regex.ms.toFixed(0)} ms (${regex.count})`);
  } finally {
    await browser.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
