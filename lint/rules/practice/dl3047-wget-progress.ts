import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, hasFlag, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3047: Rule = {
  id: 'DL3047',
  group: 'practice',
  description:
    'Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).',
  url: hadolintUrl('DL3047'),
  severity: 'info',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'wget')) {
      for (const call of programCalls(commands, 'wget')) {
        // A progress style, quiet output, or output to a log file (`-o`, `-a`) keep the build log short.
        const quiet =
          hasFlag(call, 'progress', 'q', 'quiet', 'o', 'output-file', 'a', 'append-output', 'no-verbose') ||
          hasArg(call, '-nv');
        if (!quiet) report(script.range(call.program.start, call.program.end), dl3047.description, run);
      }
    }
  },
};
