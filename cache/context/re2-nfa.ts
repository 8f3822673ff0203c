// Thompson-NFA matcher for parsed RE2 expressions: time linear in the input (times the program
// size), never the exponential backtracking a translated JavaScript RegExp can hit on patterns like
// `**/**/**/x` or `a*b*c*d*e*`. Semantics are Go's `Regexp.MatchString` (unanchored search).

import { type CharClass, classHas } from './re2-class.js';
import { parseRe2, type ReNode } from './re2-parse.js';

type State =
  | { kind: 'class'; cls: CharClass; out: number }
  | { kind: 'split'; out: number; out2: number }
  | { kind: 'assert'; which: 'begin' | 'end' | 'word' | 'nonword'; out: number }
  | { kind: 'eps'; out: number }
  | { kind: 'match' };

const HOLE = -1;

class Builder {
  readonly states: State[] = [];

  private add(s: State): number {
    this.states.push(s);
    return this.states.length - 1;
  }

  /** Compiles `node` so that it continues at `next`; returns its entry state. */
  build(node: ReNode, next: number): number {
    switch (node.t) {
      case 'class':
        return this.add({ kind: 'class', cls: node.cls, out: next });
      case 'assert':
        return this.add({ kind: 'assert', which: node.kind, out: next });
      case 'cat': {
        let entry = next;
        for (let k = node.items.length - 1; k >= 0; k--) entry = this.build(node.items[k], entry);
        return entry;
      }
      case 'alt': {
        const entries = node.items.map((item) => this.build(item, next));
        let entry = entries[entries.length - 1];
        for (let k = entries.length - 2; k >= 0; k--) entry = this.add({ kind: 'split', out: entries[k], out2: entry });
        return entry;
      }
      case 'repeat': {
        if (node.max === 1) {
          const body = this.build(node.node, next);
          return node.min === 1 ? body : this.add({ kind: 'split', out: body, out2: next });
        }
        // Loop: split → body → back to split.
        const loop = this.add({ kind: 'split', out: HOLE, out2: next });
        const body = this.build(node.node, loop);
        (this.states[loop] as { out: number }).out = body;
        return node.min === 1 ? body : loop;
      }
    }
  }
}

const isWordChar = (cp: number | undefined): boolean =>
  cp !== undefined &&
  ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f);

interface DfaState {
  /** The closure at a middle position reached the match state. */
  readonly matchesHere: boolean;
  /** The closure at the end of input reaches the match state. */
  readonly matchesAtEnd: boolean;
  /** Class states of the middle-position closure. */
  readonly classStates: number[];
  readonly next: Map<number, DfaState>;
}

const MAX_DFA_STATES = 4096;

/** A compiled Go regular expression; `test` has Go `MatchString` semantics. */
export class Re2Program {
  private readonly states: State[];
  private readonly start: number;
  private readonly mark: Int32Array;
  private generation = 0;
  // Lazily built DFA over NFA thread sets (only without \b / \B, whose closure needs neighbours).
  private readonly useDfa: boolean;
  private readonly dfa = new Map<string, DfaState>();
  private initial: DfaState | undefined;

  constructor(source: string) {
    const builder = new Builder();
    const match = builder.states.push({ kind: 'match' }) - 1;
    this.start = builder.build(parseRe2(source), match);
    this.states = builder.states;
    this.mark = new Int32Array(this.states.length);
    this.useDfa = !this.states.some((st) => st.kind === 'assert' && (st.which === 'word' || st.which === 'nonword'));
  }

  test(input: string): boolean {
    return this.useDfa ? this.testDfa(input) : this.testNfa(input);
  }

  private testDfa(input: string): boolean {
    if (!this.initial) this.initial = this.dfaState([this.start], true);
    let state = this.initial;
    const n = input.length;
    for (let pos = 0; pos < n; ) {
      if (state.matchesHere) return true;
      const cp = input.codePointAt(pos)!;
      pos += cp > 0xffff ? 2 : 1;
      let next = state.next.get(cp);
      if (!next) {
        const heads = [this.start];
        for (const s of state.classStates) {
          const st = this.states[s] as { kind: 'class'; cls: CharClass; out: number };
          if (classHas(st.cls, cp)) heads.push(st.out);
        }
        next = this.dfaState(heads, false);
        state.next.set(cp, next);
      }
      state = next;
    }
    return state.matchesHere || state.matchesAtEnd;
  }

  private dfaState(heads: number[], atStart: boolean): DfaState {
    const key =
      (atStart ? 's' : '') +
      Array.from(new Set(heads))
        .sort((a, b) => a - b)
        .join(',');
    const known = this.dfa.get(key);
    if (known) return known;
    if (this.dfa.size >= MAX_DFA_STATES) this.dfa.clear();
    const here = this.closure(heads, atStart, false);
    const atEnd = this.closure(heads, atStart, true);
    const state: DfaState = {
      matchesHere: here.matched,
      matchesAtEnd: atEnd.matched,
      classStates: here.classStates,
      next: new Map(),
    };
    this.dfa.set(key, state);
    return state;
  }

  /** Epsilon closure where only begin/end assertions occur. */
  private closure(heads: number[], atStart: boolean, atEnd: boolean): { matched: boolean; classStates: number[] } {
    const gen = ++this.generation;
    const classStates: number[] = [];
    const stack = [...heads].reverse();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.mark[id] === gen) continue;
      this.mark[id] = gen;
      const st = this.states[id];
      if (st.kind === 'match') return { matched: true, classStates };
      if (st.kind === 'class') classStates.push(id);
      else if (st.kind === 'eps') stack.push(st.out);
      else if (st.kind === 'split') stack.push(st.out2, st.out);
      else if (st.kind === 'assert' && (st.which === 'begin' ? atStart : atEnd)) stack.push(st.out);
    }
    return { matched: false, classStates };
  }

  private testNfa(input: string): boolean {
    const cps: number[] = [];
    for (const ch of input) cps.push(ch.codePointAt(0)!);
    let current: number[] = [];
    for (let pos = 0; pos <= cps.length; pos++) {
      this.generation++;
      const next: number[] = [];
      const listed = this.generation;
      // Re-seat each surviving thread's closure and start a new thread at this position.
      for (const s of current) if (this.addClosure(next, s, cps, pos, listed)) return true;
      if (this.addClosure(next, this.start, cps, pos, listed)) return true;
      if (pos === cps.length) break;
      const cp = cps[pos];
      current = [];
      for (const s of next) {
        const st = this.states[s];
        if (st.kind === 'class' && classHas(st.cls, cp)) current.push(st.out);
      }
    }
    return false;
  }

  /** Adds the epsilon closure of `s` at `pos` to `list`; true as soon as the match state is reached. */
  private addClosure(list: number[], s: number, cps: number[], pos: number, gen: number): boolean {
    const stack = [s];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.mark[id] === gen) continue;
      this.mark[id] = gen;
      const st = this.states[id];
      switch (st.kind) {
        case 'match':
          return true;
        case 'class':
          list.push(id);
          break;
        case 'eps':
          stack.push(st.out);
          break;
        case 'split':
          stack.push(st.out2, st.out);
          break;
        case 'assert': {
          const before = cps[pos - 1];
          const after = cps[pos];
          let ok: boolean;
          if (st.which === 'begin') ok = pos === 0;
          else if (st.which === 'end') ok = pos === cps.length;
          else ok = (isWordChar(before) !== isWordChar(after)) === (st.which === 'word');
          if (ok) stack.push(st.out);
          break;
        }
      }
    }
    return false;
  }
}
