// Shared by the integration suites that need the Docker Engine: why a suite must skip, if it must.
import type Dockerode from 'dockerode';

/** The busybox base image test/env builds and pushes (sh, tar, httpd). */
export const BUSYBOX = process.env.INNERLOOP_TEST_BASE_IMAGE ?? 'localhost:5000/innerloop/busybox:latest';

/** Undefined when the daemon answers and `image` is present locally; else a skip reason a person can act on. */
export async function dockerProblem(docker: Dockerode, image = BUSYBOX): Promise<string | undefined> {
  try {
    await docker.ping();
  } catch (err) {
    return `no Docker daemon reachable (${(err as Error).message})`;
  }
  try {
    await docker.getImage(image).inspect();
  } catch {
    return `image ${image} not present locally (run npm run env:up)`;
  }
  return undefined;
}
