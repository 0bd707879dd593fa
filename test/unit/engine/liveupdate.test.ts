import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveUpdateStep } from '../../../src/tiltfile/plan';
import { planLiveUpdate } from '../../../src/engine/liveupdate/plan';
import { ContainerSyncTracker } from '../../../src/engine/liveupdate/highWaterMark';

const steps: LiveUpdateStep[] = [
  { kind: 'fall_back_on', files: ['/repo/app/requirements.txt'] },
  { kind: 'sync', localPath: '/repo/app', remotePath: '/srv/app' },
  { kind: 'sync', localPath: '/repo/app/static', remotePath: '/var/www' },
  { kind: 'run', command: ['pip', 'install', '-r', 'requirements.txt'], shell: false, triggers: ['/repo/app/setup.py'], echoOff: false },
  { kind: 'run', command: ['touch /tmp/reload'], shell: true, triggers: [], echoOff: true },
];
const ch = (p: string, deleted = false) => ({ path: p, deleted });

test('files map into the container; deletions listed; triggered and untriggered runs', () => {
  const plan = planLiveUpdate(steps, [ch('/repo/app/main.py'), ch('/repo/app/static/css/a.css'), ch('/repo/app/old.py', true)]);
  assert.deepEqual(plan, {
    kind: 'live_update',
    copies: [
      { localPath: '/repo/app/main.py', containerPath: '/srv/app/main.py' },
      { localPath: '/repo/app/static/css/a.css', containerPath: '/var/www/css/a.css' },
    ],
    deletions: ['/srv/app/old.py'],
    runs: [{ command: ['touch /tmp/reload'], shell: true, echoOff: true }],
    restart: false,
  });
  const withTrigger = planLiveUpdate(steps, [ch('/repo/app/setup.py')]);
  assert.equal(withTrigger.kind === 'live_update' && withTrigger.runs.length, 2);
});

test('fall_back_on forces a full rebuild with a reason', () => {
  const plan = planLiveUpdate(steps, [ch('/repo/app/main.py'), ch('/repo/app/requirements.txt')], { displayBase: '/repo' });
  assert.deepEqual(plan, { kind: 'full_rebuild', reason: 'app/requirements.txt matches fall_back_on', files: ['/repo/app/main.py', '/repo/app/requirements.txt'] });
});

test('a file outside every sync forces a full rebuild naming it', () => {
  const one = planLiveUpdate(steps, [ch('/repo/app/main.py'), ch('/repo/src/x.py')], { displayBase: '/repo' });
  assert.equal(one.kind, 'full_rebuild');
  assert.equal(one.kind === 'full_rebuild' && one.reason, 'src/x.py is not under any sync path');
  const many = planLiveUpdate(steps, [ch('/repo/src/x.py'), ch('/repo/Dockerfile'), ch('/repo/b')], { displayBase: '/repo' });
  assert.equal(many.kind === 'full_rebuild' && many.reason, 'src/x.py and 2 other files are not under any sync path');
  assert.equal(planLiveUpdate(steps, [ch('/repo/app2/x')]).kind, 'full_rebuild', 'prefix is not containment');
});

test('restart_container / restart_process set restart; no syncs means full; no changes is a noop', () => {
  const r = planLiveUpdate([...steps, { kind: 'restart_container' }], [ch('/repo/app/a.py')]);
  assert.equal(r.kind === 'live_update' && r.restart, true);
  const rp = planLiveUpdate(steps, [ch('/repo/app/a.py')], { restartProcess: true });
  assert.equal(rp.kind === 'live_update' && rp.restart, true);
  assert.equal(planLiveUpdate([{ kind: 'initial_sync' }], [ch('/a')]).kind, 'full_rebuild');
  assert.equal(planLiveUpdate(steps, []).kind, 'noop');
});

test('high-water marks: synced containers get only new files; a restarted container gets everything since the build', () => {
  const t = new ContainerSyncTracker();
  t.recordChange('/repo/app/before.py', 900); // baked into the image
  t.imageBuilt(1000);
  t.recordChange('/repo/app/during.py', 1001); // changed while the image built: may be missing from it
  const first = t.pending('c1');
  assert.deepEqual(first.files, ['/repo/app/during.py']);
  t.markSynced('c1', first.upTo);
  assert.deepEqual(t.pending('c1').files, []);
  t.recordChange('/repo/app/a.py', 2000);
  t.recordChange('/repo/app/b.py', 2000); // same tick: sequence numbers keep them apart
  const second = t.pending('c1');
  assert.deepEqual(second.files, ['/repo/app/a.py', '/repo/app/b.py']);
  t.markSynced('c1', second.upTo);
  t.recordChange('/repo/app/a.py', 2000);
  assert.deepEqual(t.pending('c1').files, ['/repo/app/a.py']);
  // Container restarted: new ID, no mark -> replay all since build start, oldest change first
  assert.deepEqual(t.pending('c2').files, ['/repo/app/during.py', '/repo/app/b.py', '/repo/app/a.py']);
  t.retainContainers(['c2']);
  assert.equal(t.hasMark('c1'), false);
  // New image: its build started after these changes -> nothing to replay
  t.imageBuilt(3000);
  assert.deepEqual(t.pending('c3').files, []);
});
