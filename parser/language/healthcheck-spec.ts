// HEALTHCHECK as BuildKit's instructions.parseHealthcheck reads it: NONE, or CMD with a command, and the durations
// and retries of its flags (never expanded: BuildKit expands no HEALTHCHECK flag). What the linter reports
// (invalid-healthcheck) and what the planner fails with and records, so the two agree. The flags themselves (an
// unknown or repeated one) are flagProblem's.
import type { Flag, HealthcheckInstruction, Range } from '../ast.js';
import { parseGoDuration } from './go-duration.js';

/** The timing of a HEALTHCHECK CMD: nanoseconds, and retries; a field only for a flag given a value. */
export interface HealthcheckTiming {
  readonly interval?: number;
  readonly timeout?: number;
  readonly startPeriod?: number;
  readonly startInterval?: number;
  readonly retries?: number;
}

export interface HealthcheckProblem {
  readonly code: 'missing-arguments' | 'healthcheck-none-args' | 'healthcheck-type' | 'invalid-flag';
  readonly message: string;
  /** Where in the instruction the problem is. */
  readonly range: Range;
  /** The flag whose value is wrong, for a problem of a flag. */
  readonly flag?: Flag;
}

export type HealthcheckSpec =
  | { readonly ok: true; readonly timing: HealthcheckTiming }
  | ({ readonly ok: false } & HealthcheckProblem);

const DURATIONS = [
  ['interval', 'interval'],
  ['timeout', 'timeout'],
  ['start-period', 'startPeriod'],
  ['start-interval', 'startInterval'],
] as const;

/** The last value given to a flag (as BuildKit's BFlags keeps), unless empty: an empty value is no value. */
function flagValue(instruction: HealthcheckInstruction, name: string): (Flag & { value: string }) | null {
  const flag = instruction.flags.findLast((f) => f.name === name);
  return flag?.value ? (flag as Flag & { value: string }) : null;
}

/** The first problem of a HEALTHCHECK in BuildKit's order, or its timing. */
export function healthcheckSpec(instruction: HealthcheckInstruction): HealthcheckSpec {
  const fail = (code: HealthcheckProblem['code'], message: string, range: Range, flag?: Flag): HealthcheckSpec => ({
    ok: false,
    code,
    message,
    range,
    ...(flag === undefined ? {} : { flag }),
  });
  const type = instruction.type;
  if (type === null)
    return fail('missing-arguments', 'HEALTHCHECK requires at least one argument', instruction.keyword.range);
  const upper = type.value.toUpperCase();
  if (upper === 'NONE') {
    const extra = instruction.args[1];
    return extra === undefined
      ? { ok: true, timing: {} }
      : fail('healthcheck-none-args', 'HEALTHCHECK NONE takes no arguments', extra.range);
  }
  if (upper !== 'CMD') return fail('healthcheck-type', `Unknown type "${upper}" in HEALTHCHECK (try CMD)`, type.range);
  if (instruction.command.length === 0) {
    return fail('missing-arguments', 'Missing command after HEALTHCHECK CMD', type.range);
  }
  const timing: { -readonly [K in keyof HealthcheckTiming]: HealthcheckTiming[K] } = {};
  for (const [name, field] of DURATIONS) {
    const flag = flagValue(instruction, name);
    if (flag === null) continue;
    const at = flag.valueRange ?? flag.range;
    const duration = parseGoDuration(flag.value);
    if (!duration.ok) return fail('invalid-flag', duration.error, at, flag);
    if (duration.ns !== 0 && duration.ns < 1e6) {
      return fail('invalid-flag', `Interval "${name}" cannot be less than 1ms`, at, flag);
    }
    timing[field] = duration.ns;
  }
  const retries = flagValue(instruction, 'retries');
  if (retries !== null) {
    const at = retries.valueRange ?? retries.range;
    // Go's strconv.ParseInt(value, 10, 32).
    if (!/^[+-]?\d+$/.test(retries.value)) {
      return fail('invalid-flag', `strconv.ParseInt: parsing "${retries.value}": invalid syntax`, at, retries);
    }
    const n = Number(retries.value);
    if (n < -(2 ** 31) || n > 2 ** 31 - 1) {
      return fail('invalid-flag', `strconv.ParseInt: parsing "${retries.value}": value out of range`, at, retries);
    }
    if (n < 0) return fail('invalid-flag', `--retries cannot be negative (${n})`, at, retries);
    timing.retries = n;
  }
  return { ok: true, timing };
}
