import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

export const dl3015: Rule = {
  id: 'DL3015',
  group: 'practice',
  description: 'Avoid additional packages by specifying `--no-install-recommends`',
  url: hadolintUrl('DL3015'),
  severity: 'info',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'apt-get')) {
      for (const call of programCalls(commands, 'apt-get')) {
        if (call.subcommand !== 'install') continue;
        const texts = call.args.map((a) => a.text);
        const off =
          texts.includes('--no-install-recommends') ||
          texts.some((t) => /^APT::Install-Recommends=(?:false|0)$/i.test(t));
        if (off) continue;
        report(script.range(call.program.start, call.program.end), dl3015.description, run);
      }
    }
  },
};
