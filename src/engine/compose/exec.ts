// `docker exec` and `docker restart` through the Engine API, as the engine's ContainerExecutor port.
// Stdin goes over the hijacked exec connection and is half-closed at its end, so `tar -x -f -` sees EOF
// (Tilt streams its tar the same way and avoids the archive copy API as buggy, tilt #3708).
// A command that runs and exits non-zero resolves; only "could not exec at all" rejects.

import { PassThrough, type Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerExecutor, ContainerRef, ExecResult } from '../liveupdate/containerUpdate';

export interface DockerExecOptions {
  /** Kill the wait after this long (the exec keeps running in the container). Default 5 minutes. */
  timeoutMs?: number;
  /** Keep at most this many bytes of output (the tail). Default 1 MiB. */
  maxOutputBytes?: number;
  /** Seconds `docker restart` waits for the container to stop before killing it; default: the container's own. */
  restartTimeoutSecs?: number;
}

/** Run argv in a container; output is stdout and stderr interleaved. */
export async function dockerExec(docker: Dockerode, containerId: string, argv: string[], stdin?: Readable, opts: DockerExecOptions = {}): Promise<ExecResult> {
  const container = docker.getContainer(containerId);
  const exec = await container.exec({ Cmd: argv, AttachStdin: stdin !== undefined, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: stdin !== undefined })) as NodeJS.ReadWriteStream & { destroy?: (e?: Error) => void };
  const limit = opts.maxOutputBytes ?? 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new PassThrough();
  sink.on('data', (b: Buffer) => {
    chunks.push(b);
    size += b.length;
    while (size > limit && chunks.length > 1) size -= chunks.shift()!.length;
  });
  docker.modem.demuxStream(stream, sink, sink);

  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => {
      stream.destroy?.();
      finish(new Error(`exec ${argv[0]} timed out after ${opts.timeoutMs ?? 300_000} ms`));
    }, opts.timeoutMs ?? 300_000);
    stream.on('end', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (e: Error) => finish(e));
    if (stdin) {
      stdin.on('error', (e: Error) => finish(e));
      // pipe() ends the writable side at EOF: a half-close the daemon passes on as stdin EOF.
      stdin.pipe(stream);
    }
  });

  // The exit code is set once the process is reaped; that can trail the end of the stream by a moment.
  let info = await exec.inspect();
  for (let i = 0; i < 50 && info.Running; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await exec.inspect();
  }
  const output = Buffer.concat(chunks).toString('utf8');
  return { exitCode: info.ExitCode ?? (info.Running ? -1 : 0), output };
}

/** The engine's executor port for Docker containers (ContainerRef.containerId is the Docker container ID). */
export class DockerContainerExecutor implements ContainerExecutor {
  constructor(private readonly docker: Dockerode, private readonly opts: DockerExecOptions = {}) {}

  exec(target: ContainerRef, argv: string[], stdin?: Readable): Promise<ExecResult> {
    return dockerExec(this.docker, target.containerId, argv, stdin, this.opts);
  }

  async restart(target: ContainerRef): Promise<void> {
    const t = this.opts.restartTimeoutSecs;
    await this.docker.getContainer(target.containerId).restart(t === undefined ? {} : { t });
  }
}
