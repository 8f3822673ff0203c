// runc moves a container's first process into its cgroups ~6 ms after it starts. On Linux the first cgroup migration
// after a quiet moment waits for an RCU grace period (the cgroup_threadgroup_rwsem's rcu_sync: 5-15 ms here), and the
// steps of a build are far enough apart that every runc waited for one, in the middle of the step's critical path. A
// migration started beside runc, by a helper that writes 0 (itself) into the cgroup.procs of the cgroup it already is
// in (a move to where it is, which changes nothing), waits for that grace period instead of runc: runc's migration then
// finds it passed. Measured here: a trivial `runc run` 50 ms after the last one, 38-42 ms median without, 29-33 ms with.
// Best effort: where the file cannot be written (no root, a read-only cgroupfs) nothing is lost but the time.
import { existsSync, readFileSync } from 'node:fs';
import { launch } from './launcher.js';
import { hybridUnifiedMount } from './runtime-command.js';

/**
 * The cgroup.procs file of the cgroup this process is in, in one hierarchy of those `/proc/self/cgroup` lists: the
 * unified (v2) one where mounted, else the first v1 controller's (the lock is one for all hierarchies). Undefined
 * when none is found.
 */
export function ownCgroupProcsFile(
  procSelfCgroup: string,
  exists: (file: string) => boolean = existsSync,
): string | undefined {
  const candidates: string[] = [];
  for (const line of procSelfCgroup.split('\n')) {
    const match = /^(\d+):([^:]*):(\/.*)$/.exec(line);
    if (match === null) continue;
    const [, , controllers, cgroup] = match;
    const relative = cgroup === '/' ? '' : cgroup;
    if (controllers === '') {
      // v2: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one.
      candidates.unshift(`${hybridUnifiedMount}${relative}/cgroup.procs`, `/sys/fs/cgroup${relative}/cgroup.procs`);
    } else if (!controllers.startsWith('name=')) {
      candidates.push(`/sys/fs/cgroup/${controllers}${relative}/cgroup.procs`);
    }
  }
  return candidates.find((file) => exists(file));
}

let procsFile: string | null | undefined;

function ownProcsFile(): string | null {
  if (procsFile === undefined) {
    let text = '';
    try {
      text = readFileSync('/proc/self/cgroup', 'utf8');
    } catch {
      // not Linux, or no /proc: nothing to prime
    }
    procsFile = process.getuid?.() === 0 ? (ownCgroupProcsFile(text) ?? null) : null;
  }
  return procsFile;
}

/**
 * Starts a no-op cgroup migration (a launcher job writing `0` into `file`, by default this process's own cgroup.procs)
 * for an OCI runtime that is being started (null: no file to write); never fails and is never waited for.
 */
export function primeCgroupMigration(file: string | null = ownProcsFile()): Promise<void> {
  if (file === null) return Promise.resolve();
  return launch('printf', ['0'], { stdout: file, background: true }).then(
    () => undefined,
    () => undefined,
  );
}
