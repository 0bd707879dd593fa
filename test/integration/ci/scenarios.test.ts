// `innerloop ci` on the real cluster, run as a CI job runs it (the built CLI, stdout not a terminal):
// transient waiting reasons are reported and ridden out (a ConfigMap created after its Deployment, a readiness
// probe that fails for 20 s), real failures end the run with the reason (a crash loop with its last log lines, a
// failed Job, a build error), a timeout names what it waited on, and three runs in a row on the same cluster all
// pass. Every run must exit by itself within a second of its verdict. Each test works in its own namespace
// (h-ci-...). Skips without a cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Dockerode from 'dockerode';
import { clusterClient, kubeconfigPath, waitFor } from '../k8s/cluster';
import { BUSYBOX, dockerProblem } from '../docker';
import type { KubeClient } from '../../../src/engine/k8s/client';
import { cliProblem, deploymentYaml, exitedByItself, HTTPD, runCli, transcript, workspace } from './harness';

describe('innerloop ci on the local cluster', { concurrency: false }, () => {
  let client: KubeClient | undefined;
  let skip: string | undefined;
  let dockerSkip: string | undefined;
  const namespaces: string[] = [];
  const dirs: string[] = [];

  before(async () => {
    const c = await clusterClient();
    if ('skip' in c) skip = c.skip;
    else client = c.client;
    skip ??= cliProblem();
    dockerSkip = skip ?? (await dockerProblem(new Dockerode()));
  });
  after(async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    for (const ns of namespaces) await client?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  async function namespace(tag: string): Promise<string> {
    const ns = `h-ci-${tag}-${process.pid}-${Date.now().toString(36)}`;
    await client!.core.createNamespace({ body: { metadata: { name: ns } } });
    namespaces.push(ns);
    return ns;
  }
  const ws = (files: Record<string, string>): string => {
    const d = workspace(files);
    dirs.push(d);
    return d;
  };
  const flags = (ns: string): string[] => ['--kubeconfig', kubeconfigPath()!, '--namespace', ns];

  it('a ConfigMap created after its Deployment: the pod waits (reported), then ci succeeds', async (t) => {
    if (!client) return t.skip(skip);
    const ns = await namespace('cm');
    const yaml = deploymentYaml('app', `echo "mode=$MODE"; ${HTTPD}`).replace(
      '        ports: [{containerPort: 8080}]',
      '        env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]\n        ports: [{containerPort: 8080}]',
    );
    const dir = ws({ 'app.yaml': yaml, Tiltfile: "k8s_yaml('app.yaml')\n" });
    const run = runCli(['ci', '--timeout', '4m', '--session-json', 'session.json', ...flags(ns)], { cwd: dir });
    // Let the pod sit in CreateContainerConfigError through at least one progress report, then create the ConfigMap.
    await waitFor('the pod to wait for its ConfigMap', 120_000, async () => {
      const pods = await client!.core.listNamespacedPod({ namespace: ns });
      return pods.items.some((p) => p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CreateContainerConfigError'));
    }, 250);
    await new Promise((r) => setTimeout(r, 12_000));
    await client.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'settings' }, data: { mode: 'late' } } });
    const r = await run;
    exitedByItself(t, r, 0);
    assert.match(r.stdout, /^ {2}app: pod app-[a-z0-9-]+: container app: CreateContainerConfigError: configmap "settings" not found/m, transcript(r));
    // The container started with the ConfigMap's value. Read from the cluster: ci exits at readiness, which may come
    // before its log stream has printed the container's first line.
    const pods = await client.core.listNamespacedPod({ namespace: ns });
    const running = pods.items.find((p) => p.status?.phase === 'Running');
    assert.ok(running?.metadata?.name, 'a running app pod');
    assert.match(await client.core.readNamespacedPodLog({ namespace: ns, name: running.metadata.name }), /mode=late/);
    const session = JSON.parse(fs.readFileSync(path.join(dir, 'session.json'), 'utf8')) as { resources: { name: string; timeline: { state: string; reason: string }[] }[] };
    const timeline = session.resources.find((x) => x.name === 'app')?.timeline ?? [];
    assert.ok(timeline.some((e) => e.state === 'waiting' && /CreateContainerConfigError/.test(e.reason)), JSON.stringify(timeline));
    assert.equal(timeline.at(-1)?.state, 'ready');
  });

  it('a readiness probe failing for 20 s then passing: the probe failure is reported, then ci succeeds', async (t) => {
    if (!client) return t.skip(skip);
    const ns = await namespace('probe');
    const yaml = deploymentYaml('slow', 'echo warming up; sleep 20; touch /tmp/ready; echo warmed up; exec sleep 3600', {
      probe: '{exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 2}',
    });
    const dir = ws({ 'slow.yaml': yaml, Tiltfile: "k8s_yaml('slow.yaml')\n" });
    const r = await runCli(['ci', '--timeout', '4m', ...flags(ns)], { cwd: dir });
    exitedByItself(t, r, 0);
    assert.match(r.stdout, /^ {2}slow: pod slow-[a-z0-9-]+: Running, not ready \(app\); last event: Unhealthy: Readiness probe failed: .*\/tmp\/ready.*; last log: warming up$/m, transcript(r));
    assert.match(r.stdout, /SUCCESS\. All workloads are healthy\. The last to get ready was slow/);
  });

  // As in Tilt (k8sconv.ContainerStatusToRuntimeState), a container's first exit with a non-zero code is already a
  // runtime error, fatal once ci_settings(k8s_grace_period) (default 0) has passed: ci does not wait for a restart
  // or CrashLoopBackOff. A grace period rides out the first exits.
  it('a crash-looping container fails the run with its last log lines', async (t) => {
    if (!client) return t.skip(skip);
    const ns = await namespace('crash');
    const yaml = deploymentYaml('crash', 'echo starting; echo "fatal: DATABASE_URL is not set"; exit 1');
    const dir = ws({ 'crash.yaml': yaml, Tiltfile: "k8s_yaml('crash.yaml')\n" });
    const r = await runCli(['ci', '--timeout', '4m', ...flags(ns)], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: crash: pod crash-[a-z0-9-]+: container app: (Error|CrashLoopBackOff)/m, transcript(r));
    assert.match(r.stderr, /^Last log lines of crash:\n {2}starting\n {2}fatal: DATABASE_URL is not set$/m, transcript(r));
  });

  it('a pod that never gets ready: the timeout exits 1 naming it and why', async (t) => {
    if (!client) return t.skip(skip);
    const ns = await namespace('timeout');
    const yaml = deploymentYaml('never', 'echo up; exec sleep 3600', { probe: '{exec: {command: ["false"]}, periodSeconds: 1}' });
    const dir = ws({ 'never.yaml': yaml, Tiltfile: "k8s_yaml('never.yaml')\n" });
    const r = await runCli(['ci', '--timeout', '25s', ...flags(ns)], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: timed out after 25s waiting on never\nStill waiting on:\n {2}never: (no pods yet|pod never-[a-z0-9-]+: .+)$/m, transcript(r));
  });

  it('a failed Job fails the run', async (t) => {
    if (!client) return t.skip(skip);
    const ns = await namespace('job');
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: ${BUSYBOX}
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo migrating; echo 'migration 42 failed: duplicate column'; exit 2"]
`;
    const dir = ws({ 'job.yaml': job, Tiltfile: "k8s_yaml('job.yaml')\n" });
    const r = await runCli(['ci', '--timeout', '4m', ...flags(ns)], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: migrate: pod migrate-[a-z0-9]+: (container migrate: Error|pod failed)/m, transcript(r));
    assert.match(r.stderr, /migration 42 failed: duplicate column/);
  });

  it('a build error fails the run, naming the resource', async (t) => {
    if (!client) return t.skip(skip);
    if (dockerSkip) return t.skip(dockerSkip);
    const ns = await namespace('build');
    const dir = ws({
      'app/Dockerfile': `FROM ${BUSYBOX}\nRUN echo "compiling"; echo "error: missing semicolon" >&2; exit 7\n`,
      'app.yaml': deploymentYaml('app', HTTPD, { image: 'h-ci-build-app' }),
      Tiltfile: "docker_build('h-ci-build-app', 'app')\nk8s_yaml('app.yaml')\n",
    });
    const r = await runCli(['ci', '--timeout', '4m', ...flags(ns)], { cwd: dir });
    exitedByItself(t, r, 1);
    assert.match(r.stderr, /^ERROR: app: .*(exit code: 7|returned a non-zero code: 7|code 7)/m, transcript(r));
  });

  it('three runs in a row on the same cluster, without down in between, all pass', async (t) => {
    if (!client) return t.skip(skip);
    if (dockerSkip) return t.skip(dockerSkip);
    const ns = await namespace('thrice');
    const dir = ws({
      'web/Dockerfile': `FROM ${BUSYBOX}\nCOPY index.html /www/index.html\n`,
      'web/index.html': 'thrice\n',
      'web.yaml': deploymentYaml('web', 'echo serving; httpd -f -p 8080 -h /www', { image: 'h-ci-thrice-web' }),
      'job.yaml': `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: seed\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: seed, image: ${BUSYBOX}, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo seeded"]}\n`,
      Tiltfile: "docker_build('h-ci-thrice-web', 'web')\nk8s_yaml(['web.yaml', 'job.yaml'])\nk8s_resource('web', port_forwards=['18773:8080'])\n"
        + "local_resource('smoke', cmd='echo smoke ok', resource_deps=['web'])\n",
    });
    for (let i = 1; i <= 3; i++) {
      const r = await runCli(['ci', '--timeout', '4m', ...flags(ns)], { cwd: dir });
      exitedByItself(t, r, 0);
      assert.match(r.stdout, /SUCCESS/, `run ${i}\n${transcript(r)}`);
    }
  });
});
