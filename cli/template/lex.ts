// text/template's lexer (delimiters `{{` `}}`): text, actions with their trim markers (`{{- ` and ` -}}`),
// comments, and the items inside actions. Errors come back as an `error` item carrying Go's message.

export type ItemType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'assign'
  | 'declare'
  | 'char'
  | 'bool'
  | 'number'
  | 'charConstant'
  | 'string'
  | 'rawString'
  | 'dot'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'nil'
  | 'eof'
  | 'error';

export interface Item {
  readonly type: ItemType;
  readonly value: string;
  /** Offset in the template text (JavaScript characters). */
  readonly pos: number;
  readonly line: number;
}

const keywords = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);

/** `%#U` of a character: U+0040 '@'. */
export function goRune(c: string): string {
  const code = c.codePointAt(0)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

export function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;
  const emit = (type: ItemType, value = input.slice(start, pos)) => {
    items.push({ type, value, pos: start, line: startLine });
    for (const c of input.slice(start, pos)) if (c === '\n') line++;
    start = pos;
    startLine = line;
  };
  const fail = (message: string): Item[] => {
    items.push({ type: 'error', value: message, pos: start, line: startLine });
    return items;
  };
  const atRightDelim = (): [boolean, boolean] => {
    if (isSpace(input[pos]) && input.startsWith('-}}', pos + 1)) return [true, true];
    return [input.startsWith('}}', pos), false];
  };

  for (;;) {
    // Text up to the next action.
    const open = input.indexOf('{{', pos);
    const end = open < 0 ? input.length : open;
    const trimLeft = open >= 0 && input[open + 2] === '-' && isSpace(input[open + 3]);
    let text = input.slice(start, end);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    pos = end;
    if (text.length > 0) {
      items.push({ type: 'text', value: text, pos: start, line: startLine });
    }
    for (const c of input.slice(start, pos)) if (c === '\n') line++;
    start = pos;
    startLine = line;
    if (open < 0) {
      items.push({ type: 'eof', value: '', pos, line });
      return items;
    }
    pos += trimLeft ? 4 : 2;
    // A comment fills the whole action.
    if (input.startsWith('/*', pos)) {
      const close = input.indexOf('*/', pos + 2);
      if (close < 0) return fail('unclosed comment');
      pos = close + 2;
      const [delim, trim] = atRightDelim();
      if (!delim) return fail('comment ends before closing delimiter');
      pos += trim ? 4 : 2;
      for (const c of input.slice(start, pos)) if (c === '\n') line++;
      if (trim) while (isSpace(input[pos])) pos++;
      start = pos;
      startLine = line;
      continue;
    }
    emit('leftDelim', '{{');
    // Inside the action.
    for (;;) {
      const [delim, trim] = atRightDelim();
      if (delim && parenDepth > 0) return fail('unclosed left paren');
      if (delim) {
        pos += trim ? 4 : 2;
        emit('rightDelim', '}}');
        if (trim) {
          while (isSpace(input[pos])) pos++;
          for (const c of input.slice(start, pos)) if (c === '\n') line++;
          start = pos;
          startLine = line;
        }
        break;
      }
      const c = input[pos];
      if (c === undefined) return fail('unclosed action');
      if (isSpace(c)) {
        while (isSpace(input[pos]) && !(isSpace(input[pos]) && input.startsWith('-}}', pos + 1))) pos++;
        if (pos > start) emit('space');
        continue;
      }
      pos++;
      if (c === '=') emit('assign');
      else if (c === ':') {
        if (input[pos] !== '=') return fail('expected :=');
        pos++;
        emit('declare');
      } else if (c === '|') emit('pipe');
      else if (c === '"') {
        for (;;) {
          const d = input[pos++];
          if (d === '\\' && input[pos] !== undefined && input[pos] !== '\n') pos++;
          else if (d === undefined || d === '\n') return fail('unterminated quoted string');
          else if (d === '"') break;
        }
        emit('string');
      } else if (c === '`') {
        const close = input.indexOf('`', pos);
        if (close < 0) return fail('unterminated raw quoted string');
        pos = close + 1;
        emit('rawString');
      } else if (c === "'") {
        for (;;) {
          const d = input[pos++];
          if (d === '\\' && input[pos] !== undefined && input[pos] !== '\n') pos++;
          else if (d === undefined || d === '\n') return fail('unterminated character constant');
          else if (d === "'") break;
        }
        emit('charConstant');
      } else if (c === '$' || c === '.') {
        if (c === '.' && /[0-9]/.test(input[pos] ?? '')) {
          pos--;
          if (!scanNumber()) return fail(`bad number syntax: "${input.slice(start, pos)}"`);
          emit('number');
          continue;
        }
        while (isAlnum(input[pos])) pos++;
        const word = input.slice(start, pos);
        if (c === '.' && word === '.') emit('dot');
        else emit(c === '$' ? 'variable' : 'field');
        if (!atTerminator()) return fail(`bad character ${goRune(input[pos]!)}`);
      } else if (c === '+' || c === '-' || /[0-9]/.test(c)) {
        pos--;
        if (!scanNumber()) return fail(`bad number syntax: "${input.slice(start, pos)}"`);
        emit('number');
      } else if (isAlnum(c)) {
        while (isAlnum(input[pos])) pos++;
        if (!atTerminator()) return fail(`bad character ${goRune(input[pos]!)}`);
        const word = input.slice(start, pos);
        if (keywords.has(word)) emit('keyword');
        else if (word === 'true' || word === 'false') emit('bool');
        else if (word === 'nil') emit('nil');
        else emit('identifier');
      } else if (c === '(') {
        parenDepth++;
        emit('leftParen');
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) return fail('unexpected right paren');
        emit('rightParen');
      } else if (c.charCodeAt(0) < 0x7f && c >= ' ') {
        emit('char');
      } else {
        return fail(`unrecognized character in action: ${goRune(c)}`);
      }
    }
  }

  function atTerminator(): boolean {
    const c = input[pos];
    if (c === undefined || isSpace(c) || '.,|:()'.includes(c)) return true;
    return input.startsWith('}}', pos);
  }

  function scanNumber(): boolean {
    if (input[pos] === '+' || input[pos] === '-') pos++;
    let digits = '0123456789_';
    if (input[pos] === '0' && /[xXoObB]/.test(input[pos + 1] ?? '')) {
      const base = input[pos + 1]!.toLowerCase();
      digits = base === 'x' ? '0123456789abcdefABCDEF_' : base === 'o' ? '01234567_' : '01_';
      pos += 2;
    }
    while (digits.includes(input[pos] ?? ' ')) pos++;
    if (input[pos] === '.') {
      pos++;
      while (digits.includes(input[pos] ?? ' ')) pos++;
    }
    if (digits.length === 11 && /[eE]/.test(input[pos] ?? '')) {
      pos++;
      if (input[pos] === '+' || input[pos] === '-') pos++;
      while (/[0-9_]/.test(input[pos] ?? '')) pos++;
    }
    if (input[pos] === 'i') pos++;
    if (isAlnum(input[pos])) {
      pos++;
      return false;
    }
    return true;
  }
}
