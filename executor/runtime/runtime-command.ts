// How tsbuild starts the OCI runtime. runc runs as it is. crun (1.8 at least) refuses every container on a
// cgroup v1/v2 hybrid host whose v2 hierarchy holds a controller ("cgroups in hybrid mode not supported, drop
// all controllers from cgroupv2"), which is the default layout of many systemd hosts. There crun is started
// in a mount namespace of its own, a private copy of the host's, in which the v2 mount is detached: crun then
// sees a v1 host and puts the container in v1 cgroups only, as runc does for the controllers. The host's
// mounts are untouched; the step's overlay root, mounted before, is in the copy.
import { accessSync, constants, readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { syscallNumbers } from './syscall-numbers.js';

/** statfs magic numbers. */
const TMPFS_MAGIC = 0x01021994;
const CGROUP2_MAGIC = 0x63677270;

/** Where a hybrid host mounts its cgroup v2 hierarchy. */
export const hybridUnifiedMount = '/sys/fs/cgroup/unified';

// perl-base only, one process: unshare(CLONE_NEWNS), the copy made private recursively (MS_REC|MS_PRIVATE:
// without it the detach would propagate back to a host whose mounts are shared), the v2 mount detached
// (MNT_DETACH), then exec of the runtime, which keeps the pid the launcher reported. 127/126 as a shell
// reports a command that is missing or cannot run.
const detachScript = String.raw`
my ($unshare, $mount, $umount, $unified, @command) = @ARGV;
my ($none, $root) = ('none', '/');
syscall($unshare, 0x20000) == 0 or die "tsbuild: cannot make a mount namespace for $command[0]: $!\n";
syscall($mount, $none, $root, 0, 0x4000 | 0x40000, 0) == 0 or die "tsbuild: cannot make mounts private for $command[0]: $!\n";
syscall($umount, $unified, 2) == 0 or die "tsbuild: cannot detach $unified for $command[0]: $!\n";
{ exec { $command[0] } @command; }
print STDERR "$command[0]: $!\n";
exit($!{ENOENT} ? 127 : 126);
`;

export interface CgroupProbe {
  /** statfs(2) type of a path; undefined if it cannot be read. */
  fsType(file: string): number | undefined;
  /** A file's text; undefined if it cannot be read. */
  read(file: string): string | undefined;
}

const hostProbe: CgroupProbe = {
  fsType: (file) => {
    try {
      return statfsSync(file).type;
    } catch {
      return undefined;
    }
  },
  read: (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** A v1/v2 hybrid host whose v2 hierarchy has controllers enabled: the layout crun refuses. */
export function hybridWithV2Controllers(probe: CgroupProbe = hostProbe): boolean {
  if (probe.fsType('/sys/fs/cgroup') !== TMPFS_MAGIC) return false;
  if (probe.fsType(hybridUnifiedMount) !== CGROUP2_MAGIC) return false;
  return (probe.read(path.join(hybridUnifiedMount, 'cgroup.controllers')) ?? '').trim() !== '';
}

let hostNeedsDetach: boolean | undefined;

/** Whether `runtime` (a name or path) is crun. */
export const isCrun = (runtime: string): boolean => path.basename(runtime) === 'crun';

/**
 * The command and arguments that run `runtime args…` on this host: crun on a hybrid host with v2
 * controllers goes through the namespace script above (where the architecture's syscall numbers are known).
 */
export function runtimeCommand(
  runtime: string,
  args: readonly string[],
  needsDetach: () => boolean = () => (hostNeedsDetach ??= hybridWithV2Controllers()),
): { readonly command: string; readonly args: readonly string[] } {
  const calls = syscallNumbers();
  if (!isCrun(runtime) || calls === undefined || !needsDetach()) return { command: runtime, args };
  const numbers = [calls.unshare, calls.mount, calls.umount2].map(String);
  return { command: 'perl', args: ['-e', detachScript, ...numbers, hybridUnifiedMount, runtime, ...args] };
}

/** Where tsbuild keeps a runtime's container state: one directory per runtime, since their formats differ. */
export function defaultStateRoot(runtime: string): string {
  const name = path.basename(runtime);
  return `/run/tsbuild/${name === '' || name === '.' || name === '..' ? 'runc' : name}`;
}

const found = new Map<string, boolean>();

/**
 * Whether `runtime` names an executable: a path, or a name found in `PATH`. Asked once per process and runtime:
 * a missing runtime would otherwise show as the step's command failing with exit code 127 (the shell's).
 */
export function runtimeExecutable(runtime: string, searchPath: string = process.env.PATH ?? ''): boolean {
  const key = `${runtime}\0${searchPath}`;
  let known = found.get(key);
  if (known === undefined) {
    const candidates = runtime.includes('/')
      ? [runtime]
      : searchPath
          .split(':')
          .filter((dir) => dir !== '')
          .map((dir) => path.join(dir, runtime));
    known = candidates.some((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    found.set(key, known);
  }
  return known;
}
