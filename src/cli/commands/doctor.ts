// `innerloop doctor`: checks what the inner loop needs (Docker, the kube context and whether it counts as local,
// the cluster, its registry, git, helm, inotify limits), each failure with the fix. Exit 1 when a required
// check fails; missing optional tools are warnings.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { checkReachable, loadKubeClient, type KubeClient } from '../../engine/k8s/client';
import { discoverLocalRegistry } from '../../engine/k8s/registry';
import { checkKubeContext, identityOf } from '../../engine/safety';
import { createDockerClient } from '../../engine/build/dockerClient';
import { useColor } from '../render/color';
import { paint } from '../render/status';
import { EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, type Command } from './types';
import { parseFlags, str } from './flags';

export interface Check {
  name: string;
  state: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
  });
}

function registryPing(host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(`http://${host}/v2/`, { timeout: 3000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401 ? undefined : `HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve(e.message));
  });
}

async function dockerCheck(): Promise<Check> {
  try {
    const docker = await createDockerClient();
    const v = await docker.version() as { Version?: string };
    const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    return { name: 'Docker', state: 'ok', detail: `Docker ${v.Version ?? '?'} at ${where}` };
  } catch (e) {
    return { name: 'Docker', state: 'fail', detail: `cannot reach the Docker daemon: ${e instanceof Error ? e.message : String(e)}`, fix: 'start Docker (e.g. `sudo systemctl start docker`), or set DOCKER_HOST; on Linux add yourself to the docker group' };
  }
}

async function tool(name: string, args: string[], optional: string): Promise<Check> {
  try {
    const out = await run(name, args);
    return { name, state: 'ok', detail: out.split('\n')[0]! };
  } catch {
    return { name, state: 'warn', detail: `${name} not found on PATH`, fix: `install ${name} (${optional})` };
  }
}

function inotifyCheck(): Check {
  const read = (k: string): number | undefined => {
    try {
      return Number(readFileSync(`/proc/sys/fs/inotify/${k}`, 'utf8').trim());
    } catch {
      return undefined;
    }
  };
  const watches = read('max_user_watches');
  const instances = read('max_user_instances');
  if (watches === undefined) return { name: 'inotify', state: 'ok', detail: 'not Linux: no inotify limits to check' };
  const low: string[] = [];
  if (watches < 65_536) low.push(`max_user_watches=${watches}`);
  if (instances !== undefined && instances < 256) low.push(`max_user_instances=${instances}`);
  if (low.length === 0) return { name: 'inotify', state: 'ok', detail: `max_user_watches=${watches}, max_user_instances=${instances ?? '?'}` };
  return {
    name: 'inotify', state: 'warn', detail: `low limits (${low.join(', ')}): file watching may miss changes in big trees`,
    fix: 'sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 (persist in /etc/sysctl.d/)',
  };
}

export async function runChecks(opts: { kubeconfig?: string; context?: string }): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(await dockerCheck());
  let client: KubeClient | undefined;
  try {
    client = loadKubeClient({ kubeconfigPath: opts.kubeconfig, context: opts.context });
    checks.push({ name: 'kube context', state: 'ok', detail: `${client.context} (API server ${client.server}, namespace ${client.namespace})` });
  } catch (e) {
    const hint = (e as { hint?: string }).hint;
    checks.push({ name: 'kube context', state: 'fail', detail: e instanceof Error ? e.message : String(e), fix: hint ?? 'create a local cluster (kind, k3d, minikube) or set KUBECONFIG' });
  }
  if (client) {
    const local = checkKubeContext(identityOf(client), []);
    checks.push(local.allowed
      ? { name: 'local cluster', state: 'ok', detail: local.reason }
      : { name: 'local cluster', state: 'warn', detail: `"${client.context}" does not look local: Innerloop refuses to deploy to it`, fix: `if it is meant for development, add allow_k8s_contexts('${client.context}') to the Tiltfile; else \`kubectl config use-context\` a local one` });
    let reachable = false;
    try {
      const v = await checkReachable(client, 5_000);
      reachable = true;
      checks.push({ name: 'cluster', state: 'ok', detail: `Kubernetes ${v.gitVersion} reachable` });
    } catch (e) {
      checks.push({ name: 'cluster', state: 'fail', detail: e instanceof Error ? e.message : String(e), fix: 'start the cluster (kind/k3d/minikube start), or check that the context points at it' });
    }
    if (reachable) {
      const d = await discoverLocalRegistry(client);
      if (d.kind === 'found') {
        const err = await registryPing(d.registry.host);
        checks.push(err
          ? { name: 'registry', state: 'fail', detail: `the cluster advertises ${d.registry.host} but it does not answer: ${err}`, fix: `start the registry container for ${d.registry.host}` }
          : { name: 'registry', state: 'ok', detail: `${d.registry.host} (from kube-public/local-registry-hosting)` });
      } else {
        checks.push({ name: 'registry', state: 'warn', detail: d.kind === 'none' ? d.reason : d.message, fix: 'images are used where they are built; for a remote cluster set default_registry() in the Tiltfile, or run a local registry and publish kube-public/local-registry-hosting (KEP 1755)' });
      }
    }
  }
  checks.push(await tool('git', ['--version'], 'used for .gitignore-aware watching and by many Tiltfiles'));
  checks.push(await tool('helm', ['version', '--short'], 'needed only when the Tiltfile calls helm()'));
  checks.push(inotifyCheck());
  return checks;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check Docker, the kube context, the cluster, its registry, git, helm and inotify limits',
  usage: `innerloop doctor [--kubeconfig PATH] [--context NAME]

  Each failed check prints the fix. Exits 1 when a required check (Docker, kube context, cluster) fails.

  --kubeconfig PATH     kubeconfig to check (default $KUBECONFIG, then ~/.kube/config)
  --context NAME        kube context to check (default the current one)

${EXIT_CODES_HELP}`,
  async run(argv, io) {
    const p = parseFlags(argv, { kubeconfig: { type: 'string' }, context: { type: 'string' } }, { positionals: false });
    const checks = await runChecks({ kubeconfig: str(p, 'kubeconfig'), context: str(p, 'context') });
    const color = useColor(io.tty ?? false, io.env);
    const mark = { ok: paint(color, 32, '✓'), warn: paint(color, 33, '!'), fail: paint(color, 31, '✗') };
    let out = '';
    for (const c of checks) {
      out += `${mark[c.state]} ${c.name.padEnd(14)} ${c.detail}\n`;
      if (c.fix && c.state !== 'ok') out += `  ${''.padEnd(14)} fix: ${c.fix}\n`;
    }
    io.stdout(out);
    return checks.some((c) => c.state === 'fail') ? EXIT_FAILURE : EXIT_OK;
  },
};
