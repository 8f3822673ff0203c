import { walkStages } from '../../scope.js';
import { findPipe, simpleCommands } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { runScriptsOf } from './run-commands.js';

const POSIX_SHELLS = /(?:^|\/)(?:sh|bash|ash|dash|zsh|ksh)$/;

function hasPipefail(words: readonly string[]): boolean {
  return words.some((w, i) => w === 'pipefail' && /^-[a-z]*o$/.test(words[i - 1] ?? ''));
}

export const dl4006: Rule = {
  id: 'DL4006',
  group: 'practice',
  description:
    'Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check',
  url: hadolintUrl('DL4006'),
  severity: 'warning',
  check({ model, report }) {
    walkStages(model, {
      instruction(instruction, scope) {
        if (instruction.kind !== 'run') return;
        // A non-POSIX SHELL (pwsh, cmd) has no pipefail; a SHELL with it is what the rule asks for.
        if (scope.shell && (!POSIX_SHELLS.test(scope.shell[0] ?? '') || hasPipefail(scope.shell))) return;
        for (const { script } of runScriptsOf(model, instruction)) {
          const pipe = script.script.includes('|') ? findPipe(script.script) : -1;
          if (pipe < 0) continue;
          if (script.script.includes('pipefail')) {
            const commands = simpleCommands(script.script);
            const setsPipefail = commands.some(
              (c) => c.words[0]?.text === 'set' && hasPipefail(c.words.map((w) => w.text)),
            );
            if (setsPipefail) continue;
          }
          report(script.range(pipe, pipe + 1), dl4006.description, instruction);
          return;
        }
      },
    });
  },
};
