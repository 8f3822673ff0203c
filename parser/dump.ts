// BuildKit's AST dump (`Node.Dump()` of the root, plus the final newline its test harness compares with).
import type { Dockerfile, Instruction } from './ast.js';
import { goQuote } from './go-quote.js';
import { goToLower, isGoSpace } from './unicode.js';

function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isGoSpace(s.charCodeAt(a))) a++;
  while (b > a && isGoSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function head(instruction: Instruction): string {
  let str = goToLower(instruction.keyword.value);
  if (instruction.flags.length > 0) str += ' [' + instruction.flags.map((f) => goQuote(f.text)).join(' ') + ']';
  return str;
}

/** One instruction as BuildKit dumps it, without the surrounding parentheses. */
export function dumpInstruction(instruction: Instruction): string {
  // ONBUILD chains are unrolled into a loop: each level is `head (` ... `)`.
  let prefix = '';
  let suffix = '';
  let node: Instruction = instruction;
  while (node.kind === 'onbuild' && node.trigger !== null) {
    prefix += head(node) + ' (';
    suffix = ')' + suffix;
    node = node.trigger;
  }
  let str = head(node);
  for (const arg of node.args) str += ' ' + goQuote(arg.value);
  return prefix + trimSpace(str) + suffix;
}

/** Exactly what BuildKit's parser test harness compares with a `result` file: one `(...)` line per instruction. */
export function toBuildKitDump(ast: Dockerfile): string {
  let out = '';
  for (const instruction of ast.instructions) out += '(' + dumpInstruction(instruction) + ')\n';
  return out;
}
