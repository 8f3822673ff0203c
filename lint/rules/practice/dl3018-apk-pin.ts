import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3018: Rule = {
  id: 'DL3018',
  group: 'practice',
  description: 'Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`',
  url: hadolintUrl('DL3018'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'apk')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'apk')) {
        if (!hasArg(call, 'add')) continue;
        // The values of `-t`/`--virtual`, `--repository` and `-X` are a virtual package's name and URLs.
        for (const word of operands(call, 't', 'virtual', 'repository', 'X')) {
          const text = word.text;
          // `pkg=1.2`, `pkg~1.2` and a local `.apk` file count as pinned.
          if (text === 'add' || text.includes('=') || text.includes('~') || text.endsWith('.apk')) continue;
          first ??= word;
        }
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3018.description, run);
    }
  },
};
