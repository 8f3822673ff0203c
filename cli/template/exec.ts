// text/template's execution (exec.go) over the values of values.ts: fields of structs and maps, variables,
// function calls with Go's argument checks, if/with/range. Errors read as Go's:
// `template: :LINE:COL: executing "" at <NODE>: message`.
import { checkArg, type GoFunc, goType, type ParamType } from './funcs.js';
import { type Arg, argString, type Command, commandString, type Node, nodeString, type Pipe } from './nodes.js';
import { GoMap, GoNil, GoStruct, isPlainMap, isTrue, printValue, rangePairs, typeName, type Value } from './values.js';

export class TemplateExecError extends Error {
  /** What the template had written before it failed (Go's Execute leaves it in the writer). */
  partial = '';
}

export interface ExecOptions {
  /** text/template's `missingkey=error` (docker's inspect fallback); the default prints `<no value>`. */
  readonly missingKeyError?: boolean;
}

const MISSING = Symbol('missing');
type Final = Value | typeof MISSING;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

export function execute(
  source: string,
  nodes: readonly Node[],
  data: Value,
  funcs: ReadonlyMap<string, GoFunc>,
  options: ExecOptions = {},
): string {
  let out = '';
  const vars: { name: string; value: Value }[] = [{ name: '$', value: data }];
  let at: { pos: number; text: string } = { pos: 0, text: '' };

  const fail = (message: string): never => {
    const before = source.slice(0, at.pos);
    const line = 1 + before.split('\n').length - 1;
    const col = Buffer.byteLength(before.slice(before.lastIndexOf('\n') + 1));
    throw new TemplateExecError(`template: :${line}:${col}: executing "" at <${at.text}>: ${message}`);
  };
  const atArg = (arg: Arg) => {
    at = { pos: arg.pos, text: argString(arg) };
  };
  const atCommand = (cmd: Command) => {
    at = { pos: cmd.pos, text: commandString(cmd) };
  };

  const variable = (name: string): Value => {
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i]!.value;
    return fail(`undefined variable: ${name}`);
  };
  const setVariable = (name: string, value: Value) => {
    for (let i = vars.length - 1; i >= 0; i--) {
      if (vars[i]!.name === name) {
        vars[i]!.value = value;
        return;
      }
    }
    fail(`undefined variable: ${name}`);
  };

  const notAFunction = (args: readonly Arg[], final: Final) => {
    if (args.length > 1 || final !== MISSING) fail(`can't give argument to non-function ${argString(args[0]!)}`);
  };

  function evalField(name: string, args: readonly Arg[], final: Final, receiver: Value): Value {
    if (receiver === undefined) {
      if (options.missingKeyError) fail(`nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (receiver === null) return fail(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoNil) return fail(`nil pointer evaluating ${receiver.type}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoStruct && Object.hasOwn(receiver.fields, name)) {
      if (hasArgs) fail(`${name} has arguments but cannot be invoked as function`);
      return receiver.fields[name];
    }
    if (receiver instanceof GoMap || isPlainMap(receiver)) {
      if (hasArgs) fail(`${name} is not a method but has arguments`);
      const entries = receiver instanceof GoMap ? receiver.entries : receiver;
      if (Object.hasOwn(entries, name)) return entries[name];
      if (options.missingKeyError) fail(`map has no entry for key "${name}"`);
      return undefined;
    }
    return fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  function evalFieldChain(receiver: Value, idents: readonly string[], args: readonly Arg[], final: Final): Value {
    let value = receiver;
    for (const ident of idents.slice(0, -1)) value = evalField(ident, [], MISSING, value);
    return evalField(idents.at(-1)!, args, final, value);
  }

  function evalArg(dot: Value, type: ParamType, arg: Arg): Value {
    atArg(arg);
    switch (arg.kind) {
      case 'dot':
        return validate(dot, type);
      case 'nil':
        if (type === 'string' || type === 'int') fail(`cannot assign nil to ${type}`);
        return null;
      case 'field':
        return validate(evalFieldChain(dot, arg.idents, [arg], MISSING), type);
      case 'variable':
        return validate(evalVariable(arg, [arg], MISSING), type);
      case 'chain':
        return validate(evalChain(dot, arg, [arg], MISSING), type);
      case 'pipe':
        return validate(evalPipeline(dot, arg.pipe), type);
      case 'identifier':
        return validate(evalFunction(dot, arg, { pos: arg.pos, args: [arg] }, [arg], MISSING), type);
      case 'bool':
        if (type === 'string' || type === 'int' || type === 'strings')
          fail(`expected ${goType(type)}; found ${arg.value}`);
        return arg.value;
      case 'string':
        if (type === 'int' || type === 'strings') fail(`expected ${goType(type)}; found ${arg.text}`);
        return arg.value;
      case 'number':
        if (type === 'string' || type === 'strings') fail(`expected ${goType(type)}; found ${arg.text}`);
        if (type === 'int' && !arg.isInt) fail(`expected integer; found ${arg.text}`);
        return arg.value;
    }
  }

  const validate = (value: Value, type: ParamType): Value => {
    try {
      return checkArg(value, type);
    } catch (error) {
      return fail((error as Error).message);
    }
  };

  function evalCall(dot: Value, fn: GoFunc, cmd: Command, name: string, args: readonly Arg[], final: Final): Value {
    const rest = args.slice(1);
    const numIn = rest.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fixed) fail(`wrong number of args for ${name}: want at least ${fixed} got ${rest.length}`);
    } else if (numIn !== fixed) fail(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    if (name === 'and' || name === 'or') {
      let value: Value;
      for (const arg of rest) {
        value = evalArg(dot, 'value', arg);
        if (isTrue(value) === (name === 'or')) return value;
      }
      return final === MISSING ? value : final;
    }
    const argv = rest.map((arg, i) => evalArg(dot, fn.params[i] ?? fn.variadic!, arg));
    if (final !== MISSING) argv.push(validate(final, fn.params[argv.length] ?? fn.variadic!));
    try {
      return fn.call(argv);
    } catch (error) {
      atCommand(cmd);
      return fail(`error calling ${name}: ${(error as Error).message}`);
    }
  }

  function evalFunction(
    dot: Value,
    ident: Arg & { kind: 'identifier' },
    cmd: Command,
    args: readonly Arg[],
    final: Final,
  ) {
    atArg(ident);
    const fn = funcs.get(ident.name);
    if (fn === undefined) return fail(`"${ident.name}" is not a defined function`);
    return evalCall(dot, fn, cmd, ident.name, args, final);
  }

  function evalVariable(arg: Arg & { kind: 'variable' }, args: readonly Arg[], final: Final): Value {
    atArg(arg);
    const value = variable(arg.idents[0]!);
    if (arg.idents.length === 1) {
      notAFunction(args, final);
      return value;
    }
    return evalFieldChain(value, arg.idents.slice(1), args, final);
  }

  function evalChain(dot: Value, chain: Arg & { kind: 'chain' }, args: readonly Arg[], final: Final): Value {
    atArg(chain);
    if (chain.node.kind === 'nil') fail(`indirection through explicit nil in ${argString(chain)}`);
    const receiver = evalArg(dot, 'value', chain.node);
    atArg(chain);
    return evalFieldChain(receiver, chain.fields, args, final);
  }

  function evalCommand(dot: Value, cmd: Command, final: Final): Value {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        atArg(first);
        return evalFieldChain(dot, first.idents, cmd.args, final);
      case 'chain':
        return evalChain(dot, first, cmd.args, final);
      case 'identifier':
        return evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        notAFunction(cmd.args, final);
        return evalPipeline(dot, first.pipe);
      case 'variable':
        return evalVariable(first, cmd.args, final);
    }
    atArg(first);
    notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return fail('nil is not a command');
      case 'number':
        return first.value;
      case 'string':
        return first.value;
    }
  }

  function evalPipeline(dot: Value, pipe: Pipe, declare = true): Value {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = evalCommand(dot, cmd, value);
      // A nil interface becomes no value at all, as Go unwraps interface values between commands.
      if (value === null) value = undefined;
    }
    const result = value === MISSING ? undefined : value;
    if (declare) {
      for (const name of pipe.decl) {
        if (pipe.isAssign) setVariable(name, result);
        else vars.push({ name, value: result });
      }
    }
    return result;
  }

  function walkList(dot: Value, list: readonly Node[]): void {
    for (const node of list) walk(dot, node);
  }

  function walk(dot: Value, node: Node): void {
    switch (node.kind) {
      case 'text':
        out += node.text;
        return;
      case 'action': {
        const value = evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) out += printValue(value);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with': {
        const mark = vars.length;
        const value = evalPipeline(dot, node.pipe);
        if (isTrue(value)) walkList(node.kind === 'with' ? value : dot, node.list);
        else if (node.elseList) walkList(dot, node.elseList);
        vars.length = mark;
        return;
      }
      case 'range':
        walkRange(dot, node);
    }
  }

  function walkRange(dot: Value, node: Node & { kind: 'if' | 'with' | 'range' }): void {
    at = { pos: node.pos, text: nodeString(node) };
    const mark = vars.length;
    const value = evalPipeline(dot, node.pipe, false);
    if (typeof value === 'number' && Number.isInteger(value) && node.pipe.decl.length > 1) {
      fail(`can't use ${value} to iterate over more than one variable`);
    }
    const pairs = rangePairs(value);
    if (pairs === undefined) {
      fail(`range can't iterate over ${printValue(value)}`);
      return;
    }
    for (const [key, elem] of pairs) {
      vars.length = mark;
      if (node.pipe.decl.length === 1) vars.push({ name: node.pipe.decl[0]!, value: elem });
      if (node.pipe.decl.length === 2) {
        vars.push({ name: node.pipe.decl[0]!, value: key });
        vars.push({ name: node.pipe.decl[1]!, value: elem });
      }
      try {
        walkList(elem, node.list);
      } catch (signal) {
        if (signal === BREAK) break;
        if (signal !== CONTINUE) throw signal;
      }
    }
    vars.length = mark;
    if (pairs.length === 0 && node.elseList) walkList(dot, node.elseList);
  }

  try {
    walkList(data, nodes);
  } catch (error) {
    if (error instanceof TemplateExecError) error.partial = out;
    throw error;
  }
  return out;
}
