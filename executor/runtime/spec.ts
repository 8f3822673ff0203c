// Generates the runtime spec of a RUN step with Docker's defaults (moby's oci/defaults.go and
// BuildKit's executor/oci): fresh pid, mount, ipc and uts namespaces, the host network unless the
// step asks for none, Docker's default capabilities and seccomp profile (seccomp.ts), masked and read-only /proc
// paths, a minimal /dev. A privileged step (`RUN --security=insecure`) gets what privileged.ts says instead.
import path from 'node:path';
import type { OciConsoleSize, OciDevice, OciLinux, OciMount, OciNamespace, OciRlimit, OciSpec } from './oci-spec.js';
import { privilegedDeviceRules, privilegedDevices } from './privileged.js';
import { defaultSeccompProfile } from './seccomp.js';

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const defaultCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Docker's masked paths: bind-mounted over with /dev/null (files) or an empty read-only tmpfs (dirs). */
export const defaultMaskedPaths: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const defaultReadonlyPaths: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** Docker's (and BuildKit's) /dev/shm size when none is asked for: 64 MiB. */
export const defaultShmSize = 64 * 1024 * 1024;

/** A `RUN --mount` (or any other extra mount) as the runtime sees it. */
export type ExtraMount =
  | { readonly type: 'bind'; readonly source: string; readonly target: string; readonly readonly: boolean }
  | {
      readonly type: 'tmpfs';
      readonly target: string;
      readonly size?: number;
      readonly mode?: number;
      /** Mount options in place of `nosuid,nodev` (`tsbuild run --tmpfs /run:exec`); size and mode still follow. */
      readonly options?: readonly string[];
    };

/** Files tsbuild generates outside the rootfs and binds read-only over the image's own. */
export interface NetworkFiles {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly hostname: string;
}

export interface RunSpecOptions {
  /** Absolute path of the root filesystem (the overlay mount). */
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  /** Absolute path inside the container. */
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids?: readonly number[];
  readonly hostname: string;
  /** `host` (the default, so package managers work) or `none` (an empty network namespace with `lo`). */
  readonly network?: 'host' | 'none';
  readonly networkFiles: NetworkFiles;
  readonly mounts?: readonly ExtraMount[];
  /** Bytes; rounded up to whole KiB as the kernel reports it. */
  readonly shmSize?: number;
  /** Replace the default RLIMIT_NOFILE 1024:1024 (containerd's default) per type. */
  readonly rlimits?: readonly OciRlimit[];
  /** Relative to the runtime's own cgroup (see below); `undefined` lets the runtime choose. */
  readonly cgroupsPath?: string;
  /**
   * `tsbuild run -t`: the process's stdin, stdout and stderr are a new pseudo-terminal, of this size
   * when one is given (the caller's terminal's, as docker passes it); builds never have one.
   */
  readonly terminal?: { readonly consoleSize?: OciConsoleSize };
  /**
   * `RUN --security=insecure` under `--allow security.insecure`: the container runs privileged (privileged.ts),
   * with these capabilities (privilegedCapabilities) and this many loop devices in its /dev (privilegedLoopDevices);
   * `tsbuild run --privileged` gives the device nodes themselves.
   */
  readonly privileged?:
    | {
        readonly capabilities: readonly string[];
        readonly loopDevices: number;
        /** Minor numbers of loop devices step by 2^loopPartShift (privileged.ts, loopPartShift). */
        readonly loopPartShift?: number;
      }
    | {
        readonly capabilities: readonly string[];
        /**
         * The device nodes made in its /dev instead of BuildKit's set for such steps: `tsbuild run --privileged`
         * gives the host's, as `docker run --privileged` does (privileged.ts, hostDevices).
         */
        readonly devices: readonly OciDevice[];
      };
  /** The capabilities of a sandboxed container when not Docker's defaults (`tsbuild run --cap-add/--cap-drop`). */
  readonly capabilities?: readonly string[];
  /** `tsbuild run --read-only`: the root filesystem is mounted read-only (mounts on it stay as they are). */
  readonly readonlyRoot?: boolean;
}

/**
 * The runtime spec of one container. Cgroups: on this hybrid v1/v2 host runc 1.1 accepts a relative
 * cgroupsPath and nests it under its own cgroup in every hierarchy, so `tsbuild/<id>` keeps the
 * containers inside the limits of the process that runs tsbuild.
 */
export function createRunSpec(options: RunSpecOptions): OciSpec {
  if (!path.posix.isAbsolute(options.cwd)) throw new Error(`working directory must be absolute: ${options.cwd}`);
  if (options.args.length === 0) throw new Error('a container needs a command to run');
  const isRoot = options.uid === 0;
  const capabilities = options.privileged?.capabilities ?? options.capabilities ?? defaultCapabilities;
  const namespaces: OciNamespace[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (options.network === 'none') namespaces.push({ type: 'network' });

  return {
    ociVersion: '1.0.2',
    process: {
      terminal: options.terminal !== undefined,
      ...(options.terminal?.consoleSize === undefined ? {} : { consoleSize: { ...options.terminal.consoleSize } }),
      user: {
        uid: options.uid,
        gid: options.gid,
        ...(options.additionalGids && options.additionalGids.length > 0
          ? { additionalGids: [...options.additionalGids] }
          : {}),
      },
      args: [...options.args],
      env: withHostnameEnv(options.env, options.hostname),
      cwd: options.cwd,
      // As in Docker, a non-root user keeps the bounding set but starts without effective capabilities.
      capabilities: {
        bounding: capabilities,
        effective: isRoot ? capabilities : [],
        permitted: isRoot ? capabilities : [],
        inheritable: [],
        ambient: [],
      },
      rlimits: mergeRlimits(options.rlimits ?? []),
      noNewPrivileges: false,
    },
    root: { path: options.rootfs, readonly: options.readonlyRoot === true },
    hostname: options.hostname,
    mounts: [
      ...systemMounts(options),
      ...networkFileMounts(options.networkFiles),
      ...extraMounts(options.mounts ?? []),
    ],
    linux: {
      namespaces,
      ...(options.cgroupsPath === undefined ? {} : { cgroupsPath: options.cgroupsPath }),
      ...(options.privileged === undefined ? sandboxed(capabilities) : privileged(options.privileged)),
    },
  };
}

function sandboxed(capabilities: readonly string[]): Omit<OciLinux, 'namespaces'> {
  return {
    // Deny every device; runc still allows its default set (null, zero, full, tty, random, urandom, pts).
    resources: { devices: [{ allow: false, access: 'rwm' }] },
    maskedPaths: defaultMaskedPaths,
    readonlyPaths: defaultReadonlyPaths,
    // The calls of capabilities beyond Docker's defaults (`tsbuild run --cap-add`) are allowed as Docker allows them.
    seccomp: defaultSeccompProfile(process.arch, capabilities),
  };
}

function privileged(settings: NonNullable<RunSpecOptions['privileged']>): Omit<OciLinux, 'namespaces'> {
  return {
    resources: { devices: privilegedDeviceRules },
    devices:
      'devices' in settings ? settings.devices : privilegedDevices(settings.loopDevices, settings.loopPartShift ?? 0),
    maskedPaths: [],
    readonlyPaths: [],
  };
}

function systemMounts(options: RunSpecOptions): OciMount[] {
  const userTargets = new Set((options.mounts ?? []).map((mount) => containerPath(mount.target)));
  const shmKiB = Math.ceil((options.shmSize ?? defaultShmSize) / 1024);
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmKiB}k`],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    ...sysMounts(options.privileged !== undefined),
  ];
  // A RUN --mount on /dev/shm (TestMountTmpfsSize) replaces the default one instead of stacking on it.
  return mounts.filter((mount) => !userTargets.has(mount.destination));
}

/** /sys, read-only; a privileged step's is writable and has the cgroup filesystem (BuildKit's insecure mode). */
function sysMounts(privileged: boolean): OciMount[] {
  const options = ['nosuid', 'noexec', 'nodev'];
  if (!privileged) return [{ destination: '/sys', type: 'sysfs', source: 'sysfs', options: [...options, 'ro'] }];
  return [
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...options, 'relatime', 'rw'] },
  ];
}

function networkFileMounts(files: NetworkFiles): OciMount[] {
  const bind = (source: string, destination: string): OciMount => ({
    destination,
    type: 'bind',
    source,
    options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
  });
  return [
    bind(files.hosts, '/etc/hosts'),
    bind(files.resolvConf, '/etc/resolv.conf'),
    bind(files.hostname, '/etc/hostname'),
  ];
}

function extraMounts(mounts: readonly ExtraMount[]): OciMount[] {
  return mounts.map((mount): OciMount => {
    const destination = containerPath(mount.target);
    if (!path.posix.isAbsolute(destination)) throw new Error(`mount target must be absolute: ${mount.target}`);
    if (mount.type === 'bind') {
      return { destination, type: 'bind', source: mount.source, options: ['rbind', mount.readonly ? 'ro' : 'rw'] };
    }
    const options = [...(mount.options ?? ['nosuid', 'nodev'])];
    if (mount.size !== undefined) options.push(`size=${mount.size}`);
    if (mount.mode !== undefined) options.push(`mode=${mount.mode.toString(8).padStart(4, '0')}`);
    return { destination, type: 'tmpfs', source: 'tmpfs', options };
  });
}

/** Like Docker and BuildKit, a step sees its hostname in $HOSTNAME unless its env sets one. */
function withHostnameEnv(env: readonly string[], hostname: string): string[] {
  return env.some((entry) => entry.startsWith('HOSTNAME=')) ? [...env] : [...env, `HOSTNAME=${hostname}`];
}

/** `/src/` and `/src/./` name the same mount point as `/src`. */
/** Where a mount's target lands in the container's mount table (normalized, no trailing slash). */
export function containerPath(target: string): string {
  const normalized = path.posix.normalize(target);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

function mergeRlimits(overrides: readonly OciRlimit[]): OciRlimit[] {
  const byType = new Map<string, OciRlimit>([['RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }]]);
  for (const limit of overrides) byType.set(limit.type, limit);
  return [...byType.values()];
}

/**
 * Paths inside the rootfs that the runtime may create as empty mount points (in the overlay upper
 * dir) when the image lacks them. The differ drops them again when they are still empty.
 */
export function mountStubPaths(spec: OciSpec): string[] {
  const destinations = spec.mounts.map((mount) => mount.destination);
  // Mounts inside another mount (e.g. /dev/pts inside the /dev tmpfs) never touch the rootfs.
  return destinations.filter(
    (destination) => !destinations.some((other) => other !== destination && destination.startsWith(`${other}/`)),
  );
}
