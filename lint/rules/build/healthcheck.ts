import type { Flag } from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration, in milliseconds; a string is the error message. */
export function parseDuration(text: string): number | string {
  const invalid = `time: invalid duration "${text}"`;
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return invalid;
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    if (!number || (number[1] === '' && (number[2] ?? '') === '')) return invalid;
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]+/.exec(rest);
    if (!unit) return `time: missing unit in duration "${text}"`;
    const scale = UNITS[unit[0]];
    if (scale === undefined) return `time: unknown unit "${unit[0]}" in duration "${text}"`;
    rest = rest.slice(unit[0].length);
    total += Number(`${number[1] || '0'}.${number[2] || '0'}`) * scale;
  }
  return sign * total;
}

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
        report(instruction.keyword.range, 'HEALTHCHECK requires at least one argument', instruction);
        continue;
      }
      const upper = type.value.toUpperCase();
      if (upper === 'NONE') {
        if (instruction.args.length > 1)
          report(instruction.args[1].range, 'HEALTHCHECK NONE takes no arguments', instruction);
        continue;
      }
      if (upper !== 'CMD') {
        report(type.range, `Unknown type "${upper}" in HEALTHCHECK (try CMD)`, instruction);
        continue;
      }
      if (instruction.command.length === 0) {
        report(type.range, 'Missing command after HEALTHCHECK CMD', instruction);
        continue;
      }
      for (const name of ['interval', 'timeout', 'start-period', 'start-interval']) {
        const flag = flagValue(instruction.flags, name);
        if (!flag?.value || flag.value.includes('$')) continue;
        const duration = parseDuration(flag.value);
        const at = flag.valueRange ?? flag.range;
        if (typeof duration === 'string') report(at, duration, instruction);
        else if (duration !== 0 && duration < 1) report(at, `Interval "${name}" cannot be less than 1ms`, instruction);
      }
      const retries = flagValue(instruction.flags, 'retries');
      if (retries?.value && !retries.value.includes('$')) {
        const at = retries.valueRange ?? retries.range;
        if (!/^[+-]?\d+$/.test(retries.value)) {
          report(at, `strconv.ParseInt: parsing "${retries.value}": invalid syntax`, instruction);
        } else if (Number(retries.value) < 0) {
          report(at, `--retries cannot be negative (${Number(retries.value)})`, instruction);
        }
      }
    }
  },
};
