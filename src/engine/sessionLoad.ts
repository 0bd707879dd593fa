// Loading the Tiltfile for a session: in a child process with a heap limit (src/tiltfile/childLoader.ts), with
// the kube context the kubeconfig names so k8s_context() can answer and local() can refuse a context that is
// neither local nor allowed (safety.ts decides both, as for up and down).

import type { LoadOptions, LoadResult } from '../tiltfile/loader';
import { loadTiltfileInWorker } from '../tiltfile/worker';
import type { Plan } from '../shared/plan';
import { loadKubeClient } from './k8s/client';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envAllowedContexts, identityOf, isLocalCluster } from './safety';

export type TiltfileLoader = (path: string, opts: Omit<LoadOptions, 'cancel'>, signal: AbortSignal) => Promise<LoadResult>;

export interface LoadSettings {
  tiltfile: string;
  args?: string[];
  subcommand?: 'up' | 'ci' | 'down';
  trusted?: boolean;
  kubeconfigPath?: string;
  context?: string;
  load?: TiltfileLoader;
  workerScript?: string;
  execArgv?: string[];
  loadTimeoutMs?: number;
}

/** A plan needs a cluster when it deploys to Kubernetes. */
export function needsCluster(plan: Plan): boolean {
  return plan.resources.some((r) => r.type === 'k8s' || r.type === 'k8s_custom_deploy');
}

function defaultKubeconfigExists(): boolean {
  const files = process.env.KUBECONFIG ? process.env.KUBECONFIG.split(path.delimiter) : [path.join(os.homedir(), '.kube', 'config')];
  return files.some((f) => f && fs.existsSync(f));
}

/** The kube context as the kubeconfig names it (a file read, no network); nothing when there is no kubeconfig. */
function kubeTarget(o: LoadSettings): { kubeContext: string; kubeContextIsLocal: boolean } | Record<string, never> {
  // Without any kubeconfig the client library invents a context on localhost:8080: that is "no context" (as in
  // Tilt, nothing to guard at load), not a cluster to judge.
  if (!o.kubeconfigPath && !defaultKubeconfigExists()) return {};
  try {
    const c = loadKubeClient({ kubeconfigPath: o.kubeconfigPath, context: o.context });
    // "Local" for local()'s refusal means what the production guard means: local, or allowed by the environment
    // (the Tiltfile's allow_k8s_contexts() is added by the loader itself).
    return { kubeContext: c.context, kubeContextIsLocal: isLocalCluster(identityOf(c)) || envAllowedContexts().includes(c.context) };
  } catch {
    return {};
  }
}

export function loadPlan(o: LoadSettings, signal: AbortSignal): Promise<LoadResult> {
  const loadOpts: Omit<LoadOptions, 'cancel'> = {
    trusted: o.trusted ?? true,
    args: o.args ?? [],
    subcommand: o.subcommand ?? 'up',
    // connect() still runs the full guard before anything is deployed.
    ...kubeTarget(o),
  };
  if (o.load) return o.load(o.tiltfile, loadOpts, signal);
  return loadTiltfileInWorker(o.tiltfile, loadOpts, {
    workerScript: o.workerScript,
    timeoutMs: o.loadTimeoutMs ?? 120_000,
    signal,
    ...(o.execArgv ? { execArgv: o.execArgv } : {}),
  });
}

/** "file:line:col: message" for the first error of a failed load. */
export function loadErrorText(r: Pick<LoadResult, 'diagnostics'>): string {
  const first = r.diagnostics.find((d) => d.severity === 'error');
  const where = first?.pos ? `${first.pos.file}:${first.pos.line}:${first.pos.col}: ` : '';
  return `${where}${first?.message ?? 'Tiltfile load failed'}`;
}
