// Checking out one planned git source (planner GitCheckout) into a directory, as BuildKit's git source does:
// a private bare repository fetches the ref shallowly (or the commit), the fetched object must be the one the
// plan was keyed by, the tree is checked out with `git checkout <commit> -- .` (or, with --keep-git-dir, into a
// repository of its own with HEAD detached at the commit and `origin` set to the remote, credentials removed),
// submodules follow (`submodule update --init --recursive --depth=1`) unless turned off, and a subdir's entries
// become the result. Everything happens under `work`, which the caller removes.
import { lstat, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type GitCheckout, isCommitSha, redactCredentials } from '../../planner/index.js';
import { GitCommandError, type GitRunOptions, runGit } from './git-cli.js';
import type { GitHttpAuth } from './http-auth.js';
import { setTreeTimes } from './tree-times.js';

export class GitCheckoutError extends Error {
  readonly code = 'E_GIT_CHECKOUT';
}

export interface CheckoutOptions {
  readonly sshAuthSock?: string;
  readonly httpAuth?: GitHttpAuth;
  readonly signal?: AbortSignal;
}

/** Checks `source` out into `dest` (created, must not exist), using `work` (a private directory) for the rest. */
export async function checkoutGit(
  source: GitCheckout,
  dest: string,
  work: string,
  opts: CheckoutOptions = {},
): Promise<void> {
  const { git, bare, run, fail, shown } = await fetchedRepository(source, work, opts);
  const keepGitDir = source.keepGitDir && source.subdir === '/';
  const tree = source.subdir === '/' ? dest : path.join(work, 'tree');
  await mkdir(tree, { recursive: true });
  let gitDir = bare;
  try {
    if (keepGitDir) gitDir = await checkoutWithGitDir(source, tree, bare, run);
    else await git(['checkout', source.commit, '--', '.'], { workTree: tree });
  } catch (error) {
    fail('failed to checkout remote', error);
  }
  if (source.submodules) {
    try {
      await runGit(['submodule', 'update', '--init', '--recursive', '--depth=1'], { ...run, gitDir, workTree: tree });
    } catch (error) {
      fail('failed to update submodules for', error);
    }
    // A submodule's `.git` file names a directory of the private repository, which is about to go.
    if (!keepGitDir) await removeGitLinks(tree);
  }
  if (source.subdir !== '/') await takeSubdir(tree, source.subdir, dest, shown);
  if (source.mtime === 'commit') {
    const time = Number((await git(['log', '-1', '--format=%ct', source.commit])).trim());
    await setTreeTimes(dest, time);
  }
}

/** The committer time (seconds) of the planned commit, fetched as for a checkout; nothing is checked out. */
export async function commitTime(source: GitCheckout, work: string, opts: CheckoutOptions = {}): Promise<number> {
  const { git } = await fetchedRepository(source, work, opts);
  return Number((await git(['log', '-1', '--format=%ct', source.commit])).trim());
}

type Git = (args: string[], more?: GitRunOptions) => Promise<string>;

/** A private bare repository in `work/repo.git` holding the planned commit. */
async function fetchedRepository(source: GitCheckout, work: string, opts: CheckoutOptions) {
  const shown = redactCredentials(source.remote);
  const fail = (what: string, error: unknown): never => {
    const detail = error instanceof GitCommandError ? error.message : (error as Error).message;
    throw new GitCheckoutError(`${what} ${shown}: ${detail}`);
  };
  const run: GitRunOptions = {
    ...(opts.sshAuthSock === undefined ? {} : { sshAuthSock: opts.sshAuthSock }),
    ...(opts.httpAuth === undefined ? {} : { httpAuth: opts.httpAuth }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  };
  const bare = path.join(work, 'repo.git');
  const git: Git = (args, more = {}) => runGit(args, { ...run, gitDir: bare, ...more });
  await mkdir(bare, { recursive: true });
  await git(['init', '--bare', '-q']);
  await git(['remote', 'add', 'origin', source.remote]);
  try {
    await fetchPlanned(git, source);
  } catch (error) {
    if (error instanceof GitCheckoutError) throw error;
    fail('failed to fetch remote', error);
  }
  return { git, bare, run, fail, shown };
}

/** Fetches what the plan resolved; a ref that moved since is fetched at the planned object when it still exists. */
async function fetchPlanned(git: Git, source: GitCheckout): Promise<void> {
  if (isCommitSha(source.ref)) await fetchCommit(git, source.ref);
  else {
    await git(['fetch', '--depth=1', '--no-tags', '--force', 'origin', `+${source.ref}:${source.ref}`]);
    const fetched = (await git(['rev-parse', source.ref])).trim();
    if (fetched !== source.sha) {
      // The remote moved the ref after planning: the key names `sha`, so that is what must be checked out.
      await fetchCommit(git, source.sha).catch(() => '');
      await git(['update-ref', '--no-deref', source.ref, source.sha]).catch(() => '');
    }
  }
  await git(['update-ref', CHECKOUT_REF, source.commit]).catch(() => '');
  try {
    await git(['cat-file', '-e', `${source.commit}^{commit}`]);
  } catch {
    throw new GitCheckoutError(
      `fetched ref ${source.ref} of ${redactCredentials(source.remote)} does not match expected commit ${source.commit} and commit can not be found in the repository`,
    );
  }
}

const CHECKOUT_REF = 'refs/tsbuild/checkout';

/** A commit by id: shallow where the server gives unadvertised objects, else every branch and tag in full. */
async function fetchCommit(git: Git, commit: string): Promise<void> {
  try {
    await git(['fetch', '--depth=1', '--no-tags', 'origin', commit]);
  } catch {
    await git(['fetch', '--tags', '--force', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
  }
}

/** --keep-git-dir: `tree/.git` is a shallow clone of the private repository, HEAD detached at the commit. */
async function checkoutWithGitDir(
  source: GitCheckout,
  tree: string,
  bare: string,
  run: GitRunOptions,
): Promise<string> {
  const gitDir = path.join(tree, '.git');
  const git = (args: string[]) => runGit(args, { ...run, gitDir, workTree: tree });
  await git(['init', '-q']);
  // The file:// protocol (not a local clone), which copies objects only: BuildKit's defence in depth.
  await git(['remote', 'add', 'origin', `file://${bare}`]);
  // The ref itself comes along (a branch or tag the build may look at); a commit id by a private ref.
  const pull = isCommitSha(source.ref) ? CHECKOUT_REF : `+${source.ref}:${source.ref}`;
  await git(['fetch', '-u', '--depth=1', 'origin', pull]);
  await git(['checkout', '-q', source.commit]);
  await git(['remote', 'set-url', 'origin', redactCredentials(source.remote)]);
  await git(['reflog', 'expire', '--all', '--expire=now']);
  await rm(path.join(gitDir, 'FETCH_HEAD'), { force: true });
  return gitDir;
}

/** Removes the `.git` files git writes into checked-out submodules (not directories: nothing of the tree). */
async function removeGitLinks(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const link = path.join(full, '.git');
      const st = await lstat(link).catch(() => null);
      if (st?.isFile()) await rm(link);
      await removeGitLinks(full);
    }
  }
}

/** Moves the entries of `tree/subdir` into `dest`; the subdir must be a directory inside the tree. */
async function takeSubdir(tree: string, subdir: string, dest: string, shown: string): Promise<void> {
  const root = await realpath(tree);
  const wanted = path.join(root, subdir);
  const real = await realpath(wanted).catch(() => null);
  const st = real === null ? null : await lstat(real);
  if (real === null || st === null || !st.isDirectory() || (real !== root && !real.startsWith(`${root}/`))) {
    throw new GitCheckoutError(`failed to open subdir ${subdir}: not a directory in ${shown}`);
  }
  await mkdir(dest, { recursive: true });
  for (const name of await readdir(real)) await rename(path.join(real, name), path.join(dest, name));
}
