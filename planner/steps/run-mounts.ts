// `RUN --mount=...` options: BuildKit's mount types, defaults, expansion rules and error messages.

import type { Flag } from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import { suggest } from '../suggest.js';
import type { RunMount } from '../types.js';
import { expand } from './common.js';

const TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
const KEYS = ['type', 'from', 'source', 'src', 'target', 'dst', 'destination', 'readonly', 'ro', 'readwrite', 'rw', 'required', 'id', 'sharing', 'mode', 'uid', 'gid', 'size', 'env'];
const ALIASES: Record<string, string> = { src: 'source', dst: 'target', destination: 'target', ro: 'readonly', rw: 'readwrite' };

export function parseMount(ctx: StepContext, flag: Flag, sshIndex: number): RunMount {
  const values = new Map<string, string>();
  for (const option of flag.options) {
    const key = option.key.toLowerCase();
    if (!KEYS.includes(key)) {
      const match = suggest(key, KEYS);
      const hint = match === null ? '' : ` (did you mean ${match}?)`;
      throw new PlanError('invalid-mount', `unexpected key '${key}' in '${option.key}${option.value === null ? '' : `=${option.value}`}'${hint}`, option.range);
    }
    const name = ALIASES[key] ?? key;
    if (option.value === null) {
      values.set(name, 'true');
      continue;
    }
    if (name === 'from') {
      if (expand(ctx, option.value, option.range) !== option.value || option.value.includes('$')) {
        throw new PlanError('invalid-mount', "'from' doesn't support variable expansion, define alias stage instead", option.range);
      }
      values.set(name, option.value);
      continue;
    }
    values.set(name, expand(ctx, option.value, option.range));
  }
  const type = (values.get('type') ?? 'bind').toLowerCase();
  if (!(TYPES as readonly string[]).includes(type)) {
    const match = suggest(type, TYPES);
    const hint = match === null ? '' : ` (did you mean ${match}?)`;
    throw new PlanError('invalid-mount', `unsupported mount type "${type}"${hint}`, flag.range);
  }
  return buildMount(type as RunMount['type'], values, flag, sshIndex);
}

function buildMount(type: RunMount['type'], values: Map<string, string>, flag: Flag, sshIndex: number): RunMount {
  const id = values.get('id') ?? null;
  let target = values.get('target') ?? null;
  if (type === 'secret' && target === null && values.get('env') === undefined) target = `/run/secrets/${id ?? ''}`;
  if (type === 'ssh' && target === null) target = `/run/buildkit/ssh_agent.${sshIndex}`;
  if (target === null || target === '') {
    throw new PlanError('invalid-mount', `mount type ${type} requires target`, flag.range);
  }
  const readwrite = values.get('readwrite') === 'true' || values.get('readonly') === 'false';
  const defaultReadonly = type === 'bind' || type === 'secret' || type === 'ssh';
  const readonly = values.has('readonly') ? values.get('readonly') !== 'false' : readwrite ? false : defaultReadonly;
  const options: Record<string, string> = {};
  for (const key of ['id', 'sharing', 'mode', 'uid', 'gid', 'size', 'required', 'env']) {
    const value = values.get(key);
    if (value !== undefined) options[key] = value;
  }
  if (type === 'cache') {
    options.sharing = (options.sharing ?? 'shared').toLowerCase();
    if (!['shared', 'private', 'locked'].includes(options.sharing)) {
      throw new PlanError('invalid-mount', `unsupported sharing value "${options.sharing}"`, flag.range);
    }
    options.id ??= target;
  }
  if (type === 'ssh') options.id ??= 'default';
  const from = type === 'secret' || type === 'ssh' || type === 'tmpfs' ? null : (values.get('from') ?? null);
  return { type, target, readonly, from, source: values.get('source') ?? null, options };
}
