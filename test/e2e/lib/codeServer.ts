// Finds and runs a real code-server (VS Code in the browser) for end-to-end tests.
// The install lives outside the repo (scripts/codeserver-install.sh); tests skip when it is absent.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';
export const CHROMIUM = process.env.INNERLOOP_CHROMIUM ?? '/usr/bin/chromium';

/** Directory of the installed code-server package, or a reason why the e2e tests cannot run. */
export function locateCodeServer(): { dir: string } | { missing: string } {
  const cache = process.env.INNERLOOP_CACHE ?? join(homedir(), '.cache', 'innerloop');
  const root = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const dir = join(root, 'node_modules', 'code-server');
  if (!existsSync(join(root, '.innerloop-ready'))) {
    return { missing: `code-server ${CODE_SERVER_VERSION} not installed in ${root} (run scripts/codeserver-install.sh)` };
  }
  if (!existsSync(CHROMIUM)) return { missing: `chromium not found at ${CHROMIUM} (apt-get install chromium)` };
  return { dir };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  /** code-server package directory (from locateCodeServer). */
  dir: string;
  /** Folder to open. */
  workspace: string;
  extensionsDir: string;
  /** Extra environment for the server, inherited by the extension host. */
  env?: Record<string, string>;
}

export interface RunningCodeServer {
  url: string;
  password: string;
  userDataDir: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  /** Stops the server and deletes its user-data dir and config. */
  stop(): Promise<void>;
}

/** Starts code-server on a free loopback port with password auth and waits until it answers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  const port = await freePort();
  // From a CSPRNG: the port is on loopback, but the machine is shared and a guessable password opens a shell.
  const password = randomBytes(24).toString('base64url');
  const scratch = mkdtempSync(join(tmpdir(), 'innerloop-cs-'));
  const userDataDir = join(scratch, 'user-data');
  // An explicit (empty) config file keeps code-server from writing ~/.config/code-server/config.yaml.
  const config = join(scratch, 'config.yaml');
  writeFileSync(config, '');
  const args = [
    join(opts.dir, 'out', 'node', 'entry.js'),
    '--config', config,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'password',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--user-data-dir', userDataDir,
    '--extensions-dir', opts.extensionsDir,
    '--ignore-last-opened',
    opts.workspace,
  ];
  // Its own process group: code-server's helpers (extension host, file watcher, pty host) can outlive the main
  // process and still write into the user-data dir, so stop() ends the whole group before deleting it.
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...opts.env, PASSWORD: password },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const group = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-child.pid!, sig);
      return true;
    } catch {
      return false; // ESRCH: nothing left in the group.
    }
  };
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined) {
      group('SIGTERM');
      const timer = setTimeout(() => group('SIGKILL'), 5000);
      await exited;
      // The main process is gone; wait until its helpers are too (SIGKILL reaches them after 5 s at the latest;
      // the bound is for zombies, which a container's init may never reap).
      const limit = Date.now() + 10_000;
      while (group(0) && Date.now() < limit) await new Promise((r) => setTimeout(r, 100));
      clearTimeout(timer);
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await waitForHealthy(url, () => child.exitCode !== null, 60_000);
  } catch (e) {
    await stop();
    throw new Error(`code-server did not start: ${(e as Error).message}\n${out}`);
  }
  return { url, password, userDataDir, output: () => out, stop };
}

async function waitForHealthy(url: string, dead: () => boolean, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (dead()) throw new Error('process exited');
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`no answer from ${url}/healthz within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
