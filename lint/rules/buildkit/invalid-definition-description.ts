import type { Instruction } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { buildkitUrl } from '../meta.js';

export const invalidDefinitionDescription: Rule = {
  id: 'InvalidDefinitionDescription',
  group: 'buildkit',
  description:
    'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
  url: buildkitUrl('InvalidDefinitionDescription'),
  severity: 'warning',
  experimental: true,
  check({ model, report }) {
    const validate = (instruction: Instruction, kind: string, keys: string[]): void => {
      if (keys.length === 0) return;
      // BuildKit collects every comment since the previous instruction; an empty `#` line starts over.
      let description: string[] = [];
      for (const comment of model.commentsBefore(instruction)) {
        const text = comment.text.trim();
        description = text === '' ? [] : [...description, text];
      }
      if (description.length === 0) return;
      const firstWord = description[description.length - 1].split(' ')[0];
      if (keys.includes(firstWord)) return;
      const example = keys.length > 1 ? '<arg_key>' : keys[0];
      report(
        instruction.keyword.range,
        `Comment for ${kind} should follow the format: \`# ${example} <description>\``,
        instruction,
      );
    };
    for (const instruction of model.ast.instructions) {
      if (instruction.kind === 'arg')
        validate(
          instruction,
          'ARG',
          instruction.declarations.map((d) => d.name.value),
        );
      if (instruction.kind === 'from') {
        const stage = model.stageOf(instruction);
        if (stage?.name) validate(instruction, 'FROM', [stage.name]);
      }
    }
  },
};
