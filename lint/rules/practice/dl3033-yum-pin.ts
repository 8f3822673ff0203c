import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3033: Rule = {
  id: 'DL3033',
  group: 'practice',
  description: 'Specify version with `yum install -y <package>-<version>`.',
  url: hadolintUrl('DL3033'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'yum')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'yum')) {
        if (!hasArg(call, 'install')) continue;
        // `yum module install name:stream` pins a module with `:`; a package is pinned by `-` (name-version)
        // or is a local `.rpm`.
        const module = hasArg(call, 'module');
        for (const word of operands(call)) {
          const text = word.text;
          if (text === 'install' || text === 'module') continue;
          const pinned = module ? text.includes(':') : text.includes('-') || text.endsWith('.rpm');
          if (!pinned) first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3033.description, run);
    }
  },
};
