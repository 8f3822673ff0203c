// text/template's execution (exec.go's walk): text, actions and the if/with/range blocks with their variable
// scopes, over the values of values.ts; the pipelines of the actions are eval.ts's.
import { Evaluation, type ExecOptions, TemplateExecError } from './eval.js';
import type { GoFunc } from './funcs.js';
import { type Node, nodeString } from './nodes.js';
import { isTrue, printValue, rangePairs, type Value } from './values.js';

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
  const state = new Evaluation(source, data, funcs, options);
  const vars = state.vars;

  function walkList(dot: Value, list: readonly Node[]): void {
    for (const node of list) walk(dot, node);
  }

  function walk(dot: Value, node: Node): void {
    switch (node.kind) {
      case 'text':
        out += node.text;
        return;
      case 'action': {
        const value = state.evalPipeline(dot, node.pipe);
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
        const value = state.evalPipeline(dot, node.pipe);
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
    state.at = { pos: node.pos, text: nodeString(node) };
    const mark = vars.length;
    const value = state.evalPipeline(dot, node.pipe, false);
    if (typeof value === 'number' && Number.isInteger(value) && node.pipe.decl.length > 1) {
      state.fail(`can't use ${value} to iterate over more than one variable`);
    }
    const pairs = rangePairs(value);
    if (pairs === undefined) {
      state.fail(`range can't iterate over ${printValue(value)}`);
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
