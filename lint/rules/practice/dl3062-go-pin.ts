import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { operands, programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

/**
 * `pkg@v1.2.3` is pinned, `@latest` and `@none` are not; `.`, `./cmd`, `/src/x` and a `main.go` are local
 * (the `.go` file: what hadolint's issue on `go run` asks for).
 */
function pinned(text: string): boolean {
  if (text.startsWith('.') || text.startsWith('/') || text.endsWith('.go')) return true;
  return text.includes('@') && !text.endsWith('@latest') && !text.endsWith('@none');
}

export const dl3062: Rule = {
  id: 'DL3062',
  group: 'practice',
  description: 'Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`',
  url: hadolintUrl('DL3062'),
  severity: 'warning',
  check({ model, report }) {
    for (const { run, script, commands } of eachRun(model, 'go')) {
      // One finding per RUN, as hadolint has it, at its first unpinned package.
      let first: ShellToken | undefined;
      for (const call of programCalls(commands, 'go')) {
        const words = operands(call);
        const sub = words[0]?.text;
        let packages: ShellToken[];
        // `go run pkg args…`: only the package; the rest are the program's arguments.
        if (sub === 'run') packages = words.slice(1, 2);
        else if (sub === 'install' || sub === 'get') packages = words.slice(1).filter((w) => w.text !== 'tool');
        else continue;
        for (const word of packages) if (!pinned(word.text)) first ??= word;
      }
      if (first !== undefined) report(script.range(first.start, first.end), dl3062.description, run);
    }
  },
};
