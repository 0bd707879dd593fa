// Generated Tiltfiles shared by the benches: n Deployments in one YAML stream, each built from an image with a live
// update, a port forward, a label and a dependency on the previous one (the "1,000 resources" load).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directory holding the Tiltfile. */
export function generateTiltfile(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-bench-'));
  mkdirSync(join(dir, 'src'));
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc${i}
  labels: {app: svc${i}}
spec:
  selector:
    matchLabels: {app: svc${i}}
  template:
    metadata:
      labels: {app: svc${i}}
    spec:
      containers:
        - name: main
          image: bench/svc${i}
          ports: [{containerPort: 8080}]
          env:
            - {name: INDEX, value: "${i}"}
`);
  }
  writeFileSync(join(dir, 'all.yaml'), docs.join('---\n'));
  writeFileSync(join(dir, 'Tiltfile'), `
N = ${n}
k8s_yaml('all.yaml')
for i in range(N):
    name = 'svc%d' % i
    docker_build('bench/' + name, 'src', dockerfile_contents='FROM scratch\\nCOPY . /\\n',
                 live_update=[sync('src', '/app'), run('true', trigger=['src/requirements.txt'])])
    k8s_resource(name, port_forwards=[20000 + i], labels=['group%d' % (i % 10)],
                 resource_deps=['svc%d' % (i - 1)] if i > 0 else [])
`);
  return dir;
}
