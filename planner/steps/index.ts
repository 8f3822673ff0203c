// Dispatch of one instruction to the planner of its kind.

import type { Instruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { type ArgScope, planArg } from './arg.js';
import { planCmd } from './cmd.js';
import type { StepDraft } from './common.js';
import { planCopy } from './copy.js';
import { planEnv } from './env.js';
import { planExpose } from './expose.js';
import { planHealthcheck } from './healthcheck.js';
import { planLabel } from './label.js';
import { planMaintainer } from './maintainer.js';
import { planOnbuild } from './onbuild.js';
import { planRun } from './run.js';
import { planShell } from './shell.js';
import { planStopsignal } from './stopsignal.js';
import { planUser } from './user.js';
import { planVolume } from './volume.js';
import { planWorkdir } from './workdir.js';

export type { ArgScope } from './arg.js';
export type { StepDraft } from './common.js';

/**
 * The step of one instruction, whose parse checks (syntax.ts) have passed: splitStages makes them for every instruction
 * of the Dockerfile, the dispatcher for a base image's ONBUILD trigger.
 */
export async function planInstruction(ctx: StepContext, instr: Instruction, args: ArgScope): Promise<StepDraft> {
  switch (instr.kind) {
    case 'run':
      return planRun(ctx, instr);
    case 'copy':
    case 'add':
      return planCopy(ctx, instr);
    case 'workdir':
      return planWorkdir(ctx, instr);
    case 'env':
      return planEnv(ctx, instr);
    case 'arg':
      return planArg(ctx, instr, args);
    case 'user':
      return planUser(ctx, instr);
    case 'shell':
      return planShell(ctx, instr);
    case 'label':
      return planLabel(ctx, instr);
    case 'expose':
      return planExpose(ctx, instr);
    case 'cmd':
    case 'entrypoint':
      return planCmd(ctx, instr);
    case 'healthcheck':
      return planHealthcheck(ctx, instr);
    case 'volume':
      return planVolume(ctx, instr);
    case 'stopsignal':
      return planStopsignal(ctx, instr);
    case 'maintainer':
      return planMaintainer(ctx, instr);
    case 'onbuild':
      return planOnbuild(ctx, instr);
    case 'from':
    case 'unknown':
      throw new PlanError(
        'unexpected-instruction',
        `unexpected ${instr.keyword.value.toUpperCase()} instruction`,
        instr.range,
      );
  }
}
