// Pod and build output printed by `innerloop up`/`ci` cannot drive the user's terminal: only colours survive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeForTerminal } from '../../../src/cli/render/terminal';

const ESC = '\x1b';

test('terminal: OSC 52 clipboard writes and window titles are removed (BEL and ST terminated, or cut off)', () => {
  assert.equal(sanitizeForTerminal(`hi${ESC}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07 there`), 'hi there');
  assert.equal(sanitizeForTerminal(`a${ESC}]0;pwned${ESC}\\b`), 'ab');
  assert.equal(sanitizeForTerminal(`a${ESC}]52;c;AAAA`), 'a');
});

test('terminal: cursor movement, erase and carriage return cannot rewrite the status rows', () => {
  const spoof = `ok${ESC}[3A${ESC}[2K${ESC}[1;1Hapi   ● ready\r${ESC}[J${ESC}7${ESC}8${ESC}c`;
  const out = sanitizeForTerminal(spoof);
  assert.equal(out, 'okapi   ● ready');
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(out));
});

test('terminal: SGR colours are kept, and reset at the end of the line so they cannot leak', () => {
  assert.equal(sanitizeForTerminal(`${ESC}[1;31merror${ESC}[0m: boom`), `${ESC}[1;31merror${ESC}[0m: boom${ESC}[0m`);
  assert.equal(sanitizeForTerminal(`${ESC}[38;5;208mhot`), `${ESC}[38;5;208mhot${ESC}[0m`);
  assert.equal(sanitizeForTerminal('plain\ttext'), 'plain\ttext');
});

test('terminal: device-control strings, 8-bit C1 controls and stray controls are removed', () => {
  assert.equal(sanitizeForTerminal(`x${ESC}P1$r0m${ESC}\\y`), 'xy');
  assert.equal(sanitizeForTerminal('x\u009b2Jy\u009d0;t\u0007z'), 'x2Jy0;tz');
  assert.equal(sanitizeForTerminal('bell\x07 back\x08space'), 'bell backspace');
});
