// Go's `fmt` of two types, as BuildKit's history texts and docker's templates print them: a time.Duration (its
// String(): `30s`) and `%q` of an int (a quoted rune literal: 3 retries print as '\x03', in `HEALTHCHECK %q`).

/** Fractional digits of `v` below `prec` places, trailing zeros dropped (Go's `fmtFrac`). */
function fraction(v: bigint, prec: number): { text: string; rest: bigint } {
  let text = '';
  let print = false;
  let rest = v;
  for (let i = 0; i < prec; i++) {
    const digit = rest % 10n;
    print = print || digit !== 0n;
    if (print) text = `${digit}${text}`;
    rest /= 10n;
  }
  return { text: print ? `.${text}` : '', rest };
}

/** Go's `time.Duration.String()` of a duration in nanoseconds: `0s`, `1.5ms`, `30s`, `1m30s`, `1h0m0s`. */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  const u = BigInt(Math.abs(Math.trunc(nanoseconds)));
  if (u < 1_000_000_000n) {
    if (u < 1000n) return `${sign}${u}ns`;
    const [prec, unit] = u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    const { text, rest } = fraction(u, prec);
    return `${sign}${rest}${text}${unit}`;
  }
  const { text, rest: seconds } = fraction(u, 9);
  let out = `${seconds % 60n}${text}s`;
  const minutes = seconds / 60n;
  if (minutes > 0n) {
    out = `${minutes % 60n}m${out}`;
    const hours = minutes / 60n;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return `${sign}${out}`;
}

const shortEscapes: Readonly<Record<number, string>> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `%q` of an integer: the rune it names, quoted as `strconv.QuoteRune` does. */
export function goQuotedRune(n: number): string {
  const code = n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? 0xfffd : n;
  const short = shortEscapes[code];
  if (short !== undefined) return `'\\${short}'`;
  if (code === 0x27 || code === 0x5c) return `'\\${String.fromCodePoint(code)}'`;
  if (code === 0x20 || (code > 0x20 && code < 0x7f)) return `'${String.fromCodePoint(code)}'`;
  if (code < 0x80 || (code < 0x100 && !printable.test(String.fromCodePoint(code))))
    return `'\\x${code.toString(16).padStart(2, '0')}'`;
  if (printable.test(String.fromCodePoint(code))) return `'${String.fromCodePoint(code)}'`;
  return code < 0x10000 ? `'\\u${code.toString(16).padStart(4, '0')}'` : `'\\U${code.toString(16).padStart(8, '0')}'`;
}
