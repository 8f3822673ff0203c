import { type Flag, parseGoDuration } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

function flagValue(flags: readonly Flag[], name: string): Flag | undefined {
  return flags.findLast((f) => f.name === name && f.value !== null && f.value !== '');
}

export const invalidHealthcheck: Rule = {
  id: 'invalid-healthcheck',
  group: 'build',
  description: 'HEALTHCHECK takes NONE, or CMD with a command and valid option values',
  url: referenceUrl('healthcheck'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'healthcheck') continue;
      const type = instruction.type;
      if (!type) {
        report(
          instruction.keyword.range,
          'HEALTHCHECK requires at least one argument',
          instruction,
          'missing-arguments',
        );
        continue;
      }
      const upper = type.value.toUpperCase();
      if (upper === 'NONE') {
        if (instruction.args.length > 1)
          report(
            instruction.args[1].range,
            'HEALTHCHECK NONE takes no arguments',
            instruction,
            'healthcheck-none-args',
          );
        continue;
      }
      if (upper !== 'CMD') {
        report(type.range, `Unknown type "${upper}" in HEALTHCHECK (try CMD)`, instruction, 'healthcheck-type');
        continue;
      }
      if (instruction.command.length === 0) {
        report(type.range, 'Missing command after HEALTHCHECK CMD', instruction, 'missing-arguments');
        continue;
      }
      for (const name of ['interval', 'timeout', 'start-period', 'start-interval']) {
        const flag = flagValue(instruction.flags, name);
        if (!flag?.value || flag.value.includes('$')) continue;
        const duration = parseGoDuration(flag.value);
        const at = flag.valueRange ?? flag.range;
        if (!duration.ok) report(at, duration.error, instruction, 'invalid-flag');
        else if (duration.ns !== 0 && duration.ns < 1e6) {
          report(at, `Interval "${name}" cannot be less than 1ms`, instruction, 'invalid-flag');
        }
      }
      const retries = flagValue(instruction.flags, 'retries');
      if (retries?.value && !retries.value.includes('$')) {
        const at = retries.valueRange ?? retries.range;
        if (!/^[+-]?\d+$/.test(retries.value)) {
          report(at, `strconv.ParseInt: parsing "${retries.value}": invalid syntax`, instruction, 'invalid-flag');
        } else if (Number(retries.value) < 0) {
          report(at, `--retries cannot be negative (${Number(retries.value)})`, instruction, 'invalid-flag');
        }
      }
    }
  },
};
