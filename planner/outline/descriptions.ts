// Description comments, as BuildKit's parser collects them (a node's `PrevComment`) and its instructions read
// them (`getComment`): every comment line since the previous instruction, trimmed after its first character
// (so `  # x` reads `# x`, as BuildKit slices the untrimmed line); an empty comment (`#` alone) starts the list
// over, a blank line does not. A stage's or an ARG's description is the rest of the first of those lines that
// starts with its name and a space.

import type { Dockerfile, Instruction } from '../../parser/index.js';

/** The comment lines BuildKit hands each instruction of `ast` (parsed from `text`). */
export function commentsBefore(text: string, ast: Dockerfile): (instr: Instruction) => readonly string[] {
  const lines = text.split('\n');
  const byInstruction = new Map<Instruction, string[]>();
  let c = 0;
  let previousEnd = 0;
  for (const instr of ast.instructions) {
    const start = instr.range.start.line;
    let list: string[] = [];
    for (; c < ast.comments.length && ast.comments[c].range.start.line < start; c++) {
      const line = ast.comments[c].range.start.line;
      // A comment line inside an instruction (between continuation lines) is no one's description.
      if (line <= previousEnd) continue;
      let raw = (lines[line - 1] ?? '').replace(/\r$/, '');
      if (line === 1 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
      const comment = raw.slice(1).trim();
      list = comment === '' ? [] : [...list, comment];
    }
    byInstruction.set(instr, list);
    previousEnd = instr.range.end.line;
  }
  return (instr) => byInstruction.get(instr) ?? [];
}

/** BuildKit's getComment: the description of `name` among `comments` ('' when none, or no name). */
export function describe(comments: readonly string[], name: string): string {
  if (name === '') return '';
  const prefix = `${name} `;
  return comments.find((line) => line.startsWith(prefix))?.slice(prefix.length) ?? '';
}
