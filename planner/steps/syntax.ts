// What BuildKit's instructions.Parse checks of each instruction before it resolves the target or expands anything:
// the arguments it needs, its flags, the forms of SHELL, HEALTHCHECK and ONBUILD, RUN's flag values. Every
// instruction of the Dockerfile is checked here in source order (stages.ts), so a broken instruction fails the build
// even in a stage the target does not need, and before a later one; each step's planner checks through here too
// (an ONBUILD trigger is planned in the child build without passing stages.ts).

import type { Instruction } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import { validateTrigger } from '../onbuild.js';
import { checkFlags } from './common.js';
import { healthcheckOf } from './healthcheck.js';
import { checkRunSyntax } from './run.js';

/** Throws BuildKit's parse error for `instr` (FROM's are checked in stages.ts, with the stage it opens). */
export function checkSyntax(instr: Instruction): void {
  const keyword = instr.keyword.value.toUpperCase();
  const atLeastOne = () => new PlanError('missing-arguments', `${keyword} requires at least one argument`, instr.range);
  const exactlyOne = () => new PlanError('missing-arguments', `${keyword} requires exactly one argument`, instr.range);
  switch (instr.kind) {
    case 'env':
    case 'label':
      checkFlags(instr);
      if (instr.pairs.length === 0) throw atLeastOne();
      return;
    case 'copy':
    case 'add':
      if (instr.destination === null || instr.sources.length === 0) {
        const message = `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`;
        throw new PlanError('missing-arguments', message, instr.range);
      }
      checkFlags(instr);
      return;
    case 'workdir':
    case 'user':
      if (instr.value === null) throw exactlyOne();
      checkFlags(instr);
      return;
    case 'stopsignal': // BuildKit never parses STOPSIGNAL's flags
      if (instr.value === null) throw exactlyOne();
      return;
    case 'arg':
      if (instr.declarations.length === 0) throw exactlyOne();
      checkFlags(instr);
      return;
    case 'expose':
      if (instr.ports.length === 0) throw atLeastOne();
      checkFlags(instr);
      return;
    case 'volume':
      if (instr.paths.length === 0) throw atLeastOne();
      checkFlags(instr);
      if (instr.paths.some((path) => path.value.trim() === ''))
        throw new PlanError('empty-volume', 'VOLUME specified can not be an empty string', instr.range);
      return;
    case 'shell':
      checkFlags(instr);
      if (instr.form !== 'exec')
        throw new PlanError('shell-not-json', 'SHELL requires the arguments to be in JSON form', instr.range);
      if (instr.command.length === 0) throw atLeastOne();
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
    case 'cmd':
    case 'entrypoint':
    case 'maintainer':
      checkFlags(instr);
      return;
    case 'from':
    case 'unknown':
      return;
  }
}
