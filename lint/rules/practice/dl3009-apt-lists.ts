import type { Stage } from '../../model.js';
import { commandWords } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun } from './run-commands.js';

const LISTS = '/var/lib/apt/lists';

export const dl3009: Rule = {
  id: 'DL3009',
  group: 'practice',
  description: 'Delete the apt-get lists after installing something',
  url: hadolintUrl('DL3009'),
  severity: 'info',
  check({ model, report }) {
    // Only stages that end up in an image matter: a stage other stages build on or copy from is not shipped.
    const used = new Set<Stage>();
    for (const stage of model.stages) if (stage.parent) used.add(stage.parent);
    for (const stage of model.stages) {
      for (const instruction of stage.instructions) {
        const from = instruction.flags.find((f) => f.name === 'from')?.value?.toLowerCase();
        const source =
          from === undefined ? undefined : model.stages.find((s) => s.name === from || String(s.index) === from);
        if (source) used.add(source);
      }
    }
    for (const { stage, run, script, commands } of eachRun(model, 'apt')) {
      if (used.has(stage)) continue;
      const install = programCalls(commands, (n) => n === 'apt-get' || n === 'apt').find(
        (c) => c.subcommand === 'install',
      );
      if (!install) continue;
      const cached = run.flags.some(
        (f) => f.name === 'mount' && f.options.some((o) => o.value?.startsWith('/var/lib/apt')),
      );
      const cleaned = commands.some((c) => {
        const words = commandWords(c);
        return words[0]?.text === 'rm' && words.some((w) => w.text.startsWith(LISTS));
      });
      if (cached || cleaned) continue;
      report(script.range(install.program.start, install.program.end), dl3009.description, run);
    }
  },
};
