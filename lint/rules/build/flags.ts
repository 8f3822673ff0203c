import type { Flag, Instruction } from '../../../parser/index.js';
import { withSuggestion } from '../../suggest.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

type FlagType = 'bool' | 'string' | 'strings';

/** The flags each instruction accepts (BuildKit's `docker/dockerfile:1` frontend). */
const FLAGS: Partial<Record<Instruction['kind'], Record<string, FlagType>>> = {
  from: { platform: 'string' },
  copy: { chown: 'string', from: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' },
  add: {
    chown: 'string',
    chmod: 'string',
    checksum: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    exclude: 'strings',
    unpack: 'bool',
  },
  run: { mount: 'strings', network: 'string', security: 'string', device: 'strings' },
  healthcheck: {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
  },
};

/** BuildKit's BFlags.Parse: the first problem of an instruction's flags, with its message. */
export function flagProblem(instruction: Instruction): { flag: Flag; message: string } | null {
  // STOPSIGNAL never parses its flags, nor does HEALTHCHECK NONE.
  if (instruction.kind === 'stopsignal' || instruction.kind === 'unknown') return null;
  if (instruction.kind === 'healthcheck' && instruction.type?.value.toUpperCase() === 'NONE') return null;
  const allowed = FLAGS[instruction.kind] ?? {};
  const used = new Set<string>();
  for (const flag of instruction.flags) {
    const name = flag.name;
    const type = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    // Current BuildKit's texts (bflag.go), which name the flag with its dashes; BuildKit before 0.13 wrote
    // `Unknown flag: name`. The planner, which builds, says the same (planner/steps/common.ts).
    if (type === undefined)
      return { flag, message: withSuggestion(`unknown flag: --${name}`, name, Object.keys(allowed), true) };
    if (used.has(name) && type !== 'strings') return { flag, message: `duplicate flag specified: --${name}` };
    used.add(name);
    if (type === 'bool') {
      if (flag.value === '') return { flag, message: `missing a value on flag: --${name}` };
      const lower = flag.value?.toLowerCase();
      if (lower !== undefined && lower !== 'true' && lower !== 'false') {
        return { flag, message: `expecting boolean value for flag --${name}, not: ${flag.value}` };
      }
    } else if (flag.value === null) {
      return { flag, message: `missing a value on flag: --${name}` };
    }
  }
  return null;
}

export const invalidFlag: Rule = {
  id: 'invalid-flag',
  group: 'build',
  description: 'The instruction does not accept this flag, or the flag is written wrongly',
  url: referenceUrl('overview'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      const problem = flagProblem(instruction);
      if (problem) report(problem.flag.range, problem.message, instruction);
    }
  },
};
