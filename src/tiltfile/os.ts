// The os and sys modules, local(), read_file, watch_file, listdir, blob, warn/fail/exit.
import { readdirSync, realpathSync, statSync, lstatSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Builtin, Dict, List, Struct, type Value } from '../starlark';
import { absent, bool, command, int, str, strDict, unpack, wrongType } from './args';
import { displayCommand, runCommand } from './exec';
import { fsMessage, type TiltfileState } from './state';
import { Blob } from './values';

function listFiles(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) { if (recursive) walk(p); } else out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function osBuiltins(s: TiltfileState): Record<string, Value> {
  const environ = new Dict();
  for (const [k, v] of Object.entries(s.env)) if (v !== undefined) environ.set(k, v);
  const b = (name: string, fn: ConstructorParameters<typeof Builtin>[1]): Builtin => new Builtin(name, fn);

  const path = new Struct({
    abspath: b('abspath', (call) => s.resolve(str(unpack(call, ['path']).path, 'path'))),
    basename: b('basename', (call) => basename(str(unpack(call, ['path']).path, 'path'))),
    dirname: b('dirname', (call) => dirname(str(unpack(call, ['path']).path, 'path'))),
    exists: b('exists', (call) => {
      const p = s.resolve(str(unpack(call, ['path']).path, 'path'));
      s.configFiles.add(p); // creating the file later must reload, as in Tilt
      try { statSync(p); return true; } catch { return false; }
    }),
    isdir: b('isdir', (call) => { try { return statSync(s.resolve(str(unpack(call, ['path']).path, 'path'))).isDirectory(); } catch { return false; } }),
    isfile: b('isfile', (call) => { try { return statSync(s.resolve(str(unpack(call, ['path']).path, 'path'))).isFile(); } catch { return false; } }),
    islink: b('islink', (call) => { try { return lstatSync(s.resolve(str(unpack(call, ['path']).path, 'path'))).isSymbolicLink(); } catch { return false; } }),
    join: b('join', (call) => {
      if (call.kwargs.length) throw new Error(`unexpected keyword argument "${call.kwargs[0]![0]}"`);
      const parts = call.args.map((x, i) => str(x, `path ${i + 1}`));
      if (parts.length === 0) throw new Error('missing argument for path');
      return join(...parts);
    }),
    realpath: b('realpath', (call) => {
      const p = s.resolve(str(unpack(call, ['path']).path, 'path'));
      try { return realpathSync(p); } catch (e) { throw new Error(fsMessage(e, p)); }
    }),
    relpath: b('relpath', (call) => {
      const a = unpack(call, ['targpath', 'basepath?']);
      return relative(absent(a.basepath) ? s.dir() : s.resolve(str(a.basepath, 'basepath')), s.resolve(str(a.targpath, 'targpath'))) || '.';
    }),
    sep: '/',
  });

  const os = new Struct({
    name: 'posix',
    environ,
    path,
    getcwd: b('getcwd', (call) => { unpack(call, []); return s.dir(); }),
    getenv: b('getenv', (call) => {
      const a = unpack(call, ['key', 'default?']);
      const v = s.env[str(a.key, 'key')];
      return v !== undefined ? v : a.default ?? null;
    }),
    putenv: b('putenv', (call) => {
      const a = unpack(call, ['key', 'value']);
      const k = str(a.key, 'key');
      const v = str(a.value, 'value');
      s.env[k] = v;
      // os.environ may have been frozen by a module that stored it in a global; s.env stays the source of truth.
      if (!environ.frozen) environ.set(k, v);
      return null;
    }),
    unsetenv: b('unsetenv', (call) => {
      const k = str(unpack(call, ['key']).key, 'key');
      delete s.env[k];
      return null;
    }),
  });

  const sys = new Struct({
    argv: new List(['innerloop', s.opts.subcommand, ...(s.opts.args.length ? ['--', ...s.opts.args] : [])]),
    executable: process.execPath,
  });

  return {
    os,
    sys,
    local: b('local', (call) => {
      const a = unpack(call, ['command', 'quiet?', 'command_bat?', 'echo_off?', 'env?', 'dir?', 'stdin?']);
      const cmd = command(a.command, 'command');
      if (cmd.command.length === 0) throw new Error('local: command must not be empty');
      if (s.refuseUntrusted('local()', call)) return new Blob('', 'local', true);
      s.checkK8sSafe('local');
      const quiet = bool(a.quiet, 'quiet');
      const echoOff = bool(a.echo_off, 'echo_off');
      if (!echoOff) s.output.push(`local: ${displayCommand(cmd)}`);
      let stdin: string | undefined;
      if (!absent(a.stdin)) {
        if (typeof a.stdin === 'string') stdin = a.stdin;
        else if (a.stdin instanceof Blob) stdin = a.stdin.text;
        else throw wrongType('stdin', a.stdin, 'string or blob');
      }
      const out = runCommand(s, {
        ...cmd,
        dir: absent(a.dir) || a.dir === '' ? s.dir() : s.resolve(str(a.dir, 'dir')),
        env: strDict(a.env, 'env'),
        stdin,
      });
      if (!quiet && out.stdout) s.output.push(...out.stdout.trimEnd().split('\n').map((l) => ` → ${l}`));
      return new Blob(out.stdout, `local: ${displayCommand(cmd)}`);
    }),
    read_file: b('read_file', (call) => {
      const a = unpack(call, ['file_path', 'default?']);
      const p = s.resolve(str(a.file_path, 'file_path'));
      try {
        return new Blob(s.readFile(p), p);
      } catch (e) {
        if (a.default === undefined) throw e;
        const d = a.default;
        if (d === null) return null;
        if (typeof d === 'string') return new Blob(d, p);
        throw wrongType('default', d, 'string');
      }
    }),
    watch_file: b('watch_file', (call) => {
      s.configFiles.add(s.resolve(str(unpack(call, ['file_path']).file_path, 'file_path')));
      return null;
    }),
    listdir: b('listdir', (call) => {
      const a = unpack(call, ['directory', 'recursive?']);
      const d = s.resolve(str(a.directory, 'directory'));
      s.configFiles.add(d);
      try {
        return new List(listFiles(d, bool(a.recursive, 'recursive')));
      } catch (e) {
        throw new Error(fsMessage(e, d));
      }
    }),
    blob: b('blob', (call) => new Blob(str(unpack(call, ['input']).input, 'input'), 'blob')),
    warn: b('warn', (call) => {
      const msg = str(unpack(call, ['msg']).msg, 'msg');
      s.warn(msg, s.pos(call));
      s.output.push(`WARNING: ${msg}`);
      return null;
    }),
    fail: b('fail', (call) => {
      const a = unpack(call, ['msg']);
      throw new Error(typeof a.msg === 'string' ? a.msg : str(a.msg, 'msg'));
    }),
    exit: b('exit', (call) => {
      const a = unpack(call, ['code?']);
      s.exitCode = typeof a.code === 'number' ? int(a.code, 'code') : 0;
      if (typeof a.code === 'string') s.output.push(a.code);
      throw new ExitRequest();
    }),
    struct: b('struct', (call) => {
      if (call.args.length) throw new Error(`unexpected positional arguments`);
      const fields: Record<string, Value> = {};
      for (const [k, v] of call.kwargs) fields[k] = v;
      return new Struct(fields);
    }),
  };
}

/** Thrown by exit(): the loader ends the load successfully. */
export class ExitRequest extends Error {
  constructor() { super('exit() called'); }
}


