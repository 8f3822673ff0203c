// hadolint's "only the last one takes effect" rules (DL3012 HEALTHCHECK, DL4003 CMD, DL4004 ENTRYPOINT): every such
// instruction after the first of a stage is reported, at its keyword.
import type { InstructionKind } from '../../../parser/index.js';
import type { LintSeverity, Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';

export function repeatedInStage(id: string, kind: InstructionKind, severity: LintSeverity, description: string): Rule {
  return {
    id,
    group: 'practice',
    description,
    url: hadolintUrl(id),
    severity,
    check({ model, report }) {
      for (const stage of model.stages) {
        let seen = false;
        for (const instruction of stage.instructions) {
          if (instruction.kind !== kind) continue;
          if (seen) report(instruction.keyword.range, description, instruction);
          seen = true;
        }
      }
    },
  };
}
