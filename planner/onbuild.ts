// ONBUILD triggers: recorded as text in an image config, parsed again and run right after the
// FROM of a child build, before its own instructions. Restrictions as BuildKit: no ONBUILD ONBUILD,
// no FROM or MAINTAINER trigger, one instruction per trigger.

import {
  type Instruction,
  type OnbuildInstruction,
  onbuildTriggerProblem,
  parse,
  type Range,
} from '../parser/index.js';
import { PlanError } from './errors.js';

export function validateTrigger(trigger: Instruction | null, range: Range): asserts trigger is Instruction {
  const problem = onbuildTriggerProblem(trigger);
  if (problem !== null) throw new PlanError(problem.code, problem.message, range);
}

/** The text stored in the image config: the instruction after `ONBUILD`, heredoc bodies appended. */
export function triggerText(instr: OnbuildInstruction): string {
  let text = instr.original.replace(/^\s*onbuild\s*/i, '');
  for (const doc of instr.heredocs) text += `\n${doc.content}${doc.name}`;
  return text;
}

/** Parses the triggers of a base image; errors point at the FROM that inherits them. */
export function parseTriggers(triggers: readonly string[], fromRange: Range): Instruction[] {
  return triggers.map((text) => {
    const { ast, diagnostics } = parse(text);
    const error = diagnostics.find((d) => d.severity === 'error');
    if (error !== undefined)
      throw new PlanError(
        'onbuild-invalid',
        `invalid ONBUILD trigger ${JSON.stringify(text)}: ${error.message}`,
        fromRange,
      );
    if (ast.instructions.length !== 1)
      throw new PlanError('onbuild-invalid', 'onbuild trigger should be a single expression', fromRange);
    const trigger = ast.instructions[0];
    validateTrigger(trigger, fromRange);
    return trigger;
  });
}
