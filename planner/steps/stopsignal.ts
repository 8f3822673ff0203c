// STOPSIGNAL: an expanded signal name (`SIGTERM`, `TERM`) or number, judged by the parser's stopSignalProblem.

import { type StopsignalInstruction, stopSignalProblem } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export function planStopsignal(ctx: StepContext, instr: StopsignalInstruction): StepDraft {
  if (instr.value === null)
    throw new PlanError('missing-arguments', 'STOPSIGNAL requires exactly one argument', instr.range);
  const signal = expandWordNode(ctx, instr.value);
  const problem = stopSignalProblem(signal);
  if (problem !== null) throw new PlanError('invalid-signal', problem, instr.value.range);
  ctx.state.config.StopSignal = signal;
  return {
    args: [signal],
    inputs: [],
    operation: { type: 'config', change: { StopSignal: signal } },
    configChange: { StopSignal: signal },
  };
}
