// The flags each instruction accepts and BuildKit's BFlags.Parse over them (frontend/dockerfile/instructions/
// bflag.go): the first problem of an instruction's flags, in BuildKit's words. The linter (`invalid-flag`, what
// `--check` reports) and the planner (what a build fails with) both judge flags here, so the two say the same.
import type { Flag, Instruction } from '../ast.js';
import { withSuggestion } from './suggest.js';

type FlagType = 'bool' | 'string' | 'strings';

/** The flags each instruction accepts (BuildKit's `docker/dockerfile:1` frontend). */
const FLAGS: Partial<Record<Instruction['kind'], Readonly<Record<string, FlagType>>>> = {
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

export interface FlagProblem {
  readonly flag: Flag;
  /** `unknown-flag`: the instruction has no such flag (its message has BuildKit's did-you-mean). */
  readonly code: 'unknown-flag' | 'invalid-flag';
  readonly message: string;
}

/** The first problem of an instruction's flags as BuildKit reports it, or null. */
export function flagProblem(instruction: Instruction): FlagProblem | null {
  // STOPSIGNAL never parses its flags, nor does HEALTHCHECK NONE.
  if (instruction.kind === 'stopsignal' || instruction.kind === 'unknown') return null;
  if (instruction.kind === 'healthcheck' && instruction.type?.value.toUpperCase() === 'NONE') return null;
  const allowed = FLAGS[instruction.kind] ?? {};
  const used = new Set<string>();
  const invalid = (flag: Flag, message: string): FlagProblem => ({ flag, code: 'invalid-flag', message });
  for (const flag of instruction.flags) {
    const name = flag.name;
    const type = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    if (type === undefined) {
      const message = withSuggestion(`unknown flag: --${name}`, name, Object.keys(allowed), true);
      return { flag, code: 'unknown-flag', message };
    }
    if (used.has(name) && type !== 'strings') return invalid(flag, `duplicate flag specified: --${name}`);
    used.add(name);
    if (type === 'bool') {
      if (flag.value === '') return invalid(flag, `missing a value on flag: --${name}`);
      const lower = flag.value?.toLowerCase();
      if (lower !== undefined && lower !== 'true' && lower !== 'false') {
        return invalid(flag, `expecting boolean value for flag --${name}, not: ${flag.value}`);
      }
    } else if (flag.value === null) {
      return invalid(flag, `missing a value on flag: --${name}`);
    }
  }
  return null;
}
