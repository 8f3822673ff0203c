// The extended attributes of a few given paths (not a tree): through the syscall helper when a RUN step already
// started it, else with one `getfattr` run started by the shared launcher (Node has no xattr API; a fork of Node
// costs far more than the launcher's shell, and perl's start more than one getfattr). Used to check the lower
// directories a direct copy writes into (lower-probe.ts).
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parseGetfattrDump, type Xattrs } from '../diff/xattrs.js';
import { launch, launcherDir } from '../runtime/launcher.js';
import { startedSyscallHelper } from '../runtime/syscalls.js';

let dumps = 0;

/** Paths per getfattr run: far below ARG_MAX even for long paths. */
const batchSize = 256;

/**
 * The attributes of each of `paths` (absolute; symlinks not followed), keyed by path; paths without any are
 * absent from the map. Null when getfattr cannot tell (missing, or it failed on one of them).
 */
export async function readPathXattrs(paths: readonly string[]): Promise<Map<string, Xattrs> | null> {
  const result = new Map<string, Xattrs>();
  for (let at = 0; at < paths.length; at += batchSize) {
    const batch = await readBatch(paths.slice(at, at + batchSize));
    if (batch === null) return null;
    for (const [name, xattrs] of batch) result.set(name, xattrs);
  }
  return result;
}

async function readBatch(paths: readonly string[]): Promise<Map<string, Xattrs> | null> {
  // The launcher's directory is private (0700), so nobody can put a link where the dump goes.
  const dump = path.join(launcherDir(), `path-xattrs-${process.pid}-${++dumps}`);
  try {
    const absolute = paths.map((p) => path.resolve(p));
    const helper = await startedSyscallHelper();
    if (helper) {
      const dumped = await helper.dumpPathXattrs(absolute, dump).then(
        () => true,
        () => false,
      );
      if (!dumped) return null;
    } else {
      const args = ['-P', '-h', '--absolute-names', '-d', '-m', '-', '-e', 'hex', ...absolute];
      const run = await launch('getfattr', args, { stdout: dump });
      if (run.exitCode !== 0) return null;
    }
    // Keys relative to `/` come back absolute again.
    const parsed = parseGetfattrDump(await readFile(dump), '/');
    return new Map([...parsed].map(([rel, xattrs]) => [path.resolve('/', rel), xattrs]));
  } finally {
    await unlink(dump).catch(() => {});
  }
}
