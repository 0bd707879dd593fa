// `down`: delete what the Tiltfile deploys, last resource first (Namespaces kept unless asked), run
// k8s_custom_deploy delete commands, and take Compose projects down.

import type { Plan } from '../shared/plan';
import { runCommand } from './adapters/process';
import { deleteObjects } from './k8s/apply';
import type { KubeClient } from './k8s/client';

export interface DownDeps {
  /** Connected cluster client; undefined when the plan deploys nothing to Kubernetes. */
  client: KubeClient | undefined;
  namespace: string | undefined;
  deleteNamespaces?: boolean;
  /** Compose projects of the plan down (absent when the plan has none). */
  composeDown?(plan: Plan, out: (line: string) => void): Promise<void>;
  onOutput(line: string): void;
}

export async function downPlan(plan: Plan, d: DownDeps): Promise<{ errors: string[] }> {
  const out = d.onOutput;
  const errors: string[] = [];
  for (const r of [...plan.resources].reverse()) {
    try {
      if (r.type === 'k8s' && d.client) {
        const res = await deleteObjects(d.client, r.objects, { namespace: d.namespace, deleteNamespaces: d.deleteNamespaces, onOutput: out, wait: true, timeoutMs: 60_000 });
        for (const k of res.kept) out(`kept ${k.object}: ${k.reason}`);
      } else if (r.type === 'k8s_custom_deploy' && r.deleteCmd.command.length > 0) {
        const { exitCode } = await runCommand(r.deleteCmd, { onOutput: out });
        if (exitCode !== 0) errors.push(`${r.name}: delete_cmd exited with code ${exitCode}`);
      }
    } catch (err) {
      errors.push(`${r.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
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
