// Where `tsbuild build` takes its context and Dockerfile from: a directory, a tar stream on stdin
// (`tsbuild build - < ctx.tar`, plain or compressed, as docker accepts) or a Dockerfile on stdin with no context
// (`tsbuild build - < Dockerfile`, what is no archive), a URL (remote-context.ts: a git
// repository, a tarball or a Dockerfile) or the Dockerfile text on stdin (`-f -`). A stdin or remote context is
// unpacked into a private temp dir under the store and removed afterwards.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { unpackContextTar } from '../../../cache/index.js';
import { compressionOf, type GitAgent, isTarHeader } from '../../../executor/index.js';
import { redactCredentials } from '../../../planner/index.js';
import { loadGitContext, loadHttpContext, remoteKind } from './remote-context.js';

export interface BuildSources {
  readonly contextDir: string;
  /** Path of the Dockerfile (inside the unpacked context for a stdin tar). */
  readonly dockerfile: string;
  /** The Dockerfile's text when `-f -` read it from stdin. */
  readonly dockerfileText?: string;
  /** The context was fetched from a URL: no .dockerignore applies, and no stat cache is kept for it. */
  readonly remote?: boolean;
  /** Removes what `resolveSources` created (the unpacked context). */
  cleanup(): Promise<void>;
}

const nothing = async (): Promise<void> => {};

export interface SourceOptions {
  /** BUILDKIT_CONTEXT_KEEP_GIT_DIR: a git context keeps its `.git` directory. */
  readonly keepGitDir?: boolean;
  /** The `--ssh default` agent, for a git context on an SSH remote. */
  readonly agent?: GitAgent;
  readonly signal?: AbortSignal;
}

export async function resolveSources(
  context: string,
  file: string | undefined,
  stdin: AsyncIterable<Uint8Array>,
  storeRoot: string,
  options: SourceOptions = {},
): Promise<BuildSources> {
  if (context === '-' && file === '-') {
    // `run` rejects this before opening the store (exit 2); kept here so no caller can mix them up.
    throw new Error('cannot read both the Dockerfile and the context from stdin');
  }
  const remote = context === '-' ? null : remoteKind(context);
  if (remote !== null) return remoteSources(context, remote, file, stdin, storeRoot, options);
  if (file === '-') {
    return {
      contextDir: context,
      dockerfile: path.join(context, 'Dockerfile'),
      dockerfileText: await readAll(stdin),
      cleanup: nothing,
    };
  }
  if (context !== '-') {
    return {
      contextDir: context,
      dockerfile: file === undefined ? path.join(context, 'Dockerfile') : path.resolve(file),
      cleanup: nothing,
    };
  }
  const { dir, cleanup } = await privateDir(storeRoot);
  const contextDir = path.join(dir, 'context');
  const { head, all } = await peek(stdin, 1024);
  if (!isStdinArchive(head)) {
    // `docker build - < Dockerfile`: standard input is the Dockerfile, and there is no context (docker's
    // GetContextFromReader writes it into an empty temporary one).
    await cleanup();
    if (file !== undefined) {
      throw new Error('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
    }
    const empty = await privateDir(storeRoot);
    const emptyContext = path.join(empty.dir, 'context');
    await mkdir(emptyContext);
    return {
      contextDir: emptyContext,
      dockerfile: path.join(emptyContext, 'Dockerfile'),
      dockerfileText: await readAll(all),
      cleanup: empty.cleanup,
    };
  }
  try {
    await unpackContextTar(all, contextDir);
  } catch (error) {
    await cleanup();
    throw new Error(`cannot read the build context from stdin: ${(error as Error).message}`);
  }
  // With a tar context, docker reads `-f NAME` as a path inside the archive.
  try {
    return { contextDir, dockerfile: await dockerfileInside(contextDir, file, 'the context tar'), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** docker's IsArchive for a context on standard input: any compression's magic bytes, or a tar header. */
function isStdinArchive(head: Buffer): boolean {
  return compressionOf(head) !== 'tar' || isTarHeader(head);
}

/** The first `length` bytes of `stream` (fewer if it is shorter), and the whole stream again, those bytes first. */
async function peek(
  stream: AsyncIterable<Uint8Array>,
  length: number,
): Promise<{ head: Buffer; all: AsyncIterable<Uint8Array> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < length) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    taken.push(chunk);
    size += chunk.length;
  }
  const all = (async function* () {
    yield* taken;
    if (done) return;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  })();
  return { head: Buffer.concat(taken).subarray(0, length), all };
}

async function privateDir(storeRoot: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tmpRoot = path.join(storeRoot, 'tmp');
  await mkdir(tmpRoot, { recursive: true });
  const dir = await mkdtemp(path.join(tmpRoot, 'context-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * `-f NAME` inside an untrusted context (default `Dockerfile`, or BuildKit's `dockerfile` when only that
 * exists): a Dockerfile symlinked out of it must not make us read a host file.
 */
async function dockerfileInside(contextDir: string, file: string | undefined, what: string): Promise<string> {
  const inside = path.posix.normalize(`/${file ?? 'Dockerfile'}`).slice(1);
  let dockerfile = path.join(contextDir, inside);
  if (file === undefined && !existsSync(dockerfile) && existsSync(path.join(contextDir, 'dockerfile'))) {
    dockerfile = path.join(contextDir, 'dockerfile');
  }
  const real = await realpath(dockerfile).catch(() => dockerfile);
  const root = await realpath(contextDir);
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) {
    throw new Error(`the Dockerfile ${JSON.stringify(inside)} in ${what} points outside the context`);
  }
  return dockerfile;
}

/**
 * A URL context: `-f` is a path inside it (buildx), an absolute `-f` a local file, `-f -` standard input; a
 * download that is no archive is itself the Dockerfile, whatever `-f` says (BuildKit's dockerui).
 */
async function remoteSources(
  context: string,
  kind: 'git' | 'http',
  file: string | undefined,
  stdin: AsyncIterable<Uint8Array>,
  storeRoot: string,
  options: SourceOptions,
): Promise<BuildSources> {
  const { dir, cleanup } = await privateDir(storeRoot);
  const shown = redactCredentials(context);
  try {
    let contextDir: string;
    let downloaded: string | undefined;
    try {
      if (kind === 'git') {
        const git = {
          keepGitDir: options.keepGitDir ?? false,
          ...(options.agent ? { agent: options.agent } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        };
        contextDir = await loadGitContext(context, dir, git);
      } else ({ contextDir, dockerfile: downloaded } = await loadHttpContext(context, dir));
    } catch (error) {
      throw new Error(`cannot load the build context ${shown}: ${(error as Error).message}`);
    }
    const base = { contextDir, remote: true, cleanup };
    if (downloaded !== undefined) return { ...base, dockerfile: downloaded };
    if (file === '-') {
      return { ...base, dockerfile: path.join(contextDir, 'Dockerfile'), dockerfileText: await readAll(stdin) };
    }
    if (file !== undefined && path.isAbsolute(file)) return { ...base, dockerfile: file };
    return { ...base, dockerfile: await dockerfileInside(contextDir, file, shown) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
