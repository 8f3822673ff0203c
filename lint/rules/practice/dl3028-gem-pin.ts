import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3028: Rule = {
  id: 'DL3028',
  group: 'practice',
  description: 'Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`',
  url: hadolintUrl('DL3028'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'gem')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'gem')) {
        if (!hasArg(call, 'install', 'i')) continue;
        // `-v`/`--version` pins every gem of the call.
        if (hasArg(call, '-v', '--version') || call.args.some((a) => a.text.startsWith('--version='))) continue;
        // As in hadolint, every option is taken to have a value (the next word), up to `--`.
        for (let i = 0; i < call.args.length; i++) {
          const word = call.args[i];
          if (word.text === '--') break;
          if (word.text.startsWith('-')) {
            i++;
            continue;
          }
          if (word.text === 'install' || word.text === 'i' || word.text.includes(':')) continue;
          first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3028.description, run);
    }
  },
};
