// Where an engine's control socket lives: one per Tiltfile, in a directory only this user can enter.
// Never a TCP port: a Unix socket (a named pipe on Windows) is reachable only through the file system, so the
// directory's 0700 mode and the socket's 0600 mode keep other local users out.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The editor exports this to its integrated terminals so `innerloop get` there talks to the editor's engine. */
export const CONTROL_SOCKET_ENV = 'INNERLOOP_CONTROL_SOCKET';

/** $XDG_RUNTIME_DIR/innerloop when the runtime dir exists, else a per-user directory under the temp dir. */
export function controlDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && path.isAbsolute(xdg) && fs.existsSync(xdg)) return path.join(xdg, 'innerloop');
  const uid = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `innerloop-${uid}`);
}

/** A stable short key for a Tiltfile (its real path when it exists): socket paths must stay under ~100 bytes. */
export function workspaceKey(tiltfile: string): string {
  let p = path.resolve(tiltfile);
  try {
    p = fs.realpathSync(p);
  } catch {
    // Not there (yet): the resolved path still names the workspace.
  }
  return createHash('sha256').update(p).digest('hex').slice(0, 16);
}

/** The control socket path for a Tiltfile. */
export function socketPathFor(tiltfile: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const key = workspaceKey(tiltfile);
  if (platform === 'win32') return `\\\\.\\pipe\\innerloop-${os.userInfo().username}-${key}`;
  return path.join(controlDir(env), `${key}.sock`);
}

/**
 * Creates the socket directory with mode 0700, or checks an existing one: it must be a real directory (not a
 * symlink), owned by this user, and closed to group and others. Throws with the fix otherwise.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory; remove it so Innerloop can create its control directory`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to another user (uid ${st.uid}); remove it or set XDG_RUNTIME_DIR`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
