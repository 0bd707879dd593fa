// The clock of the loop benches, as issue 14's table was measured: one process writes the file and polls the served
// URL through the port forward every 5 ms, each poll on a fresh TCP connection (no keep-alive agent), so a reused
// socket to a stale forward can never answer for the new one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { get } from '../test/integration/todo/harness';

const POLL_MS = 5;

// How long one poll may wait for its answer (INNERLOOP_BENCH_POLL_TIMEOUT_MS, default 1 s).
const POLL_TIMEOUT_MS = Number(process.env.INNERLOOP_BENCH_POLL_TIMEOUT_MS ?? 1_000);

/** One GET on a new connection; never rejects (status 0 on a connection error). */
export const getFresh = (url: string, timeoutMs = POLL_TIMEOUT_MS): ReturnType<typeof get> => get(url, timeoutMs, true);

/** performance.now() of the first poll that returned `token`. */
export async function waitServed(url: string, token: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if ((await getFresh(url)).body === token) return performance.now();
    if (performance.now() - t0 > timeoutMs) throw new Error(`"${token}" not served at ${url} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The p-th percentile (nearest rank). */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

/** Save `token` to `file` `edits` times (plus a warm-up); save -> served latencies, ms. `served` gets each edit's
 * save and served times (epoch ms), for a breakdown against the engine's own timestamps. */
export async function staticEdits(file: string, url: string, edits: number, served?: (savedAt: number, servedAt: number) => void): Promise<number[]> {
  fs.writeFileSync(file, 'warmup');
  await waitServed(url, 'warmup', 60_000);
  const lat: number[] = [];
  for (let i = 0; i < edits; i++) {
    const token = `static-${i}-${Date.now()}`;
    const savedAt = Date.now();
    const saved = performance.now();
    fs.writeFileSync(file, token);
    const done = await waitServed(url, token, 30_000);
    lat.push(done - saved);
    served?.(savedAt, savedAt + (done - saved));
  }
  return lat;
}

/** Make the todo API's GET /innerloop-probe return `token` (an edit of api/app.py in the temp copy at `dir`). */
export function writeProbeRoute(dir: string, token: string): void {
  const file = path.join(dir, 'api', 'app.py');
  const src = fs.readFileSync(file, 'utf8').replace(/\n@app\.get\("\/innerloop-probe"\)[\s\S]*?# end-probe\n/, '\n');
  const route = `\n@app.get("/innerloop-probe")\ndef innerloop_probe():\n    return "${token}"\n# end-probe\n`;
  const at = src.indexOf('if __name__');
  fs.writeFileSync(file, src.slice(0, at) + route + '\n' + src.slice(at));
}
