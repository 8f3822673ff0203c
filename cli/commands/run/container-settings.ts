// What `tsbuild run`'s options make of the container beyond its command: variables (`--env-file` before `-e`), binds
// and tmpfs mounts (`-v`, `--mount`, `--tmpfs`), /etc/hosts, /dev/shm and rlimits (`--add-host`, `--shm-size`,
// `--ulimit`, read as `tsbuild build` reads them), capabilities and the root's mode. All read before the store is
// opened, so a bad value fails at once (exit 125, as docker run's option errors do).
import { parseMountOption, parseTmpfs, parseVolume, type RunImageOptions } from '../../../executor/index.js';
import { buildRunOptions } from '../build/run-options.js';
import { readEnvFile } from './env-file.js';
import type { RunCliOptions } from './run.js';

export type ContainerSettings = Pick<
  RunImageOptions,
  | 'env'
  | 'volumes'
  | 'tmpfs'
  | 'extraHosts'
  | 'shmSize'
  | 'ulimits'
  | 'privileged'
  | 'capAdd'
  | 'capDrop'
  | 'readOnly'
  | 'network'
>;

export async function containerSettings(
  opts: RunCliOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ContainerSettings> {
  const network = opts.network === 'none' ? 'none' : 'host';
  const run = buildRunOptions(opts, network);
  const volumes = (opts.volumes ?? []).map(parseVolume);
  const tmpfs = [];
  for (const spec of opts.mounts ?? []) {
    const mount = parseMountOption(spec);
    if ('bind' in mount) volumes.push(mount.bind);
    else tmpfs.push(mount.tmpfs);
  }
  tmpfs.push(...(opts.tmpfs ?? []).map(parseTmpfs));
  const variables: string[] = [];
  for (const file of opts.envFiles ?? []) variables.push(...(await readEnvFile(file, env)));
  variables.push(...(opts.env ?? []));
  return {
    env: variables,
    network,
    ...(volumes.length === 0 ? {} : { volumes }),
    ...(tmpfs.length === 0 ? {} : { tmpfs }),
    ...(run?.extraHosts === undefined ? {} : { extraHosts: run.extraHosts }),
    ...(run?.shmSize === undefined ? {} : { shmSize: run.shmSize }),
    ...(run?.ulimits === undefined ? {} : { ulimits: run.ulimits }),
    ...(opts.privileged === true ? { privileged: true } : {}),
    ...(opts.capAdd === undefined ? {} : { capAdd: opts.capAdd }),
    ...(opts.capDrop === undefined ? {} : { capDrop: opts.capDrop }),
    ...(opts.readOnly === true ? { readOnly: true } : {}),
  };
}
