// Character classes as Go's `unicode` package defines them (the lexer's decisions depend on them).

const LETTER = /^\p{L}$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const WHITE_SPACE = /^\p{White_Space}$/u;

export const EOF = -1;

/** Go `unicode.IsLetter`: general category L. */
export function isLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return LETTER.test(String.fromCodePoint(cp));
}

/** Go `unicode.IsDigit`: general category Nd. */
export function isDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return DECIMAL_DIGIT.test(String.fromCodePoint(cp));
}

/** Go `unicode.IsSpace`: the Unicode White_Space property. */
export function isSpace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return WHITE_SPACE.test(String.fromCodePoint(cp));
}

/** A name character in `$name`: letter, digit or `_`. */
export function isNameChar(cp: number): boolean {
  return cp === 0x5f || isLetter(cp) || isDigit(cp);
}

/** POSIX special parameters (`$@ $* $# $? $- $$ $! $0`): one character, never set in a Dockerfile. */
export function isSpecialParam(cp: number): boolean {
  switch (cp) {
    case 0x40: // @
    case 0x2a: // *
    case 0x23: // #
    case 0x3f: // ?
    case 0x2d: // -
    case 0x24: // $
    case 0x21: // !
    case 0x30: // 0
      return true;
    default:
      return false;
  }
}

/** Go `string(rune)`: EOF (-1) and other invalid runes become U+FFFD. */
export function runeString(cp: number): string {
  if (cp < 0 || cp > 0x10ffff) return '\uFFFD';
  return String.fromCodePoint(cp);
}
