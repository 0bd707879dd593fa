// The image adapter's decisions that need no daemon: refs, and the error when the cluster cannot get images.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { DockerImageAdapter, repoOf } from '../../../src/engine/adapters/images';
import type { DockerBuildTarget } from '../../../src/tiltfile/plan';

const img: DockerBuildTarget = {
  kind: 'docker_build', ref: 'example.com/team/api', matchName: 'example.com/team/api', liveUpdate: [], matchInEnvVars: false, entrypoint: [],
  ignore: [], imageDeps: [], context: '/nonexistent', buildArgs: {}, extraTags: [], only: [], ssh: [], secret: [], cacheFrom: [], pull: false, extraHosts: [],
};

describe('DockerImageAdapter', () => {
  it('repoOf drops tags and digests but keeps registry ports', () => {
    assert.equal(repoOf('localhost:5000/api:dev'), 'localhost:5000/api');
    assert.equal(repoOf('localhost:5000/api'), 'localhost:5000/api');
    assert.equal(repoOf('api@sha256:abc'), 'api');
    assert.equal(repoOf('gcr.io/a/b:1@sha256:abc'), 'gcr.io/a/b');
  });

  it('says how to fix it when there is neither a registry nor a shared Docker daemon', async () => {
    const docker = {} as Dockerode; // never touched: the check comes first
    const a = new DockerImageAdapter({ docker, registry: () => undefined, clusterUsesLocalDocker: false, now: () => 0 });
    await assert.rejects(a.buildImage(img, { onOutput: () => undefined }), /no registry to push example\.com\/team\/api to: .*KEP-1755.*default_registry/);
  });
});
