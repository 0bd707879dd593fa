// The Kubernetes layer of the engine: small adapters the orchestrator composes (see each module's header).
export * from './errors';
export * from './client';
export * from './registry';
export * from './apply';
export * from './discovery';
export * from './exec';
export * from './portForward';
export * from './podLogs';
export { NamespacePodWatch } from './podWatch';
