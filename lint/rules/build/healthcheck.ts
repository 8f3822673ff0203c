import { healthcheckSpec } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

export const invalidHealthcheck: Rule = {
  id: 'invalid-healthcheck',
  group: 'build',
  description: 'HEALTHCHECK takes NONE, or CMD with a command and valid option values',
  url: referenceUrl('healthcheck'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'healthcheck') continue;
      const spec = healthcheckSpec(instruction);
      if (!spec.ok) report(spec.range, spec.message, instruction, spec.code);
    }
  },
};
