// Go's notions of whitespace, printability and lower-casing, which BuildKit's parser relies on.
// Invalid UTF-8 bytes are carried through the decoded text as lone surrogates U+DC80..U+DCFF (see source.ts).

/** Go's `unicode.IsSpace` for one UTF-16 code unit (every Unicode space is in the BMP). */
export function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  if (c === 0x85 || c === 0xa0) return true;
  if (c < 0x1680) return false;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** The ASCII whitespace set of BuildKit's `[\t\v\f\r ]` splitting regex. */
export function isTokenSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d;
}

/** First index in [start, end) that is not Go whitespace. */
export function skipSpace(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isGoSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the last character in [start, end) that is not Go whitespace. */
export function skipSpaceBack(text: string, start: number, end: number): number {
  let i = end;
  while (i > start && isGoSpace(text.charCodeAt(i - 1))) i--;
  return i;
}

/** True for the lone surrogates that stand for invalid UTF-8 bytes. */
export function isRawByte(c: number): boolean {
  return c >= 0xdc80 && c <= 0xdcff;
}

/** Replaces lone surrogates by U+FFFD, as Go does when it decodes invalid UTF-8 rune by rune. */
export function replaceInvalid(s: string): string {
  let out: string | null = null;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    out = (out ?? '') + s.slice(last, i) + '\ufffd';
    last = i + 1;
  }
  return out === null ? s : out + s.slice(last);
}

/** Go's `strings.ToLower`: rune by rune (no final-sigma context), invalid bytes become U+FFFD. */
export function goToLower(s: string): string {
  const known = lowerCache.get(s);
  if (known !== undefined) return known;
  const lower = computeLower(s);
  // Keywords repeat endlessly (RUN, COPY...): remember short ones.
  if (s.length <= 16 && lowerCache.size < 4096) lowerCache.set(s, lower);
  return lower;
}

const lowerCache = new Map<string, string>();

function computeLower(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s.toLowerCase();
  let out = '';
  for (const ch of replaceInvalid(s)) {
    // U+0130 is the one code point whose JavaScript lower case is two characters; Go maps it to 'i'.
    out += ch === '\u0130' ? 'i' : ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch;
  }
  return out;
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `unicode.IsPrint` for one code point. */
export function isGoPrint(cp: number): boolean {
  if (cp < 0x7f) return cp >= 0x20;
  if (cp < 0xa1) return false;
  return printable.test(String.fromCodePoint(cp));
}
