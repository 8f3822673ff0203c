// The parse tree of a template (text/template/parse's nodes) and Go's String() of its nodes, which execution
// errors quote (`at <.Config.Foo>`); Go's unquoting of string, character and number literals.

export type Arg =
  | { kind: 'field'; pos: number; idents: string[] }
  | { kind: 'variable'; pos: number; idents: string[] }
  | { kind: 'chain'; pos: number; node: Arg; fields: string[] }
  | { kind: 'identifier'; pos: number; name: string }
  | { kind: 'dot'; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'bool'; pos: number; value: boolean }
  | { kind: 'number'; pos: number; text: string; value: number; isInt: boolean }
  | { kind: 'string'; pos: number; text: string; value: string }
  | { kind: 'pipe'; pos: number; pipe: Pipe };

export interface Command {
  pos: number;
  args: Arg[];
}

export interface Pipe {
  pos: number;
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pos: number; pipe: Pipe }
  | { kind: 'if' | 'with' | 'range'; pos: number; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { kind: 'break' | 'continue'; pos: number };

/** Go's unquoting of "…" strings and '…' characters (strconv.Unquote). */
export function unquote(text: string): string | undefined {
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
    };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === text[0]) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return undefined;
      out += e === 'x' ? String.fromCharCode(Number.parseInt(hex, 16)) : String.fromCodePoint(Number.parseInt(hex, 16));
      i += width;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

export function parseNumber(text: string): { value: number; isInt: boolean } | undefined {
  const clean = text.replaceAll('_', '');
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(clean) || /^[+-]?0[oObB]?[0-7]+$/.test(clean)) {
    const sign = clean.startsWith('-') ? -1 : 1;
    const digits = clean.replace(/^[+-]/, '');
    const value = /^0[0-7]+$/.test(digits)
      ? Number.parseInt(digits, 8)
      : /^0[oO]/.test(digits)
        ? Number.parseInt(digits.slice(2), 8)
        : Number(digits);
    return { value: sign * value, isInt: true };
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(clean)) return undefined;
  const value = Number(clean);
  return { value, isInt: /^[+-]?\d+$/.test(clean) };
}

/** Go's String() of a list of nodes (the `<…>` of an error inside a range). */
export function listString(list: readonly Node[]): string {
  return list.map(nodeString).join('');
}

export function nodeString(node: Node): string {
  switch (node.kind) {
    case 'text':
      return node.text;
    case 'action':
      return `{{${pipeString(node.pipe)}}}`;
    case 'break':
    case 'continue':
      return `{{${node.kind}}}`;
    default: {
      const otherwise = node.elseList ? `{{else}}${listString(node.elseList)}` : '';
      return `{{${node.kind} ${pipeString(node.pipe)}}}${listString(node.list)}${otherwise}{{end}}`;
    }
  }
}

/** A node as Go's String() prints it (the `<…>` of execution errors). */
export function argString(arg: Arg): string {
  switch (arg.kind) {
    case 'field':
      return arg.idents.map((id) => `.${id}`).join('');
    case 'variable':
      return arg.idents.join('.');
    case 'chain':
      return `${arg.node.kind === 'pipe' ? argString(arg.node) : argString(arg.node)}${arg.fields.map((f) => `.${f}`).join('')}`;
    case 'identifier':
      return arg.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(arg.value);
    case 'number':
    case 'string':
      return arg.text;
    case 'pipe':
      return `(${pipeString(arg.pipe)})`;
  }
}

export function commandString(cmd: Command): string {
  return cmd.args.map(argString).join(' ');
}

export function pipeString(pipe: Pipe): string {
  const decl = pipe.decl.length > 0 ? `${pipe.decl.join(', ')} ${pipe.isAssign ? '=' : ':='} ` : '';
  return decl + pipe.cmds.map(commandString).join(' | ');
}
