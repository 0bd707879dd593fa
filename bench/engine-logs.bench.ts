// Log ingestion rate and memory: 1,000,000 lines across 20 resources (one very chatty), 200 secrets to scrub.
// Goal: > 50,000 lines/s; memory bounded by maxLinesPerResource, not by the number of lines ingested.
import { LogStore } from '../src/engine/logs';

const TOTAL = 1_000_000;
const RESOURCES = 20;
const MAX_LINES = 10_000;

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

const store = new LogStore({ maxLinesPerResource: MAX_LINES });
const secrets = Array.from({ length: 200 }, (_, i) => `s3cr3t-${i.toString(36)}-${(i * 7919).toString(16)}`);
store.scrubber.setSecrets(secrets);
store.onDidAppend(() => undefined);
const names = Array.from({ length: RESOURCES }, (_, i) => `svc-${i}`);
const sample = [
  '2026-01-01T00:00:00.000Z INFO  request handled method=GET path=/api/v1/items status=200 duration=3.2ms',
  '2026-01-01T00:00:00.001Z DEBUG cache hit key=user:1234 ttl=300',
  `2026-01-01T00:00:00.002Z WARN  auth token=${secrets[17]} rejected`,
  '2026-01-01T00:00:00.003Z ERROR upstream timeout after 30s host=db.internal:5432',
];

async function main(): Promise<void> {
  const rssBefore = rssMb();
  const start = process.hrtime.bigint();
  for (let i = 0; i < TOTAL; i++) {
    // Half of all lines come from svc-0, the rest spread over the others.
    const r = i % 2 === 0 ? names[0] : names[1 + (i % (RESOURCES - 1))];
    store.append(r, 'runtime', sample[i & 3]);
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
await new Promise((r) => setImmediate(r));
if (global.gc) global.gc();
const rssAfter = rssMb();

let kept = 0;
for (const n of names) kept += store.lineCount(n);
const redacted = store.linesSince(names[0]).some((l) => l.text.includes('[redacted]'));

console.log(`engine-logs ingest rate: ${Math.round(TOTAL / secs)} lines/s`);
console.log(`engine-logs lines kept: ${kept} lines (cap ${MAX_LINES} x ${RESOURCES})`);
console.log(`engine-logs rss growth: ${(rssAfter - rssBefore).toFixed(1)} MB`);
console.log(`engine-logs rss total: ${rssAfter.toFixed(1)} MB`);
console.log(`engine-logs secrets scrubbed: ${redacted ? 'yes' : 'NO'}`);
}

void main();
