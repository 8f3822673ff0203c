// What ONBUILD may not trigger, in BuildKit's words (instructions.parseOnBuild): nothing, another ONBUILD, FROM or
// MAINTAINER. The linter's check (invalid-onbuild) and the planner's, for an ONBUILD of the Dockerfile and for the
// triggers of a base image alike.
import type { Instruction } from '../ast.js';

export interface TriggerProblem {
  readonly code: 'onbuild-empty' | 'onbuild-chained' | 'onbuild-forbidden';
  readonly message: string;
}

/** The error of an ONBUILD with this trigger (null: ONBUILD with nothing after it), or null when it is allowed. */
export function onbuildTriggerProblem(trigger: Instruction | null): TriggerProblem | null {
  if (trigger === null) return { code: 'onbuild-empty', message: 'ONBUILD requires at least one argument' };
  if (trigger.kind === 'onbuild') {
    return { code: 'onbuild-chained', message: "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed" };
  }
  if (trigger.kind === 'from' || trigger.kind === 'maintainer') {
    const message = `${trigger.keyword.value.toUpperCase()} isn't allowed as an ONBUILD trigger`;
    return { code: 'onbuild-forbidden', message };
  }
  return null;
}
