// What a build running in another process is using right now, so that prune leaves it alone: the
// snapshot directories its overlay mounts name (lower, upper and work dirs, read from the kernel's mount
// table, so no cooperation from that process is needed), and its temp files (their names carry the pid).
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { processAlive, tempMarker, tempOwnerPid } from '../../../image/index.js';

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

/**
 * Temp files (`*.tmp-<pid>-<hex>`) under `dir`, at any depth, whose writer died: a write that was killed
 * between creating its temp file and renaming it into place. Files of live processes are in flight.
 */
export async function removeDeadTempFiles(dir: string, root: string): Promise<{ removed: string[]; bytes: number }> {
  const removed: string[] = [];
  let bytes = 0;
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const file = path.join(current, entry.name);
      if (entry.isDirectory()) {
        await walk(file);
        continue;
      }
      if (!entry.name.includes(tempMarker)) continue;
      const pid = tempOwnerPid(entry.name);
      if (pid === undefined || processAlive(pid)) continue;
      const size = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      if (
        await unlink(file).then(
          () => true,
          () => false,
        )
      ) {
        removed.push(path.relative(root, file));
        bytes += size;
      }
    }
  };
  await walk(dir);
  return { removed: removed.sort(), bytes };
}
