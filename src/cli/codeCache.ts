// V8 code cache for the CLI's large, lazily loaded bundle (dist/cli-commands.js, ~2.8 MB: the engine, the
// Kubernetes and Docker clients). Node 20 has no module.enableCompileCache() (Node 22), so this does what the
// v8-compile-cache package does, for one file: compile it with vm.Script and the bytecode V8 produced last time,
// which roughly halves the CPU its evaluation takes (npm run bench cli-start, down). V8 itself rejects cached data
// made from other source or flags; the cache is written again then. It lives in the user's own cache directory
// (mode 0700), never in a shared temp directory: cached bytecode is code. INNERLOOP_NO_CODE_CACHE=1 turns it off,
// and so does --enable-source-maps (below).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'innerloop', 'code-cache');
}

/** require(file), through the code cache when possible; any cache trouble falls back to a plain require. */
export function requireWithCodeCache(file: string): unknown {
  const abs = path.resolve(file);
  const plain = (): unknown => Module.createRequire(abs)(abs);
  const loaded = require.cache[abs];
  if (loaded) return loaded.exports;
  // Node maps stack traces through source maps only for modules it compiles itself: with --enable-source-maps (or
  // NODE_OPTIONS=--enable-source-maps) stack traces point into src/, and the bundle loads without the cache.
  if (process.env.INNERLOOP_NO_CODE_CACHE || process.sourceMapsEnabled) return plain();
  let source: string;
  let cacheFile: string;
  let stamp: Buffer;
  try {
    const st = fs.statSync(abs);
    source = fs.readFileSync(abs, 'utf8');
    // One cache file per bundle path; it starts with a stamp of the bundle's build and the Node that made it.
    cacheFile = path.join(codeCacheDir(), `${createHash('sha256').update(abs).digest('hex').slice(0, 32)}.bin`);
    stamp = createHash('sha256').update([st.size, st.mtimeMs, process.version, process.arch].join('\0')).digest();
  } catch {
    return plain();
  }
  let cachedData: Buffer | undefined;
  try {
    const bytes = fs.readFileSync(cacheFile);
    if (bytes.subarray(0, stamp.length).equals(stamp)) cachedData = bytes.subarray(stamp.length);
  } catch { /* first run */ }
  const script = new vm.Script(Module.wrap(source), { filename: abs, cachedData });
  const m = new Module(abs, module);
  m.filename = abs;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(abs));
  require.cache[abs] = m;
  try {
    const fn = script.runInThisContext() as (exports: unknown, req: NodeRequire, mod: Module, filename: string, dirname: string) => void;
    fn.call(m.exports, m.exports, Module.createRequire(abs), m, abs, path.dirname(abs));
  } catch (e) {
    delete require.cache[abs];
    throw e;
  }
  m.loaded = true;
  // At exit the cache also holds the functions this run compiled lazily (the command itself), not just the top level.
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(cacheFile, stamp, script));
  return m.exports;
}

function writeCache(file: string, stamp: Buffer, script: vm.Script): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch { /* a read-only home: run without the cache */ }
}
