import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { hasArg, operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

/** The packages of an `apk add` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  if (!hasArg(call, 'add')) return;
  // The values of `-t`/`--virtual`, `--repository` and `-X` are a virtual package's name and URLs.
  for (const word of operands(call, 't', 'virtual', 'repository', 'X')) {
    const text = word.text;
    // `pkg=1.2`, `pkg~1.2` and a local `.apk` file count as pinned.
    if (text === 'add' || text.includes('=') || text.includes('~') || text.endsWith('.apk')) continue;
    yield word;
  }
}

export const dl3018: Rule = {
  id: 'DL3018',
  group: 'practice',
  description: 'Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`',
  url: hadolintUrl('DL3018'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'apk', calls: (commands) => programCalls(commands, 'apk'), unpinned },
      dl3018.description,
    );
  },
};
