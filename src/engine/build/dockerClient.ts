// The one way Innerloop makes a Docker Engine client. Every request gets a deadline for the daemon's response
// headers (docker-modem's connectionTimeout): a hung or wedged dockerd then fails a call with an error instead
// of hanging the engine. Not an idle timeout on the body: builds, pushes and log streams may be silent for long.
import type Dockerode from 'dockerode';

/** How long the daemon may take to start answering any request (inspect, tag, ping, or the start of a build/push). */
export const DOCKER_RESPONSE_TIMEOUT_MS = 30_000;

/** Loaded on first use: the CLI bundle doubles as the Tiltfile worker, which must not load the Docker client. */
export async function createDockerClient(opts: Dockerode.DockerOptions & { connectionTimeout?: number } = {}): Promise<Dockerode> {
  const Docker = (await import('dockerode')).default;
  // connectionTimeout is docker-modem's (passed through by dockerode), missing from @types/dockerode.
  const withDeadline: Dockerode.DockerOptions & { connectionTimeout?: number } = { connectionTimeout: DOCKER_RESPONSE_TIMEOUT_MS, ...opts };
  return new Docker(withDeadline);
}
