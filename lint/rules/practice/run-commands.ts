// RUN scripts of a model as simple commands, for the shell best-practice rules.
import type { RunInstruction } from '../../../parser/index.js';
import type { LintModel, Stage } from '../../model.js';
import { type RunScript, runScripts } from '../../run-scripts.js';
import { type SimpleCommand, simpleCommands } from '../../shell-commands.js';

export interface RunCommands {
  readonly stage: Stage;
  readonly run: RunInstruction;
  readonly script: RunScript;
  readonly commands: SimpleCommand[];
}

export function* eachRun(model: LintModel): Generator<RunCommands> {
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.kind !== 'run') continue;
      for (const script of runScripts(model, instruction)) {
        yield { stage, run: instruction, script, commands: simpleCommands(script.script) };
      }
    }
  }
}
