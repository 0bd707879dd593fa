// Builders for Plan pieces used across engine tests.
import type { DockerBuildTarget, K8sResource, LocalResource, Plan, Resource } from '../../../src/tiltfile/plan';

export function dockerImage(ref: string, context: string, extra: Partial<DockerBuildTarget> = {}): DockerBuildTarget {
  return {
    kind: 'docker_build', ref, matchName: ref.replace(/:[^/:]*$/, ''), liveUpdate: [], matchInEnvVars: false, entrypoint: [],
    ignore: [], imageDeps: [], context, dockerfile: `${context}/Dockerfile`, buildArgs: {}, extraTags: [], only: [],
    ssh: [], secret: [], cacheFrom: [], pull: false, extraHosts: [], ...extra,
  };
}

export function k8sResource(name: string, extra: Partial<K8sResource> = {}): K8sResource {
  return {
    type: 'k8s', name, labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [], objects: [], imageRefs: [],
    portForwards: [], podReadiness: 'wait', extraPodSelectors: [], discoveryStrategy: 'default', ...extra,
  };
}

export function localResource(name: string, extra: Partial<LocalResource> = {}): LocalResource {
  const cmd = { command: [], shell: false, dir: '/', env: {} };
  return {
    type: 'local', name, labels: [], resourceDeps: [], triggerMode: 'auto', autoInit: true, links: [], cmd, serveCmd: cmd,
    deps: [], ignore: [], allowParallel: false, ...extra,
  };
}

export function plan(tiltfile: string, resources: Resource[], images: Plan['images'] = [], extra: Partial<Plan> = {}): Plan {
  return {
    tiltfile, resources, images,
    k8s: { allowedContexts: [], imageLocators: [] },
    settings: {
      triggerMode: 'auto', maxParallelUpdates: 3, k8sUpsertTimeoutSecs: 30, suppressUnusedImageWarnings: [], secretScrub: true,
      watchIgnore: [], ci: { k8sGracePeriodSecs: 0, timeoutSecs: 1800, readinessTimeoutSecs: 300 },
    },
    buttons: [], configFiles: [tiltfile], config: {}, secrets: [], warnings: [], ...extra,
  };
}
