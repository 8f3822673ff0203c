// A small YAML subset for `.tsbuild.yaml`: block mappings and sequences by indentation, flow sequences
// (`[a, b]`), quoted and plain scalars, `true`/`false`/`null`/numbers, and `#` comments. Our config needs no
// more, and a dependency-free reader keeps `tsbuild lint` start-up small. Anything else is an error, not a guess.

export class YamlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i);
  }
  return text;
}

function scalar(raw: string, line: number): unknown {
  const text = raw.trim();
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YamlError('unterminated string', line);
    return JSON.parse(text) as string;
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlError('unterminated string', line);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new YamlError('unterminated flow sequence', line);
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((item) => scalar(item, line));
  }
  if (text.startsWith('{')) throw new YamlError('flow mappings are not supported', line);
  if (text === '' || text === '~' || text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function keyOf(text: string, line: number): { key: string; rest: string } | null {
  const match = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#'"][^:]*?)\s*:(?:\s+|$)(.*)$/.exec(text);
  if (!match) return null;
  const key = scalar(match[1], line);
  return { key: String(key), rest: match[2] };
}

class Reader {
  index = 0;
  constructor(readonly lines: Line[]) {}

  block(indent: number): unknown {
    const first = this.lines[this.index];
    if (!first || first.indent < indent) return null;
    return first.text.startsWith('- ') || first.text === '-' ? this.sequence(first.indent) : this.mapping(first.indent);
  }

  private value(rest: string, parentIndent: number): unknown {
    if (rest.trim() !== '') return scalar(rest, this.lines[this.index - 1].number);
    const next = this.lines[this.index];
    return next && next.indent > parentIndent
      ? this.block(next.indent)
      : next?.indent === parentIndent && next.text.startsWith('- ')
        ? this.sequence(parentIndent)
        : null;
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.indent !== indent || !(line.text.startsWith('- ') || line.text === '-')) break;
      this.index++;
      const rest = line.text.slice(1).trim();
      if (keyOf(rest, line.number)) throw new YamlError('mappings inside sequences are not supported', line.number);
      items.push(this.value(rest, indent));
    }
    return items;
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.indent < indent) break;
      if (line.indent > indent) throw new YamlError('unexpected indentation', line.number);
      if (line.text.startsWith('- ')) break;
      const entry = keyOf(line.text, line.number);
      if (!entry) throw new YamlError(`expected "key: value", got "${line.text}"`, line.number);
      if (Object.hasOwn(map, entry.key)) throw new YamlError(`duplicate key "${entry.key}"`, line.number);
      this.index++;
      map[entry.key] = this.value(entry.rest, indent);
    }
    return map;
  }
}

export function parseYaml(text: string): unknown {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    const content = stripComment(raw.replace(/\r$/, '')).replace(/\s+$/, '');
    if (content.trim() === '' || content.trim() === '---') return;
    if (/^\s*\t/.test(content)) throw new YamlError('tabs are not allowed for indentation', i + 1);
    const indent = content.length - content.trimStart().length;
    lines.push({ indent, text: content.trim(), number: i + 1 });
  });
  if (lines.length === 0) return null;
  const reader = new Reader(lines);
  const value = reader.block(lines[0].indent);
  if (reader.index < lines.length) throw new YamlError('unexpected content', lines[reader.index].number);
  return value;
}
