// Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of the file, with BuildKit's rules:
// the regex `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's `\s` is ASCII), matched here by hand.

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
