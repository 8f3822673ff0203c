// A git source (`ADD <git-url>`, a git build context): the repository's ref resolved to a commit (BuildKit's git
// source CacheKey), checked against a checksum (`--checksum`, `?checksum=`), and keyed as BuildKit keys it: by
// the commit (for an annotated tag, the commit it points to), `.git#<ref>` with keep-git-dir, `:<subdir>` and
// `(skip-submodules)`; the remote's URL is not part of the key, so a mirror at the same commit is a hit.

import path from 'node:path';
import type { GitCheckout, GitResolution, GitResolver } from './build-sources.js';
import type { Canonical } from './cache-key.js';
import { type GitRef, isCommitSha, redactCredentials } from './git-ref.js';
import type { StepInput } from './types.js';

/** A git source that cannot be used as given: a message a user can act on. */
export class GitSourceError extends Error {
  readonly code = 'E_GIT_SOURCE';
}

export interface GitFlags {
  /** `--keep-git-dir[=bool]`; null when not given. */
  readonly keepGitDir: boolean | null;
  /** `--checksum`; null when not given. */
  readonly checksum: string | null;
}

export interface PlannedGitSource {
  readonly checkout: GitCheckout;
  readonly input: StepInput;
  readonly key: Canonical;
}

/** Resolves `ref` (parsed from `source`) with `resolver` (absent: only a commit id can be used). */
export async function resolveGitSource(
  source: string,
  ref: GitRef,
  flags: GitFlags,
  resolver: GitResolver | undefined,
): Promise<PlannedGitSource> {
  const fail = (message: string): never => {
    throw new GitSourceError(message);
  };
  if (flags.keepGitDir !== null && ref.keepGitDir !== null && flags.keepGitDir !== ref.keepGitDir) {
    fail('inconsistent keep-git-dir configuration');
  }
  const keepGitDir = ref.keepGitDir ?? flags.keepGitDir ?? false;
  if (flags.checksum !== null && ref.checksum !== '' && flags.checksum !== ref.checksum) {
    fail(`checksum mismatch ${JSON.stringify(flags.checksum)} != ${JSON.stringify(ref.checksum)}`);
  }
  const checksum = ref.checksum || flags.checksum || '';
  if (checksum !== '' && !/^[a-fA-F0-9]+$/.test(checksum)) {
    fail(`invalid checksum ${checksum} for Git URL, expected hex commit hash`);
  }
  const shown = redactCredentials(ref.remote);
  const resolved = await resolve(resolver, ref, shown, fail);
  const wanted = checksum.toLowerCase();
  if (wanted !== '' && !resolved.sha.startsWith(wanted) && !(resolved.tagCommit ?? '').startsWith(wanted)) {
    const got = resolved.tagCommit === undefined ? resolved.sha : `${resolved.sha} or ${resolved.tagCommit}`;
    fail(`expected checksum to match ${checksum}, got ${got}`);
  }
  // The tree is the commit's; an annotated tag keyed by its commit matches more (BuildKit does the same).
  const commit = resolved.tagCommit ?? resolved.sha;
  const submodules = ref.submodules ?? true;
  const mtime = ref.mtime ?? 'checkout';
  let key = keepGitDir || resolved.tagCommit === undefined ? resolved.sha : resolved.tagCommit;
  if (keepGitDir) key += `.git#${resolved.ref}`;
  if (ref.subdir !== '') key += `:${ref.subdir}`;
  if (!submodules) key += '(skip-submodules)';
  const subdir = path.posix.normalize(`/${ref.subdir}`);
  const checkout: GitCheckout = {
    source,
    remote: ref.remote,
    ref: resolved.ref,
    sha: resolved.sha,
    commit,
    subdir: subdir.length > 1 && subdir.endsWith('/') ? subdir.slice(0, -1) : subdir,
    keepGitDir,
    submodules,
    mtime,
  };
  return {
    checkout,
    input: { type: 'git', remote: shown, ref: resolved.ref, commit, subdir: checkout.subdir },
    // Checkout times only enter the key when they are the commit's (BuildKit's git.mtime policy).
    key: mtime === 'commit' ? { git: key, mtime } : { git: key },
  };
}

async function resolve(
  resolver: GitResolver | undefined,
  ref: GitRef,
  shown: string,
  fail: (message: string) => never,
): Promise<GitResolution> {
  // A commit id needs no remote: the key is the commit (the checkout verifies it exists).
  if (isCommitSha(ref.ref)) return { ref: ref.ref, sha: ref.ref };
  if (resolver === undefined) return fail(`git source ${shown}: no git resolver is available`);
  try {
    return await resolver.resolve(ref.remote, ref.ref);
  } catch (error) {
    return fail((error as Error).message);
  }
}
