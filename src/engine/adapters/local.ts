// local_resource: `cmd` runs to completion on each update; `serve_cmd` is a long-running process (re)started
// after each successful update, with its readiness from readiness_probe (exec / http_get / tcp_socket) or "ready
// once started". Output goes to the resource's log; stopping kills each process group.

import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import type { LocalResource, Probe } from '../../shared/plan';
import type { LocalCmdPort, UpdateContext } from '../ports';
import type { RuntimeStatus } from '../../shared/state';
import { killGroup, runCommand, spawnCommand } from './process';

export interface LocalAdapterOptions {
  /** A line of serve_cmd output. */
  serveOutput(resource: string, line: string): void;
  setRuntime(resource: string, status: RuntimeStatus): void;
  /** SIGTERM to SIGKILL when a cmd or serve_cmd is stopped. Default 3 s; `ci` gives less, it exits right away. */
  killGraceMs?: number;
}

interface Serving {
  child: ChildProcess;
  /** The readiness probe's initial delay (cleared on stop, so it cannot keep the process alive). */
  delayTimer?: NodeJS.Timeout;
  probeTimer?: NodeJS.Timeout;
  stopped: boolean;
}

async function probeOnce(p: Probe): Promise<boolean> {
  const timeoutMs = Math.max(1, p.timeoutSecs) * 1000;
  const a = p.action;
  if (a.kind === 'exec') {
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), timeoutMs);
    const { exitCode } = await runCommand({ command: a.command, shell: false, dir: process.cwd(), env: {} }, { onOutput: () => undefined, signal: ac.signal });
    clearTimeout(t);
    return exitCode === 0;
  }
  if (a.kind === 'tcp_socket') {
    return new Promise((resolve) => {
      const s = net.connect({ host: a.host || '127.0.0.1', port: a.port });
      s.setTimeout(timeoutMs, () => { s.destroy(); resolve(false); });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
  }
  return new Promise((resolve) => {
    const req = http.get({ host: a.host || '127.0.0.1', port: a.port, path: a.path || '/', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.on('error', () => resolve(false));
  });
}

export class LocalProcessAdapter implements LocalCmdPort {
  private readonly serving = new Map<string, Serving>();

  constructor(private readonly opts: LocalAdapterOptions) {}

  async run(resource: LocalResource, ctx: UpdateContext): Promise<{ exitCode: number }> {
    if (resource.cmd.command.length > 0) {
      ctx.onOutput(`Running cmd: ${resource.cmd.command.join(' ')}`);
      const r = await runCommand(resource.cmd, { onOutput: ctx.onOutput, signal: ctx.signal, killGraceMs: this.opts.killGraceMs });
      if (r.exitCode !== 0) return r;
    }
    if (resource.serveCmd.command.length > 0) await this.serve(resource);
    return { exitCode: 0 };
  }

  /** (Re)start serve_cmd. */
  async serve(resource: LocalResource): Promise<void> {
    await this.stopOne(resource.name);
    const name = resource.name;
    this.opts.setRuntime(name, 'pending');
    const child = spawnCommand(resource.serveCmd, (l) => this.opts.serveOutput(name, l));
    const s: Serving = { child, stopped: false };
    this.serving.set(name, s);
    child.on('error', (err) => this.opts.serveOutput(name, `cannot run serve_cmd: ${err.message}`));
    child.on('close', (code) => {
      if (s.stopped) return;
      if (s.probeTimer) clearInterval(s.probeTimer);
      this.opts.serveOutput(name, `serve_cmd exited with code ${code ?? 'signal'}`);
      this.opts.setRuntime(name, code === 0 ? 'ok' : 'error');
    });
    const probe = resource.readinessProbe;
    if (!probe) {
      this.opts.setRuntime(name, 'ok');
      return;
    }
    let ok = 0;
    let fail = 0;
    const tick = async (): Promise<void> => {
      if (s.stopped) return;
      if (await probeOnce(probe)) {
        fail = 0;
        if (++ok >= Math.max(1, probe.successThreshold)) this.opts.setRuntime(name, 'ok');
      } else {
        ok = 0;
        if (++fail >= Math.max(1, probe.failureThreshold)) this.opts.setRuntime(name, 'error');
      }
    };
    s.delayTimer = setTimeout(() => {
      if (s.stopped) return;
      void tick();
      s.probeTimer = setInterval(() => void tick(), Math.max(1, probe.periodSecs) * 1000);
    }, probe.initialDelaySecs * 1000);
  }

  private async stopOne(name: string): Promise<void> {
    const s = this.serving.get(name);
    if (!s) return;
    s.stopped = true;
    clearTimeout(s.delayTimer);
    if (s.probeTimer) clearInterval(s.probeTimer);
    this.serving.delete(name);
    await killGroup(s.child, this.opts.killGraceMs);
  }

  /** The resource left the Tiltfile: kill its serve_cmd. */
  remove(name: string): Promise<void> {
    return this.stopOne(name);
  }

  /** Kill every serve_cmd (process groups). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.serving.keys()].map((n) => this.stopOne(n)));
  }
}
