// The Resources view: a pure projection of engine state (resourceModel.ts) into tree items. Grouped by
// label when any resource has one; endpoints are children of their resource. No I/O in getChildren.
import * as vscode from 'vscode';
import { sessionTargets } from './debug/attach';
import type { Ctx, EngineSession } from './ctx';
import type { EngineSnapshot, HoldKind } from '../shared/state';
import { displayOrder, resourceEndpoints } from '../shared/status';
import { groupByLabel, resourceView, STATUS_ICON, UNLABELED, waitingTooltip, type ResourceStatus } from './resourceModel';

export type TreeNode =
  | { kind: 'group'; label: string }
  | { kind: 'resource'; name: string; group?: string }
  | { kind: 'endpoint'; resource: string; url: string; name?: string }
  /** The resource waits for another (a typed hold reason): clicking reveals that one. */
  | { kind: 'waiting'; resource: string; on: string; hold: HoldKind }
  | { kind: 'pod'; resource: string; pod: string };

const STATUS_COLOR: Partial<Record<ResourceStatus, string>> = {
  error: 'testing.iconFailed',
  ok: 'testing.iconPassed',
  warning: 'problemsWarningIcon.foreground',
  pending: 'testing.iconQueued',
};

/** Internal command of the "waiting for X" nodes: reveal X in the tree and show its log (as the dashboard does). */
export const REVEAL_RESOURCE_COMMAND = 'innerloop.resources.reveal';

export function statusIcon(status: ResourceStatus): vscode.ThemeIcon {
  const color = STATUS_COLOR[status];
  return new vscode.ThemeIcon(STATUS_ICON[status], color ? new vscode.ThemeColor(color) : undefined);
}

export class ResourceTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private session: EngineSession | undefined;
  private sessionListener: vscode.Disposable | undefined;
  // Stable node objects so VS Code can refresh single items (identity is the key).
  private readonly nodes = new Map<string, TreeNode>();

  setSession(session: EngineSession | undefined): void {
    this.sessionListener?.dispose();
    this.session = session;
    this.nodes.clear();
    this.labelKeys.clear();
    this.sessionListener = session?.store.onDidChange((c) => {
      // Structure changed (or a resource's labels, which move it between groups): refresh all.
      if (c.order || c.added.length || c.removed.length || c.resources.some((n) => this.labelsChanged(n))) {
        this.nodes.clear();
        this.changed.fire(undefined);
        return;
      }
      // Otherwise only the touched resources (in every group they appear in) and their groups' status icons.
      const groups = new Set<string>();
      for (const name of c.resources) {
        for (const node of this.nodes.values()) {
          if (node.kind !== 'resource' || node.name !== name) continue;
          this.changed.fire(node);
          if (node.group !== undefined) groups.add(node.group);
        }
      }
      for (const g of groups) this.changed.fire(this.nodes.get(`g:${g}`));
    });
    this.changed.fire(undefined);
  }

  /** Labels per resource as last rendered: a change regroups the tree. */
  private readonly labelKeys = new Map<string, string>();
  private groupsFor: { state: EngineSnapshot; groups: ReturnType<typeof groupByLabel> } | undefined;

  private labelsChanged(name: string): boolean {
    const r = this.state()?.resources[name];
    const key = r ? r.labels.join('\n') : '';
    const was = this.labelKeys.get(name);
    this.labelKeys.set(name, key);
    return was !== undefined && was !== key;
  }

  /** Label groups of the current snapshot, computed once per snapshot (getChildren asks once per group). */
  private groups(s: EngineSnapshot): ReturnType<typeof groupByLabel> {
    if (this.groupsFor?.state !== s) this.groupsFor = { state: s, groups: groupByLabel(s) };
    return this.groupsFor.groups;
  }

  private state(): EngineSnapshot | undefined {
    return this.session?.store.snapshot();
  }

  private node<T extends TreeNode>(key: string, make: () => T): T {
    const have = this.nodes.get(key);
    if (have) return have as T;
    const n = make();
    this.nodes.set(key, n);
    return n;
  }

  getChildren(parent?: TreeNode): TreeNode[] {
    const s = this.state();
    if (!s) return []; // the viewsWelcome content explains how to start
    if (!parent) {
      for (const name of s.order) this.labelKeys.set(name, s.resources[name]?.labels.join('\n') ?? '');
      const groups = this.groups(s);
      if (groups) return groups.map((g) => this.node(`g:${g.label}`, () => ({ kind: 'group', label: g.label })));
      return displayOrder(s).map((name) => this.node(`r:${name}:`, () => ({ kind: 'resource', name })));
    }
    if (parent.kind === 'group') {
      const g = this.groups(s)?.find((x) => x.label === parent.label);
      return (g?.names ?? []).map((name) => this.node(`r:${name}:${parent.label}`, () => ({ kind: 'resource', name, group: parent.label })));
    }
    if (parent.kind === 'resource') {
      const r = s.resources[parent.name];
      if (!r) return [];
      return [
        ...(r.hold?.resources ?? []).map((on) => this.node(`w:${parent.name}:${on}:${r.hold!.kind}`, (): TreeNode => ({ kind: 'waiting', resource: parent.name, on, hold: r.hold!.kind }))),
        ...r.pods.map((p) => this.node(`p:${parent.name}:${p.name}`, (): TreeNode => ({ kind: 'pod', resource: parent.name, pod: p.name }))),
        ...resourceEndpoints(r).map((e) => this.node(`e:${parent.name}:${e.url}`, (): TreeNode => ({ kind: 'endpoint', resource: parent.name, url: e.url, ...(e.name ? { name: e.name } : {}) }))),
      ];
    }
    return [];
  }

  /** The node to reveal for a resource: under its first label group when the tree is grouped. */
  resourceNode(name: string): TreeNode | undefined {
    const s = this.state();
    const r = s?.resources[name];
    if (!s || !r) return undefined;
    if (!this.groups(s)) return this.node(`r:${name}:`, () => ({ kind: 'resource', name }));
    const group = r.labels[0] ?? UNLABELED;
    return this.node(`r:${name}:${group}`, () => ({ kind: 'resource', name, group }));
  }

  /** For TreeView.reveal: a resource's parent is its label group (children are never revealed). */
  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind !== 'resource' || node.group === undefined) return undefined;
    const label = node.group;
    return this.node(`g:${label}`, () => ({ kind: 'group', label }));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const s = this.state();
    if (node.kind === 'group') {
      const g = s && this.groups(s)?.find((x) => x.label === node.label);
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.label}`;
      item.iconPath = statusIcon(g?.status ?? 'idle');
      item.description = g ? `${g.names.length}` : '';
      item.contextValue = 'innerloop.group';
      return item;
    }
    if (node.kind === 'waiting') {
      const item = new vscode.TreeItem(`waiting for ${node.on}`, vscode.TreeItemCollapsibleState.None);
      item.id = `waiting:${node.resource}:${node.on}`;
      item.iconPath = new vscode.ThemeIcon('debug-step-over');
      item.tooltip = waitingTooltip(node.hold, node.resource, node.on);
      item.contextValue = 'innerloop.waiting';
      item.command = { title: `Show ${node.on}`, command: REVEAL_RESOURCE_COMMAND, arguments: [node.on] };
      return item;
    }
    if (node.kind === 'endpoint') {
      const item = new vscode.TreeItem(node.name ? `${node.name} (${node.url})` : node.url, vscode.TreeItemCollapsibleState.None);
      item.id = `endpoint:${node.resource}:${node.url}`;
      item.iconPath = new vscode.ThemeIcon('link-external');
      item.contextValue = 'innerloop.endpoint';
      item.command = { title: 'Open', command: 'innerloop.openEndpoint', arguments: [node] };
      return item;
    }
    if (node.kind === 'pod') {
      const pod = s?.resources[node.resource]?.pods.find((p) => p.name === node.pod);
      const item = new vscode.TreeItem(node.pod, vscode.TreeItemCollapsibleState.None);
      item.id = `pod:${node.resource}:${node.pod}`;
      item.iconPath = new vscode.ThemeIcon(pod?.ready ? 'vm-running' : 'vm-outline');
      item.description = pod ? `${pod.status}${pod.restarts ? ` · ${pod.restarts} restarts` : ''}` : '';
      item.tooltip = `Pod ${node.pod}${pod?.namespace ? ` in ${pod.namespace}` : ''}`;
      item.contextValue = 'innerloop.pod';
      return item;
    }
    const r = s?.resources[node.name];
    if (!r) return new vscode.TreeItem(node.name);
    const v = resourceView(r);
    const item = new vscode.TreeItem(r.name, v.endpoints.length || r.pods.length || v.waitingFor ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `resource:${node.group ?? ''}:${r.name}`;
    item.description = v.description;
    item.tooltip = new vscode.MarkdownString(v.tooltip.map((l) => escapeMd(l)).join('  \n'));
    item.iconPath = statusIcon(v.status);
    // contextValue drives view/item/context menus: trigger is offered on every resource, highlighted when manual work waits.
    // Same discovery as the Attach command: a `debug`-named forward on any port counts when the image tells the runtime.
    const debuggable = sessionTargets(this.session, r.name).length > 0;
    item.contextValue = `innerloop.resource${v.needsTrigger ? '.needsTrigger' : ''}${v.endpoints.length ? '.hasEndpoints' : ''}${debuggable ? '.debuggable' : ''}`;
    item.command = { title: 'Show Logs', command: 'innerloop.showLogs', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.sessionListener?.dispose();
    this.changed.dispose();
  }
}

function escapeMd(s: string): string {
  return s.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}

/** Creates the Resources view and keeps it bound to the current engine session. */
export function registerResourceTree(ctx: Ctx): ResourceTreeProvider {
  const provider = ctx.push(new ResourceTreeProvider());
  const view = ctx.push(vscode.window.createTreeView('innerloop.resources', { treeDataProvider: provider, showCollapseAll: true }));
  const update = (session: EngineSession | undefined): void => {
    provider.setSession(session);
    view.message = undefined;
  };
  ctx.push(ctx.onDidChangeSession(update));
  ctx.push(vscode.commands.registerCommand(REVEAL_RESOURCE_COMMAND, async (name: string) => {
    const node = provider.resourceNode(name);
    if (node) await view.reveal(node, { select: true, focus: true });
    await vscode.commands.executeCommand('innerloop.showLogs', { kind: 'resource', name });
  }));
  update(ctx.session);
  return provider;
}
