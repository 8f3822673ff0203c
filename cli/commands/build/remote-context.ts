// Build contexts from URLs, as buildx passes them and BuildKit's dockerui loads them: a git repository
// (`https://…/repo.git#ref:subdir`, `git://…`, `git@host:repo`, `ssh://…`, the query form, and
// `github.com/org/repo` where no such local path exists) is checked out at the commit its ref names, `.git`
// kept only with BUILDKIT_CONTEXT_KEEP_GIT_DIR; any other http(s) URL is downloaded and, when its first bytes
// are an archive (gzip, bzip2, xz or a tar header: dockerui's isArchive), unpacked with the safe context
// unpacker, else the body is the Dockerfile (a file named `context`, the whole context). Everything lands in a
// private directory under the store's tmp, which the caller removes. No .dockerignore applies to such a
// context (BuildKit reads none for a remote context).
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { unpackContextTar } from '../../../cache/index.js';
import { checkoutGit, gitResolver } from '../../../executor/git/index.js';
import {
  type BuildContextOption,
  checkStatus,
  compressionOf,
  decompressed,
  type GitAgent,
  isTarHeader,
  readHead,
  request,
  saveBody,
} from '../../../executor/index.js';
import { parseGitRef, redactCredentials, resolveGitSource } from '../../../planner/index.js';

export type RemoteKind = 'git' | 'http';

/** Whether `context` names a remote context, and which kind; null for a local path or `-`. */
export function remoteKind(context: string, cwd = process.cwd()): RemoteKind | null {
  let ref: ReturnType<typeof parseGitRef>;
  try {
    ref = parseGitRef(context);
  } catch {
    // A repository URL with a bad fragment or query: loading it reports the error.
    return 'git';
  }
  if (ref !== null) {
    if (!ref.indistinguishableFromLocal) return 'git';
    if (!existsSync(path.resolve(cwd, context))) return 'git';
  }
  return /^https?:\/\//i.test(context) ? 'http' : null;
}

export interface GitContextOptions {
  /** BUILDKIT_CONTEXT_KEEP_GIT_DIR: keep the `.git` directory. */
  readonly keepGitDir: boolean;
  /** The `--ssh default` agent, for SSH remotes. */
  readonly agent?: GitAgent;
  readonly signal?: AbortSignal;
}

/** Checks the repository `url` names out into `dir/context` (work files in `dir/git`); returns the context dir. */
export async function loadGitContext(url: string, dir: string, opts: GitContextOptions): Promise<string> {
  const ref = parseGitRef(url);
  if (ref === null) throw new Error(`${url} is not a git repository URL`);
  const signal = opts.signal === undefined ? {} : { signal: opts.signal };
  const agent = opts.agent;
  const resolver = gitResolver({
    ...signal,
    ...(agent ? { sshAgent: (r: string) => agent.socketFor(r), httpAuth: (r: string) => agent.httpAuthFor(r) } : {}),
  });
  const planned = await resolveGitSource(
    url,
    ref,
    { keepGitDir: ref.keepGitDir ?? opts.keepGitDir, checksum: null },
    resolver,
  );
  const sshAuthSock = await agent?.socketFor(planned.checkout.remote);
  const httpAuth = await agent?.httpAuthFor(planned.checkout.remote);
  const contextDir = path.join(dir, 'context');
  await checkoutGit(planned.checkout, contextDir, path.join(dir, 'git'), {
    ...signal,
    ...(sshAuthSock === undefined ? {} : { sshAuthSock }),
    ...(httpAuth === undefined ? {} : { httpAuth }),
  });
  return contextDir;
}

/**
 * The `--build-context` values that are URLs, fetched into private directories under `tmpRoot` and given on as
 * local directories (marked remote); `cleanup` removes them. A git context keeps no `.git` unless its URL asks.
 */
export async function fetchNamedContexts(
  options: ReadonlyMap<string, BuildContextOption>,
  tmpRoot: string,
  git: { readonly agent?: GitAgent; readonly signal?: AbortSignal } = {},
): Promise<{ contexts: Map<string, BuildContextOption>; cleanup: () => Promise<void> }> {
  const contexts = new Map<string, BuildContextOption>();
  const dirs: string[] = [];
  const cleanup = async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const [name, option] of options) {
      if (option.type !== 'git' && option.type !== 'http') {
        contexts.set(name, option);
        continue;
      }
      await mkdir(tmpRoot, { recursive: true });
      const dir = await mkdtemp(path.join(tmpRoot, 'context-'));
      dirs.push(dir);
      try {
        const local =
          option.type === 'git'
            ? await loadGitContext(option.url, dir, { keepGitDir: false, ...git })
            : await loadHttpFile(option.url, dir);
        contexts.set(name, { type: 'local', dir: local, remote: option.url });
      } catch (error) {
        throw new Error(
          `cannot load build context ${name}=${redactCredentials(option.url)}: ${(error as Error).message}`,
        );
      }
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { contexts, cleanup };
}

export interface HttpContext {
  readonly contextDir: string;
  /** The downloaded Dockerfile (a body that is no archive), which then overrides `-f`. */
  readonly dockerfile?: string;
}

/** Downloads `url` into `dir`: unpacked into `dir/context` when an archive, else `dir/context/context`. */
export async function loadHttpContext(url: string, dir: string): Promise<HttpContext> {
  const contextDir = path.join(dir, 'context');
  await mkdir(contextDir, { recursive: true });
  const body = path.join(dir, 'download');
  await downloadTo(url, body);
  const head = await readHead(body, 1024);
  if (!isArchive(head)) {
    const dockerfile = path.join(contextDir, 'context');
    await rename(body, dockerfile);
    return { contextDir, dockerfile };
  }
  await unpackContextTar(plainOrDecompressed(body, head), contextDir);
  return { contextDir };
}

/** `--build-context NAME=https://…` that is no repository: the downloaded file, named as BuildKit's HTTP source does. */
export async function loadHttpFile(url: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = await downloadTo(url, path.join(dir, 'download'));
  const contextDir = path.join(dir, 'context');
  await mkdir(contextDir);
  await rename(path.join(dir, 'download'), path.join(contextDir, name));
  return contextDir;
}

/** Streams the body of `url` into `file`; returns the name BuildKit gives it (Content-Disposition, URL, `index`). */
async function downloadTo(url: string, file: string): Promise<string> {
  const response = await request(url, {});
  await checkStatus(response, url);
  await saveBody(response, file, url, null);
  return fileName(url, response.headers.get('content-disposition'));
}

function fileName(url: string, disposition: string | null): string {
  const given = disposition === null ? null : /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  if (given && !given.endsWith('/')) {
    const base = path.posix.basename(given.replaceAll('\\', '/'));
    if (base !== '' && base !== '.' && base !== '..') return base;
  }
  const base = path.posix.basename(new URL(url).pathname);
  return base === '' || base === '.' || base === '/' ? 'index' : decodeURIComponent(base).replaceAll('/', '_');
}

/** dockerui's isArchive: a bzip2, gzip or xz stream (not zstd), or a block that is a valid tar header. */
export function isArchive(head: Buffer): boolean {
  const kind = compressionOf(head);
  return kind === 'gzip' || kind === 'bzip2' || kind === 'xz' || isTarHeader(head);
}

/** The archive's bytes as a tar or a gzip stream (which the unpacker decompresses); xz and bzip2 by their tools. */
function plainOrDecompressed(file: string, head: Buffer): AsyncIterable<Uint8Array> {
  const kind = compressionOf(head);
  return kind === 'xz' || kind === 'bzip2' ? decompressed(file, kind) : createReadStream(file);
}
