// ext://namespace: namespace_yaml, namespace_create, namespace_inject.
import { Builtin, type Value } from '../../starlark';
import { bool, str, unpack } from '../args';
import { yamlObjects } from '../k8s';
import type { TiltfileState } from '../state';
import { Blob } from '../values';
import { serializeYaml } from '../yaml';
import { invoke } from './call';
import type { Builtins } from './types';

// Kinds that are cluster-scoped, so namespace_inject leaves them alone.
const clusterScoped = new Set(['Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'IngressClass', 'RuntimeClass']);

function nsYaml(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`invalid namespace name ${JSON.stringify(name)}`);
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
}

export function namespaceExtension(s: TiltfileState, b: Builtins): Record<string, Value> {
  return {
    namespace_yaml: new Builtin('namespace_yaml', (call) => new Blob(nsYaml(str(unpack(call, ['name']).name, 'name')), 'namespace_yaml')),
    namespace_create: new Builtin('namespace_create', (call) => {
      const a = unpack(call, ['name', 'allow_duplicates?']);
      const blob = new Blob(nsYaml(str(a.name, 'name')), 'namespace_create');
      return invoke(b, 'k8s_yaml', call, [blob], [['allow_duplicates', bool(a.allow_duplicates, 'allow_duplicates')]]);
    }),
    namespace_inject: new Builtin('namespace_inject', (call) => {
      const a = unpack(call, ['x', 'ns']);
      const ns = str(a.ns, 'ns');
      const objs = yamlObjects(s, a.x, 'x');
      for (const o of objs) if (!clusterScoped.has(o.kind)) o.metadata.namespace = ns;
      return new Blob(serializeYaml(objs), 'namespace_inject');
    }),
  };
}
