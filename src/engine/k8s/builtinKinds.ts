// Where Kubernetes' own kinds live, so a request for one (apply, delete, read) needs no discovery round trip first.
// Resource names and scopes of a served group/version never change (the API's compatibility rules), so this is what
// GET /api/v1, /apis/apps/v1 ... answer on every cluster that serves them; a group/version a cluster does not serve
// answers 404 to the request itself, as a missing object does. Kinds not listed here (CRDs, aggregated APIs, other
// versions) are discovered as before. test/integration/k8s/builtinKinds.test.ts checks this table against the
// local cluster's discovery.

/** [kind, plural resource name, namespaced] by apiVersion. */
const KINDS: Record<string, ReadonlyArray<readonly [string, string, boolean]>> = {
  v1: [
    ['ConfigMap', 'configmaps', true],
    ['Endpoints', 'endpoints', true],
    ['Event', 'events', true],
    ['LimitRange', 'limitranges', true],
    ['Namespace', 'namespaces', false],
    ['Node', 'nodes', false],
    ['PersistentVolume', 'persistentvolumes', false],
    ['PersistentVolumeClaim', 'persistentvolumeclaims', true],
    ['Pod', 'pods', true],
    ['PodTemplate', 'podtemplates', true],
    ['ReplicationController', 'replicationcontrollers', true],
    ['ResourceQuota', 'resourcequotas', true],
    ['Secret', 'secrets', true],
    ['Service', 'services', true],
    ['ServiceAccount', 'serviceaccounts', true],
  ],
  'apps/v1': [
    ['ControllerRevision', 'controllerrevisions', true],
    ['DaemonSet', 'daemonsets', true],
    ['Deployment', 'deployments', true],
    ['ReplicaSet', 'replicasets', true],
    ['StatefulSet', 'statefulsets', true],
  ],
  'batch/v1': [
    ['CronJob', 'cronjobs', true],
    ['Job', 'jobs', true],
  ],
  'autoscaling/v1': [['HorizontalPodAutoscaler', 'horizontalpodautoscalers', true]],
  'autoscaling/v2': [['HorizontalPodAutoscaler', 'horizontalpodautoscalers', true]],
  'networking.k8s.io/v1': [
    ['Ingress', 'ingresses', true],
    ['IngressClass', 'ingressclasses', false],
    ['NetworkPolicy', 'networkpolicies', true],
  ],
  'policy/v1': [['PodDisruptionBudget', 'poddisruptionbudgets', true]],
  'rbac.authorization.k8s.io/v1': [
    ['ClusterRole', 'clusterroles', false],
    ['ClusterRoleBinding', 'clusterrolebindings', false],
    ['Role', 'roles', true],
    ['RoleBinding', 'rolebindings', true],
  ],
  'storage.k8s.io/v1': [
    ['CSIDriver', 'csidrivers', false],
    ['CSINode', 'csinodes', false],
    ['CSIStorageCapacity', 'csistoragecapacities', true],
    ['StorageClass', 'storageclasses', false],
    ['VolumeAttachment', 'volumeattachments', false],
  ],
  'apiextensions.k8s.io/v1': [['CustomResourceDefinition', 'customresourcedefinitions', false]],
  'admissionregistration.k8s.io/v1': [
    ['MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false],
    ['ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false],
  ],
  'scheduling.k8s.io/v1': [['PriorityClass', 'priorityclasses', false]],
  'coordination.k8s.io/v1': [['Lease', 'leases', true]],
  'discovery.k8s.io/v1': [['EndpointSlice', 'endpointslices', true]],
  'node.k8s.io/v1': [['RuntimeClass', 'runtimeclasses', false]],
};

export interface BuiltinKind {
  /** The plural resource name in the URL path. */
  name: string;
  kind: string;
  namespaced: boolean;
}

const byKey = new Map<string, BuiltinKind>();
for (const [apiVersion, kinds] of Object.entries(KINDS)) {
  for (const [kind, name, namespaced] of kinds) byKey.set(`${apiVersion} ${kind}`, { name, kind, namespaced });
}

/** The resource of one of Kubernetes' own kinds, or undefined (discover it). */
export function builtinKind(apiVersion: string, kind: string): BuiltinKind | undefined {
  return byKey.get(`${apiVersion} ${kind}`);
}

/** Every listed kind (the table's test). */
export function builtinKinds(): Array<BuiltinKind & { apiVersion: string }> {
  return Object.entries(KINDS).flatMap(([apiVersion, kinds]) => kinds.map(([kind, name, namespaced]) => ({ apiVersion, kind, name, namespaced })));
}
