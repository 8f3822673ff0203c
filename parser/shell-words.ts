// The slice of BuildKit's shell lexer (shell/lex.go ProcessWords) that heredoc detection needs: escape `\`,
// no variables set and unset ones left as written (SkipUnsetEnv), optional raw quotes and raw escapes.
// Kept here, separate from parser/shell/, because the parser must reproduce this exact mode (including how
// `${...}` text is re-split on blanks) and it must not depend on the evaluation-oriented lexer.
import { isGoSpace } from './unicode.js';
import type { RawWord } from './words.js';

export interface ShellWordsOptions {
  readonly rawQuotes: boolean;
  readonly rawEscapes: boolean;
}

export type ShellWordsResult =
  | { readonly ok: true; readonly words: RawWord[] }
  | { readonly ok: false; readonly error: string };

class LexError {
  constructor(readonly message: string) {}
}

/** Deeper `${...${...}}` nesting than this is treated as an error instead of risking the call stack. */
const MAX_NESTING = 200;
const EOF = -1;
const BACKSLASH = 0x5c;

class Words {
  readonly list: RawWord[] = [];
  private word = '';
  private inWord = false;
  private start = -1;
  private end = -1;
  private glue = false;
  private last = -1;
  private beforeLast = -1;

  addChar(ch: string, at: number): void {
    const c = ch.charCodeAt(0);
    if (isGoSpace(c)) {
      // `<<` followed by blanks stays glued to the heredoc name that follows (`RUN <<  EOF`).
      if (this.inWord && (this.glue || this.endsWithHeredocOperator()) && (c === 0x20 || c === 0x09 || c === 0x0d)) {
        this.word += ch;
        this.end = at + 1;
        this.glue = true;
        this.beforeLast = this.last;
        this.last = c;
        return;
      }
      if (this.inWord && this.word.length !== 0) this.flush();
      return;
    }
    this.addRaw(ch, at, at + ch.length);
  }

  /** The word ends with `<<` (checked on the last two characters: endsWith would flatten a long word each time). */
  private endsWithHeredocOperator(): boolean {
    return this.last === 0x3c && this.beforeLast === 0x3c;
  }

  addRaw(s: string, start: number, end: number): void {
    if (!this.inWord || this.word.length === 0) this.start = start;
    for (let i = 0; i < s.length; i++) {
      this.beforeLast = this.last;
      this.last = s.charCodeAt(i);
    }
    this.word += s;
    this.end = end;
    this.inWord = true;
    this.glue = false;
  }

  addString(s: string, at: number): void {
    for (let i = 0; i < s.length; i++) this.addChar(s[i], at + i);
  }

  private flush(): void {
    this.list.push({ value: this.word, start: this.start, end: this.end });
    this.last = -1;
    this.beforeLast = -1;
    this.word = '';
    this.inWord = false;
    this.glue = false;
  }

  finish(): RawWord[] {
    if (this.word.length > 0) this.flush();
    return this.list;
  }
}

class Lexer {
  pos: number;
  private depth = 0;
  private rawEscapes: boolean;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly rawQuotes: boolean,
    rawEscapes: boolean,
  ) {
    this.pos = start;
    this.rawEscapes = rawEscapes;
  }

  private peek(): number {
    return this.pos < this.end ? this.text.charCodeAt(this.pos) : EOF;
  }

  /** Next character as a string (a surrogate pair stays together). */
  private next(): string {
    if (this.pos >= this.end) return '';
    const c = this.text.charCodeAt(this.pos);
    const w = c >= 0xd800 && c <= 0xdbff && this.pos + 1 < this.end ? 2 : 1;
    const s = this.text.slice(this.pos, this.pos + w);
    this.pos += w;
    return s;
  }

  processStopOn(stop: number, rawEscapes: boolean, words: Words | null): string {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      while (this.peek() !== EOF) {
        const ch = this.peek();
        if (stop !== EOF && ch === stop) {
          this.pos++;
          return result;
        }
        const at = this.pos;
        if (ch === 0x24 || ch === 0x27 || ch === 0x22) {
          const tmp = ch === 0x24 ? this.processDollar() : ch === 0x27 ? this.singleQuote() : this.doubleQuote();
          result += tmp;
          if (ch === 0x24) words?.addString(tmp, at);
          else words?.addRaw(tmp, at, this.pos);
          continue;
        }
        let c = this.next();
        if (ch === BACKSLASH) {
          if (this.rawEscapes) {
            words?.addRaw(c, at, at + 1);
            result += c;
          }
          const escAt = this.pos;
          c = this.next();
          if (c === '') break;
          words?.addRaw(c, escAt, this.pos);
        } else {
          words?.addChar(c, at);
        }
        result += c;
      }
      if (stop !== EOF) {
        throw new LexError(`unexpected end of statement while looking for matching ${String.fromCharCode(stop)}`);
      }
      return result;
    } finally {
      this.rawEscapes = saved;
    }
  }

  private singleQuote(): string {
    let result = this.rawQuotes ? "'" : '';
    this.pos++;
    const close = this.text.indexOf("'", this.pos);
    if (close < 0 || close >= this.end) {
      throw new LexError('unexpected end of statement while looking for matching single-quote');
    }
    result += this.text.slice(this.pos, close);
    this.pos = close + 1;
    return this.rawQuotes ? result + "'" : result;
  }

  private doubleQuote(): string {
    let result = this.rawQuotes ? '"' : '';
    this.pos++;
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (ch === 0x22) {
        this.pos++;
        return this.rawQuotes ? result + '"' : result;
      }
      if (ch === 0x24) {
        result += this.processDollar();
        continue;
      }
      let c = this.next();
      if (ch === BACKSLASH) {
        if (this.rawEscapes) result += c;
        const p = this.peek();
        if (p === EOF) continue;
        if (p === 0x22 || p === 0x24 || p === BACKSLASH) c = this.next();
      }
      result += c;
    }
  }

  private processDollar(): string {
    this.pos++;
    if (this.peek() !== 0x7b) {
      const name = this.processName();
      return name === '' ? '$' : '$' + name;
    }
    this.pos++;
    const first = this.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === 0x7b || first === 0x7d || first === 0x3a) throw new LexError('syntax error: bad substitution');
    const name = this.processName();
    const c = this.next() || '\ufffd'; // Go's scanner.EOF printed as a rune
    let chs = c;
    let op = c;
    if (c === '}') return `\${${name}}`;
    if (++this.depth > MAX_NESTING) throw new LexError('substitution nested too deeply');
    try {
      if (c === ':') {
        op = this.next() || '\ufffd';
        chs += op;
        if (op === '#' || op === '%') throw new LexError(`unsupported modifier (${chs}) in substitution`);
      }
      if (c === ':' || c === '+' || c === '-' || c === '?' || c === '#' || c === '%') {
        const rawEscapes = op === '#' || op === '%';
        const word = this.stopOnBrace(rawEscapes, "syntax error: missing '}'");
        return `\${${name}${chs}${word}}`;
      }
      if (c === '/') {
        if (this.peek() === 0x2f) this.pos++;
        const pattern = this.stopOn(0x2f, "syntax error: missing '/' in $" + '{}');
        const replacement = this.stopOnBrace(true, "syntax error: missing '}'");
        return `\${${name}/${pattern}/${replacement}}`;
      }
      throw new LexError(`unsupported modifier (${chs}) in substitution`);
    } finally {
      this.depth--;
    }
  }

  private stopOnBrace(rawEscapes: boolean, eofMessage: string): string {
    return this.stopOn(0x7d, eofMessage, rawEscapes);
  }

  private stopOn(stop: number, eofMessage: string, rawEscapes = true): string {
    try {
      return this.processStopOn(stop, rawEscapes, null);
    } catch (e) {
      if (e instanceof LexError && this.peek() === EOF) throw new LexError(eofMessage);
      throw e;
    }
  }

  private processName(): string {
    const start = this.pos;
    const first = this.peek();
    if (first >= 0x30 && first <= 0x39) {
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
      return this.text.slice(start, this.pos);
    }
    if (first !== EOF && '@*#?-$!0'.includes(String.fromCharCode(first))) {
      this.pos++;
      return this.text.slice(start, this.pos);
    }
    for (;;) {
      const c = this.peek();
      if (c === EOF) break;
      if (c === 0x5f || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
        this.pos++;
        continue;
      }
      if (c < 0x80) break;
      const ch = String.fromCodePoint(this.text.codePointAt(this.pos) ?? c);
      if (!/^[\p{L}\p{Nd}]$/u.test(ch)) break;
      this.pos += ch.length;
    }
    return this.text.slice(start, this.pos);
  }
}

/** ProcessWords over text[start, end) with escape `\`, no environment and unset variables kept as written. */
export function shellWords(text: string, start: number, end: number, options: ShellWordsOptions): ShellWordsResult {
  const lexer = new Lexer(text, start, end, options.rawQuotes, options.rawEscapes);
  const words = new Words();
  try {
    lexer.processStopOn(EOF, options.rawEscapes, words);
    return { ok: true, words: words.finish() };
  } catch (e) {
    if (e instanceof LexError) return { ok: false, error: e.message };
    throw e;
  }
}
