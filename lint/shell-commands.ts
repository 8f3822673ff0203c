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

const OPERATOR_CHARS = '|&;()\n';

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
  let i = 0;
  while (i < script.length) {
    const ch = script[i];
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      endWord(i);
      i++;
    } else if (ch === '#' && start < 0) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (OPERATOR_CHARS.includes(ch)) {
      endWord(i);
      const two = script.slice(i, i + 2);
      const op = two === '&&' || two === '||' || two === ';;' ? two : ch;
      // `2>&1` and `>|` are redirections, not operators.
      if (ch === '&' && op === '&' && (script[i - 1] === '>' || script[i + 1] === '>')) {
        text += ch;
        start = start < 0 ? i : start;
        i++;
        continue;
      }
      commands.push({ words, operator: { text: op, start: i, end: i + op.length } });
      words = [];
      i += op.length;
    } else {
      if (start < 0) start = i;
      if (ch === '\\') {
        if (script[i + 1] === '\n') {
          i += 2;
          continue;
        }
        text += script[i + 1] ?? '';
        i += 2;
      } else if (ch === "'") {
        const close = script.indexOf("'", i + 1);
        const end = close < 0 ? script.length : close;
        text += script.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"') {
        let j = i + 1;
        while (j < script.length && script[j] !== '"') {
          if (script[j] === '\\' && j + 1 < script.length) j++;
          text += script[j];
          j++;
        }
        i = j + 1;
      } else {
        text += ch;
        i++;
      }
    }
  }
  endWord(Math.min(i, script.length));
  commands.push({ words, operator: null });
  return commands.filter((c) => c.words.length > 0 || c.operator !== null);
}

/** Skips leading `VAR=value` assignments and wrappers (`env`, `time`, `nice`, `nohup`, `exec`). */
export function commandWords(command: SimpleCommand): ShellToken[] {
  let index = 0;
  const words = command.words;
  while (index < words.length) {
    const word = words[index].text;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || ['env', 'time', 'nice', 'nohup', 'exec', 'command'].includes(word)) index++;
    else break;
  }
  return words.slice(index);
}
