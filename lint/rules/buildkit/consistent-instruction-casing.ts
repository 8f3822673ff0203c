import type { Instruction, Word } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const consistentInstructionCasing: Rule = {
  id: 'ConsistentInstructionCasing',
  group: 'buildkit',
  description: 'All commands within the Dockerfile should use the same casing (either upper or lower)',
  url: buildkitUrl('ConsistentInstructionCasing'),
  severity: 'warning',
  check({ model, report }) {
    // Global ARGs before the first FROM are neither counted nor checked; nor are unknown instructions.
    const keywords: { word: Word; instruction: Instruction }[] = [];
    for (const stage of model.stages) {
      keywords.push({ word: stage.from.keyword, instruction: stage.from });
      for (const instruction of stage.instructions) {
        if (instruction.kind !== 'unknown') keywords.push({ word: instruction.keyword, instruction });
      }
    }
    let lower = 0;
    let upper = 0;
    for (const { word } of keywords) {
      if (word.value === word.value.toLowerCase()) lower++;
      else if (word.value === word.value.toUpperCase()) upper++;
    }
    // A tie counts as upper case.
    const majorityLower = lower > upper;
    const casing = majorityLower ? 'lowercase' : 'uppercase';
    for (const { word, instruction } of keywords) {
      const expected = majorityLower ? word.value.toLowerCase() : word.value.toUpperCase();
      if (word.value === expected) continue;
      report(
        word.range,
        `Command '${word.value}' should match the case of the command majority (${casing})`,
        instruction,
      );
    }
  },
};
