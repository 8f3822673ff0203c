// Variable expansion of one Dockerfile word the way BuildKit's shell lexer does it for the instructions
// the frontend expands itself (quotes removed, escapes processed, unset variables empty), keeping track of
// every variable reference with its offsets in the raw text, so rules can point at `$FOO` exactly.
// TODO(lead): replace with `expandWord`/`variableReferences` from parser/shell once that lands; this is the
// small subset the rules need and stays here only so lint works on its own.

export type Lookup = (name: string) => string | undefined;

export interface VariableReference {
  readonly name: string;
  /** Offsets in the raw word: from `$` to just past the reference (`}` included). */
  readonly start: number;
  readonly end: number;
  /** The modifier after the name in `${name…}` (`:-`, `-`, `:+`, `#`, `%`, `/` …) or null. */
  readonly modifier: string | null;
  readonly defined: boolean;
}

export interface Expansion {
  readonly value: string;
  readonly references: VariableReference[];
  /** A syntax error in the word (`missing '}'`), or null. */
  readonly error: string | null;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class WordExpander {
  pos = 0;
  references: VariableReference[] = [];
  error: string | null = null;

  constructor(
    readonly raw: string,
    readonly lookup: Lookup,
    readonly escape: string,
  ) {}

  /** Reads until the end, or until `stop` (unquoted, top level) when given. */
  run(stop: string | null): string {
    let out = '';
    const raw = this.raw;
    while (this.pos < raw.length) {
      const ch = raw[this.pos];
      if (stop !== null && ch === stop) return out;
      if (ch === this.escape) {
        this.pos++;
        if (this.pos < raw.length) out += raw[this.pos++];
      } else if (ch === "'") {
        const close = raw.indexOf("'", this.pos + 1);
        if (close < 0) {
          this.error ??= 'unexpected end of statement while looking for matching single-quote';
          out += raw.slice(this.pos + 1);
          this.pos = raw.length;
        } else {
          out += raw.slice(this.pos + 1, close);
          this.pos = close + 1;
        }
      } else if (ch === '"') {
        out += this.doubleQuoted();
      } else if (ch === '$') {
        out += this.dollar();
      } else {
        out += ch;
        this.pos++;
      }
    }
    if (stop !== null) this.error ??= "missing '}'";
    return out;
  }

  private doubleQuoted(): string {
    let out = '';
    const raw = this.raw;
    this.pos++;
    while (this.pos < raw.length) {
      const ch = raw[this.pos];
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === this.escape && this.pos + 1 < raw.length) {
        const next = raw[this.pos + 1];
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          this.pos += 2;
          continue;
        }
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      out += ch;
      this.pos++;
    }
    this.error ??= 'unexpected end of statement while looking for matching double-quote';
    return out;
  }

  private get(name: string, start: number, modifier: string | null): string | undefined {
    const value = this.lookup(name);
    this.references.push({ name, start, end: this.pos, modifier, defined: value !== undefined });
    return value;
  }

  private dollar(): string {
    const raw = this.raw;
    const start = this.pos;
    this.pos++;
    const ch = raw[this.pos];
    if (ch === '{') return this.braced(start);
    if (ch !== undefined && NAME_START.test(ch)) {
      let end = this.pos;
      while (end < raw.length && NAME_CHAR.test(raw[end])) end++;
      const name = raw.slice(this.pos, end);
      this.pos = end;
      return this.get(name, start, null) ?? '';
    }
    return '$';
  }

  private braced(start: number): string {
    const raw = this.raw;
    this.pos++;
    let end = this.pos;
    while (end < raw.length && NAME_CHAR.test(raw[end])) end++;
    const name = raw.slice(this.pos, end);
    this.pos = end;
    if (name === '') {
      this.error ??= 'bad substitution';
      this.run('}');
      this.pos++;
      return '';
    }
    if (raw[this.pos] === '}') {
      this.pos++;
      return this.get(name, start, null) ?? '';
    }
    let modifier = raw[this.pos] ?? '';
    if (modifier === ':' && '-+?'.includes(raw[this.pos + 1] ?? '\0')) modifier += raw[this.pos + 1];
    else if ((modifier === '#' || modifier === '%' || modifier === '/') && raw[this.pos + 1] === modifier) {
      modifier += modifier;
    }
    if (!['-', '+', '?', ':-', ':+', ':?', '#', '##', '%', '%%', '/', '//'].includes(modifier)) {
      this.error ??= `unsupported modifier (${modifier}) in substitution`;
      this.run('}');
      this.pos++;
      return '';
    }
    this.pos += modifier.length;
    const word = this.run('}');
    this.pos++;
    const value = this.get(name, start, modifier);
    return applyModifier(modifier, value, word);
  }
}

function applyModifier(modifier: string, value: string | undefined, word: string): string {
  switch (modifier) {
    case '-':
      return value === undefined ? word : value;
    case ':-':
      return value === undefined || value === '' ? word : value;
    case '+':
      return value === undefined ? '' : word;
    case ':+':
      return value === undefined || value === '' ? '' : word;
    case '?':
    case ':?':
      return value ?? '';
    case '#':
    case '##':
      return value !== undefined && word !== '' && value.startsWith(word) ? value.slice(word.length) : (value ?? '');
    case '%':
    case '%%':
      return value !== undefined && word !== '' && value.endsWith(word) ? value.slice(0, -word.length) : (value ?? '');
    default: {
      // `/pattern/replacement`: only literal patterns are supported here.
      const slash = word.indexOf('/');
      const pattern = slash < 0 ? word : word.slice(0, slash);
      const replacement = slash < 0 ? '' : word.slice(slash + 1);
      if (value === undefined || pattern === '') return value ?? '';
      return modifier === '//' ? value.split(pattern).join(replacement) : value.replace(pattern, replacement);
    }
  }
}

/** Expands one word. `escape` is the Dockerfile's escape character. */
export function expandWord(raw: string, lookup: Lookup, escape = '\\'): Expansion {
  const expander = new WordExpander(raw, lookup, escape);
  const value = expander.run(null);
  return { value, references: expander.references, error: expander.error };
}

/** Splits raw text at unquoted whitespace, as BuildKit's `ProcessWords` does before expanding each word. */
export function splitWords(raw: string, escape = '\\'): { text: string; start: number }[] {
  const words: { text: string; start: number }[] = [];
  let quote: string | null = null;
  let start = -1;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (quote === null && /\s/.test(ch)) {
      if (start >= 0) words.push({ text: raw.slice(start, i), start });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === escape && quote !== "'") i++;
    else if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = null;
  }
  if (start >= 0) words.push({ text: raw.slice(start), start });
  return words;
}
