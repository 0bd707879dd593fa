// local_git_repo(path): Tilt's git.Repo, whose only method `paths(p)` joins p onto the repository root.
import { join } from 'node:path';
import { Builtin, HostObject, type Value } from '../starlark';
import { str, unpack } from './args';
import type { TiltfileState } from './state';

export class GitRepoValue extends HostObject {
  readonly typeName = 'git.Repo';
  constructor(readonly basePath: string) { super(); }
  override repr(): string { return `[git.Repo] '${this.basePath}'`; }
  override truth(): boolean { return this.basePath !== ''; }
  override attrNames(): string[] { return ['paths']; }
  override attr(name: string): Value | undefined {
    if (name !== 'paths') return undefined;
    return new Builtin('paths', (call) => join(this.basePath, str(unpack(call, ['path']).path, 'path')));
  }
}

export function gitBuiltins(s: TiltfileState): Record<string, Value> {
  return {
    local_git_repo: new Builtin('local_git_repo', (call) => {
      const p = s.resolve(str(unpack(call, ['path']).path, 'path'));
      if (!s.exists(p)) throw new Error(`Reading paths ${p}: stat ${p}: no such file or directory`);
      if (!s.exists(join(p, '.git'))) throw new Error(`${p} isn't a valid git repo: it doesn't have a .git/ directory`);
      return new GitRepoValue(p);
    }),
  };
}
