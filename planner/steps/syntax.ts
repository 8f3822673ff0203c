// What BuildKit's instructions.Parse checks of each instruction before it resolves the target or expands anything:
// the arguments it needs, its flags, the forms of SHELL, HEALTHCHECK and ONBUILD, RUN's flag values. Every
// instruction of the Dockerfile is checked here in source order (stages.ts), so a broken instruction fails the build
// even in a stage the target does not need, and before a later one; each step's planner checks through here too
// (an ONBUILD trigger is planned in the child build without passing stages.ts).

import { argumentProblem, argumentsBeforeFlags, type Instruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import { validateTrigger } from '../onbuild.js';
import { checkFlags } from './common.js';
import { healthcheckOf } from './healthcheck.js';
import { checkRunSyntax } from './run.js';

/** Throws BuildKit's parse error for `instr` (FROM's are checked in stages.ts, with the stage it opens). */
export function checkSyntax(instr: Instruction): void {
  switch (instr.kind) {
    case 'from':
    case 'unknown':
      return;
    case 'healthcheck':
      healthcheckOf(instr);
      return;
    case 'onbuild':
      if (instr.trigger !== null) checkFlags(instr); // after the missing trigger, before a forbidden one
      validateTrigger(instr.trigger, instr.range);
      return;
    case 'run':
      checkRunSyntax(instr);
      return;
  }
  // The arguments (the parser's judge, as for --check) and the flags, in the order of the instruction's parse function.
  const problem = argumentProblem(instr);
  const error = problem === null ? null : new PlanError(problem.code, problem.message, instr.range);
  if (error !== null && problem?.code === 'missing-arguments' && argumentsBeforeFlags(instr.kind)) throw error;
  checkFlags(instr);
  if (error !== null) throw error;
}
