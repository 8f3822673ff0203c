// Parser for the subset of Go RE2 syntax that moby/patternmatcher can produce from a pattern
// (user text passes `[`, `]`, `^` and `\x` pairs straight to Go's regexp package). It follows Go's
// regexp/syntax rules with the Perl flags regexp.Compile uses; anything Go rejects throws.

import { type CharClass, negateRanges, perlClassRanges, posixClassRanges, unicodeCategory } from './re2-class.js';

export type ReNode =
  | { readonly t: 'class'; readonly cls: CharClass }
  | { readonly t: 'assert'; readonly kind: 'begin' | 'end' | 'word' | 'nonword' }
  | { readonly t: 'cat'; readonly items: ReNode[] }
  | { readonly t: 'alt'; readonly items: ReNode[] }
  | { readonly t: 'repeat'; readonly min: 0 | 1; readonly max: 1 | number; readonly node: ReNode };

export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(`error parsing regexp: ${message}`);
    this.name = 'RegexSyntaxError';
  }
}

const ANY_BUT_NEWLINE: CharClass = { ranges: [0x0a, 0x0a], categories: [], negated: true };
const literal = (cp: number): ReNode => ({ t: 'class', cls: { ranges: [cp, cp], categories: [], negated: false } });
const isDigit = (cp: number | undefined): boolean => cp !== undefined && cp >= 0x30 && cp <= 0x39;
const isOctal = (cp: number | undefined): boolean => cp !== undefined && cp >= 0x30 && cp <= 0x37;
const isAlnum = (cp: number): boolean => isDigit(cp) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const hexVal = (cp: number | undefined): number => {
  if (cp === undefined) return -1;
  const v = Number.parseInt(String.fromCodePoint(cp), 16);
  return Number.isNaN(v) ? -1 : v;
};

class Re2Parser {
  private i = 0;
  constructor(private readonly s: number[]) {}

  parse(): ReNode {
    const node = this.alternation();
    if (this.i < this.s.length) throw new RegexSyntaxError('unexpected )');
    return node;
  }

  private alternation(): ReNode {
    const items = [this.concat()];
    while (this.s[this.i] === 0x7c) {
      this.i++;
      items.push(this.concat());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private concat(): ReNode {
    const items: ReNode[] = [];
    while (this.i < this.s.length) {
      const cp = this.s[this.i];
      if (cp === 0x7c || cp === 0x29) break; // | )
      if (cp === 0x2a || cp === 0x2b || cp === 0x3f) {
        const prev = items.pop();
        if (!prev) throw new RegexSyntaxError('missing argument to repetition operator');
        this.i++;
        if (this.s[this.i] === 0x3f)
          this.i++; // non-greedy: same language
        else if (this.s[this.i] === 0x2a || this.s[this.i] === 0x2b || this.s[this.i] === 0x3f)
          throw new RegexSyntaxError('invalid nested repetition operator');
        const min = cp === 0x2b ? 1 : 0;
        const max = cp === 0x3f ? 1 : Number.POSITIVE_INFINITY;
        items.push({ t: 'repeat', min, max, node: prev });
        continue;
      }
      items.push(...this.atom());
    }
    return { t: 'cat', items };
  }

  private atom(): ReNode[] {
    const cp = this.s[this.i++];
    switch (cp) {
      case 0x28: {
        if (this.s[this.i] === 0x3f) {
          if (this.s[this.i + 1] !== 0x3a) throw new RegexSyntaxError('unsupported group flags');
          this.i += 2;
        }
        const inner = this.alternation();
        if (this.s[this.i] !== 0x29) throw new RegexSyntaxError('missing closing )');
        this.i++;
        return [inner];
      }
      case 0x2e:
        return [{ t: 'class', cls: ANY_BUT_NEWLINE }];
      case 0x5e:
        return [{ t: 'assert', kind: 'begin' }];
      case 0x24:
        return [{ t: 'assert', kind: 'end' }];
      case 0x5b:
        return [{ t: 'class', cls: this.charClass() }];
      case 0x5c:
        return this.escapeAtom();
      default:
        return [literal(cp)];
    }
  }

  private escapeAtom(): ReNode[] {
    const c = this.s[this.i];
    if (c === 0x41) return this.skip(1, [{ t: 'assert', kind: 'begin' }]); // \A
    if (c === 0x7a) return this.skip(1, [{ t: 'assert', kind: 'end' }]); // \z
    if (c === 0x62) return this.skip(1, [{ t: 'assert', kind: 'word' }]); // \b
    if (c === 0x42) return this.skip(1, [{ t: 'assert', kind: 'nonword' }]); // \B
    if (c === 0x43) throw new RegexSyntaxError('invalid escape sequence: `\\C`');
    if (c === 0x51) {
      // \Q...\E: literal text up to \E or the end.
      this.i++;
      const out: ReNode[] = [];
      while (this.i < this.s.length) {
        if (this.s[this.i] === 0x5c && this.s[this.i + 1] === 0x45) {
          this.i += 2;
          break;
        }
        out.push(literal(this.s[this.i++]));
      }
      return out;
    }
    this.i--; // back onto the backslash
    const cls = this.classEscape();
    if (cls) return [{ t: 'class', cls }];
    return [literal(this.escapeChar())];
  }

  private skip(n: number, nodes: ReNode[]): ReNode[] {
    this.i += n;
    return nodes;
  }

  /** `\pX`, `\PX`, `\d`… at `this.i` (a backslash); undefined if not a class escape. */
  private classEscape(): CharClass | undefined {
    const c = this.s[this.i + 1];
    if (c === 0x70 || c === 0x50) {
      const name = this.s[this.i + 2];
      const re = name === undefined ? undefined : unicodeCategory(String.fromCodePoint(name), c === 0x50);
      if (!re) throw new RegexSyntaxError('invalid character class range');
      this.i += 3;
      return { ranges: [], categories: [re], negated: false };
    }
    if (c === undefined) return undefined;
    const ranges = perlClassRanges(String.fromCodePoint(c));
    if (!ranges) return undefined;
    this.i += 2;
    return { ranges, categories: [], negated: false };
  }

  /** Go's parseEscape at `this.i` (a backslash): one escaped code point. */
  private escapeChar(): number {
    this.i++;
    const c = this.s[this.i++];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
    if (c < 0x80 && !isAlnum(c)) return c;
    if ((c >= 0x31 && c <= 0x37 && isOctal(this.s[this.i])) || c === 0x30) {
      let r = c - 0x30;
      for (let k = 1; k < 3 && isOctal(this.s[this.i]); k++) r = r * 8 + this.s[this.i++] - 0x30;
      return r;
    }
    if (c === 0x78) {
      const x = hexVal(this.s[this.i]);
      const y = hexVal(this.s[this.i + 1]);
      if (x >= 0 && y >= 0) {
        this.i += 2;
        return x * 16 + y;
      }
    }
    const simple: Record<number, number> = { 97: 7, 102: 12, 110: 10, 114: 13, 116: 9, 118: 11 };
    if (simple[c] !== undefined) return simple[c];
    throw new RegexSyntaxError('invalid escape sequence');
  }

  /** Go's parseClass; `this.i` is just after `[`. */
  private charClass(): CharClass {
    let negated = false;
    if (this.s[this.i] === 0x5e) {
      negated = true;
      this.i++;
    }
    const ranges: number[] = [];
    const categories: RegExp[] = [];
    let first = true;
    while (this.i >= this.s.length || this.s[this.i] !== 0x5d || first) {
      first = false;
      if (this.i >= this.s.length) throw new RegexSyntaxError('missing closing ]');
      if (this.s[this.i] === 0x5b && this.s[this.i + 1] === 0x3a) {
        const named = this.namedClass();
        if (named) {
          ranges.push(...named);
          continue;
        }
      }
      if (this.s[this.i] === 0x5c) {
        const esc = this.classEscape();
        if (esc) {
          ranges.push(...esc.ranges);
          categories.push(...esc.categories);
          continue;
        }
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.s[this.i] === 0x2d && this.i + 1 < this.s.length && this.s[this.i + 1] !== 0x5d) {
        this.i++;
        hi = this.classChar();
        if (hi < lo) throw new RegexSyntaxError('invalid character class range');
      }
      ranges.push(lo, hi);
    }
    this.i++; // ]
    return { ranges, categories, negated };
  }

  private classChar(): number {
    if (this.i >= this.s.length) throw new RegexSyntaxError('missing closing ]');
    if (this.s[this.i] === 0x5c) return this.escapeChar();
    return this.s[this.i++];
  }

  /** `[:name:]` at `this.i`: its ranges, or undefined when there is no `:]` (then `[` is literal). */
  private namedClass(): number[] | undefined {
    let end = -1;
    for (let k = this.i + 2; k + 1 < this.s.length; k++) {
      if (this.s[k] === 0x3a && this.s[k + 1] === 0x5d) {
        end = k;
        break;
      }
    }
    if (end < 0) return undefined;
    const name = String.fromCodePoint(...this.s.slice(this.i + 2, end));
    const ranges = posixClassRanges(name);
    if (!ranges) throw new RegexSyntaxError('invalid character class range');
    this.i = end + 2;
    return ranges;
  }
}

/** Parses Go RE2 syntax (the subset reachable from .dockerignore patterns). */
export function parseRe2(source: string): ReNode {
  const cps: number[] = [];
  for (const ch of source) cps.push(ch.codePointAt(0)!);
  return new Re2Parser(cps).parse();
}

export { negateRanges };
