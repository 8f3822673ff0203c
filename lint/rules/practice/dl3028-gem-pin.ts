import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

/** The gems of a `gem install` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  if (!hasArg(call, 'install', 'i')) return;
  // `-v`/`--version` pins every gem of the call.
  if (hasArg(call, '-v', '--version') || call.args.some((a) => a.text.startsWith('--version='))) return;
  // As in hadolint, every option is taken to have a value (the next word), up to `--`.
  for (let i = 0; i < call.args.length; i++) {
    const word = call.args[i];
    if (word.text === '--') return;
    if (word.text.startsWith('-')) {
      i++;
      continue;
    }
    if (word.text !== 'install' && word.text !== 'i' && !word.text.includes(':')) yield word;
  }
}

export const dl3028: Rule = {
  id: 'DL3028',
  group: 'practice',
  description: 'Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`',
  url: hadolintUrl('DL3028'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'gem', calls: (commands) => programCalls(commands, 'gem'), unpinned },
      dl3028.description,
    );
  },
};
