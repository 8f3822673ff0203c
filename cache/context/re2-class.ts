// Character classes with Go RE2 semantics: explicit code-point ranges (so Perl and POSIX classes
// mean exactly what they mean in Go, ASCII-only) plus one-letter Unicode categories.

/** A set of code points: union of `ranges` (lo/hi pairs) and Unicode categories, maybe negated. */
export interface CharClass {
  readonly ranges: number[];
  readonly categories: RegExp[];
  readonly negated: boolean;
}

const MAX_RUNE = 0x10ffff;

export function classHas(cls: CharClass, cp: number): boolean {
  let hit = false;
  const r = cls.ranges;
  for (let i = 0; i < r.length; i += 2) {
    if (cp >= r[i] && cp <= r[i + 1]) {
      hit = true;
      break;
    }
  }
  if (!hit && cls.categories.length > 0) {
    const ch = String.fromCodePoint(cp);
    hit = cls.categories.some((re) => re.test(ch));
  }
  return hit !== cls.negated;
}

/** Complement of a range list over all code points. */
export function negateRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let next = 0;
  for (const [lo, hi] of pairs) {
    if (lo > next) out.push(next, lo - 1);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

const c = (s: string): number => s.codePointAt(0)!;

// Go regexp/syntax perl_groups.go: \d \s \w are ASCII-only.
const PERL: Record<string, number[]> = {
  d: [c('0'), c('9')],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: [c('0'), c('9'), c('A'), c('Z'), c('_'), c('_'), c('a'), c('z')],
};

const POSIX: Record<string, number[]> = {
  alnum: [c('0'), c('9'), c('A'), c('Z'), c('a'), c('z')],
  alpha: [c('A'), c('Z'), c('a'), c('z')],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [c('0'), c('9')],
  graph: [c('!'), c('~')],
  lower: [c('a'), c('z')],
  print: [c(' '), c('~')],
  punct: [c('!'), c('/'), c(':'), c('@'), c('['), c('`'), c('{'), c('~')],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [c('A'), c('Z')],
  word: [c('0'), c('9'), c('A'), c('Z'), c('_'), c('_'), c('a'), c('z')],
  xdigit: [c('0'), c('9'), c('A'), c('F'), c('a'), c('f')],
};

/** Ranges for `\d`, `\D`, `\s`, `\S`, `\w`, `\W`, or undefined. */
export function perlClassRanges(letter: string): number[] | undefined {
  const base = PERL[letter.toLowerCase()];
  if (!base) return undefined;
  return letter === letter.toLowerCase() ? base : negateRanges(base);
}

/** Ranges for a POSIX name such as `alpha` or `^alpha`, or undefined if unknown. */
export function posixClassRanges(name: string): number[] | undefined {
  const negated = name.startsWith('^');
  const base = POSIX[negated ? name.slice(1) : name];
  if (!base) return undefined;
  return negated ? negateRanges(base) : base;
}

// Go's one-letter Unicode classes. Go's `C` is Cc|Cf|Co|Cs (no unassigned code points).
const CATEGORY: Record<string, string> = {
  C: '[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]',
  L: '\\p{L}',
  M: '\\p{M}',
  N: '\\p{N}',
  P: '\\p{P}',
  S: '\\p{S}',
  Z: '\\p{Z}',
};

/** A tester for Go's `\pX` (or negated `\PX`) one-letter category, or undefined if Go has none. */
export function unicodeCategory(letter: string, negated: boolean): RegExp | undefined {
  const src = CATEGORY[letter];
  if (src === undefined) return undefined;
  const inner = src.startsWith('[') ? src.slice(1, -1) : src;
  return new RegExp(`^[${negated ? '^' : ''}${inner}]$`, 'u');
}
