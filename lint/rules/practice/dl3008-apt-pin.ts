import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

/** The packages of an `apt-get install` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  if (!hasArg(call, 'install')) return;
  // `-t release` names a release, not a package.
  for (const word of operands(call, 't', 'target-release')) {
    const text = word.text;
    // `pkg=1.2`, `pkg/bookworm-backports` (a release) and a local `.deb` count as pinned.
    if (text === 'install' || text.includes('=') || text.includes('/') || text.endsWith('.deb')) continue;
    yield word;
  }
}

export const dl3008: Rule = {
  id: 'DL3008',
  group: 'practice',
  description:
    'Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`',
  url: hadolintUrl('DL3008'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'apt-get', calls: (commands) => programCalls(commands, 'apt-get'), unpinned },
      dl3008.description,
    );
  },
};
