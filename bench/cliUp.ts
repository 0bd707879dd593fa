// The real `node dist/cli.js up` on a temp copy of the todo app, in a throwaway namespace with free local ports, for
// the benches that time the CLI as a user runs it. Prints "skipped: ..." without a cluster; on failure prints the
// tail of up's output; always ends with Ctrl-C, `innerloop down` and the temp copy removed.
import { spawn, spawnSync } from 'node:child_process';
import { todoEnv, useFreePorts, type TodoEnv } from '../test/integration/todo/harness';

export interface CliUp {
  env: TodoEnv;
  /** Fixture port → the free local port used instead. */
  ports: Record<number, number>;
  pid: number;
  /** False once `up` exited. */
  running(): boolean;
  /** Calls `listener` with each chunk `up` prints (stdout and stderr) from now on. */
  onOutput(listener: (chunk: string) => void): void;
}

export async function withCliUp(cli: string, body: (up: CliUp) => Promise<void>, fixture?: string): Promise<void> {
  const env = await todoEnv(fixture);
  if ('skip' in env) {
    console.log(`skipped: ${env.skip}`);
    return;
  }
  const ports = await useFreePorts(env.dir);
  const flags = ['--file', env.dir, '--namespace', env.namespace, '--kubeconfig', env.kubeconfig];
  let log = '';
  const listeners: Array<(chunk: string) => void> = [];
  const up = spawn(process.execPath, [cli, 'up', ...flags], { cwd: env.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer): void => {
    const text = d.toString();
    log = (log + text).slice(-20_000);
    for (const l of listeners) l(text);
  };
  up.stdout.on('data', keep);
  up.stderr.on('data', keep);
  let running = true;
  const exited = new Promise<void>((r) => up.once('exit', () => {
    running = false;
    r();
  }));
  try {
    await body({ env, ports, pid: up.pid!, running: () => running, onOutput: (l) => void listeners.push(l) });
  } catch (err) {
    console.error(log);
    throw err;
  } finally {
    up.kill('SIGINT');
    await exited;
    spawnSync(process.execPath, [cli, 'down', ...flags], { cwd: env.dir, stdio: 'ignore' });
    await env.cleanup();
  }
}
