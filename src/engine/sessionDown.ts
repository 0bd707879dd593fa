// `down`: delete what the Tiltfile deploys (deletes issued in parallel; CRDs, then Namespaces last; Namespaces
// kept unless asked), run k8s_custom_deploy delete commands, and take Compose projects down.

import type { Plan } from '../shared/plan';
import { runCommand } from './adapters/process';
import { deleteObjects, deletePhase } from './k8s/apply';
import type { KubeClient } from './k8s/client';

export interface DownDeps {
  /** Connected cluster client; undefined when the plan deploys nothing to Kubernetes. */
  client: KubeClient | undefined;
  namespace: string | undefined;
  deleteNamespaces?: boolean;
  /** Wait until deleted objects are gone (finalizers), up to 60 s per resource and phase. */
  wait?: boolean;
  /** Compose projects of the plan down (absent when the plan has none). */
  composeDown?(plan: Plan, out: (line: string) => void): Promise<void>;
  onOutput(line: string): void;
}

export async function downPlan(plan: Plan, d: DownDeps): Promise<{ errors: string[] }> {
  const out = d.onOutput;
  const errors: string[] = [];
  const failed = (name: string, err: unknown): void => void errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  const reversed = [...plan.resources].reverse();
  const client = d.client;
  const k8s = client ? reversed.filter((r) => r.type === 'k8s') : [];
  // k8s_custom_deploy delete commands run one after another, last resource first, alongside the object deletes.
  const customDeletes = (async () => {
    for (const r of reversed) {
      if (r.type !== 'k8s_custom_deploy' || r.deleteCmd.command.length === 0) continue;
      try {
        const { exitCode } = await runCommand(r.deleteCmd, { onOutput: out });
        if (exitCode !== 0) errors.push(`${r.name}: delete_cmd exited with code ${exitCode}`);
      } catch (err) {
        failed(r.name, err);
      }
    }
  })();
  // Every resource's objects at once, phase by phase across resources: CRDs and Namespaces go after all the
  // objects that may live in them. No waiting for finalizers unless asked (`down --wait`).
  for (const phase of [0, 1, 2] as const) {
    await Promise.all(k8s.map(async (r) => {
      if (r.type !== 'k8s' || !client) return;
      const objects = r.objects.filter((o) => deletePhase(o) === phase);
      if (objects.length === 0) return;
      try {
        const res = await deleteObjects(client, objects, { namespace: d.namespace, deleteNamespaces: d.deleteNamespaces, onOutput: out, wait: d.wait, timeoutMs: 60_000 });
        for (const k of res.kept) out(`kept ${k.object}: ${k.reason}`);
      } catch (err) {
        failed(r.name, err);
      }
    }));
    if (phase === 0) await customDeletes;
  }
  if (d.composeDown && plan.resources.some((r) => r.type === 'docker_compose')) {
    try {
      await d.composeDown(plan, out);
    } catch (err) {
      errors.push(`docker compose down: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { errors };
}
