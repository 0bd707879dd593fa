// Durations on the command line, as Go's time.ParseDuration writes them (what Tilt's flags and ci_settings take):
// "30s", "5m", "1h30m", "1.5h", "250ms"; a bare number means seconds. Bad input is an error that says where.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; throws an Error naming the offending position for anything else. */
export function parseDuration(text: string): number {
  const s = text.trim();
  const lead = text.length - text.trimStart().length;
  const fail = (why: string, at: number): never => {
    throw new Error(`invalid duration ${JSON.stringify(text)}: ${why} at position ${lead + at + 1} (use e.g. 30s, 5m, 1h30m; a bare number is seconds)`);
  };
  if (s === '') return fail('empty', 0);
  if (/^\d+(\.\d+)?$/.test(s)) return checked(Number(s) * 1000, text);
  let total = 0;
  let i = 0;
  const token = /(\d+(?:\.\d+)?|\.\d+)([a-zµ]*)/y;
  while (i < s.length) {
    token.lastIndex = i;
    const m = token.exec(s);
    if (!m || m.index !== i) return fail(`expected a number, found ${JSON.stringify(s[i])}`, i);
    const unit = m[2] ?? '';
    if (unit === '') return fail('missing unit after the number (ms, s, m or h)', i + m[1]!.length);
    const factor = UNIT_MS[unit];
    if (factor === undefined) return fail(`unknown unit ${JSON.stringify(unit)} (ms, s, m or h)`, i + m[1]!.length);
    total += Number(m[1]) * factor;
    i += m[0].length;
  }
  return checked(total, text);
}

function checked(ms: number, text: string): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`invalid duration ${JSON.stringify(text)}: must be more than zero`);
  return Math.round(ms);
}
