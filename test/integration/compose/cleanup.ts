// Removes leftovers of interrupted compose integration runs (projects named iltest*), e.g. after a daemon restart:
//   node --import tsx test/integration/compose/cleanup.ts
import Dockerode from 'dockerode';
import { ComposeRuntime } from '../../../src/engine/compose/runtime';
import { LABEL_PROJECT } from '../../../src/engine/compose/project';

async function main(): Promise<void> {
  const docker = new Dockerode();
  const runtime = new ComposeRuntime(docker);
  const projects = new Set<string>();
  for (const c of await docker.listContainers({ all: true, filters: { label: [LABEL_PROJECT] } })) projects.add(c.Labels[LABEL_PROJECT] ?? '');
  for (const n of await docker.listNetworks({ filters: { label: [LABEL_PROJECT] } })) projects.add(n.Labels?.[LABEL_PROJECT] ?? '');
  for (const v of (await docker.listVolumes({ filters: { label: [LABEL_PROJECT] } })).Volumes ?? []) projects.add(v.Labels?.[LABEL_PROJECT] ?? '');
  for (const p of [...projects].filter((x) => x.startsWith('iltest'))) {
    const r = await runtime.down(p, { volumes: true });
    console.log(`${p}: removed ${r.containers.length} container(s), ${r.networks.length} network(s), ${r.volumes.length} volume(s)`);
  }
}
void main();
