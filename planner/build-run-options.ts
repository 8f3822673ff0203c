/**
 * Options of every RUN step of a build (docker build's `--add-host`, `--shm-size`, `--ulimit`), already checked.
 * Keyed as BuildKit's ExecOp keys them (conformance/buildkit/CACHE.md): each host's name but not its address,
 * the /dev/shm size, every ulimit.
 */
export interface BuildRunOptions {
  /** `/etc/hosts` lines after the default ones, in order: names lowercased, addresses in canonical form. */
  readonly extraHosts?: readonly ExtraHost[];
  /** Bytes of /dev/shm; absent or 0: the default 64 MiB. */
  readonly shmSize?: number;
  /** One per name, sorted by name (docker's order); -1 is unlimited. */
  readonly ulimits?: readonly Ulimit[];
}

export interface ExtraHost {
  readonly name: string;
  readonly ip: string;
}

/** A resource limit by its ulimit name (`nofile`), as `--ulimit nofile=1024:2048` gives it. */
export interface Ulimit {
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}
