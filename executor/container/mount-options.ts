// `tsbuild run --tmpfs PATH[:OPTIONS]` and `--mount type=bind|tmpfs,…`, read as docker reads them. A tmpfs gets
// docker's `noexec,nosuid,nodev` before the options given (a later `exec` wins, as mount options go in order). Named
// volumes (`type=volume`) do not exist in tsbuild.
import path from 'node:path';
import { containerPath, type ExtraMount } from '../runtime/spec.js';
import { ContainerError } from './errors.js';
import type { BindVolume } from './volumes.js';

const tmpfsDefaults = ['noexec', 'nosuid', 'nodev'];
const tmpfsFlags = new Set(['ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'atime', 'noatime']);

/** A mount's target, normalised as the spec normalises it (exit 125 for a relative one, or the root). */
function containerTarget(target: string, spec: string): string {
  const invalid = (why: string) => new ContainerError(`invalid mount ${JSON.stringify(spec)}: ${why}`, 125);
  if (!path.posix.isAbsolute(target)) throw invalid(`${target} is not an absolute path`);
  const inside = containerPath(target);
  if (inside === '/') throw invalid('the container root');
  return inside;
}

/** One `--tmpfs PATH[:OPTION,…]` (options: ro, rw, exec, noexec, suid, nosuid, dev, nodev, size=…, mode=…). */
export function parseTmpfs(spec: string): ExtraMount {
  const colon = spec.indexOf(':');
  const target = containerTarget(colon < 0 ? spec : spec.slice(0, colon), spec);
  const options = [...tmpfsDefaults];
  for (const option of colon < 0 ? [] : spec.slice(colon + 1).split(',')) {
    if (option === '') continue;
    if (!tmpfsFlags.has(option) && !/^(size=\d+[kmg%]?|mode=[0-7]{3,4}|uid=\d+|gid=\d+)$/.test(option)) {
      throw new ContainerError(`invalid tmpfs option ${JSON.stringify(option)} in ${JSON.stringify(spec)}`, 125);
    }
    options.push(option);
  }
  return { type: 'tmpfs', target, options };
}

const truthy = new Set(['', '1', 'true']);
const falsy = new Set(['0', 'false']);

/** One `--mount` value: `type=bind,source=…,target=…[,readonly]` or `type=tmpfs,target=…[,tmpfs-size=…][,tmpfs-mode=…]`. */
export function parseMountOption(spec: string): { readonly bind: BindVolume } | { readonly tmpfs: ExtraMount } {
  const fields = new Map<string, string>();
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    fields.set((eq < 0 ? field : field.slice(0, eq)).toLowerCase(), eq < 0 ? '' : field.slice(eq + 1));
  }
  const invalid = (why: string) => new ContainerError(`invalid mount ${JSON.stringify(spec)}: ${why}`, 125);
  const known = ['type', 'source', 'src', 'target', 'destination', 'dst', 'readonly', 'ro', 'tmpfs-size', 'tmpfs-mode'];
  const unknown = [...fields.keys()].find((key) => !known.includes(key) && key !== 'bind-propagation');
  if (unknown !== undefined) throw invalid(`unexpected key '${unknown}'`);
  const type = fields.get('type') ?? 'volume';
  const targetText = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (targetText === undefined || targetText === '') throw invalid('target is required');
  const target = containerTarget(targetText, spec);
  const readonlyText = fields.get('readonly') ?? fields.get('ro');
  if (readonlyText !== undefined && !truthy.has(readonlyText) && !falsy.has(readonlyText)) {
    throw invalid(`readonly=${readonlyText}: true or false`);
  }
  const readonly = readonlyText !== undefined && truthy.has(readonlyText);
  if (type === 'bind') {
    const source = fields.get('source') ?? fields.get('src');
    if (source === undefined || !path.isAbsolute(source)) throw invalid('a bind needs an absolute source=');
    return { bind: { source: path.resolve(source), target, readonly } };
  }
  if (type === 'tmpfs') {
    const size = fields.get('tmpfs-size');
    const mode = fields.get('tmpfs-mode');
    if (size !== undefined && !/^\d+$/.test(size)) throw invalid(`tmpfs-size=${size}: a number of bytes`);
    if (mode !== undefined && !/^[0-7]{1,4}$/.test(mode)) throw invalid(`tmpfs-mode=${mode}: an octal mode`);
    return {
      tmpfs: {
        type: 'tmpfs',
        target,
        options: readonly ? [...tmpfsDefaults, 'ro'] : tmpfsDefaults,
        ...(size === undefined ? {} : { size: Number(size) }),
        ...(mode === undefined ? {} : { mode: Number.parseInt(mode, 8) }),
      },
    };
  }
  throw invalid(`type=${type}: tsbuild run mounts host paths (bind) and tmpfs only, it has no volumes`);
}
