// Go's `path.Match` / `filepath.Match` (Unix): the glob syntax COPY sources use and the syntax check
// .dockerignore applies to each pattern. Ported for exact error and match behaviour; linear in
// practice because `*` only skips within one path segment.

/** Go's `filepath.ErrBadPattern`. */
export class BadPatternError extends Error {
  readonly code = 'ERR_BAD_PATTERN';
  constructor() {
    super('syntax error in pattern');
    this.name = 'BadPatternError';
  }
}

const STAR = 0x2a;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;
const QUESTION = 0x3f;
const SLASH = 0x2f;

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

interface Chunk {
  star: boolean;
  chunk: number[];
}

function scanChunks(p: number[]): Chunk[] {
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < p.length) {
    let star = false;
    while (i < p.length && p[i] === STAR) {
      star = true;
      i++;
    }
    let inRange = false;
    const start = i;
    for (; i < p.length; i++) {
      const c = p[i];
      if (c === BACKSLASH) {
        if (i + 1 < p.length) i++;
      } else if (c === LBRACKET) inRange = true;
      else if (c === RBRACKET) inRange = false;
      else if (c === STAR && !inRange) break;
    }
    chunks.push({ star, chunk: p.slice(start, i) });
  }
  return chunks;
}

/** Reads one class member (with `\` escape); throws on Go's error conditions. */
function getEsc(chunk: number[], i: number): [number, number] {
  if (i >= chunk.length || chunk[i] === DASH || chunk[i] === RBRACKET) throw new BadPatternError();
  if (chunk[i] === BACKSLASH) {
    i++;
    if (i >= chunk.length) throw new BadPatternError();
  }
  const r = chunk[i];
  i++;
  if (i >= chunk.length) throw new BadPatternError();
  return [r, i];
}

/**
 * Matches `chunk` against the start of `s` (from `si`); returns the rest index or -1. Like Go
 * (since 1.20) it keeps scanning the chunk after a mismatch so syntax errors are always reported.
 */
function matchChunk(chunk: number[], s: number[], si: number): number {
  let failed = false;
  let i = 0;
  while (i < chunk.length) {
    if (!failed && si >= s.length) failed = true;
    const c = chunk[i];
    if (c === LBRACKET) {
      let r = -1;
      if (!failed) r = s[si++];
      i++;
      let negated = false;
      if (i < chunk.length && chunk[i] === CARET) {
        negated = true;
        i++;
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (i < chunk.length && chunk[i] === RBRACKET && nrange > 0) {
          i++;
          break;
        }
        let lo: number;
        [lo, i] = getEsc(chunk, i);
        let hi = lo;
        if (chunk[i] === DASH) [hi, i] = getEsc(chunk, i + 1);
        if (lo <= r && r <= hi) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === QUESTION) {
      if (!failed) {
        if (s[si] === SLASH) failed = true;
        si++;
      }
      i++;
    } else {
      if (c === BACKSLASH) {
        i++;
        if (i >= chunk.length) throw new BadPatternError();
      }
      if (!failed) {
        if (chunk[i] !== s[si]) failed = true;
        si++;
      }
      i++;
    }
  }
  return failed ? -1 : si;
}

/** Go's `path.Match(pattern, name)`; throws `BadPatternError` for a malformed pattern. */
export function goMatch(pattern: string, name: string): boolean {
  const chunks = scanChunks(codePoints(pattern));
  const s = codePoints(name);
  let si = 0;
  for (let k = 0; k < chunks.length; k++) {
    const { star, chunk } = chunks[k];
    const last = k === chunks.length - 1;
    if (star && chunk.length === 0) {
      // Trailing `*` matches the rest of the name unless it has a `/`.
      return !s.slice(si).includes(SLASH);
    }
    const t = matchChunk(chunk, s, si);
    if (t >= 0 && (t === s.length || !last)) {
      si = t;
      continue;
    }
    let advanced = false;
    if (star) {
      for (let j = si; j < s.length && s[j] !== SLASH; j++) {
        const t2 = matchChunk(chunk, s, j + 1);
        if (t2 >= 0) {
          if (last && t2 < s.length) continue;
          si = t2;
          advanced = true;
          break;
        }
      }
    }
    if (advanced) continue;
    // No match: still validate the rest of the pattern, as Go does.
    for (let r = k + 1; r < chunks.length; r++) matchChunk(chunks[r].chunk, [], 0);
    return false;
  }
  return si === s.length;
}

/** Throws `BadPatternError` if `pattern` is not valid `filepath.Match` syntax. */
export function validateGlob(pattern: string): void {
  goMatch(pattern, '.');
}

/** True if `s` contains a character Go's Match treats specially (`*`, `?`, `[`, `\`). */
export function hasGlobMeta(s: string): boolean {
  return /[*?[\\]/.test(s);
}
