// Word splitters of BuildKit's line parsers.
import { isGoSpace, isTokenSpace, replaceInvalid } from './unicode.js';

/** A word as offsets into the text it was split from, and its value. */
export interface RawWord {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/** Splits text[start, end) on runs of `[\t\v\f\r ]` (BuildKit's reWhitespace.Split); quotes mean nothing. */
export function splitOnBlanks(text: string, start: number, end: number): RawWord[] {
  const words: RawWord[] = [];
  let i = start;
  while (i < end) {
    let j = i;
    while (j < end && !isTokenSpace(text.charCodeAt(j))) j++;
    words.push({ value: text.slice(i, j), start: i, end: j });
    if (j >= end) break;
    i = j;
    while (i < end && isTokenSpace(text.charCodeAt(i))) i++;
    if (i >= end) words.push({ value: '', start: end, end });
  }
  return words;
}

/**
 * BuildKit's parseWords (ENV, LABEL, ARG): words end at unquoted Unicode whitespace; quotes and escapes are kept
 * in the word; an escape at the very end of the text is dropped. Every word is a contiguous slice of the text.
 */
export function parseWords(text: string, start: number, end: number, escapeChar: number): RawWord[] {
  const words: RawWord[] = [];
  let phase = 0; // 0: between words, 1: in a word, 2: in quotes
  let quote = 0;
  let blankOK = false;
  let wordStart = -1;
  let wordEnd = -1;
  const emit = () => {
    if (blankOK || wordEnd > wordStart) {
      words.push({ value: replaceInvalid(text.slice(wordStart, wordEnd)), start: wordStart, end: wordEnd });
    }
  };
  for (let pos = start; pos <= end; ) {
    if (pos === end) {
      if (phase !== 0) emit();
      break;
    }
    const ch = text.charCodeAt(pos);
    const width = ch >= 0xd800 && ch <= 0xdbff && pos + 1 < end && isLow(text.charCodeAt(pos + 1)) ? 2 : 1;
    if (phase === 0) {
      if (isGoSpace(ch)) {
        pos += width;
        continue;
      }
      phase = 1;
      wordStart = pos;
      wordEnd = pos;
    }
    if (phase === 1) {
      if (isGoSpace(ch)) {
        phase = 0;
        emit();
        blankOK = false;
        pos += width;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = 2;
      }
      if (ch === escapeChar) {
        if (pos + 1 === end) {
          pos += 1;
          continue;
        }
        pos += 1;
        pos += charWidth(text, pos, end);
        wordEnd = pos;
        continue;
      }
      pos += width;
      wordEnd = pos;
      continue;
    }
    // phase 2: inside quotes
    if (ch === quote) phase = 1;
    if (ch === escapeChar && quote !== 0x27) {
      if (pos + 1 === end) {
        phase = 1;
        pos += 1;
        continue;
      }
      pos += 1;
      pos += charWidth(text, pos, end);
      wordEnd = pos;
      continue;
    }
    pos += width;
    wordEnd = pos;
  }
  return words;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function charWidth(text: string, pos: number, end: number): number {
  const c = text.charCodeAt(pos);
  return c >= 0xd800 && c <= 0xdbff && pos + 1 < end && isLow(text.charCodeAt(pos + 1)) ? 2 : 1;
}
