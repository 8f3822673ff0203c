// What a build running in another process is using right now, so that prune leaves it alone: the
// snapshot directories its overlay mounts name (lower, upper and work dirs, read from the kernel's mount
// table, so no cooperation from that process is needed). Its temp files carry its pid: the store's prune
// keeps those of live processes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The overlay option values that name directories: `lowerdir=a:b`, `upperdir=u`, `workdir=w`. */
function overlayDirs(superOptions: string): string[] {
  const dirs: string[] = [];
  for (const option of superOptions.split(',')) {
    const eq = option.indexOf('=');
    const key = option.slice(0, eq);
    if (key === 'lowerdir' || key === 'upperdir' || key === 'workdir') dirs.push(...option.slice(eq + 1).split(':'));
  }
  return dirs;
}

/**
 * Names of snapshot directories some overlay mount on this machine uses. Mount options hold paths as the
 * mounting process gave them (tsbuild gives them relative to a common parent), so the last path component
 * is what is compared: a false match only keeps a snapshot one prune longer.
 */
export function snapshotsInMountTable(mountInfo: string): Set<string> {
  const names = new Set<string>();
  for (const line of mountInfo.split('\n')) {
    const [, after] = line.split(' - ');
    if (after === undefined) continue;
    const [fsType, , superOptions] = after.split(' ');
    if (fsType !== 'overlay' || superOptions === undefined) continue;
    for (const dir of overlayDirs(superOptions)) {
      // The kernel escapes spaces and the like as \ooo; snapshot names never need it.
      const name = path.posix.basename(dir);
      if (name !== '' && name !== '.') names.add(name);
    }
  }
  return names;
}

export async function snapshotsInUse(): Promise<Set<string>> {
  return snapshotsInMountTable(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
}
