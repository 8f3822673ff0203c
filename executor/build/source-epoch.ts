// The date of a remote source, for `SOURCE_DATE_EPOCH=<stage>` (the planner's SourceEpochResolver), as
// BuildKit resolves it: the response's Last-Modified when it has one; otherwise the body is read as a
// (compressed) tar and the newest mtime of its regular files wins; a body that is no archive gives none.
// Only headers are read: nothing of the archive reaches the disk. A git source is dated by its commit's
// committer time (the commit is fetched into a private directory under the store's tmp, then removed).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { decompressedStream, readTar } from '../../image/index.js';
import type { SourceEpochResolver } from '../../planner/index.js';
import { commitTime } from '../git/index.js';
import { fetchVerified } from './download.js';
import type { GitAgent } from './git-ssh.js';

export const httpSourceEpoch: SourceEpochResolver = {
  async httpEpoch(url, checksum) {
    const { body, lastModified } = await fetchVerified(url, checksum);
    return lastModified ?? newestFileTime(body);
  },
};

/** Dates HTTP and git sources; git work happens under `tmpRoot`. */
export function sourceEpochResolver(tmpRoot: string, agent?: GitAgent, signal?: AbortSignal): SourceEpochResolver {
  return {
    httpEpoch: httpSourceEpoch.httpEpoch,
    async gitEpoch(checkout) {
      await mkdir(tmpRoot, { recursive: true });
      const work = await mkdtemp(path.join(tmpRoot, 'git-epoch-'));
      try {
        const sshAuthSock = await agent?.socketFor(checkout.remote);
        const httpAuth = await agent?.httpAuthFor(checkout.remote);
        return await commitTime(checkout, work, {
          ...(sshAuthSock === undefined ? {} : { sshAuthSock }),
          ...(httpAuth === undefined ? {} : { httpAuth }),
          ...(signal === undefined ? {} : { signal }),
        });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/** Newest mtime (seconds) of the regular files and hard links of a tar; null when `body` is not one. */
export async function newestFileTime(body: Buffer): Promise<number | null> {
  let newest: number | null = null;
  try {
    for await (const entry of readTar(await uncompressed(body))) {
      const { type, mtime } = entry.header;
      if ((type === 'file' || type === 'hardlink') && (newest === null || mtime > newest)) newest = mtime;
      for await (const _ of entry.body()) {
        // skipped: only headers matter
      }
    }
  } catch {
    // Not an archive (or a corrupt one): BuildKit then has no date either.
    return null;
  }
  return newest;
}

async function uncompressed(body: Buffer): Promise<Readable> {
  const xz = body.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  const bzip2 = body.subarray(0, 3).toString('latin1') === 'BZh';
  if (!xz && !bzip2) return decompressedStream(body);
  const child = spawn(xz ? 'xz' : 'bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.on('error', () => {});
  Readable.from([body]).pipe(child.stdin);
  return child.stdout;
}
