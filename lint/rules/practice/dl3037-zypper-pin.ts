import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3037: Rule = {
  id: 'DL3037',
  group: 'practice',
  description: 'Specify version with `zypper install -y <package>=<version>`.',
  url: hadolintUrl('DL3037'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'zypper')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'zypper')) {
        if (!hasArg(call, 'install', 'in')) continue;
        for (const word of operands(call)) {
          const text = word.text;
          if (text === 'install' || text === 'in') continue;
          // `pkg=1.2`, `pkg>=1.2`, `pkg<2` and a local `.rpm` count as pinned.
          if (/[=<>]/.test(text) || text.endsWith('.rpm')) continue;
          first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3037.description, run);
    }
  },
};
