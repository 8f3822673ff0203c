// BuildKit's splitCommand + extractBuilderFlags: keyword, `--flags`, and the remaining argument text.
// The flag scanner of BuildKit works byte by byte (each byte becomes a code point, 0x85 and 0xA0 count as
// whitespace, the escape is always a backslash); this port keeps that behaviour exactly.
import { encodeAt } from './source.js';
import { isTokenSpace, skipSpace, skipSpaceBack } from './unicode.js';

export interface RawFlag {
  /** The flag word after quote and escape removal, as BuildKit stores it. */
  readonly text: string;
  /** For each character of `text`, the line offset of the source character it came from. */
  readonly sources: readonly number[];
  readonly start: number;
  readonly end: number;
}

export interface SplitLine {
  readonly keywordStart: number;
  readonly keywordEnd: number;
  readonly flags: readonly RawFlag[];
  /** The argument text after the flags, trimmed (BuildKit's `rest`). */
  readonly rest: string;
  /** Line offset where `rest` starts. */
  readonly restStart: number;
}

/** Splits line[start, end) like BuildKit's splitCommand. */
export function splitCommand(line: string, start: number, end: number): SplitLine {
  const a = skipSpace(line, start, end);
  const b = skipSpaceBack(line, a, end);
  let k = a;
  while (k < b && !isTokenSpace(line.charCodeAt(k))) k++;
  if (k === b) return { keywordStart: a, keywordEnd: k, flags: [], rest: '', restStart: b };
  let p = k;
  while (p < b && isTokenSpace(line.charCodeAt(p))) p++;
  // Fast path: no flag can start here (byte-wise whitespace in a valid string is ASCII, or a raw 0x85/0xA0).
  let q = p;
  while (q < b && isByteSpace(line.charCodeAt(q))) q++;
  if (!(q + 1 < b && line.charCodeAt(q) === 0x2d && line.charCodeAt(q + 1) === 0x2d)) {
    const rs = skipSpace(line, q, b);
    return { keywordStart: a, keywordEnd: k, flags: [], rest: line.slice(rs, b), restStart: rs };
  }
  const scan = extractFlags(line, p, b);
  const rs = skipSpace(scan.rest, 0, scan.rest.length);
  return {
    keywordStart: a,
    keywordEnd: k,
    flags: scan.flags,
    rest: scan.rest.slice(rs),
    restStart: Math.min(scan.restStart + rs, b),
  };
}

function isByteSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xdc85 || c === 0xdca0;
}

function isSpaceByte(b: number): boolean {
  return (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0x85 || b === 0xa0;
}

interface FlagScan {
  flags: RawFlag[];
  rest: string;
  restStart: number;
}

function extractFlags(line: string, start: number, end: number): FlagScan {
  // UTF-8 bytes of line[start, end) and, per byte, the line offset of its character (-1 inside a character).
  const bytes: number[] = [];
  const origin: number[] = [];
  const charStart: boolean[] = [];
  for (let i = start; i < end; ) {
    const before = bytes.length;
    const used = encodeAt(line, i, bytes);
    for (let j = before; j < bytes.length; j++) {
      origin.push(i);
      charStart.push(j === before);
    }
    i += used;
  }
  const n = bytes.length;
  const flags: RawFlag[] = [];
  const restAt = (pos: number): FlagScan => {
    if (pos >= n) return { flags, rest: '', restStart: end };
    if (charStart[pos]) return { flags, rest: line.slice(origin[pos], end), restStart: origin[pos] };
    // The scan stopped inside a multi-byte character: its remaining bytes are invalid UTF-8 on their own.
    let lead = '';
    let p = pos;
    while (p < n && !charStart[p]) lead += String.fromCharCode(0xdc00 + bytes[p++]);
    const next = p < n ? origin[p] : end;
    return { flags, rest: lead + line.slice(next, end), restStart: origin[pos] };
  };

  let inWord = false;
  let quote = 0;
  let inQuote = false;
  let blankOK = false;
  let word = '';
  let sources: number[] = [];
  let wordStart = 0;
  const push = (pos: number) => {
    flags.push({ text: word, sources, start: origin[wordStart], end: pos >= n ? end : origin[pos] });
  };
  for (let pos = 0; pos <= n; pos++) {
    const ch = pos < n ? bytes[pos] : -1;
    if (!inWord && !inQuote) {
      if (pos === n) break;
      if (isSpaceByte(ch)) continue;
      if (ch !== 0x2d || pos + 1 === n || bytes[pos + 1] !== 0x2d) return restAt(pos);
      inWord = true;
      wordStart = pos;
    }
    if (pos === n) {
      if (word !== '--' && (blankOK || word.length > 0)) push(pos);
      break;
    }
    if (inQuote) {
      if (ch === quote) {
        inQuote = false;
        inWord = true;
        continue;
      }
      let c = ch;
      let from = pos;
      if (c === 0x5c) {
        if (pos + 1 === n) {
          inQuote = false;
          inWord = true;
          continue;
        }
        pos++;
        c = bytes[pos];
        from = pos;
      }
      word += String.fromCharCode(c);
      sources.push(origin[from]);
      continue;
    }
    if (isSpaceByte(ch)) {
      inWord = false;
      if (word === '--') return restAt(pos);
      if (blankOK || word.length > 0) push(pos);
      word = '';
      sources = [];
      blankOK = false;
      continue;
    }
    if (ch === 0x27 || ch === 0x22) {
      quote = ch;
      blankOK = true;
      inQuote = true;
      inWord = false;
      continue;
    }
    let c = ch;
    let from = pos;
    if (c === 0x5c) {
      if (pos + 1 === n) continue;
      pos++;
      c = bytes[pos];
      from = pos;
    }
    word += String.fromCharCode(c);
    sources.push(origin[from]);
  }
  return { flags, rest: '', restStart: end };
}
