import {
  type Flag,
  isMountType,
  MOUNT_OPTION_KEYS,
  MOUNT_SHARING_MODES,
  MOUNT_TYPES,
  parseGoBool,
  ramInBytes,
  withSuggestion,
} from '../../../parser/index.js';
import type { Rule } from '../../types.js';
import { referenceUrl } from '../meta.js';

interface MountState {
  type: string;
  from: boolean;
  source: boolean;
  target: boolean;
  id: boolean;
  sharing: boolean;
  fileInfo: string | null;
}

/** BuildKit's parseMount + validateMount for one `--mount` value; the first problem, or null. */
export function mountProblem(flag: Flag): { message: string; index: number } | null {
  const m: MountState = {
    type: 'bind',
    from: false,
    source: false,
    target: false,
    id: false,
    sharing: false,
    fileInfo: null,
  };
  for (const [index, option] of flag.options.entries()) {
    const key = option.key.toLowerCase();
    const value = option.value;
    const field = value === null ? option.key : `${option.key}=${value}`;
    const fail = (message: string): { message: string; index: number } => ({ message, index });
    if (value === null) {
      if (['readonly', 'ro', 'readwrite', 'rw'].includes(key)) continue;
      if (key === 'required' && (m.type === 'secret' || m.type === 'ssh')) continue;
      if (key === 'required') return fail(`unexpected key '${key}' for mount type '${m.type}'`);
      return fail(`invalid field '${field}' must be a key=value pair`);
    }
    // Values with variables are expanded at build time; only their shape can be judged here (a source,
    // target or id given with a variable is still given).
    if (value.includes('$')) {
      if (key === 'from') return fail(`'${key}' doesn't support variable expansion, define alias stage instead`);
      if (key === 'source' || key === 'src') m.source = true;
      if (key === 'target' || key === 'dst' || key === 'destination') m.target = true;
      if (key === 'id') m.id = true;
      continue;
    }
    switch (key) {
      case 'type':
        if (!isMountType(value.toLowerCase())) {
          return fail(withSuggestion(`unsupported mount type "${value}"`, value, MOUNT_TYPES, true));
        }
        m.type = value.toLowerCase();
        break;
      case 'from':
        m.from = true;
        break;
      case 'source':
      case 'src':
        m.source = true;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = true;
        break;
      case 'readonly':
      case 'ro':
      case 'readwrite':
      case 'rw':
        if (parseGoBool(value) === null) return fail(`invalid value for ${key}: ${value}`);
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') return fail(`unexpected key '${key}' for mount type '${m.type}'`);
        if (parseGoBool(value) === null) return fail(`invalid value for ${key}: ${value}`);
        break;
      case 'size':
        if (m.type !== 'tmpfs') return fail(`unexpected key '${key}' for mount type '${m.type}'`);
        if (ramInBytes(value) === null) return fail(`invalid value for ${key}: ${value}`);
        break;
      case 'id':
        m.id = true;
        break;
      // The variable a secret is given in (Dockerfile 1.10); BuildKit's parser takes it for any type.
      case 'env':
        break;
      case 'sharing':
        if (!MOUNT_SHARING_MODES.includes(value.toLowerCase())) {
          return fail(withSuggestion(`unsupported sharing value "${value}"`, value, MOUNT_SHARING_MODES, true));
        }
        m.sharing = true;
        break;
      case 'mode':
        if (!/^[0-7]+$/.test(value) || Number.parseInt(value, 8) > 0xffffffff)
          return fail(`invalid value ${value} for mode`);
        m.fileInfo ??= 'mode';
        break;
      case 'uid':
      case 'gid':
        if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) return fail(`invalid value ${value} for ${key}`);
        m.fileInfo ??= key;
        break;
      default:
        return fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, MOUNT_OPTION_KEYS, true));
    }
  }
  const last = Math.max(0, flag.options.length - 1);
  const at = (message: string): { message: string; index: number } => ({ message, index: last });
  if (m.fileInfo && m.type !== 'secret' && m.type !== 'ssh' && m.type !== 'cache') {
    return at(`${m.fileInfo} not allowed for "${m.type}" type mounts`);
  }
  if (m.type === 'secret') {
    if (m.from) return at('secret mount should not have a from');
    if (m.sharing) return at('secret mount should not define sharing');
    if (!m.source && !m.target && !m.id) return at('invalid secret mount. one of source, target required');
    if (m.source && m.id) return at("both source and id can't be set");
  }
  if (m.sharing && m.type !== 'cache') return at(`invalid cache sharing set for ${m.type} mount`);
  return null;
}

export const invalidMount: Rule = {
  id: 'invalid-mount',
  group: 'build',
  description: 'A RUN --mount value is not valid',
  url: referenceUrl('run---mount'),
  severity: 'error',
  check({ model, report }) {
    for (const instruction of model.ast.instructions) {
      if (instruction.kind !== 'run') continue;
      for (const flag of instruction.flags) {
        if (flag.name !== 'mount' || flag.value === null) continue;
        const problem = mountProblem(flag);
        if (!problem) continue;
        const option = flag.options[problem.index];
        report(option?.range ?? flag.range, problem.message, instruction);
      }
    }
  },
};
