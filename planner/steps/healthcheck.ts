// HEALTHCHECK: `NONE`, or `CMD` with --interval/--timeout/--start-period/--start-interval/--retries.
// Durations are Go durations, stored in nanoseconds like Docker's config.

import { type HealthcheckInstruction, parseGoDuration } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { HealthcheckConfig } from '../image-config.js';
import type { StepContext } from '../stage-state.js';
import { checkFlags, flag, type StepDraft } from './common.js';

const DURATION_FLAGS = {
  interval: 'Interval',
  timeout: 'Timeout',
  'start-period': 'StartPeriod',
  'start-interval': 'StartInterval',
} as const;

export function planHealthcheck(ctx: StepContext, instr: HealthcheckInstruction): StepDraft {
  const health = healthcheckOf(instr);
  ctx.state.config.Healthcheck = health;
  return {
    args: [...health.Test],
    inputs: [],
    operation: { type: 'config', change: { Healthcheck: health } },
    configChange: { Healthcheck: health },
  };
}

/** The healthcheck an instruction sets, checked in the order of BuildKit's parseHealthcheck (no expansion there). */
export function healthcheckOf(instr: HealthcheckInstruction): HealthcheckConfig {
  if (instr.type === null)
    throw new PlanError('missing-arguments', 'HEALTHCHECK requires at least one argument', instr.range);
  const type = instr.type.value.toUpperCase();
  if (type === 'NONE') {
    if (instr.command.length > 0)
      throw new PlanError('healthcheck-none-args', 'HEALTHCHECK NONE takes no arguments', instr.range);
    // BuildKit parses no flags of HEALTHCHECK NONE: `--interval=1s NONE` is accepted.
    return { Test: ['NONE'] };
  }
  checkFlags(instr);
  if (type !== 'CMD')
    throw new PlanError('healthcheck-type', `Unknown type "${type}" in HEALTHCHECK (try CMD)`, instr.range);
  const words = instr.command.map((w) => w.value);
  if (words.length === 0)
    throw new PlanError('missing-arguments', 'Missing command after HEALTHCHECK CMD', instr.range);
  const test = instr.form === 'exec' ? ['CMD', ...words] : ['CMD-SHELL', words.join(' ')];
  const timing: Record<string, number> = {};
  for (const [name, field] of Object.entries(DURATION_FLAGS)) {
    const f = flag(instr, name);
    if (f !== null) timing[field] = parseDuration(f.value ?? '', name, f.range);
  }
  const retries = flag(instr, 'retries');
  if (retries !== null) {
    const n = Number(retries.value);
    if (!Number.isInteger(n) || n < 0)
      throw new PlanError('invalid-flag', `--retries cannot be negative (${retries.value})`, retries.range);
    timing.Retries = n;
  }
  return { Test: test, ...timing };
}

function parseDuration(text: string, name: string, range: HealthcheckInstruction['range']): number {
  const duration = parseGoDuration(text);
  if (!duration.ok) throw new PlanError('invalid-flag', duration.error, range);
  if (duration.ns !== 0 && duration.ns < 1e6) {
    throw new PlanError('invalid-flag', `Interval "${name}" cannot be less than 1ms`, range);
  }
  return duration.ns;
}
