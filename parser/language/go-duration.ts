// Go's time.ParseDuration, which BuildKit applies to HEALTHCHECK's duration flags and docker to `--filter
// until=…`: `1h30m`, `1.5s`, `-2m`, `0`; the value in nanoseconds, or Go's error message for anything else.

const NANOSECONDS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export type GoDuration = { readonly ok: true; readonly ns: number } | { readonly ok: false; readonly error: string };

export function parseGoDuration(text: string): GoDuration {
  const quoted = JSON.stringify(text);
  const invalid: GoDuration = { ok: false, error: `time: invalid duration ${quoted}` };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ns: 0 };
  if (rest === '') return invalid;
  let total = 0;
  while (rest !== '') {
    // Go: the next character must be a digit or '.', and a number needs a digit on one side of its '.'.
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest) as RegExpExecArray;
    if (number[1] === '' && (number[2] ?? '') === '') return invalid;
    rest = rest.slice(number[0].length);
    const unit = (/^[^\d.]*/.exec(rest) as RegExpExecArray)[0];
    if (unit === '') return { ok: false, error: `time: missing unit in duration ${quoted}` };
    const scale = NANOSECONDS[unit];
    if (scale === undefined) {
      return { ok: false, error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}` };
    }
    rest = rest.slice(unit.length);
    total += Number(`${number[1] || '0'}.${number[2] || '0'}`) * scale;
  }
  return { ok: true, ns: sign * Math.round(total) };
}
