import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { applyToContainers, ContainerGoneError, type ContainerExecutor, type ContainerRef, type ExecResult } from '../../../src/engine/liveupdate/containerUpdate';
import { planLiveUpdate } from '../../../src/engine/liveupdate/plan';
import type { LiveUpdateStep } from '../../../src/tiltfile/plan';

/** A "container" whose filesystem root is a temp dir; tar/rm/sh run for real against it. */
class FakeContainers implements ContainerExecutor {
  readonly calls: { container: string; argv: string[] }[] = [];
  readonly roots = new Map<string, string>();
  failOn?: (c: ContainerRef, argv: string[]) => ExecResult | undefined;

  root(c: ContainerRef): string {
    let r = this.roots.get(c.containerId);
    if (!r) this.roots.set(c.containerId, (r = fs.mkdtempSync(path.join(os.tmpdir(), `il-ctr-${c.containerId}-`))));
    return r;
  }

  async exec(c: ContainerRef, argv: string[], stdin?: Readable): Promise<ExecResult> {
    this.calls.push({ container: c.containerId, argv });
    const forced = this.failOn?.(c, argv);
    if (forced) {
      stdin?.resume();
      return forced;
    }
    const root = this.root(c);
    let real: string[];
    if (argv[0] === 'tar') real = ['tar', '-C', root, '-x', '-f', '-'];
    else if (argv[0] === 'rm') real = ['rm', ...argv.slice(1).map((a) => (a.startsWith('/') ? path.join(root, a) : a))];
    else real = argv;
    return new Promise((resolve) => {
      const p = spawn(real[0], real.slice(1), { cwd: root, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      let output = '';
      p.stdout?.on('data', (d) => (output += d));
      p.stderr?.on('data', (d) => (output += d));
      if (stdin && p.stdin) stdin.pipe(p.stdin);
      p.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
    });
  }

  cleanup(): void {
    for (const r of this.roots.values()) fs.rmSync(r, { recursive: true, force: true });
  }
}

function setup() {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'il-src-'));
  fs.mkdirSync(path.join(src, 'lib'));
  fs.writeFileSync(path.join(src, 'main.py'), 'print("v2")');
  fs.writeFileSync(path.join(src, 'lib', 'util.py'), 'X = 1');
  const steps: LiveUpdateStep[] = [
    { kind: 'sync', localPath: src, remotePath: '/app' },
    { kind: 'run', command: ['echo reloaded > /dev/null && echo done'], shell: true, triggers: [], echoOff: false },
  ];
  return { src, steps };
}

const c1: ContainerRef = { pod: 'api-1', container: 'api', containerId: 'c1' };
const c2: ContainerRef = { pod: 'api-2', container: 'api', containerId: 'c2' };

test('copies files with tar into every container, deletes removed ones, runs steps', async () => {
  const { src, steps } = setup();
  const fake = new FakeContainers();
  try {
    fs.mkdirSync(path.join(fake.root(c1), 'app'), { recursive: true });
    fs.writeFileSync(path.join(fake.root(c1), 'app', 'old.py'), 'old');
    const plan = planLiveUpdate(steps, [
      { path: path.join(src, 'main.py'), deleted: false },
      { path: path.join(src, 'lib'), deleted: false },
      { path: path.join(src, 'old.py'), deleted: true },
    ]);
    assert.equal(plan.kind, 'live_update');
    if (plan.kind !== 'live_update') return;
    const lines: string[] = [];
    const r = await applyToContainers(fake, [c1, c2], plan, { onOutput: (l) => lines.push(l) });
    assert.equal(r.kind, 'ok');
    for (const c of [c1, c2]) {
      assert.equal(fs.readFileSync(path.join(fake.root(c), 'app', 'main.py'), 'utf8'), 'print("v2")');
      assert.equal(fs.readFileSync(path.join(fake.root(c), 'app', 'lib', 'util.py'), 'utf8'), 'X = 1');
      assert.equal(fs.existsSync(path.join(fake.root(c), 'app', 'old.py')), false);
    }
    assert.deepEqual(fake.calls.filter((x) => x.container === 'c1').map((x) => x.argv[0]), ['rm', 'tar', 'sh']);
    assert.ok(lines.includes('[api-1/api] done'), lines.join('\n'));
  } finally {
    fake.cleanup();
    fs.rmSync(src, { recursive: true, force: true });
  }
});

test('nothing deleted: no rm round trip, one tar exec (issue 14)', async () => {
  const { src, steps } = setup();
  const fake = new FakeContainers();
  try {
    const plan = planLiveUpdate(steps.filter((st) => st.kind === 'sync'), [{ path: path.join(src, 'main.py'), deleted: false }]);
    assert.ok(plan.kind === 'live_update');
    assert.equal((await applyToContainers(fake, [c1], plan)).kind, 'ok');
    assert.deepEqual(fake.calls.map((x) => x.argv[0]), ['tar']);
  } finally {
    fake.cleanup();
    fs.rmSync(src, { recursive: true, force: true });
  }
});

test('a failing run step is a user error (no rebuild); a missing tar is infrastructure with a hint', async () => {
  const { src, steps } = setup();
  const fake = new FakeContainers();
  try {
    const plan = planLiveUpdate(steps, [{ path: path.join(src, 'main.py'), deleted: false }]);
    if (plan.kind !== 'live_update') return assert.fail('expected live update');
    fake.failOn = (_c, argv) => (argv[0] === 'sh' ? { exitCode: 2, output: 'SyntaxError\n' } : undefined);
    const r = await applyToContainers(fake, [c1], plan);
    assert.equal(r.kind, 'run_failed');
    fake.failOn = (_c, argv) => (argv[0] === 'tar' ? { exitCode: 127, output: 'exec: "tar": executable file not found in $PATH' } : undefined);
    const r2 = await applyToContainers(fake, [c1], plan);
    assert.equal(r2.kind, 'needs_rebuild');
    assert.match(r2.kind === 'needs_rebuild' ? r2.hint ?? '' : '', /distroless/);
  } finally {
    fake.cleanup();
    fs.rmSync(src, { recursive: true, force: true });
  }
});

test('success on one pod and failure on the next is inconsistent -> rebuild; restart_container needs Docker', async () => {
  const { src, steps } = setup();
  const fake = new FakeContainers();
  try {
    const plan = planLiveUpdate(steps, [{ path: path.join(src, 'main.py'), deleted: false }]);
    if (plan.kind !== 'live_update') return assert.fail('expected live update');
    fake.failOn = (c, argv) => {
      if (c.containerId === 'c2' && argv[0] === 'tar') return { exitCode: 2, output: 'tar: app/main.py: Cannot open: Permission denied' };
      if (argv[0] === 'id') return { exitCode: 0, output: '1000\n' };
      return undefined;
    };
    const r = await applyToContainers(fake, [c1, c2], plan);
    assert.equal(r.kind, 'needs_rebuild');
    if (r.kind !== 'needs_rebuild') return;
    assert.match(r.reason, /inconsistent/);
    assert.equal(r.hint, 'permission denied writing /app/main.py: the container runs as uid 1000 — make the sync destination writable (e.g. chown it in the Dockerfile)');
    assert.deepEqual(fake.calls.filter((x) => x.argv[0] === 'id').map((x) => x.container), ['c2'], 'the uid is asked only of the failing container');
    fake.failOn = undefined;
    const r2 = await applyToContainers(fake, [c1], { ...plan, restart: true });
    assert.equal(r2.kind === 'needs_rebuild' && /restart_process/.test(r2.hint ?? ''), true);
    assert.equal((await applyToContainers(fake, [], plan)).kind, 'needs_rebuild');
  } finally {
    fake.cleanup();
    fs.rmSync(src, { recursive: true, force: true });
  }
});

test('a container that stops or restarts during the copy is container_gone (no rebuild), and the archive is released', async () => {
  const { src, steps } = setup();
  try {
    const plan = planLiveUpdate(steps, [{ path: path.join(src, 'main.py'), deleted: false }]);
    if (plan.kind !== 'live_update') return assert.fail('expected live update');
    let archive: Readable | undefined;
    const gone: ContainerExecutor = {
      async exec(c, _argv, stdin) {
        archive = stdin;
        throw new ContainerGoneError(`${c.pod}/${c.container}: the container restarted during the live update`);
      },
    };
    const r = await applyToContainers(gone, [c1], plan);
    assert.deepEqual(r, { kind: 'container_gone', container: c1, reason: 'api-1/api: the container restarted during the live update', updated: [] });
    assert.ok(archive?.destroyed, 'the tar stream is destroyed');
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
});
