import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const noEmptyContinuation: Rule = {
  id: 'NoEmptyContinuation',
  group: 'buildkit',
  description: 'Empty continuation lines will become errors in a future release',
  url: buildkitUrl('NoEmptyContinuation'),
  severity: 'warning',
  check({ model, report }) {
    const text = model.text;
    const blankLine = /\n[ \t\r\f\v]*\n/g;
    for (const instruction of model.ast.instructions) {
      const { start, end } = instruction.range;
      if (start.line === end.line) continue;
      // Cheap test first: most instructions have no blank line at all.
      blankLine.lastIndex = start.offset;
      const found = blankLine.exec(text);
      if (!found || found.index >= end.offset) continue;
      const heredocLines = instruction.heredocs.map((h) => [h.range.start.line, h.range.end.line]);
      // One finding per instruction (as BuildKit), at the first blank line inside the continuation.
      for (let line = start.line + 1; line <= end.line; line++) {
        if (heredocLines.some(([first, last]) => line >= first && line <= last)) continue;
        if (model.lines.line(line).trim() !== '') continue;
        report(model.lines.lineRange(line), 'Empty continuation line', instruction);
        break;
      }
    }
  },
};
