import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

/** The packages of a `yum install` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  if (!hasArg(call, 'install')) return;
  // `yum module install name:stream` pins a module with `:`; a package is pinned by `-` (name-version) or is a
  // local `.rpm`.
  const module = hasArg(call, 'module');
  for (const word of operands(call)) {
    const text = word.text;
    if (text === 'install' || text === 'module') continue;
    const pinned = module ? text.includes(':') : text.includes('-') || text.endsWith('.rpm');
    if (!pinned) yield word;
  }
}

export const dl3033: Rule = {
  id: 'DL3033',
  group: 'practice',
  description: 'Specify version with `yum install -y <package>-<version>`.',
  url: hadolintUrl('DL3033'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'yum', calls: (commands) => programCalls(commands, 'yum'), unpinned },
      dl3033.description,
    );
  },
};
