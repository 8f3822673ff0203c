import {
  chmodProblem,
  DEVICE_OPTION_KEYS,
  type Flag,
  NETWORK_MODES,
  parseDeviceSpec,
  SECURITY_MODES,
  withSuggestion,
} from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

const NETWORKS = new Set<string>(NETWORK_MODES);
const SECURITY = new Set<string>(SECURITY_MODES);

function literalValue(flag: Flag): string | null {
  // A value with a variable is checked after expansion by the build; lint cannot know it.
  return flag.value === null || flag.value.includes('$') ? null : flag.value;
}

export const invalidFlagValue: Rule = {
  id: 'invalid-flag-value',
  group: 'build',
  description: 'The value of a flag is not one the instruction accepts',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      for (const flag of instruction.flags) {
        const value = literalValue(flag);
        if (value === null) continue;
        const at = flag.valueRange ?? flag.range;
        if (instruction.kind === 'run' && flag.name === 'network' && !NETWORKS.has(value)) {
          report(at, `invalid network mode "${value}"`, instruction, 'invalid-flag');
        } else if (instruction.kind === 'run' && flag.name === 'security' && !SECURITY.has(value)) {
          report(at, `security "${value}" is not valid`, instruction, 'invalid-flag');
        } else if (instruction.kind === 'run' && flag.name === 'device') {
          const device = parseDeviceSpec(flag.options);
          if (device.ok) continue;
          const { message, unknownKey } = device;
          const text =
            unknownKey === undefined ? message : withSuggestion(message, unknownKey, DEVICE_OPTION_KEYS, true);
          report(device.option?.range ?? at, text, instruction, 'invalid-flag');
        } else if ((instruction.kind === 'copy' || instruction.kind === 'add') && flag.name === 'chmod') {
          const problem = chmodProblem(value);
          if (problem) report(at, problem, instruction, 'invalid-chmod');
        }
      }
    }
  },
};
