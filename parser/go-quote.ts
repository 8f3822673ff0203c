// Port of the output of Go's strconv.Quote, which BuildKit's AST dump uses for every value.
import { isGoPrint } from './unicode.js';

const letterEscapes: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Quotes `s` as Go's `strconv.Quote` would quote the UTF-8 bytes it stands for. */
export function goQuote(s: string): string {
  let out = '"';
  let plainStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(plainStart, i);
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    out += escapeCodePoint(cp, s.slice(i, i + width));
    i += width - 1;
    plainStart = i + 1;
  }
  return out + s.slice(plainStart) + '"';
}

function escapeCodePoint(cp: number, raw: string): string {
  if (cp === 0x22) return '\\"';
  if (cp === 0x5c) return '\\\\';
  if (cp >= 0xdc80 && cp <= 0xdcff) return '\\x' + hex(cp - 0xdc00, 2); // an invalid UTF-8 byte
  if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd'; // any other lone surrogate encodes as U+FFFD
  if (isGoPrint(cp)) return raw;
  const letter = letterEscapes[cp];
  if (letter !== undefined) return letter;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}
