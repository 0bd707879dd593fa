// Every file a Tiltfile load reads goes through here: a repository is input we do not control, and one file can
// otherwise take the loader down (.tiltignore -> /dev/zero never ends, a FIFO blocks forever, a 2 GB file
// exhausts memory). So: regular files only, a size cap, and in an untrusted workspace no symlink that leads out
// of the Tiltfile's directory tree (a checked-out repo must not make the editor read ~/.ssh/id_rsa into a hover).
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';

/** Larger than any sane YAML, Dockerfile or env file; small enough that a load's memory stays bounded. */
export const MAX_READ_BYTES = 32 * 1024 * 1024;

export interface SafeReadOptions {
  /** Byte cap (default MAX_READ_BYTES). */
  maxBytes?: number;
  /** When set, a path that resolves (through a symlink) outside this directory is refused. */
  confineTo?: string;
}

/** Thrown with a message meant for the user; `code` lets callers treat "missing" like before. */
export class SafeReadError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

function inside(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Reads a text file with the guards above. Missing files and permission errors throw the usual
 * NodeJS.ErrnoException (callers keep their own wording); guarded refusals throw SafeReadError.
 */
export function readTextFileSafely(abs: string, opts: SafeReadOptions = {}): string {
  const max = opts.maxBytes ?? MAX_READ_BYTES;
  // stat (not open) first: opening a FIFO for reading blocks until a writer appears.
  const st = statSync(abs);
  if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
  if (!st.isFile()) throw new SafeReadError(`refusing to read ${abs}: not a regular file (a device, FIFO or socket)`, 'ESPECIAL');
  if (st.size > max) throw new SafeReadError(`refusing to read ${abs}: ${st.size} bytes is over the ${max}-byte limit for files a Tiltfile reads`, 'ETOOBIG');
  if (opts.confineTo !== undefined) {
    const real = realpathSync(abs);
    let root: string;
    try { root = realpathSync(opts.confineTo); } catch { root = opts.confineTo; }
    if (real !== abs && !inside(root, real)) {
      throw new SafeReadError(`refusing to read ${abs}: it is a symlink to ${real}, outside ${opts.confineTo}, and the workspace is not trusted`, 'ESYMLINK');
    }
  }
  // O_NONBLOCK: if the file was swapped for a FIFO since the stat, open must not hang.
  const fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw new SafeReadError(`refusing to read ${abs}: not a regular file`, 'ESPECIAL');
    // Read at most max+1 bytes whatever the size says (the file may grow while we read).
    const buf = Buffer.allocUnsafe(Math.min(max + 1, Math.max(fst.size, 0) + 1));
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) {
        if (n > max) throw new SafeReadError(`refusing to read ${abs}: over the ${max}-byte limit for files a Tiltfile reads`, 'ETOOBIG');
        break;
      }
    }
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
