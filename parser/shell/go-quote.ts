// Go's strconv.Quote (`%q`), which BuildKit uses to show the word in "failed to process %q".

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

const LETTER_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
]);

export function goQuote(text: string): string {
  let out = '"';
  let i = 0;
  for (;;) {
    // Fast path: copy a run of printable ASCII other than `"` and `\` as is.
    const start = i;
    while (i < text.length) {
      const unit = text.charCodeAt(i);
      if (unit < 0x20 || unit >= 0x7f || unit === 0x22 || unit === 0x5c) break;
      i++;
    }
    out += text.slice(start, i);
    if (i >= text.length) break;
    const ch = String.fromCodePoint(text.codePointAt(i) as number);
    i += ch.length;
    let cp = ch.codePointAt(0) as number;
    // A lone surrogate is what a UTF-8 encoder would turn into U+FFFD.
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += '\\\\';
    else if (isPrint(cp)) out += String.fromCodePoint(cp);
    else if (LETTER_ESCAPES.has(cp)) out += LETTER_ESCAPES.get(cp);
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}
