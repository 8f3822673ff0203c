// Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of the file, with BuildKit's rules:
// the regex `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's `\s` is ASCII), matched here by hand.

import type { Diagnostic, Directive } from './ast.js';
import type { PhysicalLine } from './lines.js';
import { lineRange } from './source-map.js';

const KNOWN = new Set(['syntax', 'escape', 'check']);

export interface DirectiveMatch {
  /** Lower-cased name. */
  readonly name: string;
  readonly value: string;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

function isReSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Matches text[start, end) against the directive pattern; null when it is not a directive of a known name. */
export function matchDirective(text: string, start: number, end: number): DirectiveMatch | null {
  if (start >= end || text.charCodeAt(start) !== 0x23) return null;
  let i = start + 1;
  while (i < end && isReSpace(text.charCodeAt(i))) i++;
  const nameStart = i;
  if (i >= end || !isAlpha(text.charCodeAt(i))) return null;
  i++;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (!isAlpha(c) && !(c >= 0x30 && c <= 0x39)) break;
    i++;
  }
  const nameEnd = i;
  while (i < end && isReSpace(text.charCodeAt(i))) i++;
  if (i >= end || text.charCodeAt(i) !== 0x3d) return null;
  const afterEquals = i + 1;
  if (afterEquals >= end) return null;
  let valueStart = afterEquals;
  while (valueStart < end && isReSpace(text.charCodeAt(valueStart))) valueStart++;
  let valueEnd = end;
  while (valueEnd > valueStart && isReSpace(text.charCodeAt(valueEnd - 1))) valueEnd--;
  if (valueStart === valueEnd) {
    // Only blanks after `=`: the lazy `(.+?)` still takes one character, the last one.
    valueStart = end - 1;
    valueEnd = end;
  }
  const name = text.slice(nameStart, nameEnd).toLowerCase();
  if (!KNOWN.has(name)) return null;
  return { name, value: text.slice(valueStart, valueEnd), nameStart, nameEnd, valueStart, valueEnd };
}

/** The directive block at the top of the file: every line is offered until the first one that is no directive. */
export class DirectiveBlock {
  done = false;
  /** Char code of the escape character the block selected (a backslash unless `# escape=` says otherwise). */
  escapeChar = 0x5c;
  private readonly seen = new Set<string>();

  constructor(
    private readonly directives: Directive[],
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** Offers text[start, line end) of a physical line; true when it was a directive line (consumed). */
  offer(text: string, line: PhysicalLine, start: number): boolean {
    const d = matchDirective(text, start, line.contentEnd);
    if (d === null) {
      this.done = true;
      return false;
    }
    const range = lineRange(line, start, line.contentEnd);
    if (this.seen.has(d.name)) {
      const message = `only one ${d.name} parser directive can be used`;
      this.diagnostics.push({ severity: 'error', code: 'duplicate-directive', message, range });
      return true;
    }
    this.seen.add(d.name);
    this.directives.push({
      kind: 'directive',
      name: d.name,
      value: d.value,
      range,
      nameRange: lineRange(line, d.nameStart, d.nameEnd),
      valueRange: lineRange(line, d.valueStart, d.valueEnd),
    });
    if (d.name === 'escape') {
      if (d.value === '`' || d.value === '\\') {
        this.escapeChar = d.value.charCodeAt(0);
      } else {
        const message = `invalid escape token '${d.value}' does not match \` or \\`;
        this.diagnostics.push({ severity: 'error', code: 'invalid-escape', message, range });
      }
    }
    return true;
  }
}
