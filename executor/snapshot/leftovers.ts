// Finds and removes mounts left under a directory by a process that died without cleaning up
// (SIGKILL, power loss). Reads the kernel's mount table, not /etc/mtab.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { unmountPath } from './overlay.js';

export interface MountInfo {
  readonly target: string;
  readonly fsType: string;
  readonly source: string;
}

/** Decodes the octal escapes (`\040` for a space) the kernel uses in /proc/self/mountinfo. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [before, after] = line.split(' - ');
    const fields = before.split(' ');
    const tail = (after ?? '').split(' ');
    mounts.push({
      target: unescapeMountField(fields[4]),
      fsType: tail[0] ?? '',
      source: unescapeMountField(tail[1] ?? ''),
    });
  }
  return mounts;
}

/** Mounts strictly below `root`, deepest first (the order they must be unmounted in). */
export async function listMountsUnder(root: string): Promise<MountInfo[]> {
  const prefix = path.resolve(root) + path.sep;
  const mounts = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  return mounts
    .filter((mount) => mount.target.startsWith(prefix))
    .sort((a, b) => b.target.length - a.target.length || (a.target < b.target ? -1 : 1));
}

/** Unmounts everything below `root`; returns the targets it unmounted. */
export async function cleanMountsUnder(root: string): Promise<string[]> {
  const done: string[] = [];
  for (const mount of await listMountsUnder(root)) {
    // Rare (a process died, an unmount failed) and possibly an overlay whose unmount syncs: by the command.
    await unmountPath(mount.target, true);
    done.push(mount.target);
  }
  return done;
}
