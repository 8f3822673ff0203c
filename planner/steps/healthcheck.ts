// HEALTHCHECK: `NONE`, or `CMD` with --interval/--timeout/--start-period/--start-interval/--retries, read by the
// parser's healthcheckSpec (what --check judges by too). Durations are stored in nanoseconds like Docker's config.

import { type HealthcheckInstruction, healthcheckSpec } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { HealthcheckConfig } from '../image-config.js';
import type { StepContext } from '../stage-state.js';
import { checkFlags, type StepDraft } from './common.js';

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
  // BuildKit parses the flags once the first word is there, and never those of HEALTHCHECK NONE (flagProblem):
  // before it judges the type.
  if (instr.type !== null) checkFlags(instr);
  const spec = healthcheckSpec(instr);
  if (!spec.ok) throw new PlanError(spec.code, spec.message, spec.flag?.range ?? instr.range);
  if (instr.type?.value.toUpperCase() === 'NONE') return { Test: ['NONE'] };
  const words = instr.command.map((w) => w.value);
  const test = instr.form === 'exec' ? ['CMD', ...words] : ['CMD-SHELL', words.join(' ')];
  const { interval, timeout, startPeriod, startInterval, retries } = spec.timing;
  return {
    Test: test,
    ...(interval === undefined ? {} : { Interval: interval }),
    ...(timeout === undefined ? {} : { Timeout: timeout }),
    ...(startPeriod === undefined ? {} : { StartPeriod: startPeriod }),
    ...(startInterval === undefined ? {} : { StartInterval: startInterval }),
    ...(retries === undefined ? {} : { Retries: retries }),
  };
}
