// text/template's evaluation of pipelines (exec.go's evalPipeline and below): fields of structs and maps,
// variables, function calls with Go's argument checks. Errors read as Go's:
// `template: :LINE:COL: executing "" at <NODE>: message`.
import { checkArg, type GoFunc, goType, type ParamType } from './funcs.js';
import { type Arg, argString, type Command, commandString, type Pipe } from './nodes.js';
import { GoMap, GoNil, GoStruct, isPlainMap, isTrue, typeName, type Value } from './values.js';

export class TemplateExecError extends Error {
  /** What the template had written before it failed (Go's Execute leaves it in the writer). */
  partial = '';
}

export interface ExecOptions {
  /** text/template's `missingkey=error` (docker's inspect fallback); the default prints `<no value>`. */
  readonly missingKeyError?: boolean;
}

/** No value passed on from the previous command of a pipeline. */
const MISSING = Symbol('missing');
type Final = Value | typeof MISSING;

/** The variables and the node being evaluated (for errors) of one execution, and the evaluation of its pipelines. */
export class Evaluation {
  /** The variables in scope, innermost last; a block truncates it to where it was on leaving. */
  readonly vars: { name: string; value: Value }[];
  /** The node errors are located at. */
  at: { pos: number; text: string } = { pos: 0, text: '' };

  constructor(
    private readonly source: string,
    data: Value,
    private readonly funcs: ReadonlyMap<string, GoFunc>,
    private readonly options: ExecOptions,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  fail(message: string): never {
    const before = this.source.slice(0, this.at.pos);
    const line = 1 + before.split('\n').length - 1;
    const col = Buffer.byteLength(before.slice(before.lastIndexOf('\n') + 1));
    throw new TemplateExecError(`template: :${line}:${col}: executing "" at <${this.at.text}>: ${message}`);
  }

  /** The value of a pipeline; its variables are declared (or assigned) unless `declare` is false (range's). */
  evalPipeline(dot: Value, pipe: Pipe, declare = true): Value {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface becomes no value at all, as Go unwraps interface values between commands.
      if (value === null) value = undefined;
    }
    const result = value === MISSING ? undefined : value;
    if (declare) {
      for (const name of pipe.decl) {
        if (pipe.isAssign) this.setVariable(name, result);
        else this.vars.push({ name, value: result });
      }
    }
    return result;
  }

  private atArg(arg: Arg): void {
    this.at = { pos: arg.pos, text: argString(arg) };
  }

  private variable(name: string): Value {
    const vars = this.vars;
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i]!.value;
    return this.fail(`undefined variable: ${name}`);
  }

  private setVariable(name: string, value: Value): void {
    const vars = this.vars;
    for (let i = vars.length - 1; i >= 0; i--) {
      if (vars[i]!.name === name) {
        vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private notAFunction(args: readonly Arg[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${argString(args[0]!)}`);
  }

  private evalField(name: string, args: readonly Arg[], final: Final, receiver: Value): Value {
    if (receiver === undefined) {
      if (this.options.missingKeyError) this.fail(`nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (receiver === null) return this.fail(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoNil) return this.fail(`nil pointer evaluating ${receiver.type}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoStruct && Object.hasOwn(receiver.fields, name)) {
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      return receiver.fields[name];
    }
    if (receiver instanceof GoMap || isPlainMap(receiver)) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      const entries = receiver instanceof GoMap ? receiver.entries : receiver;
      if (Object.hasOwn(entries, name)) return entries[name];
      if (this.options.missingKeyError) this.fail(`map has no entry for key "${name}"`);
      return undefined;
    }
    return this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalFieldChain(receiver: Value, idents: readonly string[], args: readonly Arg[], final: Final): Value {
    let value = receiver;
    for (const ident of idents.slice(0, -1)) value = this.evalField(ident, [], MISSING, value);
    return this.evalField(idents.at(-1)!, args, final, value);
  }

  private evalArg(dot: Value, type: ParamType, arg: Arg): Value {
    this.atArg(arg);
    switch (arg.kind) {
      case 'dot':
        return this.validate(dot, type);
      case 'nil':
        if (type === 'string' || type === 'int') this.fail(`cannot assign nil to ${type}`);
        return null;
      case 'field':
        return this.validate(this.evalFieldChain(dot, arg.idents, [arg], MISSING), type);
      case 'variable':
        return this.validate(this.evalVariable(arg, [arg], MISSING), type);
      case 'chain':
        return this.validate(this.evalChain(dot, arg, [arg], MISSING), type);
      case 'pipe':
        return this.validate(this.evalPipeline(dot, arg.pipe), type);
      case 'identifier':
        return this.validate(this.evalFunction(dot, arg, { pos: arg.pos, args: [arg] }, [arg], MISSING), type);
      case 'bool':
        if (type === 'string' || type === 'int' || type === 'strings')
          this.fail(`expected ${goType(type)}; found ${arg.value}`);
        return arg.value;
      case 'string':
        if (type === 'int' || type === 'strings') this.fail(`expected ${goType(type)}; found ${arg.text}`);
        return arg.value;
      case 'number':
        if (type === 'string' || type === 'strings') this.fail(`expected ${goType(type)}; found ${arg.text}`);
        if (type === 'int' && !arg.isInt) this.fail(`expected integer; found ${arg.text}`);
        return arg.value;
    }
  }

  private validate(value: Value, type: ParamType): Value {
    try {
      return checkArg(value, type);
    } catch (error) {
      return this.fail((error as Error).message);
    }
  }

  private evalCall(dot: Value, fn: GoFunc, cmd: Command, name: string, args: readonly Arg[], final: Final): Value {
    const rest = args.slice(1);
    const numIn = rest.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fixed) this.fail(`wrong number of args for ${name}: want at least ${fixed} got ${rest.length}`);
    } else if (numIn !== fixed) this.fail(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    if (name === 'and' || name === 'or') {
      let value: Value;
      for (const arg of rest) {
        value = this.evalArg(dot, 'value', arg);
        if (isTrue(value) === (name === 'or')) return value;
      }
      return final === MISSING ? value : final;
    }
    const argv = rest.map((arg, i) => this.evalArg(dot, fn.params[i] ?? fn.variadic!, arg));
    if (final !== MISSING) argv.push(this.validate(final, fn.params[argv.length] ?? fn.variadic!));
    try {
      return fn.call(argv);
    } catch (error) {
      this.at = { pos: cmd.pos, text: commandString(cmd) };
      return this.fail(`error calling ${name}: ${(error as Error).message}`);
    }
  }

  private evalFunction(
    dot: Value,
    ident: Arg & { kind: 'identifier' },
    cmd: Command,
    args: readonly Arg[],
    final: Final,
  ): Value {
    this.atArg(ident);
    const fn = this.funcs.get(ident.name);
    if (fn === undefined) return this.fail(`"${ident.name}" is not a defined function`);
    return this.evalCall(dot, fn, cmd, ident.name, args, final);
  }

  private evalVariable(arg: Arg & { kind: 'variable' }, args: readonly Arg[], final: Final): Value {
    this.atArg(arg);
    const value = this.variable(arg.idents[0]!);
    if (arg.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, arg.idents.slice(1), args, final);
  }

  private evalChain(dot: Value, chain: Arg & { kind: 'chain' }, args: readonly Arg[], final: Final): Value {
    this.atArg(chain);
    if (chain.node.kind === 'nil') this.fail(`indirection through explicit nil in ${argString(chain)}`);
    const receiver = this.evalArg(dot, 'value', chain.node);
    this.atArg(chain);
    return this.evalFieldChain(receiver, chain.fields, args, final);
  }

  private evalCommand(dot: Value, cmd: Command, final: Final): Value {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        this.atArg(first);
        return this.evalFieldChain(dot, first.idents, cmd.args, final);
      case 'chain':
        return this.evalChain(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case 'variable':
        return this.evalVariable(first, cmd.args, final);
    }
    this.atArg(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      case 'number':
        return first.value;
      case 'string':
        return first.value;
    }
  }
}
