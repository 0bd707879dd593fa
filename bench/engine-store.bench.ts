// Store update throughput with 300 resources (Tilt's UI struggled at that size, #5495): 100,000 single-resource
// updates with one subscriber, then the same inside batches of 100. Reports updates/s and events delivered.
import { Store } from '../src/engine/store';
import { initialResourceState } from '../src/shared/state';

const RESOURCES = 300;
const UPDATES = 100_000;

function setup(): { store: Store; events: () => number } {
  const store = new Store();
  store.setResources(Array.from({ length: RESOURCES }, (_, i) => initialResourceState({ name: `svc-${i}`, type: 'k8s', labels: [], triggerMode: 'auto', autoInit: true })));
  let n = 0;
  store.onDidChange(() => n++);
  return { store, events: () => n };
}

function run(batchSize: number): void {
  const { store, events } = setup();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < UPDATES; i += batchSize) {
    store.batch(() => {
      for (let j = i; j < i + batchSize; j++) store.dispatch({ type: 'runtime_observed', name: `svc-${j % RESOURCES}`, runtime: Math.floor(j / RESOURCES) % 2 ? 'ok' : 'pending' });
    });
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const label = batchSize === 1 ? 'unbatched' : `batched x${batchSize}`;
  console.log(`engine-store ${label} updates: ${Math.round(UPDATES / secs)} updates/s`);
  console.log(`engine-store ${label} events: ${events()} events`);
}

run(1);
run(100);
