// One .dockerignore pattern, classified and matched exactly as moby/patternmatcher does
// (exact / prefix / suffix / regular expression; the expression is compiled lazily and a pattern
// whose expression Go rejects fails on every match, as upstream).

import { BadPatternError } from './go-glob.js';
import { Re2Program } from './re2-nfa.js';

export type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

export interface PatternTranslation {
  readonly kind: MatchKind;
  /** The Go regular expression (`^…$`) when `kind` is `regexp`, else ''. */
  readonly regexp: string;
}

const ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** moby/patternmatcher `compile`: classify a cleaned pattern and build its Go regexp. */
export function translatePattern(cleaned: string): PatternTranslation {
  const chars = Array.from(cleaned);
  let re = '^';
  let kind: MatchKind = 'exact';
  let k = 0;
  for (let i = 0; k < chars.length; i++) {
    const ch = chars[k++];
    if (ch === '*') {
      if (chars[k] === '*') {
        k++;
        if (chars[k] === '/') k++; // `**/` is treated as `**`
        if (k >= chars.length) {
          if (kind === 'exact') kind = 'prefix';
          else {
            re += '.*';
            kind = 'regexp';
          }
        } else {
          re += '(.*/)?';
          kind = 'regexp';
        }
        if (i === 0) kind = 'suffix';
      } else {
        re += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      kind = 'regexp';
    } else if (ESCAPED.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (k < chars.length) {
        re += '\\' + chars[k++];
        kind = 'regexp';
      } else {
        re += '\\';
      }
    } else if (ch === '[' || ch === ']') {
      re += ch;
      kind = 'regexp';
    } else {
      re += ch;
    }
  }
  return kind === 'regexp' ? { kind, regexp: re + '$' } : { kind, regexp: '' };
}

// Pattern characters that translatePattern leaves with a meaning in the expression (the
// others are escaped or have none): what follows the last of them is literal text.
const NOT_LITERAL = /[*?[\]^]/g;

/**
 * The literal text every match of a `regexp` pattern ends with ('' if none). A backslash passes
 * the next characters to Go's syntax (`\d`, `\x{41}`, `\Q…\E`): then nothing is known.
 */
function literalTail(cleaned: string): string {
  if (cleaned.includes('\\')) return '';
  let from = 0;
  for (const m of cleaned.matchAll(NOT_LITERAL)) from = m.index + 1;
  return cleaned.slice(from);
}

/** A compiled pattern: `cleaned` has no leading `!`; `exclusion` says it had one. */
export class IgnorePatternMatcher {
  private translation: PatternTranslation | undefined;
  private program: Re2Program | undefined;
  // The expression is anchored at the end (Go's `$` without the m flag), so a path that does not
  // end with this text cannot match: for `**/*.tmp` most paths are rejected without the NFA.
  private readonly tail: string;

  constructor(
    readonly cleaned: string,
    readonly exclusion: boolean,
  ) {
    this.tail = literalTail(cleaned);
  }

  /** Does the pattern match `path` itself (slash-separated)? Throws `BadPatternError`. */
  match(path: string): boolean {
    const t = this.compiled();
    const p = this.cleaned;
    switch (t.kind) {
      case 'exact':
        return path === p;
      case 'prefix':
        return path.startsWith(p.slice(0, -2));
      case 'suffix': {
        const suffix = p.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.startsWith('/') && path === suffix.slice(1);
      }
      case 'regexp':
        return path.endsWith(this.tail) && this.program!.test(path);
    }
  }

  private compiled(): PatternTranslation {
    if (this.translation) return this.translation;
    const t = translatePattern(this.cleaned);
    if (t.kind === 'regexp') {
      try {
        this.program = new Re2Program(t.regexp);
      } catch {
        throw new BadPatternError();
      }
    }
    this.translation = t;
    return t;
  }
}
