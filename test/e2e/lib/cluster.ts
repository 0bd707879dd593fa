// What every e2e suite that runs the real engine needs from the local cluster (test/env): where its kubeconfig
// and kubectl are, why a suite must skip, kubectl itself, and a polling wait for UI and cluster conditions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { locateCodeServer } from './codeServer';
import { REPO } from './extensions';

export const ENV_DIR = process.env.INNERLOOP_ENV_DIR ?? '/var/lib/innerloop-env';
export const KUBECONFIG = join(ENV_DIR, 'kubeconfig');
export const KUBECTL = join(ENV_DIR, 'bin', 'kubectl');

/** Why a suite that needs code-server and the local cluster cannot run here, or false. */
export function clusterSkipReason(): string | false {
  const cs = locateCodeServer();
  if ('missing' in cs) return cs.missing;
  if (!existsSync(KUBECTL) || !existsSync(KUBECONFIG)) return `no local cluster environment in ${ENV_DIR} (npm run env:up)`;
  const status = spawnSync('bash', [join(REPO, 'test', 'env', 'status.sh')], { encoding: 'utf8', timeout: 60_000 });
  if (status.status !== 0) return `the local cluster is not up (test/env/status.sh exited ${status.status})`;
  return false;
}

/** kubectl with its exit code and output, for callers that expect it to fail sometimes. */
export function kubectlResult(kubeconfig: string, ...args: string[]): { code: number; out: string } {
  const r = spawnSync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, out: r.stdout + r.stderr };
}

/** kubectl's stdout; throws with its stderr when it fails. */
export function kubectl(kubeconfig: string, ...args: string[]): string {
  const r = spawnSync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Polls once a second until probe gives a value (not undefined/false), or throws after limitMs. */
export async function until<T>(what: string, limitMs: number, probe: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
