// text/template's parser (parse.Tree) for the actions tsbuild supports: pipelines with declarations, if/else if,
// range (with break/continue), with/else with, and comments. Errors read as Go's: `template: :LINE: message`.
import { type Item, lex } from './lex.js';
import { type Arg, argString, type Command, type Node, type Pipe, parseNumber, unquote } from './nodes.js';

export class TemplateParseError extends Error {}

export function parse(input: string, functions: ReadonlySet<string>): Node[] {
  const items = lex(input);
  let index = 0;
  let vars: string[] = ['$'];
  let rangeDepth = 0;
  let current: Item = items[0]!;

  const fail = (message: string): never => {
    throw new TemplateParseError(`template: :${current.line}: ${message}`);
  };
  const next = (): Item => {
    current = items[index++]!;
    if (current.type === 'error') fail(current.value);
    return current;
  };
  const peek = (): Item => {
    const item = items[index]!;
    if (item.type === 'error') {
      current = item;
      fail(item.value);
    }
    return item;
  };
  const nextNonSpace = (): Item => {
    let item = next();
    while (item.type === 'space') item = next();
    return item;
  };
  const peekNonSpace = (): Item => {
    const item = nextNonSpace();
    index--;
    return item;
  };
  const show = (item: Item): string => {
    if (item.type === 'eof') return 'EOF';
    if (item.type === 'keyword') return `<${item.value}>`;
    const quoted = JSON.stringify(item.value);
    return item.value.length > 10 ? `${JSON.stringify(item.value.slice(0, 10))}...` : quoted;
  };
  const unexpected = (item: Item, context: string): never => fail(`unexpected ${show(item)} in ${context}`);

  function itemList(): { list: Node[]; end: Item; endKind: 'end' | 'else' } {
    const list: Node[] = [];
    for (;;) {
      const item = peekNonSpace();
      if (item.type === 'eof') {
        current = item;
        fail('unexpected EOF');
      }
      const node = textOrAction();
      if (node === 'end' || node === 'else') return { list, end: current, endKind: node };
      if (node !== undefined) list.push(node);
    }
  }

  function textOrAction(): Node | 'end' | 'else' | undefined {
    const item = nextNonSpace();
    if (item.type === 'text') return { kind: 'text', text: item.value };
    if (item.type !== 'leftDelim') return unexpected(item, 'input');
    const token = peekNonSpace();
    if (token.type === 'keyword') {
      nextNonSpace();
      switch (token.value) {
        case 'end':
          expectRightDelim('end');
          return 'end';
        case 'else':
          // `{{else if …}}` and `{{else with …}}` stay open: the caller parses the chained control.
          if (!['if', 'with'].includes(peekNonSpace().value) || peekNonSpace().type !== 'keyword')
            expectRightDelim('else');
          return 'else';
        case 'if':
        case 'with':
        case 'range':
          return control(token.value, token.pos);
        case 'break':
        case 'continue':
          if (rangeDepth === 0) fail(`{{${token.value}}} outside {{range}}`);
          expectRightDelim(token.value);
          return { kind: token.value, pos: token.pos };
        default:
          return fail(`{{${token.value}}} is not supported by tsbuild's templates`);
      }
    }
    return { kind: 'action', pos: token.pos, pipe: pipeline('command', 'rightDelim') };
  }

  function expectRightDelim(context: string): void {
    const item = nextNonSpace();
    if (item.type !== 'rightDelim') unexpected(item, context);
  }

  function control(kind: 'if' | 'with' | 'range', pos: number): Node {
    const saved = vars.length;
    const pipe = pipeline(kind, 'rightDelim');
    if (kind === 'range') rangeDepth++;
    let { list, endKind } = itemList();
    if (kind === 'range') rangeDepth--;
    let elseList: Node[] | undefined;
    if (endKind === 'else') {
      const chained = peekNonSpace();
      if (kind !== 'range' && chained.type === 'keyword' && chained.value === kind) {
        nextNonSpace();
        elseList = [control(kind, chained.pos)];
      } else {
        ({ list: elseList, endKind } = itemList());
        if (endKind !== 'end') fail('expected end; found {{else}}');
      }
    }
    vars = vars.slice(0, saved);
    return { kind, pos, pipe, list, ...(elseList !== undefined && { elseList }) };
  }

  function pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipe {
    const first = peekNonSpace();
    const pipe: Pipe = { pos: first.pos, decl: [], isAssign: false, cmds: [] };
    for (;;) {
      const v = peekNonSpace();
      if (v.type !== 'variable') break;
      const mark = index;
      nextNonSpace();
      const after = peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        nextNonSpace();
        pipe.isAssign = after.type === 'assign';
        pipe.decl.push(v.value);
        if (!pipe.isAssign) vars.push(v.value);
        else if (!vars.includes(v.value)) fail(`undefined variable "${v.value}"`);
        break;
      }
      if (after.type === 'char' && after.value === ',') {
        nextNonSpace();
        pipe.decl.push(v.value);
        vars.push(v.value);
        if (context === 'range' && pipe.decl.length < 2 && peekNonSpace().type === 'variable') continue;
        if (context === 'range' && pipe.decl.length < 2) fail('range can only initialize variables');
        fail(`too many declarations in ${context}`);
      }
      index = mark;
      break;
    }
    for (;;) {
      const token = nextNonSpace();
      if (token.type === end) {
        if (pipe.cmds.length === 0) fail(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((cmd, i) => {
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(cmd.args[0]!.kind)) {
            fail(`non executable command in pipeline stage ${i + 2}`);
          }
        });
        return pipe;
      }
      const starts = ['bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string'];
      if (starts.includes(token.type) || token.type === 'variable' || token.type === 'leftParen') {
        index--;
        pipe.cmds.push(command());
      } else unexpected(token, context);
    }
  }

  function command(): Command {
    const cmd: Command = { pos: peekNonSpace().pos, args: [] };
    for (;;) {
      peekNonSpace();
      const arg = operand();
      if (arg !== undefined) cmd.args.push(arg);
      const token = next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') index--;
      else if (token.type !== 'pipe') unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) fail('empty command');
    return cmd;
  }

  function operand(): Arg | undefined {
    const node = term();
    if (node === undefined || peek().type !== 'field') return node;
    const pos = peek().pos;
    const fields: string[] = [];
    while (peek().type === 'field') fields.push(next().value.slice(1));
    if (node.kind === 'field' || node.kind === 'variable') return { ...node, pos, idents: [...node.idents, ...fields] };
    if (['bool', 'string', 'number', 'nil', 'dot'].includes(node.kind)) {
      fail(`unexpected . after term "${argString(node)}"`);
    }
    return { kind: 'chain', pos, node, fields };
  }

  function term(): Arg | undefined {
    const token = nextNonSpace();
    switch (token.type) {
      case 'identifier':
        if (!functions.has(token.value)) fail(`function "${token.value}" not defined`);
        return { kind: 'identifier', pos: token.pos, name: token.value };
      case 'dot':
        return { kind: 'dot', pos: token.pos };
      case 'nil':
        return { kind: 'nil', pos: token.pos };
      case 'variable': {
        if (!vars.includes(token.value)) fail(`undefined variable "${token.value}"`);
        return { kind: 'variable', pos: token.pos, idents: [token.value] };
      }
      case 'field':
        return { kind: 'field', pos: token.pos, idents: [token.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: token.pos, value: token.value === 'true' };
      case 'charConstant':
      case 'number': {
        if (token.type === 'charConstant') {
          const char = unquote(token.value);
          if (char === undefined || [...char].length !== 1) fail(`malformed character constant: ${token.value}`);
          return { kind: 'number', pos: token.pos, text: token.value, value: char!.codePointAt(0)!, isInt: true };
        }
        const number = parseNumber(token.value);
        if (number === undefined) fail(`illegal number syntax: "${token.value}"`);
        return { kind: 'number', pos: token.pos, text: token.value, ...number! };
      }
      case 'leftParen':
        return { kind: 'pipe', pos: token.pos, pipe: pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
      case 'rawString': {
        const value = token.type === 'rawString' ? token.value.slice(1, -1).replaceAll('\r', '') : unquote(token.value);
        if (value === undefined) fail(`invalid syntax`);
        return { kind: 'string', pos: token.pos, text: token.value, value: value! };
      }
      default:
        index--;
        return undefined;
    }
  }

  const list: Node[] = [];
  while (peekNonSpace().type !== 'eof') {
    const node = textOrAction();
    if (node === 'end' || node === 'else') fail(`unexpected {{${node}}}`);
    list.push(node as Node);
  }
  return list;
}
