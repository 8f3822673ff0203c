import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3008: Rule = {
  id: 'DL3008',
  group: 'practice',
  description:
    'Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`',
  url: hadolintUrl('DL3008'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'apt-get')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'apt-get')) {
        if (!hasArg(call, 'install')) continue;
        // `-t release` names a release, not a package.
        for (const word of operands(call, 't', 'target-release')) {
          const text = word.text;
          // `pkg=1.2`, `pkg/bookworm-backports` (a release) and a local `.deb` count as pinned.
          if (text === 'install' || text.includes('=') || text.includes('/') || text.endsWith('.deb')) continue;
          first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3008.description, run);
    }
  },
};
