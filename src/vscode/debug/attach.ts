// Attach Debugger: finds the resource's debugger forwards, builds the attach configuration with the source mapping
// from the Tiltfile's sync steps (reading Dockerfiles and tsconfig.json from disk), and starts the session.
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx, EngineSession } from '../ctx';
import type { DockerBuildTarget, Plan } from '../../tiltfile/plan';
import { attachConfiguration, debugTargets, guessRuntime, noDebugTargetHint, type AttachConfiguration, type AttachOptions, type DebugRuntime, type DebugTarget } from '../debugTargets';
import { nodeRoots, resourceImages, sourceMappings } from './sourceMapping';

/** Extensions whose debug types we also offer when they are installed. */
export const PYTHON_DEBUGGER_EXTENSION = 'ms-python.debugpy';
export const GO_EXTENSION = 'golang.go';

function readDockerfile(img: DockerBuildTarget): string | undefined {
  try {
    return img.dockerfileContents ?? (img.dockerfile ? readFileSync(img.dockerfile, 'utf8') : undefined);
  } catch {
    return undefined;
  }
}

/** The runtime a resource's image runs, from its entrypoint and Dockerfile (for a forward named `debug`). */
export function runtimeOf(plan: Plan | undefined, resource: string): DebugRuntime | undefined {
  if (!plan) return undefined;
  for (const img of resourceImages(plan, resource)) {
    const text = [img.entrypoint.join(' '), img.restartProcess?.entrypoint.join(' ') ?? '', img.kind === 'docker_build' ? (readDockerfile(img) ?? '') : ''].join('\n');
    const r = guessRuntime(text);
    if (r) return r;
  }
  return undefined;
}

/**
 * The session's debugger targets, found the same way everywhere (Attach command, Run view, tree, dashboard): the
 * usual ports, or a forward named `debug` whose runtime the image tells.
 */
export function sessionTargets(session: EngineSession | undefined, only?: string): DebugTarget[] {
  const s = session?.store.snapshot();
  if (!s) return [];
  const plan = session?.plan?.();
  return debugTargets(s, only, { plan, runtimeOf: (r) => runtimeOf(plan, r) });
}

export function currentTargets(ctx: Ctx, only?: string): DebugTarget[] {
  return sessionTargets(ctx.session, only);
}

/** The attach configuration for a target, with the source mapping of its resource. */
export function configurationFor(ctx: Ctx, t: DebugTarget, types: Pick<AttachOptions, 'pythonType' | 'goType'> = {}): AttachConfiguration {
  const plan = ctx.session?.plan?.();
  const mappings = plan ? sourceMappings(plan, t.resource, readDockerfile) : [];
  const root = t.runtime === 'node' ? nodeRoots(mappings) : undefined;
  const builds = root !== undefined && existsSync(join(root.localRoot, 'tsconfig.json'));
  return attachConfiguration(t, { mappings, builds, ...types });
}

/** Configurations for the Run view: Innerloop's own types, plus the installed extensions' types. */
export function allConfigurations(ctx: Ctx): AttachConfiguration[] {
  const out: AttachConfiguration[] = [];
  for (const t of currentTargets(ctx)) {
    out.push(configurationFor(ctx, t));
    if (t.runtime === 'python' && vscode.extensions.getExtension(PYTHON_DEBUGGER_EXTENSION)) out.push(configurationFor(ctx, t, { pythonType: 'debugpy' }));
    if (t.runtime === 'go' && vscode.extensions.getExtension(GO_EXTENSION)) out.push(configurationFor(ctx, t, { goType: 'go' }));
  }
  return out;
}

/**
 * The Attach Debugger command: one target attaches at once, several ask which. Without any, says exactly what to add
 * to the Tiltfile. Resolves true when a session started.
 */
export async function attachDebugger(ctx: Ctx, only?: string): Promise<boolean> {
  const targets = currentTargets(ctx, only);
  if (targets.length === 0) {
    const plan = ctx.session?.plan?.();
    void vscode.window.showInformationMessage(noDebugTargetHint(only, { plan, runtime: only ? runtimeOf(plan, only) : undefined }));
    return false;
  }
  const items = targets.map((t) => ({ label: t.resource, description: `${t.runtime} on ${t.host}:${t.port}`, target: t }));
  const chosen = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'Attach the debugger to' });
  if (!chosen) return false;
  const config = configurationFor(ctx, chosen.target);
  ctx.log.info('attach debugger:', config);
  const ok = await vscode.debug.startDebugging(ctx.folder, config);
  if (!ok) void vscode.window.showWarningMessage(`Innerloop: could not start "${config.type}" debugging for ${chosen.target.resource}; see the Debug Console.`);
  return ok;
}
