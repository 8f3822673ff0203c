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

interface ScriptEntry {
  readonly stage: Stage;
  readonly run: RunInstruction;
  readonly script: RunScript;
  commands: SimpleCommand[] | null;
}

interface Scripts {
  readonly all: ScriptEntry[];
  readonly byRun: Map<RunInstruction, ScriptEntry[]>;
}

const cache = new WeakMap<LintModel, Scripts>();

function scriptsOf(model: LintModel): Scripts {
  const cached = cache.get(model);
  if (cached) return cached;
  const scripts: Scripts = { all: [], byRun: new Map() };
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.kind !== 'run') continue;
      const entries = runScripts(model, instruction).map((script) => ({
        stage,
        run: instruction,
        script,
        commands: null,
      }));
      scripts.all.push(...entries);
      scripts.byRun.set(instruction, entries);
    }
  }
  cache.set(model, scripts);
  return scripts;
}

function tokenized(entry: ScriptEntry): RunCommands {
  entry.commands ??= simpleCommands(entry.script.script);
  return { stage: entry.stage, run: entry.run, script: entry.script, commands: entry.commands };
}

/**
 * The RUN scripts of every stage whose text contains `needle`, tokenized once per model and only when some
 * rule needs them (most scripts have no `sudo`, no `apt-get`, no pipe).
 */
export function eachRun(model: LintModel, needle: string): RunCommands[] {
  return scriptsOf(model)
    .all.filter((entry) => entry.script.script.includes(needle))
    .map(tokenized);
}

/** The scripts of one RUN (not tokenized). */
export function runScriptsOf(model: LintModel, run: RunInstruction): readonly { script: RunScript }[] {
  return scriptsOf(model).byRun.get(run) ?? [];
}

/**
 * Whether the RUN mounts a cache or a tmpfs at a target containing `fragment` (`/var/cache/apk`, `.cache/pip`):
 * what such a mount holds never reaches the image, so the rules about removing caches do not apply.
 */
export function mountsCacheAt(run: RunInstruction, fragment: string): boolean {
  return run.flags.some((flag) => {
    if (flag.name !== 'mount') return false;
    const option = (...keys: string[]) => flag.options.find((o) => keys.includes(o.key.toLowerCase()))?.value;
    const type = option('type');
    const target = option('target', 'dst', 'destination');
    return (type === 'cache' || type === 'tmpfs') && target?.includes(fragment) === true;
  });
}
