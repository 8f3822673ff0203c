// The parts of every EXPOSE argument as BuildKit reads them: each argument is split at unquoted whitespace
// (ProcessWords) and each part is expanded against the stage's environment from before the instruction.
// Several rules judge these parts; each expands them itself, as much as it needs.
import type { ExposeInstruction, Word } from '../../parser/index.js';
import type { LintModel } from '../model.js';
import { walkStages } from '../scope.js';
import { type Lookup, splitWords } from '../words.js';

export interface ExposePart {
  readonly instruction: ExposeInstruction;
  /** The EXPOSE argument the part was split from. */
  readonly word: Word;
  /** The raw part and its offset in `word.value`. */
  readonly text: string;
  readonly start: number;
  /** The stage's environment before the EXPOSE. */
  readonly lookup: Lookup;
}

export function forEachExposePart(model: LintModel, visit: (part: ExposePart) => void): void {
  walkStages(model, {
    instruction(instruction, scope) {
      if (instruction.kind !== 'expose') return;
      const lookup: Lookup = (name) => scope.env.get(name);
      for (const word of instruction.ports) {
        for (const part of splitWords(word.value, model.ast.escapeChar)) {
          visit({ instruction, word, text: part.text, start: part.start, lookup });
        }
      }
    },
  });
}
