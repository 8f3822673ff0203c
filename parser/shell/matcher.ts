// Leftmost-first matching of a ShellPattern with the semantics of Go's regexp (RE2), by a Pike VM: every
// position of the value is visited once with at most one thread per program instruction, so a match costs
// O(value length × pattern length) whatever the input, with no backtracking and no recursion.
// As in Go, `*` and `?` (regexp `.`) never match a newline.
import { EOF } from './chars.js';
import type { ShellPattern } from './pattern.js';

// Instruction codes.
const Op = { Char: 0, AnyNotNewline: 1, Split: 2, Jump: 3, Match: 4 } as const;

/** Instructions as parallel arrays; for Split, `x` is the preferred branch. */
interface Program {
  readonly op: Uint8Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
}

const programs = new WeakMap<ShellPattern, Program>();

function compile(pattern: ShellPattern): Program {
  const cached = programs.get(pattern);
  if (cached) return cached;
  let size = 1;
  for (const t of pattern.tokens) size += t.kind === 'star' ? 3 : 1;
  const op = new Uint8Array(size);
  const x = new Int32Array(size);
  const y = new Int32Array(size);
  let pc = 0;
  for (const t of pattern.tokens) {
    if (t.kind === 'literal') {
      op[pc] = Op.Char;
      x[pc++] = t.cp;
    } else if (t.kind === 'any') {
      op[pc++] = Op.AnyNotNewline;
    } else {
      // L: split(L+1, L+3) ; L+1: any ; L+2: jump L   (greedy prefers to consume, lazy to move on)
      op[pc] = Op.Split;
      x[pc] = pattern.greedy ? pc + 1 : pc + 3;
      y[pc] = pattern.greedy ? pc + 3 : pc + 1;
      op[pc + 1] = Op.AnyNotNewline;
      op[pc + 2] = Op.Jump;
      x[pc + 2] = pc;
      pc += 3;
    }
  }
  op[pc] = Op.Match;
  const program = { op, x, y };
  programs.set(pattern, program);
  return program;
}

/** An ordered set of threads (instruction, match start), one per instruction. */
class ThreadList {
  readonly pcs: Int32Array;
  readonly starts: Int32Array;
  size = 0;
  private readonly seenAt: Uint32Array;
  private generation = 1;

  constructor(capacity: number) {
    this.pcs = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.seenAt = new Uint32Array(capacity);
  }

  clear(): void {
    this.size = 0;
    this.generation++;
  }

  /** Marks `pc` as visited in this step; false when it already was. */
  visit(pc: number): boolean {
    if (this.seenAt[pc] === this.generation) return false;
    this.seenAt[pc] = this.generation;
    return true;
  }

  push(pc: number, start: number): void {
    this.pcs[this.size] = pc;
    this.starts[this.size] = start;
    this.size++;
  }
}

/** Follows Split/Jump from `pc0` in priority order (explicit stack, no recursion) and queues the threads. */
function addThread(prog: Program, list: ThreadList, pc0: number, start: number, stack: number[]): void {
  stack.push(pc0);
  while (stack.length > 0) {
    const pc = stack.pop() as number;
    if (!list.visit(pc)) continue;
    switch (prog.op[pc]) {
      case Op.Split:
        stack.push(prog.y[pc], prog.x[pc]);
        break;
      case Op.Jump:
        stack.push(prog.x[pc]);
        break;
      default:
        list.push(pc, start);
    }
  }
}

/** First match at or after `from` (UTF-16 offsets `[start, end)`), or null. Anchored patterns match only at 0. */
export function findShellPattern(pattern: ShellPattern, text: string, from = 0): [number, number] | null {
  const prog = compile(pattern);
  let current = new ThreadList(prog.op.length);
  let following = new ThreadList(prog.op.length);
  const stack: number[] = [];
  let matchStart = -1;
  let matchEnd = -1;
  for (let pos = from; ; ) {
    if (current.size === 0 && (matchStart >= 0 || (pattern.anchored && pos > 0))) break;
    // A new attempt starting here has the lowest priority (leftmost-first).
    if (matchStart < 0 && (!pattern.anchored || pos === 0)) addThread(prog, current, 0, pos, stack);
    const cp = pos < text.length ? (text.codePointAt(pos) as number) : EOF;
    following.clear();
    for (let i = 0; i < current.size; i++) {
      const pc = current.pcs[i];
      const start = current.starts[i];
      const op = prog.op[pc];
      if (op === Op.Match) {
        matchStart = start;
        matchEnd = pos;
        break; // lower-priority threads can no longer win
      }
      if ((op === Op.Char && cp === prog.x[pc]) || (op === Op.AnyNotNewline && cp !== EOF && cp !== 0x0a)) {
        addThread(prog, following, pc + 1, start, stack);
      }
    }
    if (cp === EOF) break;
    const swap = current;
    current = following;
    following = swap;
    pos += cp > 0xffff ? 2 : 1;
  }
  return matchStart < 0 ? null : [matchStart, matchEnd];
}

/** Go regexp `Expand` for a pattern without groups: `$$` is `$`, `$0`/`${0}` the match, other names empty. */
function expandTemplate(template: string, text: string, start: number, end: number): string {
  if (!template.includes('$')) return template;
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = templateReference(rest);
    if (ref === null) {
      out += '$';
      continue;
    }
    rest = rest.slice(ref.length);
    if (ref.name === '0') out += text.slice(start, end);
  }
  return out + rest;
}

const TEMPLATE_NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Go regexp `extract`: `name` or `{name}` at the start of `text`; null when malformed. */
function templateReference(text: string): { name: string; length: number } | null {
  const braced = text.startsWith('{');
  let i = braced ? 1 : 0;
  for (const ch of text.slice(i)) {
    if (!TEMPLATE_NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  const name = text.slice(braced ? 1 : 0, i);
  if (name === '') return null;
  if (braced) {
    if (text[i] !== '}') return null;
    i++;
  }
  return { name, length: i };
}

/** `${v/p/r}`: the first match replaced by `replacement` taken literally. */
export function replaceFirstShellPattern(pattern: ShellPattern, text: string, replacement: string): string {
  const m = findShellPattern(pattern, text);
  return m === null ? text : text.slice(0, m[0]) + replacement + text.slice(m[1]);
}

/** `${v//p/r}`: Go `ReplaceAllString`, including its `$` template expansion and its empty-match rules. */
export function replaceAllShellPattern(pattern: ShellPattern, text: string, replacement: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= text.length) {
    const m = findShellPattern(pattern, text, searchPos);
    if (m === null) break;
    out += text.slice(lastMatchEnd, m[0]);
    // No replacement for an empty match right after the previous match.
    if (m[1] > lastMatchEnd || m[0] === 0) out += expandTemplate(replacement, text, m[0], m[1]);
    lastMatchEnd = m[1];
    const cp = text.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > m[1]) searchPos += width;
    else if (searchPos + 1 > m[1]) searchPos++;
    else searchPos = m[1];
  }
  return out + text.slice(lastMatchEnd);
}
