import type { Value } from '../../starlark';

/** The Tiltfile builtins, so extensions can delegate to docker_build, k8s_yaml, local_resource... */
export type Builtins = Record<string, Value>;
