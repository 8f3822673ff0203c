// Writes overlayfs' own whiteout forms into a lower dir: a deleted path is a 0/0 character device, an opaque
// directory carries `trusted.overlay.opaque=y`. Node can do neither (no mknod, no xattr API), and a process per
// path is what hurts: a fork of Node costs 40–120 ms, and even `mknod` from a shell 5–20 ms on a busy 2-core VM.
// So all the devices of a layer come from one `tar -x` of a tiny archive of them, and the markers from one
// `setfattr` per few hundred directories, both started by the shared launcher.
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type TarEntry, tarChunks } from '../../image/index.js';
import { launchChecked, launcherDir } from '../runtime/launcher.js';

/** Paths per setfattr run: far below ARG_MAX even for long paths. */
const batchSize = 256;
let archives = 0;

/**
 * Creates a whiteout device (mode 0644, root-owned, as mknod makes it) at each of `targets`: paths relative to
 * `root` whose parents are real directories (resolved inside the root, no symlinks) and where nothing is yet.
 */
export async function makeWhiteoutNodes(root: string, targets: readonly string[]): Promise<void> {
  if (targets.length === 0) return;
  const mtime = Math.floor(Date.now() / 1000);
  const entries: TarEntry[] = targets.map((rel) => {
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`invalid whiteout path ${rel}`);
    return { path: rel, type: 'char', mode: 0o644, uid: 0, gid: 0, mtime, devmajor: 0, devminor: 0 };
  });
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  // The launcher's directory is private (0700): nobody can swap the archive.
  const archive = path.join(launcherDir(), `whiteouts-${++archives}.tar`);
  await writeFile(archive, Buffer.concat(chunks), { mode: 0o600 });
  try {
    await run('tar', ['-x', '-f', archive, '-C', root], 'whiteouts');
  } finally {
    await unlink(archive).catch(() => {});
  }
}

/** Marks each of `dirs` (absolute paths of directories) opaque for overlayfs. */
export async function markOpaqueDirs(dirs: readonly string[]): Promise<void> {
  for (let i = 0; i < dirs.length; i += batchSize) {
    const batch = dirs.slice(i, i + batchSize);
    await run('setfattr', ['-h', '-n', 'trusted.overlay.opaque', '-v', 'y', ...batch], 'opaque markers');
  }
}

async function run(command: string, args: readonly string[], what: string): Promise<void> {
  await launchChecked(command, args).catch((error: Error) => {
    throw new Error(`cannot create ${what}: ${error.message}`);
  });
}
