// STOPSIGNAL: an expanded signal name (`SIGTERM`, `TERM`) or number.

import type { StopsignalInstruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planStopsignal(ctx: StepContext, instr: StopsignalInstruction): StepDraft {
  if (instr.value === null)
    throw new PlanError('missing-arguments', 'STOPSIGNAL requires exactly one argument', instr.range);
  const signal = expandWordNode(ctx, instr.value);
  const valid = /^[0-9]+$/.test(signal) ? Number(signal) > 0 : /^(SIG)?[A-Z][A-Z0-9+-]*$/i.test(signal);
  if (!valid) throw new PlanError('invalid-signal', `Invalid signal: ${signal}`, instr.value.range);
  ctx.state.config.StopSignal = signal;
  return {
    args: [signal],
    inputs: [],
    operation: { type: 'config', change: { StopSignal: signal } },
    configChange: { StopSignal: signal },
  };
}
