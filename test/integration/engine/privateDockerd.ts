// A Docker daemon of the test's own, to kill and restart without touching the shared one others build on: the
// same dockerd binary with its own data root, exec root, pidfile and socket under a temp dir, a bridge of its own
// and no iptables rules (never `--bridge=none`: a dockerd started so deletes the host's docker0, the shared
// daemon's default bridge, and every RUN step there then fails with "could not find bridge docker0"), on a
// containerd of its own that keeps running while dockerd is killed and restarted (as with systemd's separate
// containerd.service; a dockerd-managed containerd must start again with it, which times out on a loaded machine).
// It pulls base images from the shared registry on 127.0.0.1:5000 (loopback registries are insecure by default).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

export const DOCKERD_BIN = '/usr/sbin/dockerd';
export const CONTAINERD_BIN = '/usr/bin/containerd';

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export class PrivateDockerd {
  /** Short: the managed containerd's socket lives under it, and unix socket paths are limited to 108 bytes. */
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-dkd-'));
  readonly socket = path.join(this.dir, 'docker.sock');
  readonly host = `unix://${this.socket}`;
  private readonly containerdSocket = path.join(this.dir, 'cd.sock');
  private containerd: ChildProcess | undefined;
  private proc: ChildProcess | undefined;
  private starts = 0;
  /** Its default bridge: `ild` + 6 hex (interface names stop at 15 bytes), on a /24 no one else here uses. */
  private readonly bridge = `ild${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`;
  private bridgeUp = false;

  /** Its containerd (once), then dockerd. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (!this.containerd) await this.startContainerd(timeoutMs);
    if (!this.bridgeUp) this.addBridge();
    const log = fs.openSync(path.join(this.dir, `dockerd-${++this.starts}.log`), 'w');
    this.proc = spawn(DOCKERD_BIN, [
      '-H', this.host, '--containerd', this.containerdSocket, '--containerd-namespace', 'il-test', '--containerd-plugins-namespace', 'il-test-plugins',
      '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'x'),
      '--pidfile', path.join(this.dir, 'dockerd.pid'), '--bridge', this.bridge, '--iptables=false', '--ip6tables=false', '--ip-masq=false',
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const end = Date.now() + timeoutMs;
    while (!(await ping(this.socket))) {
      if (this.proc.exitCode !== null) throw new Error(`dockerd exited with ${this.proc.exitCode}: ${this.logTail()}`);
      if (Date.now() > end) throw new Error(`dockerd did not answer within ${timeoutMs} ms: ${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async startContainerd(timeoutMs: number): Promise<void> {
    const d = (x: string): string => path.join(this.dir, x);
    fs.writeFileSync(d('containerd.toml'), [
      'version = 2', `root = "${d('cd-root')}"`, `state = "${d('cd-state')}"`,
      // No CRI (no Kubernetes here), and nothing written to /opt.
      'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt"]',
      '[grpc]', `  address = "${this.containerdSocket}"`, '[ttrpc]', `  address = "${this.containerdSocket}.ttrpc"`,
      '[debug]', `  address = "${d('cd-debug.sock')}"`, '',
    ].join('\n'));
    const log = fs.openSync(d('containerd.log'), 'w');
    const p = (this.containerd = spawn(CONTAINERD_BIN, ['--config', d('containerd.toml')], { stdio: ['ignore', log, log] }));
    fs.closeSync(log);
    const end = Date.now() + timeoutMs;
    while (!fs.existsSync(this.containerdSocket)) {
      if (p.exitCode !== null) throw new Error(`containerd exited with ${p.exitCode}: ${fs.readFileSync(d('containerd.log'), 'utf8').slice(-2000)}`);
      if (Date.now() > end) throw new Error(`containerd did not start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL (the fault) or SIGTERM (clean up) dockerd; resolves when the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    await stopProcess(p, signal);
  }

  private addBridge(): void {
    const ip = (...args: string[]): void => {
      const r = spawnSync('ip', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
    };
    ip('link', 'add', this.bridge, 'type', 'bridge');
    this.bridgeUp = true;
    ip('addr', 'add', `10.251.${1 + Math.floor(Math.random() * 250)}.1/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
  }

  /** Stop dockerd, then its containerd, unmount what a killed build may have left mounted under the temp dir, and remove it. */
  async dispose(): Promise<void> {
    await this.stop('SIGTERM');
    const c = this.containerd;
    this.containerd = undefined;
    await stopProcess(c, 'SIGTERM');
    const mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m === this.dir || m.startsWith(this.dir + '/'));
    for (const m of mounts.sort().reverse()) await new Promise((r) => spawn('umount', ['-l', m], { stdio: 'ignore' }).once('exit', r));
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.bridgeUp) spawnSync('ip', ['link', 'del', this.bridge], { stdio: 'ignore' });
    this.bridgeUp = false;
  }

  logTail(): string {
    const logs = fs.readdirSync(this.dir).filter((f) => f.startsWith('dockerd-')).sort();
    const last = logs.at(-1);
    return last ? fs.readFileSync(path.join(this.dir, last), 'utf8').split('\n').slice(-15).join('\n') : '';
  }
}

async function stopProcess(p: ChildProcess | undefined, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  const late = setTimeout(() => p.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(late);
}
