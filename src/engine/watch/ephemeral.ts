// Editor and tool temp files that must never trigger a build (gitignore syntax, any depth, via `ignore`).
// Vim writes ".x.swp"/".x.swx" swap files, probes "4913" for write permission and leaves "x~" backups;
// Emacs writes ".#x" lock links and "#x#" autosaves; JetBrains writes "x___jb_tmp___"/"x___jb_old___";
// Kate writes ".x.kate-swp"; gedit/GIO ".goutputstream-*".

import * as path from 'node:path';
import ignore from 'ignore';

export const EPHEMERAL_PATTERNS: readonly string[] = [
  // vim
  '4913', '*~', '.*.swp', '.*.swx', '.*.swo', '.*.swn',
  // emacs
  '.#*', '\\#*#', // a leading \# is a literal # (else a comment)
  // JetBrains safe-write
  '*___jb_tmp___', '*___jb_old___',
  // kate
  '.*.kate-swp', '*.kate-swp',
  // GIO/gedit atomic writes
  '.goutputstream-*',
  // version control internals
  '.git/', '.git',
];

const matcher = ignore().add([...EPHEMERAL_PATTERNS]);

/** Whether an absolute path is (or is inside) an editor temp file or a .git directory. */
export function isEphemeral(absPath: string): boolean {
  const rel = path.relative(path.parse(absPath).root, absPath);
  if (rel === '') return false;
  return matcher.ignores(rel.split(path.sep).join('/'));
}
