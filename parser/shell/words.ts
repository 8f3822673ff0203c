// Word splitting for ProcessWords: whitespace from unquoted, unescaped text or from unquoted `$` expansions
// ends a word; quoted text and escaped characters are glued to the current word; empty words are dropped.
import { isSpace } from './chars.js';

/** Whether the UTF-16 unit at `i` is white space (all White_Space characters are in the BMP). */
function isSpaceUnit(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit < 0x80) return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
  return (unit < 0xd800 || unit > 0xdfff) && isSpace(unit);
}

export class WordSplitter {
  private readonly words: string[] = [];
  private current = '';
  private inWord = false;

  /** Text whose white space splits words: unquoted literal text, or the value of an unquoted `$` expansion. */
  addSplittable(text: string): void {
    let i = 0;
    while (i < text.length) {
      if (isSpaceUnit(text, i)) {
        if (this.inWord && this.current !== '') {
          this.words.push(this.current);
          this.current = '';
          this.inWord = false;
        }
        i++;
        continue;
      }
      const start = i;
      while (i < text.length && !isSpaceUnit(text, i)) i++;
      this.addRaw(text.slice(start, i));
    }
  }

  /** Text that never splits (escaped character, quoted string). An empty quoted string still starts a word. */
  addRaw(text: string): void {
    this.current += text;
    this.inWord = true;
  }

  /** Drops the text of the word being built but stays "in a word" (see `emulateWordBufferReset`). */
  discardCurrent(): void {
    this.current = '';
  }

  finish(): string[] {
    if (this.current !== '') {
      this.words.push(this.current);
      this.current = '';
      this.inWord = false;
    }
    return this.words;
  }
}
