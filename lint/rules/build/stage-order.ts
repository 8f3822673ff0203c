import { onbuildTriggerProblem } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

export const instructionBeforeFrom: Rule = {
  id: 'no-build-stage',
  group: 'build',
  description: 'Only ARG may come before the first FROM',
  url: referenceUrl('from'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.preamble) {
      // An unknown instruction fails with its own error first.
      if (instruction.kind === 'arg' || instruction.kind === 'unknown') continue;
      report(instruction.keyword.range, 'no build stage in current context', instruction);
    }
  },
};

export const invalidOnbuild: Rule = {
  id: 'invalid-onbuild',
  group: 'build',
  description: 'ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER',
  url: referenceUrl('onbuild'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'onbuild') continue;
      const trigger = instruction.trigger;
      const problem = onbuildTriggerProblem(trigger);
      if (problem) report((trigger ?? instruction).keyword.range, problem.message, instruction, problem.code);
    }
  },
};

export const noInstructions: Rule = {
  id: 'no-instructions',
  group: 'build',
  description: 'A Dockerfile needs at least one instruction',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    if (model.ast.instructions.length === 0) report(model.lines.range(0, 0), 'file with no instructions', null);
  },
};
