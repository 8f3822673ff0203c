// The glob patterns of `${v#p}`, `${v%p}` and `${v/p/r}`: only `*` and `?` are wildcards, and `\` may escape
// only `*`, `?` or `\` (before `}` or `/` it is dropped: those had to be escaped to stay inside `${}`).
// BuildKit translates the pattern into a Go regexp; we keep the same translation as a readable `source` (for
// tests and messages) but match with the token list in matcher.ts, which never backtracks.
import { EOF, runeString } from './chars.js';
import { CodePointScanner } from './scanner.js';

export type ShellPatternToken =
  | { readonly kind: 'literal'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' };

export interface ShellPattern {
  readonly tokens: readonly ShellPatternToken[];
  /** `*` matches as much as possible (`##`, `%%`, `/`) rather than as little (`#`, `%`). */
  readonly greedy: boolean;
  /** Matches only at the start of the value. */
  readonly anchored: boolean;
  /** The equivalent Go regular expression, exactly as BuildKit writes it. */
  readonly source: string;
}

export type ShellPatternResult = { ok: true; pattern: ShellPattern } | { ok: false; error: string };

const REGEX_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$'].map((c) => c.codePointAt(0)));
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const RBRACE = 0x7d;
const SLASH = 0x2f;

/** BuildKit's convertShellPatternToRegex. The error text is Go's (`invalid escape '\x'`). */
export function compileShellPattern(pattern: string, greedy: boolean, anchored: boolean): ShellPatternResult {
  const sc = new CodePointScanner(pattern);
  const tokens: ShellPatternToken[] = [];
  let source = anchored ? '^' : '';
  for (let tok = sc.next(); tok !== EOF; tok = sc.next()) {
    if (tok === STAR) {
      tokens.push({ kind: 'star' });
      source += greedy ? '.*' : '.*?';
      continue;
    }
    if (tok === QUESTION) {
      tokens.push({ kind: 'any' });
      source += '.';
      continue;
    }
    if (tok === BACKSLASH) {
      const following = sc.peek();
      if (following === RBRACE || following === SLASH) continue;
      tok = sc.next();
      if (tok !== STAR && tok !== QUESTION && tok !== BACKSLASH) {
        return { ok: false, error: `invalid escape '\\${runeString(tok)}'` };
      }
      source += '\\';
    } else if (REGEX_SPECIAL.has(tok)) {
      source += '\\';
    }
    tokens.push({ kind: 'literal', cp: tok });
    source += runeString(tok);
  }
  return { ok: true, pattern: { tokens, greedy, anchored, source } };
}

/** Reverses a pattern by code point, keeping each `\x` escape pair in order (`a\*c` → `c\*a`). */
export function reverseShellPattern(pattern: string): string {
  const cps = Array.from(pattern);
  const out = new Array<string>(cps.length);
  const last = cps.length - 1;
  for (let i = 0; i <= last; ) {
    const at = last - i;
    if (cps[i] === '\\' && i !== last) {
      out[at - 1] = '\\';
      out[at] = cps[i + 1];
      i += 2;
    } else {
      out[at] = cps[i];
      i++;
    }
  }
  return out.join('');
}

/** Reverses a string by code point. */
export function reverseCodePoints(text: string): string {
  return Array.from(text).reverse().join('');
}
