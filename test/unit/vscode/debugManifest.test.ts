// package.json's debug contributions match the debug types the code registers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INNERLOOP_GO, INNERLOOP_PYTHON } from '../../../src/vscode/debugTargets';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { debuggers: Array<{ type: string; languages: string[]; configurationAttributes: { attach: { properties: Record<string, unknown> } } }>; breakpoints: Array<{ language: string }> };
};

describe('package.json debug contributions', () => {
  it("contributes Innerloop's own Python and Go attach types, with breakpoints in those languages", () => {
    const byType = new Map(pkg.contributes.debuggers.map((d) => [d.type, d]));
    assert.deepEqual([...byType.keys()].sort(), [INNERLOOP_GO, INNERLOOP_PYTHON].sort());
    assert.deepEqual(byType.get(INNERLOOP_PYTHON)!.languages, ['python']);
    assert.deepEqual(byType.get(INNERLOOP_GO)!.languages, ['go']);
    for (const d of byType.values()) assert.ok('resource' in d.configurationAttributes.attach.properties, d.type);
    assert.deepEqual(pkg.contributes.breakpoints.map((b) => b.language).sort(), ['go', 'python']);
    for (const t of [INNERLOOP_PYTHON, INNERLOOP_GO]) assert.ok(pkg.activationEvents.includes(`onDebugResolve:${t}`), t);
  });
});
