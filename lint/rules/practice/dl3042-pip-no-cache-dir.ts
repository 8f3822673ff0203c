import type { RunInstruction } from '../../../parser/index.js';
import { walkStages } from '../../scope.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { pipInstalls } from './pip.js';
import { eachRun, mountsCacheAt } from './run-commands.js';

const TRUTHY = ['1', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'yes', 'Yes', 'YES'];

export const dl3042: Rule = {
  id: 'DL3042',
  group: 'practice',
  description: 'Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`',
  url: hadolintUrl('DL3042'),
  severity: 'warning',
  check({ model, report }) {
    const runs = eachRun(model, 'pip');
    if (runs.length === 0) return;
    // `ENV PIP_NO_CACHE_DIR=1` (in this stage or a stage it builds on) turns the cache off for every pip.
    const noCacheEnv = new Set<RunInstruction>();
    walkStages(model, {
      instruction(instruction, scope) {
        const value = scope.env.get('PIP_NO_CACHE_DIR');
        if (instruction.kind === 'run' && value !== undefined && TRUTHY.includes(value)) noCacheEnv.add(instruction);
      },
    });
    for (const { run, script, commands } of runs) {
      if (noCacheEnv.has(run) || mountsCacheAt(run, '.cache/pip')) continue;
      // So does `PIP_NO_CACHE_DIR=1 pip …` or `export PIP_NO_CACHE_DIR=1` in the script (hadolint reads the
      // first assignment in the text).
      const at = script.script.indexOf('PIP_NO_CACHE_DIR=');
      if (at >= 0 && TRUTHY.some((t) => script.script.startsWith(t, at + 'PIP_NO_CACHE_DIR='.length))) continue;
      for (const call of pipInstalls(commands)) {
        if (call.args.some((a) => a.text === '--no-cache-dir')) continue;
        report(script.range(call.program.start, call.program.end), dl3042.description, run);
      }
    }
  },
};
