// Test helpers: write a throwaway project and load its Tiltfile.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { loadTiltfile, type LoadResult } from '../../../src/tiltfile/loader';
import type { LoadOptions } from '../../../src/tiltfile/state';
import type { K8sResource, LocalResource, Resource } from '../../../src/tiltfile/plan';

export const DOCKERFILE = 'FROM busybox\nCOPY . /app\n';

/** Creates a temp dir with the files (paths relative, '/' creates dirs). Returns the dir. */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'innerloop-tf-'));
  for (const [p, text] of Object.entries(files)) {
    const full = join(dir, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

export interface Loaded extends LoadResult { dir: string }

/** Loads `Tiltfile` with the given source, plus extra files (a Dockerfile at the root by default). */
export function load(tiltfile: string, files: Record<string, string> = {}, opts: LoadOptions = {}): Loaded {
  const dir = project({ Dockerfile: DOCKERFILE, ...files, Tiltfile: tiltfile });
  return { ...loadTiltfile(join(dir, 'Tiltfile'), { maxSteps: 1_000_000, ...opts }), dir };
}

/** Loads and asserts success. */
export function ok(tiltfile: string, files: Record<string, string> = {}, opts: LoadOptions = {}): Loaded {
  const r = load(tiltfile, files, opts);
  assert.equal(r.ok, true, `expected success, got: ${JSON.stringify(r.diagnostics, null, 1)}`);
  return r;
}

/** Loads, asserts failure, and returns the first error (message matched against `re` when given). */
export function fails(tiltfile: string, re?: RegExp, files: Record<string, string> = {}, opts: LoadOptions = {}): { message: string; line?: number; col?: number; file?: string; r: Loaded } {
  const r = load(tiltfile, files, opts);
  const err = r.diagnostics.find((d) => d.severity === 'error');
  assert.ok(err, `expected an error, got success: ${JSON.stringify(r.plan.resources.map((x) => x.name))}`);
  if (re) assert.match(err.message, re);
  return { message: err.message, line: err.pos?.line, col: err.pos?.col, file: err.pos?.file, r };
}

export function resource(r: LoadResult, name: string): Resource {
  const res = r.plan.resources.find((x) => x.name === name);
  assert.ok(res, `no resource ${name}; have ${r.plan.resources.map((x) => x.name).join(', ')}`);
  return res;
}

export function k8s(r: LoadResult, name: string): K8sResource {
  const res = resource(r, name);
  assert.equal(res.type, 'k8s');
  return res as K8sResource;
}

export function local(r: LoadResult, name: string): LocalResource {
  const res = resource(r, name);
  assert.equal(res.type, 'local');
  return res as LocalResource;
}

export function deployment(name: string, image: string, extra: { labels?: string; ns?: string; env?: string; ports?: number[] } = {}): string {
  const labels = extra.labels ?? `app: ${name}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${extra.ns ? `  namespace: ${extra.ns}\n` : ''}spec:
  selector:
    matchLabels: {${labels}}
  template:
    metadata:
      labels: {${labels}}
    spec:
      containers:
        - name: main
          image: ${image}
${extra.ports ? `          ports: [${extra.ports.map((p) => `{containerPort: ${p}}`).join(', ')}]\n` : ''}${extra.env ?? ''}`;
}

export function service(name: string, selector: string, ns?: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ''}spec:
  selector: {${selector}}
  ports: [{port: 80}]
`;
}

export function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: {a: b}\n`;
}
