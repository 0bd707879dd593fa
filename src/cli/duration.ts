// Durations on the command line ("30s", "5m", "1h30m", "250ms"; a bare number is seconds).
// Placeholder until the `ci` helper's version lands on main (same name and signature); theirs wins on merge.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; throws an Error that says what is wrong. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)} at position ${i + 1} (use e.g. 30s, 5m, 1h30m)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = re.lastIndex;
  }
  if (!(total > 0)) throw new Error(`invalid duration ${JSON.stringify(text)}: must be more than zero`);
  return Math.round(total);
}
