// ADD <git-url>: the planned commit checked out into the step's scratch directory (in the store, removed with
// the step) and copied like a directory from another filesystem: owners 0:0 (as BuildKit's git snapshots are
// root's), `--exclude` applied, nothing unpacked, symlinks copied as links.
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { snapshotSubtrees } from '../../cache/index.js';
import type { GitCheckout } from '../../planner/index.js';
import { checkoutGit } from '../git/index.js';
import { type CopyGroup, selectGroups } from './copy-items.js';
import type { StepEnv } from './step-env.js';

export async function gitGroups(
  env: StepEnv,
  source: GitCheckout,
  excludes: readonly string[],
  scratch: string,
): Promise<CopyGroup[]> {
  const work = await mkdtemp(path.join(scratch, 'git-'));
  const tree = path.join(work, 'out');
  const sshAuthSock = await env.gitAgent?.socketFor(source.remote);
  const httpAuth = await env.gitAgent?.httpAuthFor(source.remote);
  await checkoutGit(source, tree, work, {
    ...(env.signal === undefined ? {} : { signal: env.signal }),
    ...(sshAuthSock === undefined ? {} : { sshAuthSock }),
    ...(httpAuth === undefined ? {} : { httpAuth }),
  });
  const snapshot = await snapshotSubtrees(tree, ['/'], { resetOwner: true });
  const groups = await selectGroups({ snapshot, keepOwners: false, checksums: false }, ['/'], {
    excludes,
    parents: false,
  });
  // The repository is a directory: the destination is one even for a tree of a single file.
  return groups.map((group) => ({ ...group, single: false, download: true }));
}
