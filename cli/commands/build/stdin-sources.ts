// Where `tsbuild build` takes its context and Dockerfile from: a directory, a tar stream on stdin
// (`tsbuild build - < ctx.tar`, plain or compressed, as docker accepts) or the Dockerfile text on stdin
// (`-f -`). A stdin context is unpacked into a private temp dir under the store and removed afterwards.
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { unpackContextTar } from '../../../cache/index.js';

export interface BuildSources {
  readonly contextDir: string;
  /** Path of the Dockerfile (inside the unpacked context for a stdin tar). */
  readonly dockerfile: string;
  /** The Dockerfile's text when `-f -` read it from stdin. */
  readonly dockerfileText?: string;
  /** Removes what `resolveSources` created (the unpacked context). */
  cleanup(): Promise<void>;
}

const nothing = async (): Promise<void> => {};

export async function resolveSources(
  context: string,
  file: string | undefined,
  stdin: AsyncIterable<Uint8Array>,
  storeRoot: string,
): Promise<BuildSources> {
  if (context === '-' && file === '-') {
    // `run` rejects this before opening the store (exit 2); kept here so no caller can mix them up.
    throw new Error('cannot read both the Dockerfile and the context from stdin');
  }
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
  // With a tar context, docker reads `-f NAME` as a path inside the archive.
  const inside = path.posix.normalize(`/${file ?? 'Dockerfile'}`).slice(1);
  const tmpRoot = path.join(storeRoot, 'tmp');
  await mkdir(tmpRoot, { recursive: true });
  const dir = await mkdtemp(path.join(tmpRoot, 'context-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const contextDir = path.join(dir, 'context');
  try {
    await unpackContextTar(stdin, contextDir);
  } catch (error) {
    await cleanup();
    throw new Error(`cannot read the build context from stdin: ${(error as Error).message}`);
  }
  const dockerfile = path.join(contextDir, inside);
  // The archive is untrusted: a Dockerfile symlinked out of it must not make us read a host file.
  const real = await realpath(dockerfile).catch(() => dockerfile);
  const root = await realpath(contextDir);
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) {
    await cleanup();
    throw new Error(`the Dockerfile ${JSON.stringify(inside)} in the context tar points outside the context`);
  }
  return { contextDir, dockerfile, cleanup };
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
