import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { operands, type ProgramCall, programCalls } from './program-calls.js';
import { reportFirstUnpinned } from './unpinned.js';

/**
 * `pkg@v1.2.3` is pinned, `@latest` and `@none` are not; `.`, `./cmd`, `/src/x` and a `main.go` are local
 * (the `.go` file: what hadolint's issue on `go run` asks for).
 */
function pinned(text: string): boolean {
  if (text.startsWith('.') || text.startsWith('/') || text.endsWith('.go')) return true;
  return text.includes('@') && !text.endsWith('@latest') && !text.endsWith('@none');
}

/** The packages of a `go install`, `go get` or `go run` without a version. */
function* unpinned(call: ProgramCall): Iterable<ShellToken> {
  const words = operands(call);
  const sub = words[0]?.text;
  let packages: ShellToken[];
  // `go run pkg args…`: only the package; the rest are the program's arguments.
  if (sub === 'run') packages = words.slice(1, 2);
  else if (sub === 'install' || sub === 'get') packages = words.slice(1).filter((w) => w.text !== 'tool');
  else return;
  for (const word of packages) if (!pinned(word.text)) yield word;
}

export const dl3062: Rule = {
  id: 'DL3062',
  group: 'practice',
  description: 'Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`',
  url: hadolintUrl('DL3062'),
  severity: 'warning',
  check(context) {
    reportFirstUnpinned(
      context,
      { needle: 'go', calls: (commands) => programCalls(commands, 'go'), unpinned },
      dl3062.description,
    );
  },
};
