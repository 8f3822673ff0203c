// Errors `docker build` reports before running anything.
import type { Rule } from '../../types.js';
import { invalidArguments } from './arguments.js';
import { invalidExpose } from './expose-spec.js';
import { invalidFlagValue } from './flag-values.js';
import { invalidFlag } from './flags.js';
import { invalidFrom } from './from-syntax.js';
import { invalidHealthcheck } from './healthcheck.js';
import { invalidMount } from './run-mount.js';
import { instructionBeforeFrom, invalidOnbuild, noInstructions } from './stage-order.js';
import { stageReference, unknownStage } from './stage-references.js';
import { invalidStopSignal } from './stop-signal.js';
import { unknownInstruction } from './unknown-instruction.js';

export const buildRules: readonly Rule[] = [
  noInstructions,
  unknownInstruction,
  instructionBeforeFrom,
  invalidOnbuild,
  invalidFlag,
  invalidFlagValue,
  invalidMount,
  invalidArguments,
  invalidFrom,
  stageReference,
  unknownStage,
  invalidExpose,
  invalidHealthcheck,
  invalidStopSignal,
];
