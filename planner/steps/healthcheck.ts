// HEALTHCHECK: `NONE`, or `CMD` with --interval/--timeout/--start-period/--start-interval/--retries.
// Durations are Go durations, stored in nanoseconds like Docker's config.

import type { HealthcheckInstruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import type { HealthcheckConfig } from '../types.js';
import { checkFlags, flag, type StepDraft } from './common.js';

const DURATION_FLAGS = {
  interval: 'Interval',
  timeout: 'Timeout',
  'start-period': 'StartPeriod',
  'start-interval': 'StartInterval',
} as const;

export function planHealthcheck(ctx: StepContext, instr: HealthcheckInstruction): StepDraft {
  const type = instr.type?.value.toUpperCase() ?? '';
  let health: HealthcheckConfig;
  if (type === 'NONE') {
    if (instr.command.length > 0)
      throw new PlanError('healthcheck-none-args', 'HEALTHCHECK NONE takes no arguments', instr.range);
    checkFlags(instr, []);
    health = { Test: ['NONE'] };
  } else if (type === 'CMD') {
    checkFlags(instr, [...Object.keys(DURATION_FLAGS), 'retries']);
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
    health = { Test: test, ...timing };
  } else if (instr.type === null) {
    throw new PlanError('missing-arguments', 'HEALTHCHECK requires at least one argument', instr.range);
  } else {
    throw new PlanError('healthcheck-type', `Unknown type "${type}" in HEALTHCHECK (try CMD)`, instr.range);
  }
  ctx.state.config.Healthcheck = health;
  return {
    args: [...health.Test],
    inputs: [],
    operation: { type: 'config', change: { Healthcheck: health } },
    configChange: { Healthcheck: health },
  };
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function parseDuration(text: string, name: string, range: HealthcheckInstruction['range']): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new PlanError('invalid-flag', `time: invalid duration "${text}"`, range);
  }
  const ns = Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]], 0));
  if (ns !== 0 && ns < 1e6) throw new PlanError('invalid-flag', `Interval "${name}" cannot be less than 1ms`, range);
  return ns;
}
