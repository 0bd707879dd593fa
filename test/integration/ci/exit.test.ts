// `innerloop ci` exits by itself within a second of its verdict, whatever the engine opened: pod watches, log
// streams and port forwards (Kubernetes), Docker event and log streams (Compose), serve_cmd processes and probes
// (local_resource), and all of them at once; a timeout too, naming what it waited on. Runs the real built CLI, as
// a CI job does; each test asserts the process exited without the watchdog, < 1 s after its verdict.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Dockerode from 'dockerode';
import { clusterClient, kubeconfigPath } from '../k8s/cluster';
import { BUSYBOX, dockerProblem } from '../docker';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { cliProblem, deploymentYaml, exitedByItself, HTTPD, runCli, workspace } from './harness';

describe('innerloop ci exits after its verdict', { concurrency: false }, () => {
  let client: KubeClient | undefined;
  let clusterSkip: string | undefined;
  let dockerSkip: string | undefined;
  const namespaces: string[] = [];
  const dirs: string[] = [];
  const docker = new Dockerode();

  before(async () => {
    const built = cliProblem();
    const c = await clusterClient();
    if ('skip' in c) clusterSkip = c.skip;
    else client = c.client;
    clusterSkip ??= built;
    dockerSkip = built ?? (await dockerProblem(docker));
  });
  after(async () => {
    for (const dir of dirs) {
      // The mixed Tiltfile also deploys to the cluster: down needs the same flags (its namespace goes below).
      const k8s = fs.existsSync(`${dir}/api.yaml`) ? ['--kubeconfig', kubeconfigPath()!, '--namespace', namespaces.find((n) => n.includes('mixed'))!] : [];
      if (!dockerSkip && fs.existsSync(`${dir}/docker-compose.yml`)) await runCli(['down', ...k8s], { cwd: dir });
      fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const ns of namespaces) await client?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  async function namespace(tag: string): Promise<string> {
    const ns = `h-ci-${tag}-${process.pid}-${Date.now().toString(36)}`;
    await client!.core.createNamespace({ body: { metadata: { name: ns } } });
    namespaces.push(ns);
    return ns;
  }
  const k8sFlags = (ns: string): string[] => ['--kubeconfig', kubeconfigPath()!, '--namespace', ns];

  it('local_resource: cmd, and a serve_cmd with a readiness probe', async (t) => {
    if (cliProblem()) return t.skip(cliProblem());
    const dir = workspace({
      Tiltfile: "local_resource('prep', cmd='echo prepared')\n"
        + "local_resource('srv', serve_cmd='echo up; exec sleep 600', readiness_probe=probe(exec=exec_action(['true']), period_secs=1), resource_deps=['prep'])\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '2m'], { cwd: dir });
    exitedByItself(t, r, 0);
    assert.match(r.stdout, /srv +│ up/);
  });

  it('local_resource: a failing cmd fails the run, and it still exits', async (t) => {
    if (cliProblem()) return t.skip(cliProblem());
    const dir = workspace({
      Tiltfile: "local_resource('srv', serve_cmd='exec sleep 600')\nlocal_resource('bad', cmd='echo broken; exit 3')\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '2m'], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: bad: cmd exited with code 3$/m);
  });

  it('a failure while another update still runs: that update is stopped, not waited for', async (t) => {
    if (cliProblem()) return t.skip(cliProblem());
    const dir = workspace({
      Tiltfile: "local_resource('slow', cmd='echo slow-start; exec sleep 600', allow_parallel=True)\n"
        + "local_resource('bad', cmd='sleep 1; exit 3', allow_parallel=True)\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '2m'], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: bad: cmd exited with code 3$/m);
  });

  it('a cmd and a serve_cmd that ignore SIGTERM are killed promptly: it still exits within a second', async (t) => {
    if (cliProblem()) return t.skip(cliProblem());
    // `trap '' TERM` is inherited by sleep: only SIGKILL (after ci's short grace) ends them.
    const dir = workspace({
      Tiltfile: "local_resource('srv', serve_cmd=\"trap '' TERM; echo up; sleep 600\")\n"
        + "local_resource('slow', cmd=\"trap '' TERM; echo slow-start; sleep 600\", allow_parallel=True)\n"
        + "local_resource('bad', cmd='sleep 2; exit 3', allow_parallel=True)\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '2m'], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: bad: cmd exited with code 3$/m);
    assert.match(r.stdout, /slow +│ slow-start/);
  });

  it('a timeout: exit 1 with what it was still waiting on, and why', async (t) => {
    if (cliProblem()) return t.skip(cliProblem());
    // The probe's first check is an hour away: the serve_cmd runs but never gets ready.
    const dir = workspace({
      Tiltfile: "local_resource('done', cmd='echo done')\n"
        + "local_resource('srv', serve_cmd='echo started; exec sleep 600', readiness_probe=probe(exec=exec_action(['true']), initial_delay_secs=3600))\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '4s'], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: timed out after 4s waiting on srv\nStill waiting on:\n {2}srv: serve_cmd not ready yet\n/m);
  });

  it('Kubernetes: pod watch, log stream and a port forward', async (t) => {
    if (!client) return t.skip(clusterSkip);
    const ns = await namespace('exit-k8s');
    const dir = workspace({
      // Logs a line, then becomes ready 3 s later: the log stream is open when the verdict comes.
      'web.yaml': deploymentYaml('web', `echo booting; sleep 3; ${HTTPD}`),
      Tiltfile: "k8s_yaml('web.yaml')\nk8s_resource('web', port_forwards=['18771:8080'])\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '3m', ...k8sFlags(ns)], { cwd: dir });
    exitedByItself(t, r, 0);
    assert.match(r.stdout, /web +│ booting/);
  });

  it('Docker Compose: event stream and log follower', async (t) => {
    if (dockerSkip) return t.skip(dockerSkip);
    const dir = workspace({
      'docker-compose.yml': `services:\n  svc:\n    image: ${BUSYBOX}\n    command: ["sh", "-c", "echo compose-up; exec sleep 600"]\n`,
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '3m'], { cwd: dir });
    exitedByItself(t, r, 0);
  });

  it('mixed: Kubernetes with an image build, Compose and local_resource in one Tiltfile', async (t) => {
    if (!client) return t.skip(clusterSkip);
    if (dockerSkip) return t.skip(dockerSkip);
    const ns = await namespace('exit-mixed');
    const dir = workspace({
      'app/Dockerfile': `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\n`,
      'app/index.html': 'mixed\n',
      'api.yaml': deploymentYaml('api', 'echo api-up && httpd -f -p 8080 -h /www', { image: 'h-ci-mixed-api' }),
      'docker-compose.yml': `services:\n  cache:\n    image: ${BUSYBOX}\n    command: ["sh", "-c", "echo cache-up; exec sleep 600"]\n`,
      Tiltfile: "docker_build('h-ci-mixed-api', 'app')\nk8s_yaml('api.yaml')\nk8s_resource('api', port_forwards=['18772:8080'])\n"
        + "docker_compose('docker-compose.yml')\n"
        + "local_resource('tool', serve_cmd='exec sleep 600', resource_deps=['api'])\n",
    });
    dirs.push(dir);
    const r = await runCli(['ci', '--timeout', '4m', ...k8sFlags(ns)], { cwd: dir });
    exitedByItself(t, r, 0);
  });
});
