// The layer rules in eslint.config.mjs catch what they promise: src/shared and the webview import no Node module,
// by plain name ('fs', 'path') as well as 'node:fs'. Lints source text under those paths, nothing on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const BAD = "import * as fs from 'fs';\nimport { join } from 'path';\nimport { readFile } from 'fs/promises';\nimport * as os from 'node:os';\nexport const x = [fs, join, readFile, os];\n";

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  // No type information for text that is not on disk: the type-aware rule is off here (the real lint runs it).
  const eslint = new ESLint({
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } },
  });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message.split(' import ')[0]!);
}

test('src/shared and src/webview may not import Node modules by plain name or node: prefix', async () => {
  for (const file of ['src/shared/probe.ts', 'src/webview/probe.ts']) {
    assert.deepEqual(await restrictedImports(file, BAD), ["'fs'", "'path'", "'fs/promises'", "'node:os'"], file);
  }
  assert.deepEqual(await restrictedImports('src/engine/probe.ts', BAD), [], 'the engine may use Node');
});
