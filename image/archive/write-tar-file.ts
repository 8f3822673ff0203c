import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TarEntry } from '../layer/tar-entry.js';
import { tarChunks } from '../layer/tar-writer.js';
import { fsyncDir, tempPathFor } from '../store/atomic-file.js';

/**
 * Writes the tar of `entries` to a file (temp name, fsync, rename: a crash never leaves a half archive under
 * the final name) or to a caller's stream.
 */
export async function writeTarTo(entries: AsyncIterable<TarEntry>, target: string | Writable): Promise<void> {
  if (typeof target !== 'string') {
    await pipeline(Readable.from(tarChunks(entries)), target);
    return;
  }
  const temp = tempPathFor(target);
  try {
    await pipeline(Readable.from(tarChunks(entries)), createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await rename(temp, target);
  await fsyncDir(path.dirname(path.resolve(target)));
}

/** Metadata shared by every entry of an archive: root-owned, epoch mtime (archives are reproducible). */
export const archiveMeta = { uid: 0, gid: 0, mtime: 0 } as const;

export function jsonEntry(entryPath: string, value: unknown): TarEntry {
  return { ...archiveMeta, path: entryPath, type: 'file', mode: 0o644, content: Buffer.from(JSON.stringify(value)) };
}

export function dirEntry(entryPath: string): TarEntry {
  return { ...archiveMeta, path: entryPath, type: 'directory', mode: 0o755 };
}
