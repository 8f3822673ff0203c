// STOPSIGNAL: an expanded signal name (`SIGTERM`, `TERM`) or number, judged by the parser's stopSignalProblem.

import { type StopsignalInstruction, stopSignalProblem } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { checkedArgument, expandWordNode, type StepDraft } from './common.js';

export function planStopsignal(ctx: StepContext, instr: StopsignalInstruction): StepDraft {
  const value = checkedArgument(instr.value, instr);
  const signal = expandWordNode(ctx, value);
  const problem = stopSignalProblem(signal);
  if (problem !== null) throw new PlanError('invalid-signal', problem, value.range);
  ctx.state.config.StopSignal = signal;
  return {
    args: [signal],
    inputs: [],
    operation: { type: 'config', change: { StopSignal: signal } },
    configChange: { StopSignal: signal },
  };
}
