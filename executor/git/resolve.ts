// Which commit a ref of a remote repository names right now, as BuildKit's git source resolves it for the
// cache key: `git ls-remote --symref REMOTE HEAD` for the default branch, then `git ls-remote REMOTE REF REF^{}`,
// preferring a full ref that matches exactly, then a branch, then a tag (an annotated tag also gives the commit
// it points to). Nothing is fetched.
import { type GitResolution, type GitResolver, redactCredentials } from '../../planner/index.js';
import { GitCommandError, type GitRunOptions, runGit } from './git-cli.js';
import type { GitHttpAuth } from './http-auth.js';

export class GitResolveError extends Error {
  readonly code = 'E_GIT_RESOLVE';
}

export interface GitResolverOptions {
  /** The ssh-agent socket for a remote (SSH remotes with `--ssh default`), if any. */
  readonly sshAgent?: (remote: string) => Promise<string | undefined>;
  /** Credentials for an HTTP(S) remote, if the build has them. */
  readonly httpAuth?: (remote: string) => Promise<GitHttpAuth | undefined>;
  readonly signal?: AbortSignal;
}

/** A resolver for the planner; each remote and ref is asked once per resolver (one build). */
export function gitResolver(opts: GitResolverOptions = {}): GitResolver {
  const memo = new Map<string, Promise<GitResolution>>();
  return {
    resolve(remote, ref) {
      const key = `${remote}#${ref}`;
      let found = memo.get(key);
      if (found === undefined) {
        found = resolveRef(remote, ref, opts);
        memo.set(key, found);
      }
      return found;
    },
  };
}

async function resolveRef(remote: string, wanted: string, options: GitResolverOptions): Promise<GitResolution> {
  const shown = redactCredentials(remote);
  const sshAuthSock = await options.sshAgent?.(remote);
  const httpAuth = await options.httpAuth?.(remote);
  const opts: GitRunOptions = {
    ...(sshAuthSock === undefined ? {} : { sshAuthSock }),
    ...(httpAuth === undefined ? {} : { httpAuth }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const ref = wanted === '' ? await defaultBranch(remote, shown, opts) : wanted;
  let out: string;
  try {
    out = await runGit(['ls-remote', '--', remote, ref, `${ref}^{}`], opts);
  } catch (error) {
    throw new GitResolveError(`failed to fetch remote ${shown}: ${reason(error)}`);
  }
  const bare = (prefix: string) => prefix + (ref.startsWith(prefix) ? ref.slice(prefix.length) : ref);
  const full = `refs/${ref.startsWith('refs/') ? ref.slice('refs/'.length) : ref}`;
  const head = bare('refs/heads/');
  const tag = bare('refs/tags/');
  const found = new Map<string, string>();
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) found.set(line.slice(tab + 1), line.slice(0, tab));
  }
  // git checkout prefers a branch over a tag of the same name; an exact full ref wins over both.
  const exact = found.get(full);
  if (exact !== undefined) return checked({ ref: full, sha: exact }, shown);
  const branch = found.get(head);
  if (branch !== undefined) return checked({ ref: head, sha: branch }, shown);
  const tagged = found.get(tag);
  if (tagged === undefined) {
    throw new GitResolveError(`repository ${shown} does not contain ref ${ref}`);
  }
  const peeled = found.get(`${tag}^{}`);
  return checked(
    peeled === undefined ? { ref: tag, sha: tagged } : { ref: tag, sha: tagged, tagCommit: peeled },
    shown,
  );
}

function checked(resolution: GitResolution, shown: string): GitResolution {
  for (const sha of [resolution.sha, resolution.tagCommit]) {
    if (sha !== undefined && !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha)) {
      throw new GitResolveError(`invalid commit sha ${JSON.stringify(sha)} from ${shown}`);
    }
  }
  return resolution;
}

async function defaultBranch(remote: string, shown: string, opts: GitRunOptions): Promise<string> {
  let out: string;
  try {
    out = await runGit(['ls-remote', '--symref', '--', remote, 'HEAD'], opts);
  } catch (error) {
    throw new GitResolveError(`error fetching default branch for repository ${shown}: ${reason(error)}`);
  }
  const match = /refs\/heads\/(\S+)/.exec(out);
  if (match === null) throw new GitResolveError(`could not find default branch for repository: ${shown}`);
  return match[1];
}

function reason(error: unknown): string {
  if (error instanceof GitCommandError) return error.message.replace(/^git \S+ failed \([^)]*\): /, '');
  return (error as Error).message;
}
