// A code-point reader over a string with Go `text/scanner` Peek/Next semantics as lex.go uses them.
import { EOF } from './chars.js';

export class CodePointScanner {
  private pos: number;

  constructor(private readonly text: string) {
    // Go's text/scanner drops a byte order mark at the very start of its input.
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** UTF-16 index of the character `peek()` returns. */
  get offset(): number {
    return this.pos;
  }

  peek(): number {
    return this.pos < this.text.length ? (this.text.codePointAt(this.pos) as number) : EOF;
  }

  /** The code point after the one `peek()` returns. */
  peekSecond(): number {
    const first = this.peek();
    if (first === EOF) return EOF;
    const at = this.pos + (first > 0xffff ? 2 : 1);
    return at < this.text.length ? (this.text.codePointAt(at) as number) : EOF;
  }

  /**
   * Consumes the run of code units before the first of `stops` (all BMP, so never half of a surrogate pair)
   * and returns it: lets callers copy plain text in bulk instead of one character at a time.
   */
  takeUntil(stops: readonly number[]): string {
    const text = this.text;
    const start = this.pos;
    let i = start;
    for (; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (stops.includes(unit)) break;
    }
    this.pos = i;
    return text.slice(start, i);
  }

  next(): number {
    const cp = this.peek();
    if (cp !== EOF) this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}
