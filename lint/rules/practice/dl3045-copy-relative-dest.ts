import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

/** Absolute (`/app`, `C:\app`, `C:/app`) or from a variable (`$HOME/x`), without surrounding quotes. */
const NOT_RELATIVE = /^(?:\/|[A-Za-z]:[\\/]|\$)/;

export const dl3045: Rule = {
  id: 'DL3045',
  group: 'practice',
  description: '`COPY` to a relative destination without `WORKDIR` set.',
  url: hadolintUrl('DL3045'),
  severity: 'warning',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        // A WORKDIR in this stage or a stage it builds on makes the destination's base explicit.
        if (instruction.kind !== 'copy' || !instruction.destination || scope.workdirSet) return;
        const destination = instruction.destination.value.replace(/^["']+|["']+$/g, '');
        if (NOT_RELATIVE.test(destination)) return;
        report(instruction.destination.range, dl3045.description, instruction);
      },
    });
  },
};
