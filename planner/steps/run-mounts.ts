// `RUN --mount=...` options as BuildKit's parseMount/validateMount read them: types, aliases,
// defaults, which options each type allows, expansion (never for `from`) and error messages.
// Bind, cache and tmpfs targets are relative to WORKDIR (empty = WORKDIR itself).

import { posix } from 'node:path';
import {
  type Flag,
  type FlagOption,
  isMountType,
  MOUNT_OPTION_KEYS,
  MOUNT_SHARING_MODES,
  MOUNT_TYPES,
  type MountType,
  parseGoBool,
  ramInBytes,
  withSuggestion,
} from '../../parser/index.js';
import { PlanError } from '../errors.js';
import type { StepContext } from '../stage-state.js';
import type { RunMount } from '../types.js';
import { expand } from './common.js';

const ALIASES: Record<string, string> = {
  src: 'source',
  dst: 'target',
  destination: 'target',
  ro: 'readonly',
  rw: 'readwrite',
};

interface Parsed {
  type: MountType;
  values: Map<string, string>;
  /** Explicit ro/rw; otherwise bind, secret and ssh are read-only. */
  readonly: boolean | null;
}

export function parseMount(ctx: StepContext, flag: Flag, sshIndex: number): RunMount {
  const parsed: Parsed = { type: 'bind', values: new Map(), readonly: null };
  for (const option of flag.options) readOption(ctx, parsed, option);
  return buildMount(ctx, parsed, flag, sshIndex);
}

/**
 * What BuildKit checks of a `--mount` while it parses the Dockerfile, before anything is expanded (its parseMount with
 * no expander defers every other option to the dispatch): a `from` cannot name its stage through a variable.
 */
export function checkMountSyntax(flag: Flag): void {
  for (const option of flag.options) if (option.key.toLowerCase() === 'from') checkFromWithoutVariables(option);
}

function checkFromWithoutVariables(option: FlagOption): void {
  if (option.value !== null && /\$./.test(option.value)) {
    fail("'from' doesn't support variable expansion, define alias stage instead", option.range);
  }
}

function fail(message: string, range: FlagOption['range']): never {
  throw new PlanError('invalid-mount', message, range);
}

function readOption(ctx: StepContext, m: Parsed, option: FlagOption): void {
  const key = option.key.toLowerCase();
  if (option.value === null) {
    if (key === 'readonly' || key === 'ro') m.readonly = true;
    else if (key === 'readwrite' || key === 'rw') m.readonly = false;
    else if (key === 'required' && (m.type === 'secret' || m.type === 'ssh')) m.values.set('required', 'true');
    else if (key === 'required') fail(`unexpected key '${key}' for mount type '${m.type}'`, option.range);
    else fail(`invalid field '${option.key}' must be a key=value pair`, option.range);
    return;
  }
  if (key === 'from') checkFromWithoutVariables(option);
  const value = key === 'from' ? option.value : expand(ctx, option.value, option.range);
  const name = ALIASES[key] ?? key;
  switch (name) {
    case 'type': {
      const type = value.toLowerCase();
      if (!isMountType(type))
        fail(withSuggestion(`unsupported mount type ${JSON.stringify(value)}`, value, MOUNT_TYPES, true), option.range);
      m.type = type;
      return;
    }
    case 'readonly':
    case 'readwrite': {
      const flagValue = parseGoBool(value);
      if (flagValue === null) fail(`invalid value for ${key}: ${value}`, option.range);
      m.readonly = name === 'readonly' ? flagValue : !flagValue;
      return;
    }
    case 'required':
      if (m.type !== 'secret' && m.type !== 'ssh')
        fail(`unexpected key '${key}' for mount type '${m.type}'`, option.range);
      break;
    case 'size':
      if (m.type !== 'tmpfs') fail(`unexpected key '${key}' for mount type '${m.type}'`, option.range);
      if (ramInBytes(value) === null) fail(`invalid value for ${key}: ${value}`, option.range);
      break;
    case 'sharing':
      if (!MOUNT_SHARING_MODES.includes(value.toLowerCase())) {
        const message = `unsupported sharing value ${JSON.stringify(value)}`;
        fail(withSuggestion(message, value, MOUNT_SHARING_MODES, true), option.range);
      }
      m.values.set(name, value.toLowerCase());
      return;
    case 'mode':
      if (!/^[0-7]+$/.test(value)) fail(`invalid value ${value} for mode`, option.range);
      break;
    case 'uid':
    case 'gid':
      if (!/^[0-9]+$/.test(value)) fail(`invalid value ${value} for ${name}`, option.range);
      break;
    case 'from':
    case 'source':
    case 'target':
    case 'id':
    case 'env':
      break;
    default: {
      const message = `unexpected key '${key}' in '${option.key}=${option.value}'`;
      fail(withSuggestion(message, key, MOUNT_OPTION_KEYS, true), option.range);
    }
  }
  m.values.set(name, value);
}

function buildMount(ctx: StepContext, m: Parsed, flag: Flag, sshIndex: number): RunMount {
  const v = m.values;
  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  for (const key of ['mode', 'uid', 'gid']) {
    if (!fileInfoAllowed && v.has(key))
      fail(`${key} not allowed for ${JSON.stringify(m.type)} type mounts`, flag.range);
  }
  if (v.has('sharing') && m.type !== 'cache') fail(`invalid cache sharing set for ${m.type} mount`, flag.range);
  const readonly = m.readonly ?? (m.type === 'bind' || m.type === 'secret' || m.type === 'ssh');
  const options: Record<string, string> = {};
  for (const key of ['id', 'sharing', 'mode', 'uid', 'gid', 'size', 'required', 'env']) {
    const value = v.get(key);
    if (value !== undefined) options[key] = value;
  }
  const source = v.get('source') ?? null;
  if (m.type === 'secret') {
    if (v.has('from')) fail('secret mount should not have a from', flag.range);
    if (source !== null && v.has('id')) fail("both source and id can't be set", flag.range);
    const id = v.get('id') ?? source ?? (v.get('target') ? posix.basename(v.get('target') as string) : null);
    if (id === null && !v.has('target')) fail('invalid secret mount. one of source, target required', flag.range);
    if (id !== null) options.id = id;
    const target = v.get('target') ?? (v.has('env') ? null : `/run/secrets/${posix.basename(id ?? '')}`);
    return { type: 'secret', target: target ?? '', readonly, from: null, origin: null, source: null, options };
  }
  if (m.type === 'ssh') {
    options.id ??= 'default';
    const target = v.get('target') ?? `/run/buildkit/ssh_agent.${sshIndex}`;
    return { type: 'ssh', target, readonly, from: null, origin: null, source: null, options };
  }
  // bind, cache, tmpfs: relative targets (and no target) are under the working directory.
  const raw = v.get('target') ?? '';
  const target = posix.isAbsolute(raw)
    ? posix.normalize(raw)
    : posix.join('/', ctx.state.config.WorkingDir || '/', raw);
  const clean = target.length > 1 && target.endsWith('/') ? target.slice(0, -1) : target;
  if (clean === '/') fail(`invalid mount target ${JSON.stringify(clean)}`, flag.range);
  const from = m.type === 'tmpfs' ? null : (v.get('from') ?? null);
  if (m.type === 'cache') {
    const keyId = cacheKeyId(options.id || goClean(raw), clean, options.sharing ?? 'shared');
    options.sharing ??= 'shared';
    options.id ??= clean;
    return { type: m.type, target: clean, readonly, from, origin: null, source, options, cacheKeyId: keyId };
  }
  return { type: m.type, target: clean, readonly, from, origin: null, source, options };
}

/**
 * The id of a cache mount as BuildKit keys it. The Dockerfile frontend names the cache `<namespace>/<id>`
 * (no namespace here; the id is `id=`, or the target as written, cleaned), and ExecOp.CacheMap
 * (checkShouldClearCacheOpts) keeps that name and the sharing mode in the key only for a default mount:
 * sharing `shared` and the name, or the part after its first `/` (the id), equal to the absolute target.
 * Any other id, and sharing, are dropped: `id=a` and `id=b` share a key, while giving a default mount an
 * id or a sharing mode changes it.
 */
function cacheKeyId(id: string, target: string, sharing: string): string | null {
  const name = `/${id}`;
  return sharing === 'shared' && (name === target || id === target) ? name : null;
}

/** Go's path.Clean for the relative or absolute target as written (no trailing slash, `.` when empty). */
function goClean(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
