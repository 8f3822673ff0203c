// ARG inside a stage (BuildKit's dispatchArg): the value is the --build-arg, else the expanded
// default, else the global ARG of the same name; a value is added to the build environment, so
// every later RUN sees it (and its key changes), used or not. ARG changes no filesystem and no config.

import type { ArgInstruction } from '../../parser/index.js';
import type { StepContext } from '../stage-state.js';
import { expandWordNode, type StepDraft } from './common.js';

export interface ArgScope {
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly globalArgs: { get(key: string): string | undefined };
}

/** Build arguments that never go into the environment. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

export function planArg(ctx: StepContext, instr: ArgInstruction, scope: ArgScope): StepDraft {
  const shown: string[] = [];
  for (const decl of instr.declarations) {
    const key = decl.name.value;
    let value: string | null = null;
    if (Object.hasOwn(scope.buildArgs, key)) value = scope.buildArgs[key];
    else if (decl.defaultValue !== null) value = expandWordNode(ctx, decl.defaultValue);
    else value = scope.globalArgs.get(key) ?? null;
    if (value !== null && !NON_ENV_ARGS.has(key)) ctx.state.env = ctx.state.env.set(key, value);
    ctx.state.args.push({ key, value });
    shown.push(value === null ? key : `${key}=${value}`);
  }
  return { args: shown, inputs: [], operation: { type: 'none' } };
}
