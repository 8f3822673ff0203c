// A small POSIX-shell tokenizer for best-practice rules: splits a RUN script into simple commands (at `|`,
// `&&`, `||`, `;`, `&`, newlines and parentheses) and words with quotes removed, keeping each token's offsets.
// It does not expand anything; that is enough to spot `sudo`, `apt-get install` or a pipe.

export interface ShellToken {
  /** The word with quotes and escapes removed. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface SimpleCommand {
  readonly words: ShellToken[];
  /** The operator that ends the command (`|`, `&&`, `||`, `;`, `&`, `\n`, `(`, `)`), null at the end. */
  readonly operator: ShellToken | null;
}

const SPACE = 1;
const OPERATOR = 2;
const CLASS = new Uint8Array(128);
for (const ch of ' \t\r') CLASS[ch.charCodeAt(0)] = SPACE;
for (const ch of '|&;()\n') CLASS[ch.charCodeAt(0)] = OPERATOR;

export function simpleCommands(script: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: ShellToken[] = [];
  let text = '';
  let start = -1;
  const endWord = (end: number): void => {
    if (start >= 0) words.push({ text, start, end });
    text = '';
    start = -1;
  };
  const length = script.length;
  let i = 0;
  while (i < length) {
    const code = script.charCodeAt(i);
    const kind = code < 128 ? CLASS[code] : 0;
    if (kind === SPACE) {
      endWord(i);
      i++;
    } else if (code === 35 /* # */ && start < 0) {
      const newline = script.indexOf('\n', i);
      i = newline < 0 ? length : newline;
    } else if (kind === OPERATOR) {
      const ch = script[i];
      const next = script[i + 1];
      // `2>&1`, `&>file` and `>|` are redirections, not operators.
      if (ch === '&' && next !== '&' && (script[i - 1] === '>' || next === '>')) {
        if (start < 0) start = i;
        text += ch;
        i++;
        continue;
      }
      endWord(i);
      const op = (ch === '&' || ch === '|' || ch === ';') && next === ch ? ch + ch : ch;
      commands.push({ words, operator: { text: op, start: i, end: i + op.length } });
      words = [];
      i += op.length;
    } else {
      if (start < 0) start = i;
      if (code === 92 /* \ */) {
        if (script[i + 1] !== '\n') text += script[i + 1] ?? '';
        i += 2;
      } else if (code === 39 /* ' */) {
        const close = script.indexOf("'", i + 1);
        const end = close < 0 ? length : close;
        text += script.slice(i + 1, end);
        i = end + 1;
      } else if (code === 34 /* " */) {
        let j = i + 1;
        let from = j;
        while (j < length && script.charCodeAt(j) !== 34) {
          if (script.charCodeAt(j) === 92 && j + 1 < length) {
            text += script.slice(from, j);
            j++;
            from = j;
          }
          j++;
        }
        text += script.slice(from, j);
        i = j + 1;
      } else {
        let j = i + 1;
        while (j < length) {
          const c = script.charCodeAt(j);
          if ((c < 128 && CLASS[c] !== 0) || c === 92 || c === 39 || c === 34) break;
          j++;
        }
        text += script.slice(i, j);
        i = j;
      }
    }
  }
  endWord(Math.min(i, length));
  commands.push({ words, operator: null });
  return commands.filter((c) => c.words.length > 0 || c.operator !== null);
}

const WRAPPERS = new Set(['env', 'time', 'nice', 'nohup', 'exec', 'command']);
// The tokenizer does not parse compound commands: `if a; then b; fi` gives the commands `if a`, `then b` and
// `fi`. The reserved words that can come before a command are skipped to find it.
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!', '{']);

/**
 * Skips leading `VAR=value` assignments, wrappers (`env`, `time`, `nice`, `nohup`, `exec`) and the reserved
 * words that can precede a command (`then`, `do` …).
 */
export function commandWords(command: SimpleCommand): ShellToken[] {
  let index = 0;
  const words = command.words;
  while (index < words.length) {
    const word = words[index].text;
    if (WRAPPERS.has(word) || RESERVED.has(word) || (word.includes('=') && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)))
      index++;
    else break;
  }
  return index === 0 ? words : words.slice(index);
}

/**
 * Offset of the first pipe operator (`|`, not `||` or `>|`) outside quotes and comments, or -1. Allocation-free:
 * most scripts only need this answer, not a full tokenization.
 */
export function findPipe(script: string): number {
  const length = script.length;
  let wordStart = true;
  for (let i = 0; i < length; i++) {
    const code = script.charCodeAt(i);
    if (code === 92 /* \ */) {
      i++;
      wordStart = false;
    } else if (code === 39 /* ' */) {
      const close = script.indexOf("'", i + 1);
      if (close < 0) return -1;
      i = close;
      wordStart = false;
    } else if (code === 34 /* " */) {
      let j = i + 1;
      while (j < length && script.charCodeAt(j) !== 34) j += script.charCodeAt(j) === 92 ? 2 : 1;
      i = j;
      wordStart = false;
    } else if (code === 35 /* # */ && wordStart) {
      const newline = script.indexOf('\n', i);
      if (newline < 0) return -1;
      i = newline;
    } else if (code === 124 /* | */) {
      if (script.charCodeAt(i + 1) === 124) {
        i++;
      } else if (script.charCodeAt(i - 1) !== 62 /* > */) {
        return i;
      }
      wordStart = true;
    } else {
      wordStart = code < 128 && CLASS[code] !== 0;
    }
  }
  return -1;
}
