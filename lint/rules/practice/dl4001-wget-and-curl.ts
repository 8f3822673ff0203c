import type { Stage } from '../../model.js';
import type { ShellToken } from '../../shell-commands.js';
import type { Rule } from '../../types.js';
import { hadolintUrl } from '../meta.js';
import { programCalls } from './program-calls.js';
import { eachRun, type RunCommands } from './run-commands.js';

export const dl4001: Rule = {
  id: 'DL4001',
  group: 'practice',
  description: 'Either use Wget or Curl but not both',
  url: hadolintUrl('DL4001'),
  severity: 'warning',
  check({ model, report }) {
    const runs = new Map<RunCommands['script'], RunCommands>();
    for (const entry of [...eachRun(model, 'curl'), ...eachRun(model, 'wget')]) runs.set(entry.script, entry);
    const ordered = [...runs.values()].sort((a, b) => a.run.range.start.offset - b.run.range.start.offset);
    // Per stage (not inherited from the stage it builds on): the tool used first, and whether both were seen.
    const first = new Map<Stage, string>();
    const both = new Set<Stage>();
    for (const { stage, run, script, commands } of ordered) {
      const tools: ShellToken[] = programCalls(commands, (n) => n === 'curl' || n === 'wget').map((c) => c.program);
      if (tools.length === 0) continue;
      const initial = first.get(stage) ?? tools[0].text;
      first.set(stage, initial);
      if (tools.some((t) => t.text !== initial)) both.add(stage);
      // Every RUN that uses either tool once both are in the stage is reported, at the other tool if it has it.
      if (!both.has(stage)) continue;
      const at = tools.find((t) => t.text !== initial) ?? tools[0];
      report(script.range(at.start, at.end), dl4001.description, run);
    }
  },
};
