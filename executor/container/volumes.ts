// `tsbuild run -v HOST:CONTAINER[:ro|rw]`: a directory or file of the host bound into the container, as docker's
// bind volumes. Only host paths: tsbuild keeps no named volumes. Unlike docker, a missing host path is an error
// rather than a directory created on the host.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { containerPath } from '../runtime/spec.js';
import { ContainerError } from './errors.js';

export interface BindVolume {
  /** Absolute path on the host. */
  readonly source: string;
  /** Absolute path in the container. */
  readonly target: string;
  readonly readonly: boolean;
}

/** One `-v` value: `HOST:CONTAINER` with `ro`, `rw` (and docker's SELinux and propagation words, ignored). */
export function parseVolume(spec: string): BindVolume {
  const [source = '', target = '', modes, ...rest] = spec.split(':');
  const invalid = (why: string) => new ContainerError(`invalid volume ${JSON.stringify(spec)}: ${why}`, 125);
  if (rest.length > 0 || source === '' || target === '') throw invalid('use HOST-PATH:CONTAINER-PATH[:ro|rw]');
  if (!path.isAbsolute(source)) {
    throw invalid(`${source} is not an absolute host path (tsbuild run has no named volumes)`);
  }
  if (!path.posix.isAbsolute(target)) throw invalid(`${target} is not an absolute path in the container`);
  const inside = containerPath(target);
  if (inside === '/') throw invalid('the container root cannot be a volume');
  const words = modes === undefined || modes === '' ? [] : modes.split(',');
  const known = new Set(['ro', 'rw', 'z', 'Z', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
  const unknown = words.find((word) => !known.has(word));
  if (unknown !== undefined) throw invalid(`unknown mode ${JSON.stringify(unknown)}`);
  if (words.includes('ro') && words.includes('rw')) throw invalid('ro and rw together');
  return { source: path.resolve(source), target: inside, readonly: words.includes('ro') };
}

/** Fails (exit 125) for a volume whose host path does not exist. */
export async function checkVolumeSources(volumes: readonly BindVolume[]): Promise<void> {
  for (const volume of volumes) {
    await stat(volume.source).catch(() => {
      throw new ContainerError(`invalid volume: ${volume.source} does not exist on the host`, 125);
    });
  }
}
